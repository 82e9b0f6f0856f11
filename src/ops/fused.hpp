// FusedElemwise: a connected group of element-wise ops run as one loop over memory.
//
// The fusion rewrite (src/rewrite/fusion.cpp) replaces a group of Elemwise nodes of one
// broadcast pattern by one node that carries the group as a FusedProgram. Its inputs are
// the group's outer inputs (broadcast as Elemwise broadcasts them: statically, by their
// types), its outputs every value of the group that is read outside it, so a forward
// value and its gradient can come out of one loop.
//
// Running it walks the operands row by row (as the Elemwise kernel does) and hands each
// row to a row function of the FusedRowFn shape (backend/cgen/native.hpp). The
// interpreted row function runs the program over blocks of kFusedBlock elements in a
// small per-thread register file, one tight loop per instruction, with AVX-512 SLEEF math
// for float transcendentals where the CPU has it (fused_simd.cpp; <= 1 ulp, as SLEEF's
// u10 functions; erfc 1.5 ulp; sin and cos of one value come from one sincos call).
// A uniform draw in the program (FusedProgram::draws) is evaluated per block from the
// elements' flat indices (philox::uniform_range), so such a program never runs as native
// code, and its values do not depend on the split into rows, blocks or threads.
// Kernels with more than ~2^20 units of work (elements times a cost per element: 1 per
// simple op, 8 per transcendental) split their elements over the thread pool
// (core/parallel.hpp); smaller ones run on the caller's thread with no start-up cost.
//
//   exp(sin(x * x)) prints as  fused{exp(sin(sqr(i0)))}(x)
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backend/cgen/native.hpp"
#include "ops/fused_program.hpp"
#include "ops/random/philox.hpp"

namespace theon::detail {

// Elements per block of the interpreter: 256 float64 registers are 2 KiB each, so a
// program's registers stay in L1.
constexpr int64_t kFusedBlock = 256;

class FusedElemwise final : public Op {
 public:
  // `instr_locs[i]` is where the user made instruction i (named in run-time errors).
  FusedElemwise(FusedProgram program, std::vector<Loc> instr_locs);

  const FusedProgram& program() const { return program_; }
  // Whether its last run (and the next ones) used native code rather than the
  // interpreter: the native kernel was requested and is compiled (profiling reports it).
  bool runs_native() const { return native_ && native_->fn() != nullptr; }
  const std::vector<Loc>& instr_locs() const { return locs_; }

  std::string name() const override { return "fused"; }
  // The outputs as expressions of the inputs i0, i1, ..., and the inputs' dtypes: equal
  // programs merge.
  std::string props() const override { return props_; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  std::string print(std::span<const std::string> args) const override;

  // The interpreter's row function: FusedRowFn's contract, with the register file of
  // the calling thread. A program with draws also needs the row's first flat index and
  // the draws' positions (native row functions never run such a program).
  void interpret_row(int64_t n, const void* const* in, const int64_t* in_step, void* const* out,
                     const int64_t* out_step, int64_t flat = 0,
                     const philox::Position* draws = nullptr) const;
  // The loop's rank (of the operands, or of the draws when there are none).
  int ndim(std::span<const Var> inputs) const;

 private:
  // One loop over a block: an instruction, or a dtype conversion of a register that an
  // instruction reads in another dtype.
  struct Step {
    ScalarBlockFn fn;
    int args[3];  // values read; n_values_ stands for "none" (a null pointer)
    int dst;
    int dst2 = -1;  // sin and cos of one value in one step: cos goes to args[2] == dst2
    // A conversion of input register `input`: where that input is broadcast along the
    // row, it runs once per row (its value keeps a buffer of its own).
    int input = -1;
  };

  void plan();
  // A run-time shape mismatch: the ShapeError that the first instruction to meet it
  // would have raised unfused, naming the user's line.
  [[noreturn]] void shape_error(std::span<const NDArray* const> in,
                                std::span<const Var> inputs) const;
  FusedProgram program_;
  std::vector<Loc> locs_;
  std::string text_;
  // Native code for the program (backend/cgen), requested at the first perform and
  // compiled in the background; once its fn() is set it runs instead of interpret_row.
  mutable std::once_flag native_once_;
  mutable std::shared_ptr<const NativeKernel> native_;
  std::string props_;

  // The plan: values are the program's registers, then converted copies of registers.
  std::vector<Step> steps_;
  bool vectorized_ = true;  // every step has a SIMD loop (then native code is not asked for)
  int n_values_ = 0;
  int n_buffers_ = 0;
  size_t buffer_bytes_ = 0;        // per register buffer: kFusedBlock of the widest dtype
  std::vector<int> buffer_of_;     // per value: its register buffer in the scratch
  std::vector<size_t> in_item_;    // per input: element size in bytes
  std::vector<size_t> out_item_;   // per output
  std::vector<int> out_value_;     // per output: the value it writes
  int64_t cost_per_element_ = 1;   // rough, to decide when threads pay
};

// Builds a FusedElemwise node over `inputs` (one per program input, in order).
Vars fused_elemwise(FusedProgram program, std::vector<Loc> instr_locs, Vars inputs, const Loc& loc);

// AVX-512 versions of the block loops of float ops (SLEEF for transcendentals), or
// nullptr when there is none or the CPU lacks AVX-512 (fused_simd.cpp).
ScalarBlockFn simd_block_fn(ScalarOpId id, DType compute);
// AVX-512 float comparisons into bool bytes, or nullptr as above. The interpreter uses
// them, but they leave a program "not vectorized", so that the native tier is still asked
// for it as before (a program with a draw stays interpreted).
ScalarBlockFn simd_compare_fn(ScalarOpId id, DType compute);
// sin(a) into `result` and cos(a) into the third operand `c` (an output here), in one
// SLEEF call; nullptr as above.
ScalarBlockFn simd_sincos_fn(DType compute);

}  // namespace theon::detail
