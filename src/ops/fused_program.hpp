// The description of a fused element-wise kernel: a straight-line program of scalar ops
// (rows of scalar_ops.def) over registers. One description drives both tiers: the
// interpreter runs it over blocks of elements, and the C++ emitter prints it as one
// loop body. Produced by the fusion rewrite (issue 6).
//
//   exp(sin(x * x)) with x float64:
//     inputs  r0 = x                      (float64)
//     instrs  r1 = mul(r0, r0)            (compute float64 -> float64)
//             r2 = sin(r1)
//             r3 = exp(r2)
//     outputs r3
//
// Uniform draws that only the program reads are evaluated inside it (issue 13: a dropout
// mask costs no pass of its own). A draw is an input register like the others, the last
// draws.size() ones, but the kernel computes its values instead of loading them: element
// i of the loop (its flat C-order index) gets element i of the draw, the same Philox
// value the random_uniform op would have written (docs/random.md). The node's inputs are
// the n_operands() arrays, then (state, size) for each draw.
//
//   x * cast(u < 0.5) with u a float32 uniform draw of x's shape:
//     inputs  r0 = x (float32), r1 = 0.5 (float32), r2 = uniform draw 0 (float32)
//     instrs  r3 = lt(r2, r1)  r4 = cast(r3)  r5 = mul(r0, r4)
//     node inputs  x, 0.5, state, size
#pragma once

#include <vector>

#include "ops/elemwise.hpp"

namespace theon::detail {

struct FusedProgram {
  struct Instr {
    ScalarOpId op;
    DType compute;          // the dtype the op computes in (operands are converted to it)
    DType out;              // the dtype of its register
    std::vector<int> args;  // registers read
  };
  // Registers 0 .. input_dtypes.size()-1 hold the kernel's inputs; register
  // n_inputs() + i holds instrs[i]'s result.
  std::vector<DType> input_dtypes;
  std::vector<Instr> instrs;
  // The registers the kernel writes out, in output order.
  std::vector<int> outputs;
  // Uniform draws (float32 or float64, the register's dtype) in registers n_operands() ..
  // n_inputs() - 1; each has the loop's shape, with this broadcast pattern.
  struct Draw {
    BroadcastPattern pattern;
  };
  std::vector<Draw> draws;

  int n_inputs() const { return static_cast<int>(input_dtypes.size()); }
  // The inputs read from memory: registers 0 .. n_operands() - 1.
  int n_operands() const { return n_inputs() - static_cast<int>(draws.size()); }
  DType register_dtype(int r) const {
    return r < n_inputs() ? input_dtypes[r] : instrs[r - n_inputs()].out;
  }
};

}  // namespace theon::detail
