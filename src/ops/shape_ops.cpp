// Symbolic shapes (MakeVector, ShapeOp, ShapeI), Reshape and Rebroadcast.
#include "ops/shape_ops.hpp"

#include <algorithm>

#include "core/checked_size.hpp"
#include "ops/op_util.hpp"

namespace theon::detail {
namespace {

Var int64_constant(int64_t value, const Loc& loc) {
  return constant(NDArray::scalar<int64_t>(value), "", loc);
}

Var int64_vector_constant(std::span<const int64_t> values, const Loc& loc) {
  std::vector<int64_t> v(values.begin(), values.end());
  return constant(array(v, Shape{static_cast<int64_t>(v.size())}), "", loc);
}

bool is_int_scalar(const Var& v) { return v.ndim() == 0 && is_discrete(v.dtype()); }

// The entries of a run-time shape vector (any integer dtype).
Shape read_shape(const NDArray& s) {
  Shape shape(static_cast<size_t>(s.shape(0)), 0);
  for (int64_t i = 0; i < s.shape(0); ++i) shape[i] = s.at<int64_t>({i});
  return shape;
}

}  // namespace

// ---- MakeVector ----

std::vector<TensorType> MakeVector::make_types(std::span<const Var> inputs) const {
  for (size_t i = 0; i < inputs.size(); ++i)
    THEON_CHECK_USER(is_int_scalar(inputs[i]), TypeError)
        << "make_vector: entry " << i << " must be an integer scalar, got "
        << describe(inputs[i]);
  // As Theano: a one-entry vector is broadcastable.
  return {TensorType(DType::Int64, {inputs.size() == 1})};
}

void MakeVector::perform(const ApplyNode&, std::span<const NDArray* const> in,
                         std::span<NDArray* const> out) const {
  NDArray& o = reuse_or_allocate(*out[0], DType::Int64, {static_cast<int64_t>(in.size())});
  int64_t* data = o.data<int64_t>();
  for (size_t i = 0; i < in.size(); ++i) data[i] = scalar_to_int(*in[i], "make_vector");
}

Vars MakeVector::pullback(const ApplyNode& node, std::span<const Var>) const {
  return Vars(node.inputs.size());  // integer entries: no gradient
}

std::string MakeVector::print(std::span<const std::string> args) const {
  std::string s = "[";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
  return s + "]";
}

// ---- ShapeOp and ShapeI ----

std::vector<TensorType> ShapeOp::make_types(std::span<const Var>) const {
  return {TensorType(DType::Int64, {false})};
}

void ShapeOp::perform(const ApplyNode&, std::span<const NDArray* const> in,
                      std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  NDArray& o = reuse_or_allocate(*out[0], DType::Int64, {x.ndim()});
  std::copy(x.shape().begin(), x.shape().end(), o.data<int64_t>());
}

Vars ShapeOp::pullback(const ApplyNode&, std::span<const Var>) const { return {Var()}; }

std::vector<TensorType> ShapeI::make_types(std::span<const Var> inputs) const {
  THEON_CHECK_USER(axis_ >= 0 && axis_ < inputs[0].ndim(), ValueError)
      << "shape_i: axis " << axis_ << " is out of range for " << describe(inputs[0]);
  return {TensorType(DType::Int64, {})};
}

void ShapeI::perform(const ApplyNode&, std::span<const NDArray* const> in,
                     std::span<NDArray* const> out) const {
  NDArray& o = reuse_or_allocate(*out[0], DType::Int64, {});
  *o.data<int64_t>() = in[0]->shape(axis_);
}

Vars ShapeI::pullback(const ApplyNode&, std::span<const Var>) const { return {Var()}; }

std::string ShapeI::print(std::span<const std::string> args) const {
  return args[0] + ".shape[" + std::to_string(axis_) + "]";
}

// ---- Reshape ----

std::vector<TensorType> Reshape::make_types(std::span<const Var> inputs) const {
  const Var& s = inputs[1];
  THEON_CHECK_USER(s.ndim() == 1 && is_discrete(s.dtype()), TypeError)
      << "reshape: the shape must be an integer vector, got " << describe(s);
  BroadcastPattern pattern(ndim_, false);
  if (auto elems = constant_elements(s)) {
    THEON_CHECK_USER(static_cast<int>(elems->size()) == ndim_, ValueError)
        << "reshape: a shape of " << elems->size() << " entries cannot give " << ndim_
        << " dimensions" << describe_inputs(inputs);
    int unknowns = 0;
    for (int i = 0; i < ndim_; ++i) {
      const auto& e = (*elems)[i];
      if (!e) continue;
      THEON_CHECK_USER(*e >= -1, ValueError)
          << "reshape: negative length " << *e << " in the shape" << describe_inputs(inputs);
      unknowns += *e == -1;
      pattern[i] = *e == 1;
    }
    THEON_CHECK_USER(unknowns <= 1, ValueError)
        << "reshape: only one dimension can be -1" << describe_inputs(inputs);
  }
  return {TensorType(inputs[0].dtype(), pattern)};
}

void Reshape::perform(const ApplyNode& node, std::span<const NDArray* const> in,
                      std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  const NDArray& s = *in[1];
  THEON_CHECK_USER(s.ndim() == 1 && s.shape(0) == ndim_, ShapeError)
      << "reshape: the shape vector has length " << (s.ndim() == 1 ? s.shape(0) : -1)
      << ", expected " << ndim_;
  const Shape requested = read_shape(s);
  Shape shape = requested;
  int unknown = -1;
  int64_t known = 1;
  for (int i = 0; i < ndim_; ++i) {
    if (shape[i] == -1) {
      THEON_CHECK_USER(unknown < 0, ValueError)
          << "reshape: only one dimension can be -1, got shape " << shape_str(requested);
      unknown = i;
      continue;
    }
    THEON_CHECK_USER(shape[i] >= 0, ValueError)
        << "reshape: negative length in shape " << shape_str(requested);
    known = checked_mul(known, shape[i], [&] { return "reshape to " + shape_str(requested); });
  }
  if (unknown >= 0 && known != 0 && x.size() % known == 0) shape[unknown] = x.size() / known;
  THEON_CHECK_USER((unknown < 0 || shape[unknown] >= 0) && shape_size(shape) == x.size(),
                   ShapeError)
      << "reshape: cannot reshape an array of shape " << shape_str(x.shape()) << " (size "
      << x.size() << ") into shape " << shape_str(requested);
  if (x.is_contiguous()) {
    *out[0] = x.reshape(shape);
    return;
  }
  // A copy: write x's elements, in C order, through a view of the output with x's shape.
  NDArray& o = reuse_or_allocate(*out[0], x.dtype(), shape);
  o.reshape(x.shape()).assign(x);
}

Vars Reshape::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& gz = output_grads[0];
  if (!gz.defined()) return {Var(), Var()};
  const Var& x = node.inputs[0];
  return {reshape_at(gz, ShapeArg(symbolic_shape(x, node.loc), node.loc), node.loc), Var()};
}

// ---- Rebroadcast ----

std::string Rebroadcast::props() const {
  std::string s;
  for (size_t i = 0; i < flags_.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(flags_[i].first) + (flags_[i].second ? ":1" : ":0");
  }
  return s;
}

std::vector<TensorType> Rebroadcast::make_types(std::span<const Var> inputs) const {
  const Var& x = inputs[0];
  BroadcastPattern pattern = x.broadcastable();
  for (auto [axis, flag] : flags_) {
    THEON_CHECK_USER(axis >= 0 && axis < x.ndim(), ValueError)
        << "rebroadcast: axis " << axis << " is out of range for " << describe(x);
    pattern[axis] = flag;
  }
  return {TensorType(x.dtype(), pattern)};
}

void Rebroadcast::perform(const ApplyNode& node, std::span<const NDArray* const> in,
                          std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  for (auto [axis, flag] : flags_)
    THEON_CHECK_USER(!flag || x.shape(axis) == 1, ShapeError)
        << "rebroadcast: axis " << axis
        << " is marked broadcastable and must have length 1, got shape " << shape_str(x.shape());
  *out[0] = x;
}

Vars Rebroadcast::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& gz = output_grads[0];
  if (!gz.defined()) return {Var()};
  return {patternbroadcast_at(gz, node.inputs[0].broadcastable(), node.loc)};
}

std::string Rebroadcast::print(std::span<const std::string> args) const {
  bool all_true = true, all_false = true;
  std::string axes;
  for (size_t i = 0; i < flags_.size(); ++i) {
    all_true = all_true && flags_[i].second;
    all_false = all_false && !flags_[i].second;
    if (i) axes += ",";
    axes += std::to_string(flags_[i].first);
  }
  if (all_true) return "addbroadcast{" + axes + "}(" + args[0] + ")";
  if (all_false) return "unbroadcast{" + axes + "}(" + args[0] + ")";
  return "rebroadcast{" + props() + "}(" + args[0] + ")";
}

// ---- builders ----

Var make_vector(const Vars& scalars, const Loc& loc) {
  std::vector<int64_t> values;
  for (const Var& s : scalars) {
    THEON_CHECK_USER(is_int_scalar(s), TypeError)
        << "make_vector: entries must be integer scalars, got " << describe(s);
    if (auto c = constant_int(s)) values.push_back(*c);
  }
  if (values.size() == scalars.size()) return int64_vector_constant(values, loc);
  return apply_op<MakeVector>(loc, scalars);
}

Var shape_i_at(const Var& x, int axis, const Loc& loc) {
  THEON_CHECK_USER(x.ndim() > 0, ValueError) << "shape_i: " << describe(x) << " has no axes";
  axis = normalize_axis(axis, x.ndim(), "shape_i");
  // A broadcastable dimension has length 1 whenever the graph runs.
  if (x.broadcastable()[axis]) return int64_constant(1, loc);
  if (x.is_constant()) return int64_constant(x.constant_value().shape(axis), loc);
  return apply_op<ShapeI>(loc, {x}, axis);
}

Vars shape_scalars(const Var& x, const Loc& loc) {
  Vars out;
  for (int d = 0; d < x.ndim(); ++d) out.push_back(shape_i_at(x, d, loc));
  return out;
}

Var symbolic_shape(const Var& x, const Loc& loc) { return make_vector(shape_scalars(x, loc), loc); }

Vars shape_entries(const ShapeArg& shape, std::string_view op) {
  const Var& v = shape.vector();
  THEON_CHECK_USER(shape.length() >= 0, ValueError)
      << op << ": the length of the shape vector " << describe(v)
      << " is not known when the graph is built; give the shape as a list ({n, m}) or "
         "as T::shape(x)";
  const Loc& loc = shape.loc();
  if (v.is_constant()) {
    Vars out;
    for (int64_t i = 0; i < shape.length(); ++i)
      out.push_back(int64_constant(v.constant_value().at<int64_t>({i}), loc));
    return out;
  }
  if (const ApplyNode* owner = v.owner()) {
    if (dynamic_cast<const MakeVector*>(&owner->op())) return owner->inputs;
    if (dynamic_cast<const ShapeOp*>(&owner->op())) return shape_scalars(owner->inputs[0], loc);
  }
  THEON_ASSERT(shape.length() == 1) << "a shape vector of known length " << shape.length()
                                    << " that is not a constant, make_vector or shape";
  // A broadcastable vector: its only entry is a reshape to 0 dimensions.
  return {reshape_at(v, ShapeArg(std::vector<int64_t>{}, loc), loc)};
}

Var reshape_at(const Var& x, const ShapeArg& shape, const Loc& loc) {
  THEON_CHECK_USER(shape.length() >= 0, ValueError)
      << "reshape: the length of the shape vector " << describe(shape.vector())
      << " is not known when the graph is built, so neither is the result's rank; give the "
         "shape as a list ({n, -1}) or as T::shape(y)";
  return apply_op<Reshape>(loc, {x, shape.vector()}, shape.length());
}

Var patternbroadcast_at(const Var& x, const BroadcastPattern& pattern, const Loc& loc) {
  THEON_CHECK_USER(static_cast<int>(pattern.size()) == x.ndim(), ValueError)
      << "patternbroadcast: a pattern of " << pattern.size() << " flags for " << describe(x);
  std::vector<std::pair<int, bool>> flags;
  for (int d = 0; d < x.ndim(); ++d)
    if (x.broadcastable()[d] != pattern[d]) flags.emplace_back(d, pattern[d]);
  if (flags.empty()) return x;
  return apply_op<Rebroadcast>(loc, {x}, std::move(flags));
}

namespace {

Var set_flags(const VarArg& x, const std::vector<int>& axes, bool flag, std::string_view op) {
  BroadcastPattern pattern = x.var.broadcastable();
  for (int axis : axes) pattern[normalize_axis(axis, x.var.ndim(), op)] = flag;
  return patternbroadcast_at(x.var, pattern, x.loc);
}

}  // namespace
}  // namespace theon::detail

namespace theon {

ShapeArg::ShapeArg(std::initializer_list<VarArg> dims, Loc loc)
    : length_(static_cast<int>(dims.size())), loc_(loc) {
  Vars scalars;
  int i = 0;
  for (const VarArg& d : dims) {
    THEON_CHECK_USER(d.var.ndim() == 0 && is_discrete(d.var.dtype()), TypeError)
        << "shape: entry " << i << " must be an integer scalar, got " << describe(d.var);
    scalars.push_back(d.var);
    ++i;
  }
  vector_ = detail::make_vector(scalars, loc);
}

ShapeArg::ShapeArg(const std::vector<int64_t>& dims, Loc loc)
    : vector_(detail::int64_vector_constant(dims, loc)),
      length_(static_cast<int>(dims.size())),
      loc_(loc) {}

ShapeArg::ShapeArg(const Shape& dims, Loc loc)
    : vector_(detail::int64_vector_constant(dims, loc)),
      length_(static_cast<int>(dims.size())),
      loc_(loc) {}

ShapeArg::ShapeArg(const Var& vector, Loc loc) : vector_(vector), loc_(loc) {
  THEON_CHECK_USER(vector.ndim() <= 1 && is_discrete(vector.dtype()), TypeError)
      << "shape: needs an integer vector (or integer scalars), got " << describe(vector);
  if (vector.ndim() == 0) {
    vector_ = detail::make_vector({vector}, loc);
    length_ = 1;
    return;
  }
  length_ = -1;
  if (vector.is_constant()) {
    length_ = static_cast<int>(vector.constant_value().shape(0));
  } else if (vector.broadcastable()[0]) {
    length_ = 1;
  } else if (const ApplyNode* owner = vector.owner()) {
    if (dynamic_cast<const detail::MakeVector*>(&owner->op()))
      length_ = static_cast<int>(owner->inputs.size());
    else if (dynamic_cast<const detail::ShapeOp*>(&owner->op()))
      length_ = owner->inputs[0].ndim();
  }
}

namespace tensor {

Var shape(VarArg x) {
  if (x.var.is_constant()) return detail::int64_vector_constant(x.var.constant_value().shape(), x.loc);
  return detail::apply_op<detail::ShapeOp>(x.loc, {x.var});
}

Var shape_i(VarArg x, int axis) { return detail::shape_i_at(x.var, axis, x.loc); }

Var reshape(VarArg x, const ShapeArg& shape) { return detail::reshape_at(x.var, shape, x.loc); }

Var flatten(VarArg x, int ndim) {
  const Var& v = x.var;
  THEON_CHECK_USER(ndim >= 1 && (ndim == 1 || ndim <= v.ndim()), ValueError)
      << "flatten: cannot flatten " << describe(v) << " to " << ndim << " dimensions";
  if (ndim == v.ndim()) return v;
  // The last length is the product of the flattened ones rather than -1, so that empty
  // arrays flatten too (numpy cannot infer -1 when another length is 0).
  Vars dims = detail::shape_scalars(v, x.loc);
  Vars kept(dims.begin(), dims.begin() + (ndim - 1));
  Vars rest(dims.begin() + (ndim - 1), dims.end());
  bool all_known = true;
  int64_t product = 1;
  for (const Var& d : rest) {
    auto c = detail::constant_int(d);
    all_known = all_known && c.has_value();
    if (c) product *= *c;
  }
  if (all_known) {
    kept.push_back(detail::int64_constant(product, x.loc));
  } else {
    kept.push_back(mul(rest, x.loc));
  }
  return detail::reshape_at(v, ShapeArg(detail::make_vector(kept, x.loc), x.loc), x.loc);
}

Var addbroadcast(VarArg x, std::vector<int> axes) {
  return detail::set_flags(x, axes, true, "addbroadcast");
}

Var unbroadcast(VarArg x, std::vector<int> axes) {
  return detail::set_flags(x, axes, false, "unbroadcast");
}

Var patternbroadcast(VarArg x, const BroadcastPattern& pattern) {
  return detail::patternbroadcast_at(x.var, pattern, x.loc);
}

}  // namespace tensor
}  // namespace theon
