// The whole-graph native tier of a compiled function (docs/cache.md, "Whole-graph
// kernels"). For a small graph the interpreter's per-node cost dominates a call: the
// seeds' XOR step is 26 nodes over arrays of 1-4 elements, ~5 µs interpreted. After a
// few interpreted calls, the graph is printed as one C++ function whose every shape and
// stride is the last call's (backend/cgen/graph_emitter.hpp), compiled in the background
// through the disk cache; later calls whose inputs and shared values have the same
// layouts run it, the others keep the interpreter (and may get a variant of their own).
//
// Only graphs the code generator can take become one: no lazy op (ifelse), every compute
// node with an emitter, at most kMaxGraphSteps compute nodes, view geometry that
// depends on shapes only, arrays of at most kMaxGraphElements elements (bigger arrays
// want the interpreter's SIMD, BLAS and threads), no output that is a view. The native function cannot fail: whatever could
// fail at run time (shape mismatches) would have failed in the recorded call.
#pragma once

#include <memory>
#include <vector>

#include "backend/cgen/graph_emitter.hpp"
#include "backend/cgen/native.hpp"

namespace theon::detail {

inline constexpr int64_t kMaxGraphElements = 4096;
// Graphs with more compute nodes than this stay interpreted (their fused kernels still
// get native code of their own): GCC takes ~15 ms per unrolled node, so a 400-layer
// network would make one module that compiles for most of a minute.
inline constexpr int kMaxGraphSteps = 256;
// A layout is planned at the third interpreted call that finds no native function for
// it: a function called once or twice (a script's single evaluation, most tests) never
// pays for a compile. A function called with several layouts (a training step and a
// smaller last batch, train and validation sizes) gets up to kMaxGraphVariants.
inline constexpr int kCallsBeforePlan = 3;
inline constexpr int kMaxGraphVariants = 4;

// For tests: how many calls in this process ran a native graph function.
uint64_t native_graph_calls();

class GraphKernel {
 public:
  // nullptr when this graph can never be one native function (or native code is off).
  static std::unique_ptr<GraphKernel> create(const FunctionGraph& fgraph, const VM& vm,
                                             std::span<const int> wanted);

  // After an interpreted call succeeded, its values still in the slots: every
  // kCallsBeforePlan-th such call plans its layouts as a new variant and requests its
  // native function (unless a variant for that layout exists, or there are enough).
  void observe(VM& vm);
  // Runs the native function of the variant whose recorded layouts the bound inputs and
  // shared values have, once compiled; false leaves the call to the interpreter.
  bool try_run(VM& vm);

 private:
  enum class SlotKind : uint8_t { Bound, Constant, View, Computed };
  struct Guard {
    int slot;
    Shape shape;
    Strides strides;
  };
  // One specialization: the layouts it was planned for and its native function.
  struct Variant {
    std::vector<Guard> guards;
    std::vector<std::pair<int, cgen::SlotLayout>> computed;  // buffers the function writes
    std::vector<void*> pointers;                             // per slot, passed to it
    std::shared_ptr<const NativeGraph> native;
    bool matches(const VM& vm) const;
  };

  GraphKernel() = default;
  // The plan of the call in `vm`'s slots, or false when it cannot be one (sizes).
  bool plan_layouts(VM& vm, cgen::GraphPlan& plan, Variant& variant) const;
  // Runs `variant`, whose guards matched and whose pointers to bound slots are set.
  void run(VM& vm, Variant& variant);

  int calls_seen_ = 0;
  int attempts_ = 0;  // variants planned or refused
  std::vector<SlotKind> kinds_;
  std::vector<VM::NodeSlots> schedule_;
  std::vector<int> view_source_;  // per view slot: the slot it views
  std::vector<Variant> variants_;
};

}  // namespace theon::detail
