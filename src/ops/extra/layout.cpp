// tile (alloc + reshape, so its gradient comes from theirs), roll, squeeze and
// specify_shape.
#include <vector>

#include "ops/dimshuffle.hpp"
#include "ops/extra/axis_lines.hpp"
#include "ops/op_util.hpp"
#include "ops/shape_ops.hpp"
#include "theon/extra_ops.hpp"
#include "theon/reduce.hpp"
#include "theon/subtensor.hpp"

namespace theon::detail {
namespace {

// (x, shift) -> x rolled by the int scalar `shift` along `axis`: out[(i + shift) mod n] = x[i].
class Roll final : public Op {
 public:
  explicit Roll(int axis) : axis_(axis) {}
  std::string name() const override { return "roll"; }
  std::string props() const override { return "axis=" + std::to_string(axis_); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    expect_int_scalar(name(), inputs[1]);
    return {inputs[0].type()};
  }
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    NDArray& o = reuse_or_allocate(*out[0], x.dtype(), x.shape());
    const int64_t n = x.shape(axis_);
    if (o.size() == 0) return;
    // shift mod n in [0, n), without overflow for any int64 shift.
    const int64_t s = ((scalar_to_int(*in[1], name()) % n) + n) % n;
    if (s == 0) {
      o.assign(x);
      return;
    }
    o.slice(axis_, Slice{s, n, 1}).assign(x.slice(axis_, Slice{0, n - s, 1}));
    o.slice(axis_, Slice{0, s, 1}).assign(x.slice(axis_, Slice{n - s, n, 1}));
  }
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    const Var& gz = output_grads[0];
    if (!gz.defined()) return {Var(), Var()};
    const Var back = tensor::neg(VarArg(node.inputs[1], node.loc));
    return {apply_op<Roll>(node.loc, {gz, back}, axis_), Var()};
  }

 private:
  int axis_;
};

// (x, shape vector) -> x, after checking its shape; entries of -1 are not checked.
class SpecifyShape final : public Op {
 public:
  std::string name() const override { return "specify_shape"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {inputs[0].type()};
  }
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    const NDArray s = in[1]->astype(DType::Int64);
    bool ok = s.shape(0) == x.ndim();
    for (int d = 0; ok && d < x.ndim(); ++d) {
      const int64_t want = s.data<int64_t>()[d];
      ok = want == -1 || want == x.shape(d);
    }
    THEON_CHECK_USER(ok, ShapeError) << "specify_shape: got an array of shape "
                                     << shape_str(x.shape()) << ", expected " << to_string(s);
    *out[0] = x;
  }
  int view_of(int) const override { return 0; }
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    const Var& gz = output_grads[0];
    if (!gz.defined()) return {Var(), Var()};
    return {make_apply1(std::make_shared<const SpecifyShape>(), {gz, node.inputs[1]}, node.loc),
            Var()};
  }
};

Var int64_constant(int64_t value, const Loc& loc) {
  return constant(NDArray::scalar<int64_t>(value), "", loc);
}

// The reps as `n` int scalars, padded on the left with 1s.
Vars tile_reps(const ShapeArg& reps, int n, const Loc& loc) {
  Vars entries;
  if (reps.length() >= 0) {
    entries = shape_entries(reps, "tile");
  } else {
    // A symbolic vector whose length only `ndim` tells.
    for (int i = 0; i < n; ++i)
      entries.push_back(tensor::index(VarArg(reps.vector(), loc), {IndexArg(VarArg(i, loc))}));
  }
  Vars padded(static_cast<size_t>(n) - entries.size(), int64_constant(1, loc));
  padded.insert(padded.end(), entries.begin(), entries.end());
  return padded;
}

}  // namespace
}  // namespace theon::detail

namespace theon::tensor {

Var tile(VarArg x, const ShapeArg& reps, std::optional<int> ndim) {
  using namespace detail;
  const Loc& loc = x.loc;
  THEON_CHECK_USER(reps.length() >= 0 || ndim, ValueError)
      << "tile: the number of reps in " << describe(reps.vector())
      << " is not known when the graph is built; give reps as a list or pass ndim";
  int nd = std::max(x.var.ndim(), std::max(reps.length(), ndim.value_or(0)));
  THEON_CHECK_USER(!ndim || *ndim >= x.var.ndim(), ValueError)
      << "tile: ndim=" << *ndim << " is less than the input's " << x.var.ndim() << " dimensions";
  THEON_CHECK_USER(nd <= kMaxDims / 2, ValueError)
      << "tile: " << nd << " dimensions is too many";
  for (const Var& r : Vars(reps.length() >= 0 ? shape_entries(reps, "tile") : Vars{}))
    expect_int_scalar("tile", r);
  const Vars r = tile_reps(reps, nd, loc);
  // x padded to nd dimensions, then one new broadcastable axis before each: alloc
  // stretches those to the reps, and merging each (rep, length) pair gives the tiling.
  std::vector<DimEntry> pattern;
  const int pad = nd - x.var.ndim();
  for (int d = 0; d < nd; ++d) {
    pattern.emplace_back('x');
    pattern.emplace_back(d < pad ? DimEntry('x') : DimEntry(d - pad));
  }
  const Var spread = dimshuffle_at(x.var, pattern, loc);
  Vars alloc_shape, out_shape;
  for (int d = 0; d < nd; ++d) {
    const Var length = shape_i_at(spread, 2 * d + 1, loc);
    alloc_shape.push_back(r[d]);
    alloc_shape.push_back(length);
    out_shape.push_back(mul(VarArg(r[d], loc), VarArg(length, loc)));
  }
  const Var tiled = alloc_at(spread, alloc_shape, loc);
  return reshape_at(tiled, ShapeArg(make_vector(out_shape, loc), loc), loc);
}

Var roll(VarArg x, VarArg shift, std::optional<int> axis) {
  using namespace detail;
  expect_int_scalar("roll", shift.var);
  if (!axis) {
    if (x.var.ndim() <= 1) return roll(x, shift, 0);
    const Var flat = flatten(x, 1);
    const Var rolled = apply_op<Roll>(x.loc, {flat, shift.var}, 0);
    return reshape_at(rolled, ShapeArg(symbolic_shape(x.var, x.loc), x.loc), x.loc);
  }
  THEON_CHECK_USER(x.var.ndim() > 0, ValueError) << "roll: cannot roll " << describe(x.var);
  return apply_op<Roll>(x.loc, {x.var, shift.var}, normalize_axis(*axis, x.var.ndim(), "roll"));
}

Var squeeze(VarArg x, std::optional<std::vector<int>> axis) {
  const Var& v = x.var;
  std::vector<int> drop;
  if (axis) drop = Axes(*axis).resolve(v.ndim(), "squeeze");
  std::vector<DimEntry> pattern;
  for (int d = 0; d < v.ndim(); ++d) {
    const bool listed = std::find(drop.begin(), drop.end(), d) != drop.end();
    THEON_CHECK_USER(!listed || v.broadcastable()[d], ValueError)
        << "squeeze: axis " << d << " is not broadcastable in " << describe(v)
        << " (use addbroadcast first if its length is 1)";
    if (axis ? !listed : !v.broadcastable()[d]) pattern.emplace_back(d);
  }
  return detail::dimshuffle_at(v, pattern, x.loc);
}

Var specify_shape(VarArg x, const ShapeArg& shape) {
  using namespace detail;
  THEON_CHECK_USER(shape.length() < 0 || shape.length() == x.var.ndim(), ValueError)
      << "specify_shape: " << shape.length() << " lengths given for " << describe(x.var);
  expect_integer("specify_shape", shape.vector(), "the shape");
  return make_apply1(std::make_shared<const SpecifyShape>(), {x.var, shape.vector()}, x.loc);
}

}  // namespace theon::tensor
