#include "ops/nnet/softmax.hpp"

#include <cmath>
#include <limits>

#include "core/strided.hpp"
#include "ops/op_util.hpp"
#include "theon/nnet.hpp"
#include "theon/reduce.hpp"

namespace theon::detail {

std::vector<TensorType> Softmax::make_types(std::span<const Var> inputs) const {
  const Var& x = inputs[0];
  expect_float(name(), x);
  THEON_CHECK_USER(x.ndim() == input_ndim_, TypeError)
      << name() << ": expects " << input_ndim_ << " dimensions, got " << describe(x);
  return {x.type()};
}

void Softmax::perform(const ApplyNode&, std::span<const NDArray* const> in,
                      std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  NDArray& o = reuse_or_allocate(*out[0], x.dtype(), x.shape());
  // With the axis moved last (views), each innermost row is one slice.
  std::vector<int> perm;
  for (int d = 0; d < input_ndim_; ++d)
    if (d != axis_) perm.push_back(d);
  perm.push_back(axis_);
  const NDArray xt = x.transpose(perm), ot = o.transpose(perm);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      const int64_t xs = xt.strides().back(), os = ot.strides().back();
      const T* x0 = xt.data<T>();
      T* o0 = ot.data<T>();
      for_each_row<2>(xt.shape(), {xt.strides().data(), ot.strides().data()},
                      [&](const std::array<int64_t, 2>& off, int64_t n) {
                        const T* px = x0 + off[0];
                        T* po = o0 + off[1];
                        // exp(x - max) <= 1 never overflows and the largest term is 1, so
                        // the sum is in [1, n]. A slice of -inf only keeps max 0 (-> NaN
                        // as NumPy's 0/0); NaN propagates through the max.
                        T m = -std::numeric_limits<T>::infinity();
                        for (int64_t j = 0; j < n; ++j) {
                          const T v = px[j * xs];
                          if (v > m || std::isnan(v)) m = v;
                          if (std::isnan(v)) break;
                        }
                        if (std::isinf(m) && m < 0) m = 0;
                        double total = 0;
                        // Below this exp underflows to 0, and glibc takes a slow path
                        // (errno, exceptions) that makes wide-ranged inputs 20x slower.
                        constexpr T kUnderflow = std::is_same_v<T, float> ? T(-104) : T(-746);
                        for (int64_t j = 0; j < n; ++j) {
                          const T d = px[j * xs] - m;
                          const T e = d < kUnderflow ? T(0) : std::exp(d);
                          if (!is_log_) po[j * os] = e;
                          total += e;
                        }
                        if (is_log_) {
                          const T shift = m + static_cast<T>(std::log(total));
                          for (int64_t j = 0; j < n; ++j) po[j * os] = px[j * xs] - shift;
                        } else {
                          const T scale = static_cast<T>(1.0 / total);
                          for (int64_t j = 0; j < n; ++j) po[j * os] *= scale;
                        }
                      });
    } else {
      THEON_ASSERT(false) << name() << " on " << dtype_name(x.dtype());
    }
  });
}

Vars Softmax::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& gz = output_grads[0];
  if (!gz.defined()) return {Var()};
  const Var y = node.output(0);
  const Loc& loc = node.loc;
  const Var g = gz.dtype() == y.dtype() ? gz : tensor::cast(VarArg(gz, loc), y.dtype());
  // softmax:     dx = y * (g - sum(g * y))
  // log_softmax: dx = g - exp(y) * sum(g)     (exp(y) is softmax(x), at most 1)
  if (is_log_) return {g - tensor::exp(VarArg(y, loc)) * tensor::sum(VarArg(g, loc), axis_, true)};
  return {y * (g - tensor::sum(VarArg(g * y, loc), axis_, true))};
}

std::string Softmax::print(std::span<const std::string> args) const {
  if (axis_ == input_ndim_ - 1) return name() + "(" + args[0] + ")";
  return name() + "(" + args[0] + ", axis=" + std::to_string(axis_) + ")";
}

namespace {

Var softmax_at(bool is_log, const VarArg& x, int axis) {
  const char* op = is_log ? "log_softmax" : "softmax";
  const Var& v = x.var;
  THEON_CHECK_USER(v.ndim() >= 1, ValueError)
      << op << ": needs at least one dimension, got " << describe(v);
  expect_float(op, v);
  const int a = normalize_axis(axis, v.ndim(), op);
  return apply_op<Softmax>(x.loc, {v}, is_log, a, v.ndim());
}

}  // namespace
}  // namespace theon::detail

namespace theon::tensor::nnet {

Var softmax(VarArg x, int axis) { return detail::softmax_at(false, x, axis); }
Var log_softmax(VarArg x, int axis) { return detail::softmax_at(true, x, axis); }

}  // namespace theon::tensor::nnet
