// The gradient ops of pooling, each with a gradient of its own: the max-pooling
// gradient and its "grad grad" are each other's adjoints (both linear in their last
// input, piecewise constant in x), as are average pooling and its gradient.
#include <type_traits>

#include "ops/op_util.hpp"
#include "ops/pool/pool_kernels.hpp"
#include "ops/pool/pool_ops.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail::pool {
namespace {

// Float inputs only, all of x's dtype and rank (the builders cast the others to x's
// dtype, so a mismatch here is a caller's mistake).
void expect_float_operands(const std::string& op, std::span<const Var> in) {
  expect_float(op, in[0]);
  for (size_t i = 1; i < in.size(); ++i) {
    THEON_CHECK_USER(in[i].dtype() == in[0].dtype() && in[i].ndim() == in[0].ndim(), TypeError)
        << op << ": every input needs x's dtype and rank" << describe_inputs(in);
  }
}

// Runs f.template operator()<T>() for x's float dtype.
template <class F>
void for_float(DType dtype, const std::string& op, F&& f) {
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      f(tag);
    } else {
      THEON_ASSERT(false) << op << " on " << dtype_name(dtype);
    }
  });
}

Var zeros_of(const Var& v, const Loc& loc) { return tensor::zeros_like(VarArg(v, loc)); }

}  // namespace

// ---- MaxPoolGrad(x, maxout, gz) -> gx ----

std::vector<TensorType> MaxPoolGrad::make_types(std::span<const Var> in) const {
  expect_rank(in[0], "x");
  expect_float_operands(name(), in);
  return {in[0].type()};
}

void MaxPoolGrad::perform(const ApplyNode&, std::span<const NDArray* const> in,
                          std::span<NDArray* const> out) const {
  const NDArray &x = *in[0], &maxout = *in[1], &gz = *in[2];
  const Geometry g = Geometry::make(params_, x.shape(), name());
  expect_pooled_shape(maxout, x, g, "maxout");
  expect_pooled_shape(gz, x, g, "the output gradient gz");
  NDArray& gx = reuse_or_allocate(*out[0], x.dtype(), x.shape());
  for_float(x.dtype(), name(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const int nd = params_.nd;
    max_grad<T>(g, view_as<T>(x, nd), view_as<T>(maxout, nd), view_as<T>(gz, nd), gx.data<T>(),
                default_tasks(g));
  });
}

Vars MaxPoolGrad::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& ggx = output_grads[0];
  if (!ggx.defined()) return {Var(), Var(), Var()};
  const Var &x = node.inputs[0], &maxout = node.inputs[1];
  return {zeros_of(x, node.loc), zeros_of(maxout, node.loc),
          max_pool_grad_grad(x, maxout, ggx, params_, node.loc)};
}

// ---- MaxPoolGradGrad(x, maxout, ggx) -> ggz ----

std::vector<TensorType> MaxPoolGradGrad::make_types(std::span<const Var> in) const {
  expect_rank(in[0], "x");
  expect_float_operands(name(), in);
  return {in[1].type()};
}

void MaxPoolGradGrad::perform(const ApplyNode&, std::span<const NDArray* const> in,
                              std::span<NDArray* const> out) const {
  const NDArray &x = *in[0], &maxout = *in[1], &ggx = *in[2];
  const Geometry g = Geometry::make(params_, x.shape(), name());
  expect_pooled_shape(maxout, x, g, "maxout");
  THEON_CHECK_USER(ggx.shape() == x.shape(), ShapeError)
      << name() << ": ggx has shape " << shape_str(ggx.shape()) << ", x " << shape_str(x.shape());
  NDArray& ggz = reuse_or_allocate(*out[0], x.dtype(), maxout.shape());
  for_float(x.dtype(), name(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const int nd = params_.nd;
    max_grad_grad<T>(g, view_as<T>(x, nd), view_as<T>(maxout, nd), view_as<T>(ggx, nd),
                     ggz.data<T>(), default_tasks(g));
  });
}

Vars MaxPoolGradGrad::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& g = output_grads[0];
  if (!g.defined()) return {Var(), Var(), Var()};
  const Var &x = node.inputs[0], &maxout = node.inputs[1];
  return {zeros_of(x, node.loc), zeros_of(maxout, node.loc),
          max_pool_grad(x, maxout, g, params_, node.loc)};
}

// ---- AveragePoolGrad(x, gz) -> gx (x only for its shape) ----

std::vector<TensorType> AveragePoolGrad::make_types(std::span<const Var> in) const {
  expect_rank(in[0], "x");
  expect_float_operands(name(), in);
  THEON_ASSERT(params_.mode != Mode::Max) << name() << " with mode max";
  return {in[0].type()};
}

void AveragePoolGrad::perform(const ApplyNode&, std::span<const NDArray* const> in,
                              std::span<NDArray* const> out) const {
  const NDArray &x = *in[0], &gz = *in[1];
  const Geometry g = Geometry::make(params_, x.shape(), name());
  expect_pooled_shape(gz, x, g, "the output gradient gz");
  NDArray& gx = reuse_or_allocate(*out[0], x.dtype(), x.shape());
  for_float(x.dtype(), name(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    average_grad<T>(g, view_as<T>(gz, params_.nd), gx.data<T>(), default_tasks(g));
  });
}

Vars AveragePoolGrad::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& g = output_grads[0];
  if (!g.defined()) return {Var(), Var()};
  return {zeros_of(node.inputs[0], node.loc), pool(g, params_, node.loc)};
}

// ---- MaxPoolArgmaxGrad(x, argmax, gz) -> gx (x only for its shape) ----

std::vector<TensorType> MaxPoolArgmaxGrad::make_types(std::span<const Var> in) const {
  expect_rank(in[0], "x");
  expect_float(name(), in[0]);
  THEON_ASSERT(in[1].dtype() == DType::Int32 && in[1].ndim() == in[0].ndim() &&
               in[2].dtype() == in[0].dtype() && in[2].ndim() == in[0].ndim())
      << name() << describe_inputs(in);
  return {in[0].type()};
}

void MaxPoolArgmaxGrad::perform(const ApplyNode&, std::span<const NDArray* const> in,
                                std::span<NDArray* const> out) const {
  const NDArray &x = *in[0], &argmax = *in[1], &gz = *in[2];
  const Geometry g = Geometry::make(params_, x.shape(), name());
  expect_pooled_shape(argmax, x, g, "the arg-max");
  expect_pooled_shape(gz, x, g, "the output gradient gz");
  NDArray& gx = reuse_or_allocate(*out[0], x.dtype(), x.shape());
  for_float(x.dtype(), name(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const int nd = params_.nd;
    argmax_scatter<T>(g, view_as<int32_t>(argmax, nd), view_as<T>(gz, nd), gx.data<T>(),
                      default_tasks(g));
  });
}

// ---- builders ----

Var max_pool_grad(const Var& x, const Var& maxout, const Var& gz, const Params& p,
                  const Loc& loc) {
  const Var g = gz.dtype() == x.dtype() ? gz : tensor::cast(VarArg(gz, loc), x.dtype());
  return apply_op<MaxPoolGrad>(loc, {x, maxout, g}, p);
}

Var average_pool_grad(const Var& x, const Var& gz, const Params& p, const Loc& loc) {
  const Var g = gz.dtype() == x.dtype() ? gz : tensor::cast(VarArg(gz, loc), x.dtype());
  return apply_op<AveragePoolGrad>(loc, {x, g}, p);
}

Var max_pool_grad_grad(const Var& x, const Var& maxout, const Var& ggx, const Params& p,
                       const Loc& loc) {
  const Var g = ggx.dtype() == x.dtype() ? ggx : tensor::cast(VarArg(ggx, loc), x.dtype());
  return apply_op<MaxPoolGradGrad>(loc, {x, maxout, g}, p);
}

Var max_pool_argmax_grad(const Var& x, const Var& argmax, const Var& gz, const Params& p,
                         const Loc& loc) {
  return apply_op<MaxPoolArgmaxGrad>(loc, {x, argmax, gz}, p);
}

}  // namespace theon::detail::pool
