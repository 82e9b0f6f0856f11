// The whole-graph native tier of a compiled function (docs/cache.md, "Whole-graph
// kernels"). For a small graph the interpreter's per-node cost dominates a call: the
// seeds' XOR step is 26 nodes over arrays of 1-4 elements, ~5 µs interpreted. After the
// first interpreted call, the graph is printed as one C++ function whose every shape and
// stride is that call's (backend/cgen/graph_emitter.hpp), compiled in the background
// through the disk cache; later calls whose inputs and shared values have the same
// layouts run it, the others keep the interpreter.
//
// Only graphs the code generator can take become one: no lazy op (ifelse), every compute
// node with an emitter, view geometry that depends on shapes only, arrays of at most
// kMaxGraphElements elements (bigger arrays want the interpreter's SIMD, BLAS and
// threads), no output that is a view. The native function cannot fail: whatever could
// fail at run time (shape mismatches) would have failed in the recorded call.
#pragma once

#include <memory>
#include <vector>

#include "backend/cgen/graph_emitter.hpp"
#include "backend/cgen/native.hpp"

namespace theon::detail {

inline constexpr int64_t kMaxGraphElements = 4096;
// A function is planned at its third successful call: one that is called once or twice
// (a script's single evaluation, most tests) never pays for a compile.
inline constexpr int kCallsBeforePlan = 3;

// For tests: how many calls in this process ran a native graph function.
uint64_t native_graph_calls();

class GraphKernel {
 public:
  // nullptr when this graph can never be one native function (or native code is off).
  static std::unique_ptr<GraphKernel> create(const FunctionGraph& fgraph, const VM& vm,
                                             std::span<const int> wanted);

  // After an interpreted call succeeded, its values still in the slots: the first call
  // fixes the layouts and requests the native function.
  void observe(VM& vm);
  // Runs the native function when it is ready and the bound inputs and shared values
  // have the recorded layouts; false leaves the call to the interpreter.
  bool try_run(VM& vm);

 private:
  enum class SlotKind : uint8_t { Bound, Constant, View, Computed };
  enum class State : uint8_t { Waiting, Compiling, Off };

  GraphKernel() = default;
  bool plan_layouts(VM& vm, cgen::GraphPlan& plan);

  State state_ = State::Waiting;
  int calls_seen_ = 0;
  std::vector<SlotKind> kinds_;
  std::vector<VM::NodeSlots> schedule_;
  std::vector<int> view_source_;  // per view slot: the slot it views
  struct Guard {
    int slot;
    Shape shape;
    Strides strides;
  };
  std::vector<Guard> guards_;
  std::vector<std::pair<int, cgen::SlotLayout>> computed_;  // buffers the function writes
  std::vector<void*> pointers_;                             // per slot, passed to the function
  std::shared_ptr<const NativeGraph> native_;
};

}  // namespace theon::detail
