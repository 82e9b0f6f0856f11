// The batch-normalization ops (training forward and its gradient) and what they share.
// The public functions (include/theon/bn.hpp) bring the parameters to the input's rank
// and dtype before building them.
#pragma once

#include <string>
#include <vector>

#include "theon/error.hpp"
#include "theon/graph.hpp"

namespace theon::detail::bn {

// Calls f(T{}) with T float or double (the ops see only those: their make_types check).
template <class F>
void visit_float(DType dtype, F&& f) {
  if (dtype == DType::Float32) return f(float{});
  THEON_ASSERT(dtype == DType::Float64) << "batch normalization on " << dtype_name(dtype);
  f(double{});
}

// The training forward: (out, mean, invstd) or, with running averages,
// (out, mean, invstd, new_running_mean, new_running_var). Every parameter has x's rank
// and dtype; `axes` are sorted and distinct.
Vars train(const Var& x, const Var& gamma, const Var& beta, const std::vector<int>& axes,
           double epsilon, double running_average_factor, const Var& running_mean,
           const Var& running_var, const Loc& loc);

// Its gradient for the `out` output alone: (dx, dgamma, dbeta) from dy = d cost / d out,
// with mean and invstd the forward's statistics:
//   dbeta  = sum(dy)                        (over the axes, kept as length-1 dimensions)
//   dgamma = sum(dy * (x - mean)) * invstd
//   dx     = gamma * invstd * (dy - dbeta / m - (x - mean) * invstd * dgamma / m)
Vars train_gradient(const Var& x, const Var& dy, const Var& gamma, const Var& mean,
                    const Var& invstd, const std::vector<int>& axes, const Loc& loc);

// The number of values per channel, m, as a scalar of `dtype` (a graph of x's shape).
Var count_per_channel(const Var& x, const std::vector<int>& axes, DType dtype, const Loc& loc);

// "(0, 2, 3)".
std::string axes_str(const std::vector<int>& axes);
// normalized[d]: whether axis d is one of `axes`.
std::vector<bool> normalized_mask(int ndim, const std::vector<int>& axes);
// x's shape with length 1 on the axes: the shape of the statistics.
Shape statistics_shape(const Shape& x, const std::vector<int>& axes);
// ShapeError unless `value` has `expected` shape: "op: gamma has shape (3,) where the
// statistics of inputs (2, 4) have shape (1, 4)".
void check_statistics_shape(std::string_view op, std::string_view what, const NDArray& value,
                            const Shape& expected, const Shape& x);
// TypeError unless in[0] is a float tensor and every other input has its dtype and rank:
// "op: gamma must have the dtype and rank of inputs" (names[i] names input i).
void expect_like_inputs(std::string_view op, std::span<const Var> in, const char* const* names);

}  // namespace theon::detail::bn
