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

  int n_inputs() const { return static_cast<int>(input_dtypes.size()); }
  DType register_dtype(int r) const {
    return r < n_inputs() ? input_dtypes[r] : instrs[r - n_inputs()].out;
  }
};

}  // namespace theon::detail
