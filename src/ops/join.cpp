// Join (concatenate, stack) and its inverse Split.
#include "core/checked_size.hpp"
#include "ops/dimshuffle.hpp"
#include "ops/op_util.hpp"
#include "ops/shape_ops.hpp"

namespace theon::detail {
namespace {

// Inputs' common dtype: weak operands (C++ literals) count only when all are weak.
DType join_dtype(const Vars& xs) {
  std::optional<DType> strong;
  for (const Var& x : xs)
    if (!x.is_weak()) strong = strong ? promote(*strong, x.dtype()) : x.dtype();
  if (strong) return *strong;
  DType all = xs[0].dtype();
  for (const Var& x : xs) all = promote(all, x.dtype());
  return all;
}

}  // namespace

// ---- Join ----

std::vector<TensorType> Join::make_types(std::span<const Var> inputs) const {
  THEON_ASSERT(!inputs.empty()) << "join needs inputs";
  const int nd = inputs[0].ndim();
  for (const Var& x : inputs) {
    THEON_CHECK_USER(x.ndim() == nd, TypeError)
        << "join: all inputs need the same number of dimensions" << describe_inputs(inputs);
    THEON_CHECK_USER(x.dtype() == inputs[0].dtype(), TypeError)
        << "join: all inputs need the same dtype" << describe_inputs(inputs);
  }
  THEON_CHECK_USER(axis_ >= 0 && axis_ < nd, ValueError)
      << "join: axis " << axis_ << " is out of range" << describe_inputs(inputs);
  // Off the join axis, lengths must agree, so one broadcastable input makes it
  // broadcastable everywhere (as Theano).
  BroadcastPattern pattern(nd, false);
  for (const Var& x : inputs)
    for (int d = 0; d < nd; ++d)
      if (d != axis_ && x.broadcastable()[d]) pattern[d] = true;
  if (inputs.size() == 1) pattern[axis_] = inputs[0].broadcastable()[axis_];
  return {TensorType(inputs[0].dtype(), pattern)};
}

void Join::perform(const ApplyNode& node, std::span<const NDArray* const> in,
                   std::span<NDArray* const> out) const {
  const NDArray& first = *in[0];
  Shape shape = first.shape();
  int64_t total = 0;
  for (size_t k = 0; k < in.size(); ++k) {
    const NDArray& x = *in[k];
    for (int d = 0; d < x.ndim(); ++d)
      THEON_CHECK_USER(d == axis_ || x.shape(d) == shape[d], ShapeError)
          << "join: input " << k << " has shape " << shape_str(x.shape()) << " and input 0 "
          << shape_str(first.shape()) << "; they must agree except along axis " << axis_;
    total = checked_add(total, x.shape(axis_),
                        [&] { return "join: the length along axis " + std::to_string(axis_); });
  }
  shape[axis_] = total;
  NDArray& o = reuse_or_allocate(*out[0], node.outputs[0].type.dtype, shape);
  if (o.size() == 0) return;
  int64_t start = 0;
  for (const NDArray* x : in) {
    const int64_t n = x->shape(axis_);
    if (n > 0) o.slice(axis_, Slice{start, start + n, 1}).assign(*x);
    start += n;
  }
}

Vars Join::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& gz = output_grads[0];
  const Vars& xs = node.inputs;
  if (!gz.defined() || is_discrete(gz.dtype())) return Vars(xs.size());
  // Cut gz where the inputs were joined; a broadcastable input's length is a constant 1,
  // which Split turns into a broadcastable piece.
  Vars lengths;
  for (const Var& x : xs) lengths.push_back(shape_i_at(x, axis_, node.loc));
  Vars pieces = make_apply(std::make_shared<const Split>(axis_, static_cast<int>(xs.size())),
                           {gz, make_vector(lengths, node.loc)}, node.loc);
  Vars grads;
  for (size_t k = 0; k < xs.size(); ++k)
    grads.push_back(patternbroadcast_at(pieces[k], xs[k].broadcastable(), node.loc));
  return grads;
}

std::string Join::print(std::span<const std::string> args) const {
  std::string s = "join(" + std::to_string(axis_);
  for (const std::string& a : args) s += ", " + a;
  return s + ")";
}

// ---- Split ----

std::string Split::props() const {
  return std::to_string(axis_) + "," + std::to_string(n_splits_);
}

std::vector<TensorType> Split::make_types(std::span<const Var> inputs) const {
  const Var& x = inputs[0];
  const Var& lengths = inputs[1];
  THEON_CHECK_USER(axis_ >= 0 && axis_ < x.ndim(), ValueError)
      << "split: axis " << axis_ << " is out of range for " << describe(x);
  THEON_CHECK_USER(lengths.ndim() == 1 && is_discrete(lengths.dtype()), TypeError)
      << "split: the lengths must be an integer vector, got " << describe(lengths);
  auto known = constant_elements(lengths);
  THEON_CHECK_USER(!known || static_cast<int>(known->size()) == n_splits_, ValueError)
      << "split: " << known->size() << " lengths for " << n_splits_ << " pieces"
      << describe_inputs(inputs);
  std::vector<TensorType> types;
  for (int k = 0; k < n_splits_; ++k) {
    BroadcastPattern pattern = x.broadcastable();
    pattern[axis_] = (n_splits_ == 1 && pattern[axis_]) || (known && (*known)[k] == 1);
    types.emplace_back(x.dtype(), pattern);
  }
  return types;
}

void Split::perform(const ApplyNode& /*node*/, std::span<const NDArray* const> in,
                    std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  const NDArray& lengths = *in[1];
  THEON_CHECK_USER(lengths.shape(0) == n_splits_, ShapeError)
      << "split: " << lengths.shape(0) << " lengths for " << n_splits_ << " pieces";
  // Summed only while it stays within the axis, so that huge lengths cannot wrap around
  // to the right total.
  int64_t total = 0;
  bool fits = true;
  for (int k = 0; k < n_splits_ && fits; ++k) {
    const int64_t n = lengths.at<int64_t>({k});
    fits = n >= 0 && n <= x.shape(axis_) - total;
    total += fits ? n : 0;
  }
  THEON_CHECK_USER(fits && total == x.shape(axis_), ShapeError)
      << "split: lengths " << to_string(lengths) << " do not cut an axis of length "
      << x.shape(axis_) << " (axis " << axis_ << " of shape " << shape_str(x.shape()) << ")";
  int64_t start = 0;
  for (int k = 0; k < n_splits_; ++k) {
    const int64_t n = lengths.at<int64_t>({k});
    *out[k] = x.slice(axis_, Slice{start, start + n, 1});
    start += n;
  }
}

Vars Split::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& x = node.inputs[0];
  bool any = false;
  for (const Var& g : output_grads) any = any || g.defined();
  if (!any || is_discrete(x.dtype())) return {Var(), Var()};
  Vars pieces;
  for (int k = 0; k < n_splits_; ++k) {
    const Var& g = output_grads[k];
    pieces.push_back(g.defined() ? g : tensor::zeros_like(node.output(k)));
  }
  Var joined = join_at(axis_, pieces, node.loc);
  return {patternbroadcast_at(joined, x.broadcastable(), node.loc), Var()};
}

// ---- builders ----

Var join_at(int axis, const Vars& xs, const Loc& loc) {
  THEON_CHECK_USER(!xs.empty(), ValueError) << "join: needs at least one tensor";
  const int nd = xs[0].ndim();
  for (const Var& x : xs)
    THEON_CHECK_USER(x.ndim() == nd, TypeError)
        << "join: all inputs need the same number of dimensions" << describe_inputs(xs);
  THEON_CHECK_USER(nd > 0, TypeError)
      << "join: cannot join scalars (0-d tensors); use stack" << describe_inputs(xs);
  axis = normalize_axis(axis, nd, "join");
  if (xs.size() == 1) return xs[0];
  const DType dtype = join_dtype(xs);
  Vars cast;
  for (const Var& x : xs) cast.push_back(tensor::cast(VarArg(x, loc), dtype));
  return apply_op<Join>(loc, std::move(cast), axis);
}

}  // namespace theon::detail

namespace theon::tensor {

Var concatenate(const std::vector<Var>& xs, int axis, Loc loc) {
  return detail::join_at(axis, xs, loc);
}

Var join(int axis, const std::vector<Var>& xs, Loc loc) { return detail::join_at(axis, xs, loc); }

Var stack(const std::vector<Var>& xs, int axis, Loc loc) {
  THEON_CHECK_USER(!xs.empty(), ValueError) << "stack: needs at least one tensor";
  const int nd = xs[0].ndim();
  for (const Var& x : xs)
    THEON_CHECK_USER(x.ndim() == nd, TypeError)
        << "stack: all inputs need the same number of dimensions" << detail::describe_inputs(xs);
  axis = normalize_axis(axis, nd + 1, "stack");
  std::vector<DimEntry> pattern;
  for (int d = 0; d < nd; ++d) pattern.push_back(d);
  pattern.insert(pattern.begin() + axis, DimEntry('x'));
  Vars expanded;
  for (const Var& x : xs) expanded.push_back(detail::dimshuffle_at(x, pattern, loc));
  return detail::join_at(axis, expanded, loc);
}

std::vector<Var> split(VarArg x, const ShapeArg& sizes, int axis) {
  THEON_CHECK_USER(x.var.ndim() > 0, TypeError) << "split: cannot split " << describe(x.var);
  THEON_CHECK_USER(sizes.length() >= 1, ValueError)
      << "split: needs a list of at least one length (of a length known when the graph is "
         "built), got "
      << describe(sizes.vector());
  axis = normalize_axis(axis, x.var.ndim(), "split");
  return make_apply(std::make_shared<const detail::Split>(axis, sizes.length()),
                    {x.var, sizes.vector()}, x.loc);
}

}  // namespace theon::tensor
