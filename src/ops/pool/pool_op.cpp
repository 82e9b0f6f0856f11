// The forward pooling ops (Pool, and PoolArgmax that the arg-max rewrite makes) and the
// public functions of include/theon/pool.hpp.
#include <type_traits>

#include "ops/op_util.hpp"
#include "ops/pool/pool_kernels.hpp"
#include "ops/pool/pool_ops.hpp"
#include "theon/pool.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail::pool {
namespace {

// The element types max pooling runs on (the kernels are instantiated for these).
template <class T>
constexpr bool kMaxPoolable = std::is_same_v<T, float> || std::is_same_v<T, double> ||
                              std::is_same_v<T, int8_t> || std::is_same_v<T, int16_t> ||
                              std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t> ||
                              std::is_same_v<T, uint8_t>;

bool max_poolable(DType d) {
  return visit_dtype(d, [](auto tag) { return kMaxPoolable<typename decltype(tag)::type>; });
}

// The output type of a pooling of x: x's dtype, x's leading axes, pooled axes that are
// never broadcastable (their lengths depend on the parameters).
TensorType pooled_type(const Var& x, int nd, DType dtype) {
  BroadcastPattern b = x.broadcastable();
  for (int d = x.ndim() - nd; d < x.ndim(); ++d) b[d] = false;
  return TensorType(dtype, b);
}

void expect_input_dtype(const std::string& op, const Var& x, Mode mode) {
  if (mode == Mode::Max) {
    THEON_CHECK_USER(max_poolable(x.dtype()), TypeError)
        << op << ": max pooling needs a float or integer input, got " << describe(x);
  } else {
    THEON_CHECK_USER(is_float(x.dtype()), TypeError)
        << op << ": " << mode_name(mode) << " pooling needs a float input, got " << describe(x);
  }
}

}  // namespace

void PoolOpBase::expect_rank(const Var& v, const char* what) const {
  THEON_CHECK_USER(v.ndim() >= params_.nd, TypeError)
      << name() << ": " << what << " needs at least " << params_.nd
      << " dimensions (the pooled axes are the last " << params_.nd << "), got " << describe(v);
}

void PoolOpBase::expect_pooled_shape(const NDArray& a, const NDArray& x, const Geometry& g,
                                     const char* what) const {
  const Shape want = g.output_shape(x.shape(), params_.nd);
  THEON_CHECK_USER(a.shape() == want, ShapeError)
      << name() << ": " << what << " has shape " << shape_str(a.shape()) << ", but pooling x of "
      << "shape " << shape_str(x.shape()) << " with " << params_.describe() << " gives "
      << shape_str(want);
}

std::vector<TensorType> Pool::make_types(std::span<const Var> in) const {
  expect_rank(in[0], "the input");
  expect_input_dtype(name(), in[0], params_.mode);
  return {pooled_type(in[0], params_.nd, in[0].dtype())};
}

void Pool::perform(const ApplyNode&, std::span<const NDArray* const> in,
                   std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  const Geometry g = Geometry::make(params_, x.shape(), name());
  NDArray& o = reuse_or_allocate(*out[0], x.dtype(), g.output_shape(x.shape(), params_.nd));
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (kMaxPoolable<T>) {
      forward<T>(g, view_as<T>(x, params_.nd), o.data<T>(), default_tasks(g));
    } else {
      THEON_ASSERT(false) << name() << " on " << dtype_name(x.dtype());
    }
  });
}

Vars Pool::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& gz = output_grads[0];
  const Var& x = node.inputs[0];
  if (!gz.defined() || !is_float(x.dtype())) return {Var()};
  if (params_.mode == Mode::Max) return {max_pool_grad(x, node.output(0), gz, params_, node.loc)};
  return {average_pool_grad(x, gz, params_, node.loc)};
}

std::vector<TensorType> PoolArgmax::make_types(std::span<const Var> in) const {
  expect_rank(in[0], "the input");
  THEON_ASSERT(params_.mode == Mode::Max) << name() << " with mode " << mode_name(params_.mode);
  expect_input_dtype(name(), in[0], params_.mode);
  return {pooled_type(in[0], params_.nd, in[0].dtype()),
          pooled_type(in[0], params_.nd, DType::Int32)};
}

void PoolArgmax::perform(const ApplyNode&, std::span<const NDArray* const> in,
                         std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  const Geometry g = Geometry::make(params_, x.shape(), name());
  const Shape shape = g.output_shape(x.shape(), params_.nd);
  NDArray& o = reuse_or_allocate(*out[0], x.dtype(), shape);
  NDArray& a = reuse_or_allocate(*out[1], DType::Int32, shape);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (kMaxPoolable<T>) {
      forward_argmax<T>(g, view_as<T>(x, params_.nd), o.data<T>(), a.data<int32_t>(),
                        default_tasks(g));
    } else {
      THEON_ASSERT(false) << name() << " on " << dtype_name(x.dtype());
    }
  });
}

Var pool(const Var& x, const Params& p, const Loc& loc) {
  return apply_op<Pool>(loc, {x}, p);
}

Vars pool_argmax(const Var& x, const Params& p, const Loc& loc) {
  return make_apply(std::make_shared<const PoolArgmax>(p), {x}, loc);
}

}  // namespace theon::detail::pool

namespace theon::tensor::signal {
namespace {

using detail::pool::Params;

Var pool_nd(const char* op, int nd, const VarArg& input, const PoolWindow& ws,
            bool ignore_border, const PoolWindow& stride, const PoolWindow& pad,
            const std::string& mode) {
  const Var& x = input.var;
  THEON_CHECK_USER(x.ndim() >= nd, TypeError)
      << op << ": needs an input of at least " << nd << " dimensions (it pools the last " << nd
      << "), got " << describe(x);
  const Params p = Params::make(op, nd, ws, ignore_border, stride, pad,
                                detail::pool::parse_mode(mode, op));
  detail::pool::expect_input_dtype(op, x, p.mode);
  return detail::pool::pool(x, p, input.loc);
}

// The window parameters of a gradient op: `ws.size()` pooled axes.
Params grad_params(const char* op, const PoolWindow& ws, bool ignore_border,
                   const PoolWindow& stride, const PoolWindow& pad, detail::pool::Mode mode) {
  THEON_CHECK_USER(ws.size() == 2 || ws.size() == 3, ValueError)
      << op << ": ws needs 2 or 3 entries (one per pooled axis), got " << ws.size();
  return Params::make(op, static_cast<int>(ws.size()), ws, ignore_border, stride, pad, mode);
}

// `v` in x's dtype (the gradient ops compute in x's dtype).
Var like_x(const VarArg& v, const Var& x) {
  return v.var.dtype() == x.dtype() ? v.var : cast(v, x.dtype());
}

}  // namespace

Var pool_2d(VarArg input, const PoolWindow& ws, bool ignore_border, const PoolWindow& stride,
            const PoolWindow& pad, const std::string& mode) {
  return pool_nd("pool_2d", 2, input, ws, ignore_border, stride, pad, mode);
}

Var pool_3d(VarArg input, const PoolWindow& ws, bool ignore_border, const PoolWindow& stride,
            const PoolWindow& pad, const std::string& mode) {
  return pool_nd("pool_3d", 3, input, ws, ignore_border, stride, pad, mode);
}

Var max_pool_2d_same_size(VarArg input, const PoolWindow& patch_size) {
  const Var& x = input.var;
  const Var out = pool_nd("max_pool_2d_same_size", 2, input, patch_size, true, {}, {}, "max");
  detail::expect_float("max_pool_2d_same_size", x);
  const Params& p = dynamic_cast<const detail::pool::Pool&>(out.owner()->op()).params();
  return detail::pool::max_pool_grad(x, out, out, p, input.loc);
}

Var max_pool_grad(VarArg x, VarArg maxout, VarArg gz, const PoolWindow& ws, bool ignore_border,
                  const PoolWindow& stride, const PoolWindow& pad) {
  const Params p = grad_params("max_pool_grad", ws, ignore_border, stride, pad,
                               detail::pool::Mode::Max);
  return detail::pool::max_pool_grad(x.var, like_x(maxout, x.var), like_x(gz, x.var), p, x.loc);
}

Var average_pool_grad(VarArg x, VarArg gz, const PoolWindow& ws, bool ignore_border,
                      const PoolWindow& stride, const PoolWindow& pad, const std::string& mode) {
  const auto m = detail::pool::parse_mode(mode, "average_pool_grad");
  THEON_CHECK_USER(m != detail::pool::Mode::Max, ValueError)
      << "average_pool_grad: mode 'max' has its own gradient, max_pool_grad";
  const Params p = grad_params("average_pool_grad", ws, ignore_border, stride, pad, m);
  return detail::pool::average_pool_grad(x.var, like_x(gz, x.var), p, x.loc);
}

Var max_pool_grad_grad(VarArg x, VarArg maxout, VarArg ggx, const PoolWindow& ws,
                       bool ignore_border, const PoolWindow& stride, const PoolWindow& pad) {
  const Params p = grad_params("max_pool_grad_grad", ws, ignore_border, stride, pad,
                               detail::pool::Mode::Max);
  return detail::pool::max_pool_grad_grad(x.var, like_x(maxout, x.var), like_x(ggx, x.var), p,
                                          x.loc);
}

}  // namespace theon::tensor::signal
