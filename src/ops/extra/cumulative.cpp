// cumsum and cumprod (one op, optionally running from the end, which is cumsum's
// gradient), cumprod's gradient, and diff.
#include <vector>

#include "ops/extra/axis_lines.hpp"
#include "ops/op_util.hpp"
#include "serialize/private_ops.hpp"
#include "theon/extra_ops.hpp"
#include "theon/subtensor.hpp"

namespace theon::detail {
namespace {

// Running sums or products of a line of n elements, from the start or from the end.
template <class In, class Out>
void scan_line(const In* x, int64_t xs, Out* o, int64_t os, int64_t n, bool is_prod,
               bool reverse) {
  Out acc = is_prod ? Out(1) : Out(0);
  for (int64_t j = 0; j < n; ++j) {
    const int64_t i = reverse ? n - 1 - j : j;
    const Out v = static_cast<Out>(x[i * xs]);
    acc = is_prod ? acc * v : acc + v;
    o[i * os] = acc;
  }
}

// Sums and products of bool and integers are int64, as NumPy's.
DType cumulative_dtype(DType d) { return is_discrete(d) ? DType::Int64 : d; }

class CumOp final : public Op {
 public:
  CumOp(bool is_prod, int axis, bool reverse) : is_prod_(is_prod), axis_(axis), reverse_(reverse) {}
  std::string name() const override { return is_prod_ ? "cumprod" : "cumsum"; }
  std::string props() const override {
    return "axis=" + std::to_string(axis_) + (reverse_ ? ",reverse" : "");
  }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    const Var& x = inputs[0];
    THEON_ASSERT(axis_ >= 0 && axis_ < x.ndim()) << name() << ": axis " << axis_;
    return {TensorType(cumulative_dtype(x.dtype()), x.broadcastable())};
  }

  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    NDArray& o = reuse_or_allocate(*out[0], node.outputs[0].type.dtype, x.shape());
    const int64_t n = x.shape(axis_);
    const int64_t xs = x.strides()[axis_], os = o.strides()[axis_];
    visit_dtype(x.dtype(), [&](auto in_tag) {
      using In = typename decltype(in_tag)::type;
      visit_dtype(o.dtype(), [&](auto out_tag) {
        using Out = typename decltype(out_tag)::type;
        if constexpr (std::is_same_v<Out, In> || (std::is_same_v<Out, int64_t> &&
                                                  (std::is_integral_v<In>))) {
          const In* xb = x.data<In>();
          Out* ob = o.data<Out>();
          for_each_line<2>(x.shape(), axis_, {&x.strides(), &o.strides()},
                           [&](const std::array<int64_t, 2>& off) {
                             scan_line(xb + off[0], xs, ob + off[1], os, n, is_prod_, reverse_);
                           });
        }
      });
    });
  }

  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  bool is_prod_;
  int axis_;
  bool reverse_;
};

// (x, g) -> the gradient of sum(g * cumprod(x)) with respect to x along `axis`:
//   dx_j = sum_{i >= j} g_i * prod_{k <= i, k != j} x_k = P_j * S_j,
// with P_j = prod_{k < j} x_k and S_j = g_j + x_{j+1} * S_{j+1}: one pass each way and
// no division, so zeros in x give the exact gradient.
class CumprodGrad final : public Op {
 public:
  explicit CumprodGrad(int axis) : axis_(axis) {}
  std::string name() const override { return "cumprod_grad"; }
  std::string props() const override { return "axis=" + std::to_string(axis_); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {inputs[0].type()};
  }
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    const NDArray& g = *in[1];
    THEON_CHECK_USER(g.shape() == x.shape(), ShapeError)
        << "cumprod_grad: gradient of shape " << shape_str(g.shape()) << " for input "
        << shape_str(x.shape());
    NDArray& o = reuse_or_allocate(*out[0], node.outputs[0].type.dtype, x.shape());
    const int64_t n = x.shape(axis_);
    const int64_t xs = x.strides()[axis_], gs = g.strides()[axis_], os = o.strides()[axis_];
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_floating_point_v<T>) {
        THEON_ASSERT(g.dtype() == x.dtype()) << "cumprod_grad dtypes";
        for_each_line<3>(x.shape(), axis_, {&x.strides(), &g.strides(), &o.strides()},
                         [&](const std::array<int64_t, 3>& off) {
                           const T* xp = x.data<T>() + off[0];
                           const T* gp = g.data<T>() + off[1];
                           T* op = o.data<T>() + off[2];
                           T suffix = 0;  // S_j, built from the end into the output
                           for (int64_t j = n - 1; j >= 0; --j) {
                             suffix = gp[j * gs] + (j + 1 < n ? xp[(j + 1) * xs] * suffix : T(0));
                             op[j * os] = suffix;
                           }
                           T prefix = 1;  // P_j
                           for (int64_t j = 0; j < n; ++j) {
                             op[j * os] *= prefix;
                             prefix *= xp[j * xs];
                           }
                         });
      } else {
        THEON_FAIL(InternalError) << "cumprod_grad on " << dtype_name(x.dtype());
      }
    });
  }

 private:
  int axis_;
};

Vars CumOp::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& x = node.inputs[0];
  const Var& gz = output_grads[0];
  if (!gz.defined() || is_discrete(x.dtype())) return {Var()};
  const Loc& loc = node.loc;
  const Var g = gz.dtype() == x.dtype() ? gz : tensor::cast(VarArg(gz, loc), x.dtype());
  // d cumsum: each x_j feeds every later output, so dx = the cumsum of g from the end.
  if (!is_prod_) return {apply_op<CumOp>(loc, {g}, false, axis_, !reverse_)};
  THEON_CHECK_USER(!reverse_ && !is_complex(x.dtype()), TypeError)
      << "cumprod: no gradient for " << describe(x);
  return {apply_op<CumprodGrad>(loc, {x, g}, axis_)};
}

Var cumulative(bool is_prod, const VarArg& x, std::optional<int> axis) {
  const char* op = is_prod ? "cumprod" : "cumsum";
  const AxisInput a = flatten_unless_axis(x, axis, op);
  return apply_op<CumOp>(x.loc, {a.x}, is_prod, a.axis, false);
}

}  // namespace

std::shared_ptr<const Op> make_cumprod_grad_op(int axis) { return std::make_shared<const CumprodGrad>(axis); }
}  // namespace theon::detail

namespace theon::tensor {

Var cumsum(VarArg x, std::optional<int> axis) { return detail::cumulative(false, x, axis); }
Var cumprod(VarArg x, std::optional<int> axis) { return detail::cumulative(true, x, axis); }

Var diff(VarArg x, int n, int axis) {
  const Var& v = x.var;
  THEON_CHECK_USER(n >= 0, ValueError) << "diff: order n=" << n << " must be non-negative";
  THEON_CHECK_USER(v.ndim() > 0, ValueError)
      << "diff: needs at least one dimension, got " << describe(v);
  const int a = normalize_axis(axis, v.ndim(), "diff");
  std::vector<IndexArg> head(static_cast<size_t>(a) + 1, IndexArg(slice())),
      tail(static_cast<size_t>(a) + 1, IndexArg(slice()));
  head[a] = slice(VarArg(1, x.loc));
  tail[a] = slice({}, VarArg(-1, x.loc));
  Var out = v;
  for (int k = 0; k < n; ++k) {
    const VarArg later(index(VarArg(out, x.loc), head), x.loc);
    const VarArg earlier(index(VarArg(out, x.loc), tail), x.loc);
    // NumPy's diff of bools says where neighbours differ.
    out = is_bool(v.dtype()) ? neq(later, earlier) : sub(later, earlier);
  }
  return out;
}

}  // namespace theon::tensor
