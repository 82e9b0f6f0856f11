// Ops with side effects: an op whose computation does something besides producing its
// outputs (printing.Print writes to the console) derives from SideEffect as well as Op.
//
// Rewrites keep such a node as the user made it: constant folding never runs it at compile
// time, merge never makes two of them one, and fusion never takes it into a kernel. Like
// every node, it runs only when one of the function's outputs or updates depends on it.
//
//   class Log final : public Op, public SideEffect { ... };
#pragma once

#include "theon/graph.hpp"

namespace theon {

class SideEffect {
 public:
  virtual ~SideEffect() = default;
};

// Whether `op` derives from SideEffect.
inline bool has_side_effects(const Op& op) { return dynamic_cast<const SideEffect*>(&op) != nullptr; }

}  // namespace theon
