// The stream ops: each takes a random state (an int64 vector [key, stream, block], see
// philox.hpp) and returns (the state advanced past what it used, the sample). They are
// pure functions of their inputs, so merging two identical draws is correct, and a
// function that does not write the new state back draws the same values again.
#pragma once

#include <string>

#include "ops/random/philox.hpp"
#include "theon/graph.hpp"

namespace theon::detail {

// The state array for a position, and back (TypeError naming `op` for a malformed one).
NDArray state_array(const philox::Position& p);
philox::Position read_state(const NDArray& state, std::string_view op);

enum class Distribution { Uniform, Normal, Binomial };

// uniform in [0, 1) or standard normal (float32/float64), or binomial(n, p) counts; inputs
// (state, size vector[, n scalar, p broadcast to size]); outputs (new state, sample).
class RandomDraw final : public Op {
 public:
  RandomDraw(Distribution dist, DType dtype, int ndim) : dist_(dist), dtype_(dtype), ndim_(ndim) {}
  std::string name() const override;
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

  Distribution dist() const { return dist_; }
  DType dtype() const { return dtype_; }

 private:
  Distribution dist_;
  DType dtype_;
  int ndim_;
};

// The new state of a uniform draw without its sample: (state, size) -> the state that
// RandomDraw(Uniform, dtype) returns for that size. The fusion rewrite gives a fused loop
// the sample's values (evaluated per element) and leaves this node for the update.
class RandomAdvance final : public Op {
 public:
  RandomAdvance(DType dtype, int ndim) : dtype_(dtype), ndim_(ndim) {}
  std::string name() const override { return "random_advance"; }
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  DType dtype_;
  int ndim_;
};

// The shape a size vector asks for (ValueError naming `op` for a wrong length or a
// negative entry).
Shape read_size(const NDArray& size, int ndim, std::string_view op);

// One multinomial sample of n trials per row of pvals: (state, pvals matrix, n) ->
// (new state, counts of pvals' shape).
class Multinomial final : public Op {
 public:
  explicit Multinomial(DType dtype) : dtype_(dtype) {}
  std::string name() const override { return "multinomial"; }
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  DType dtype_;
};

// Random permutations of range(n), one per entry of `size`: (state, size, n) -> (new state,
// int64 array of shape size + (n,)).
class Permutation final : public Op {
 public:
  explicit Permutation(int ndim) : ndim_(ndim) {}
  std::string name() const override { return "permutation"; }
  std::string props() const override { return std::to_string(ndim_); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  int ndim_;
};

// Indices in [0, a) drawn uniformly or with probabilities p, with or without replacement:
// (state, size, a[, p]) -> (new state, int64 array of shape size).
class Choice final : public Op {
 public:
  Choice(int ndim, bool replace, bool has_p) : ndim_(ndim), replace_(replace), has_p_(has_p) {}
  std::string name() const override { return "choice"; }
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  int ndim_;
  bool replace_, has_p_;
};

// x with the elements of each row (last axis) in a random order: (state, x) -> (new state,
// shuffled copy).
class ShuffleRows final : public Op {
 public:
  std::string name() const override { return "shuffle_row_elements"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  // No pullback: Op's default says it is not differentiable (the gradient would scatter
  // back through the permutation, which the graph does not expose).
};

}  // namespace theon::detail
