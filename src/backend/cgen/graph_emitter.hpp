// A whole function graph as one C++ function, for small graphs (the seeds' training
// steps: a few dozen nodes over arrays of a few elements), where the interpreter's cost
// per node (~0.1-0.3 µs) is most of a call. The plan fixes every shape and stride to the
// values of one recorded call, so each node becomes a loop nest with constant bounds
// that the compiler unrolls and vectorizes; compile/graph_kernel.hpp runs it only for
// calls whose inputs have exactly those layouts.
//
// Views (dimshuffle, reshape, split, ...) cost nothing: a slot's elements are addressed
// through its root buffer, offset and strides, all constants of the source. The values
// of the graph's constants are not in the source: they are arguments, like the inputs.
#pragma once

#include <string>
#include <vector>

#include "backend/vm/vm.hpp"

namespace theon::detail::cgen {

// Where a slot's elements are: root buffer `root` (a slot whose buffer the generated
// function receives), `offset` elements in, then strides per dimension.
struct SlotLayout {
  DType dtype = DType::Float64;
  Shape shape;
  Strides strides;
  int root = -1;
  int64_t offset = 0;
  // A small contiguous constant. Like every constant it is passed to the function (so
  // that graphs differing only in constants share one module), and it is copied at entry
  // into a local array, which the compiler knows nothing else writes: its elements are
  // loaded once and stay in registers.
  bool local = false;
};

struct GraphPlan {
  std::vector<SlotLayout> slots;  // one per interpreter slot
  // The nodes that compute (views excluded), in run order, with the interpreter's slots.
  std::vector<VM::NodeSlots> steps;
  // Per slot: the value a shape op (shape, shape_i) gave at the recorded call.
  std::vector<NDArray> recorded;
};

// Whether the emitter has code for this node (its op, dtypes and ranks).
bool can_emit_step(const ApplyNode& node);

// The kernel text of `plan` (for emit_source): one extern "C" GraphFn named
// kGraphSymbol; slots[r] points at the data of each root buffer r, constants included.
std::string emit_graph(const GraphPlan& plan);

}  // namespace theon::detail::cgen
