// repeat: elements copied `repeats` times along an axis, and its gradient, which sums
// each run of copies back into one element.
#include <vector>

#include "core/checked_size.hpp"
#include "ops/extra/axis_lines.hpp"
#include "ops/op_util.hpp"
#include "serialize/private_ops.hpp"
#include "ops/shape_ops.hpp"
#include "theon/extra_ops.hpp"

namespace theon::detail {
namespace {

// The repeat count of each of the n elements along the axis (a scalar or a vector of
// length n or 1), checked; and their total.
struct Counts {
  std::vector<int64_t> per_element;
  int64_t total = 0;
};

Counts read_counts(const NDArray& repeats, int64_t n, std::string_view op) {
  THEON_CHECK_USER(repeats.ndim() == 0 || repeats.shape(0) == n || repeats.shape(0) == 1,
                   ShapeError)
      << op << ": " << repeats.shape(0) << " repeat counts for an axis of length " << n
      << " (give one count, or one per element)";
  const NDArray counts = repeats.astype(DType::Int64);
  const bool single = repeats.ndim() == 0 || repeats.shape(0) == 1;
  Counts c;
  c.per_element.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t r = single ? counts.data<int64_t>()[0]
                             : counts.data<int64_t>()[i * counts.strides()[0]];
    THEON_CHECK_USER(r >= 0, ValueError)
        << op << ": repeat counts must be non-negative, got " << r << " for element " << i;
    c.per_element[static_cast<size_t>(i)] = r;
    c.total = checked_add(c.total, r, [&] { return std::string(op) + ": the repeated length"; });
  }
  return c;
}

class Repeat final : public Op {
 public:
  explicit Repeat(int axis) : axis_(axis) {}
  std::string name() const override { return "repeat"; }
  std::string props() const override { return "axis=" + std::to_string(axis_); }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    const Var& x = inputs[0];
    const Var& repeats = inputs[1];
    expect_integer(name(), repeats, "repeats");
    THEON_CHECK_USER(repeats.ndim() <= 1, TypeError)
        << "repeat: repeats must be an int scalar or vector" << describe_inputs(inputs);
    BroadcastPattern pattern = x.broadcastable();
    // One copy of a length-1 axis stays length 1.
    pattern[axis_] = pattern[axis_] && constant_int(repeats) == 1;
    return {TensorType(x.dtype(), pattern)};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    const int64_t n = x.shape(axis_);
    const Counts counts = read_counts(*in[1], n, name());
    Shape shape = x.shape();
    shape[axis_] = counts.total;
    NDArray& o = reuse_or_allocate(*out[0], x.dtype(), shape);
    if (o.size() == 0) return;
    int64_t at = 0;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t r = counts.per_element[static_cast<size_t>(i)];
      if (r == 0) continue;
      // Slab i of x, broadcast over its r copies.
      o.slice(axis_, Slice{at, at + r, 1}).assign(x.slice(axis_, Slice{i, i + 1, 1}));
      at += r;
    }
  }

  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  int axis_;
};

// (g, repeats, n) -> the sums of g's runs along `axis`: n elements, element i the sum of
// its repeats[i] copies.
class RepeatGrad final : public Op {
 public:
  explicit RepeatGrad(int axis) : axis_(axis) {}
  std::string name() const override { return "repeat_grad"; }
  std::string props() const override { return "axis=" + std::to_string(axis_); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    BroadcastPattern pattern = inputs[0].broadcastable();
    pattern[axis_] = false;
    return {TensorType(inputs[0].dtype(), pattern)};
  }
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& g = *in[0];
    const int64_t n = scalar_to_int(*in[2], name());
    const Counts counts = read_counts(*in[1], n, name());
    THEON_CHECK_USER(counts.total == g.shape(axis_), ShapeError)
        << "repeat_grad: gradient of length " << g.shape(axis_) << " along axis " << axis_
        << " for " << counts.total << " repeated elements";
    Shape shape = g.shape();
    shape[axis_] = n;
    NDArray& o = reuse_or_allocate(*out[0], g.dtype(), shape);
    const int64_t gs = g.strides()[axis_], os = o.strides()[axis_];
    visit_dtype(g.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      for_each_line<2>(shape, axis_, {&g.strides(), &o.strides()},
                       [&](const std::array<int64_t, 2>& off) {
                         const T* gp = g.data<T>() + off[0];
                         T* op = o.data<T>() + off[1];
                         int64_t at = 0;
                         for (int64_t i = 0; i < n; ++i) {
                           T acc{};
                           for (int64_t r = 0; r < counts.per_element[static_cast<size_t>(i)]; ++r)
                             acc += gp[(at + r) * gs];
                           at += counts.per_element[static_cast<size_t>(i)];
                           op[i * os] = acc;
                         }
                       });
    });
  }

 private:
  int axis_;
};

Vars Repeat::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& x = node.inputs[0];
  const Var& gz = output_grads[0];
  if (!gz.defined() || is_discrete(x.dtype())) return {Var(), Var()};
  const Var n = shape_i_at(x, axis_, node.loc);
  const Var g = apply_op<RepeatGrad>(node.loc, {gz, node.inputs[1], n}, axis_);
  return {patternbroadcast_at(g, x.broadcastable(), node.loc), Var()};
}

}  // namespace

std::shared_ptr<const Op> make_repeat_grad_op(int axis) { return std::make_shared<const RepeatGrad>(axis); }
}  // namespace theon::detail

namespace theon::tensor {

Var repeat(VarArg x, VarArg repeats, std::optional<int> axis) {
  const detail::AxisInput a = detail::flatten_unless_axis(x, axis, "repeat");
  return detail::apply_op<detail::Repeat>(x.loc, {a.x, repeats.var}, a.axis);
}

}  // namespace theon::tensor
