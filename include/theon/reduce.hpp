// Reductions over one, several or all axes, with NumPy's keepdims.
//
//   T::sum(x)                  // all axes -> scalar
//   T::sum(x, 1)               // axis 1
//   T::max(x, {0, 2}, true)    // axes 0 and 2, kept as length-1 dimensions
//
// Dtypes follow NumPy: sums and products of bool and integers are int64, floats keep
// their dtype (float32 sums accumulate in float64); mean, var and std of integers are
// float64. var and std divide by N (ddof = 0), as Theano.
#pragma once

#include <optional>
#include <vector>

#include "theon/tensor.hpp"

namespace theon {

// Which axes to reduce: all of them by default, or a list (negative counts from the end).
class Axes {
 public:
  Axes() = default;
  Axes(int axis) : axes_(std::vector<int>{axis}) {}
  Axes(std::initializer_list<int> axes) : axes_(std::vector<int>(axes)) {}
  Axes(std::vector<int> axes) : axes_(std::move(axes)) {}
  bool is_all() const { return !axes_.has_value(); }
  // The axes as sorted, non-negative, distinct numbers for an input of rank `ndim`.
  std::vector<int> resolve(int ndim, std::string_view op) const;

 private:
  std::optional<std::vector<int>> axes_;
};

namespace tensor {

Var sum(VarArg x, Axes axis = {}, bool keepdims = false);
Var prod(VarArg x, Axes axis = {}, bool keepdims = false);
Var max(VarArg x, Axes axis = {}, bool keepdims = false);
Var min(VarArg x, Axes axis = {}, bool keepdims = false);
Var all(VarArg x, Axes axis = {}, bool keepdims = false);
Var any(VarArg x, Axes axis = {}, bool keepdims = false);
Var mean(VarArg x, Axes axis = {}, bool keepdims = false);
Var var(VarArg x, Axes axis = {}, bool keepdims = false);
// Theano's std (the name std is taken in C++).
Var std_(VarArg x, Axes axis = {}, bool keepdims = false);
// Index of the largest (smallest) element along `axis`, or in the flattened input
// when no axis is given; int64. The first occurrence wins, NaN counts as largest.
Var argmax(VarArg x, std::optional<int> axis = std::nullopt, bool keepdims = false);
Var argmin(VarArg x, std::optional<int> axis = std::nullopt, bool keepdims = false);

}  // namespace tensor
}  // namespace theon
