#include "ops/nnet/softmax.hpp"

#include <vector>

#include "core/strided.hpp"
#include "ops/nnet/softmax_kernel.hpp"
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
  // Threads take ranges of the longest outer dimension.
  int split = -1;
  for (int d = 0; d + 1 < input_ndim_; ++d)
    if (split < 0 || xt.shape(d) > xt.shape(split)) split = d;
  const int64_t extent = split < 0 ? 1 : xt.shape(split);
  const int64_t per_index = extent == 0 ? 0 : xt.size() / extent;
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      const int64_t xs = xt.strides().back(), os = ot.strides().back();
      // One block of rows: indices [begin, end) of the split dimension.
      auto rows = [&](int64_t begin, int64_t end) {
        Shape shape = xt.shape();
        const T* x0 = xt.data<T>();
        T* o0 = ot.data<T>();
        if (split >= 0) {
          shape[split] = end - begin;
          x0 += begin * xt.strides()[split];
          o0 += begin * ot.strides()[split];
        }
        std::vector<T> buffer;
        for_each_row<2>(shape, {xt.strides().data(), ot.strides().data()},
                        [&](const std::array<int64_t, 2>& off, int64_t n) {
                          softmax_rows::with_contiguous_row(
                              x0 + off[0], xs, o0 + off[1], os, n, buffer,
                              [&](const T* px, T* po) {
                                softmax_rows::softmax(px, po, n, is_log_);
                              });
                        });
      };
      softmax_rows::for_row_chunks(extent, per_index, rows);
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
