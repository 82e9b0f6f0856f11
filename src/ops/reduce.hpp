// Reductions (Theano's CAReduce): one Op class for sum, prod, max, min, all and any over
// a sorted list of axes, and Argmax for argmax/argmin.
#pragma once

#include <optional>
#include <vector>

#include "theon/reduce.hpp"

namespace theon::detail {

enum class ReduceKind : uint8_t { Sum, Prod, Max, Min, All, Any };

// "sum", "prod", "max", "min", "all", "any".
const char* reduce_name(ReduceKind kind);
// NumPy's result dtype: sum/prod of bool and integers is int64, all/any give bool,
// everything else keeps the input dtype.
DType reduce_out_dtype(ReduceKind kind, DType in);

class Reduce final : public Op {
 public:
  // `axes` sorted, distinct and within [0, input_ndim).
  Reduce(ReduceKind kind, std::vector<int> axes, bool keepdims, int input_ndim);

  ReduceKind kind() const { return kind_; }
  const std::vector<int>& axes() const { return axes_; }
  bool keepdims() const { return keepdims_; }
  bool is_reduced(int axis) const;

  std::string name() const override { return reduce_name(kind_); }
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  ReduceKind kind_;
  std::vector<int> axes_;
  bool keepdims_;
  int input_ndim_;
};

// Runs the reduction of `x` over `axes` into `out` (allocated here); in reduce_kernel.cpp.
void run_reduce(ReduceKind kind, const NDArray& x, const std::vector<int>& axes, bool keepdims,
                NDArray& out);

// argmax / argmin along one axis, or over the flattened input when `axis` is nullopt.
class Argmax final : public Op {
 public:
  Argmax(bool is_min, std::optional<int> axis, bool keepdims, int input_ndim);

  bool is_min() const { return is_min_; }
  const std::optional<int>& axis() const { return axis_; }

  std::string name() const override { return is_min_ ? "argmin" : "argmax"; }
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  bool is_min_;
  std::optional<int> axis_;
  bool keepdims_;
  int input_ndim_;
};

// Builds a reduction node, resolving `axes` against x's rank (ValueError naming the op).
// An empty axis list still makes a node: NumPy returns a copy, in the result dtype.
Var reduce(ReduceKind kind, const Var& x, const Axes& axes, bool keepdims, const Loc& loc);

}  // namespace theon::detail
