// FusedReduce: a reduction of an element-wise program's one output, computed block by
// block without materializing the element-wise result (issue 6: sum(exp(x)) in one pass).
//
// The fusion phase (rewrite/fusion_reduce.cpp) makes it from Reduce(FusedElemwise) or
// Reduce(Elemwise) when nothing else reads the element-wise value. Running it walks the
// reduced elements of each output in row-major order, runs the program over at most
// kFusedBlock of them at a time (FusedElemwise::interpret_row, into a per-thread block
// buffer) and folds the block into accumulators of Reduce's kinds: float sums and
// products in double, integer ones in int64 wrapping around, max and min propagating NaN.
//
// Each output's reduced range is cut into chunks of a fixed length; every chunk gets its
// own partial result and the partials are combined in order, so the result does not
// depend on how many threads ran the chunks (large inputs use the thread pool).
//
//   sum(exp(x)) prints as  fused_sum{exp(x)}
//   max(x * y, axis=1)     fused_max{(x * y), axis=1}
#pragma once

#include <vector>

#include "ops/fused.hpp"
#include "ops/reduce.hpp"

namespace theon::detail {

class FusedReduce final : public Op {
 public:
  // `program` has one output; `axes` are sorted, distinct, within the inputs' rank
  // `input_ndim` and not empty.
  FusedReduce(FusedProgram program, std::vector<Loc> instr_locs, ReduceKind kind, std::vector<int> axes,
              bool keepdims, int input_ndim);

  const FusedProgram& program() const { return elemwise_.program(); }
  ReduceKind kind() const { return kind_; }
  const std::vector<int>& axes() const { return axes_; }
  bool keepdims() const { return keepdims_; }

  std::string name() const override { return std::string("fused_") + reduce_name(kind_); }
  // The program's props (text and input dtypes), then the axes: equal nodes merge.
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  // Made by a rewrite, after gradients: InternalError.
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  FusedElemwise elemwise_;  // the program's interpreter (and the element-wise fallback)
  ReduceKind kind_;
  std::vector<int> axes_;
  bool keepdims_;
  int input_ndim_;
  int64_t cost_per_element_ = 1;
};

// Builds a FusedReduce node over `inputs` (one per program input, in order).
Var fused_reduce(FusedProgram program, std::vector<Loc> instr_locs, ReduceKind kind, std::vector<int> axes,
                 bool keepdims, Vars inputs, const Loc& loc);

}  // namespace theon::detail
