// DimShuffle: permutes axes, inserts broadcastable axes ('x') and drops
// broadcastable ones. Always a view of its input.
#pragma once

#include <vector>

#include "theon/shape_ops.hpp"

namespace theon::detail {

class DimShuffle final : public Op {
 public:
  // pattern[i] is the input axis for output axis i, or -1 for a new broadcastable axis.
  DimShuffle(std::vector<int> pattern, int input_ndim);

  const std::vector<int>& pattern() const { return pattern_; }
  int input_ndim() const { return input_ndim_; }
  // Input axes not in the pattern (they must be broadcastable).
  std::vector<int> dropped() const;
  // A pure permutation (no axis added or dropped).
  bool is_transpose() const;

  std::string name() const override { return "dimshuffle"; }
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  int view_of(int) const override { return 0; }
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  std::vector<int> pattern_;
  int input_ndim_;
};

// dimshuffle with an explicit location (for ops that build one internally).
Var dimshuffle_at(const Var& x, const std::vector<DimEntry>& pattern, const Loc& loc);

}  // namespace theon::detail
