// Scheduling hints: ops whose place in the interpreter's program matters beyond their
// data dependencies. An all-reduce starts a transfer and a later node waits for it
// (theon::distributed): the start should run as soon as its inputs exist, the wait as late
// as its readers allow, so that the transfer overlaps the nodes in between. Such an op
// derives from ScheduleHint as well as Op; graphs without one keep their order.
#pragma once

#include <cstdint>
#include <vector>

#include "theon/graph.hpp"

namespace theon::detail {

class ScheduleHint {
 public:
  enum class When { Early, Late };
  virtual ~ScheduleHint() = default;
  virtual When when() const = 0;
  // Among Early nodes, which comes first (smaller first). The nodes a graph needs for an
  // Early node are computed in this order too: the producers of the first bucket of
  // gradients before those of the second.
  virtual int64_t urgency() const { return 0; }
};

// `order` (a topological order) rearranged for the hints: each Early node right after its
// inputs, each Late node only when nothing else can run, other nodes by the most urgent
// Early node they lead to, then in their original order. Unchanged without hinted nodes.
std::vector<ApplyNode*> order_with_hints(std::vector<ApplyNode*> order);

}  // namespace theon::detail
