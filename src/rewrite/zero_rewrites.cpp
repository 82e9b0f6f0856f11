// canonicalize, zeros: nodes reading a symbolic zero (is_symbolic_zero: a 0 constant, an
// alloc or fill of 0, zeros_like, and casts / negations / layouts of those) become zeros
// of their own shape, or drop the zero operand, so that what computed the other operands
// loses its last reader and leaves the graph. The zeros are alloc(0, lengths) with each
// length read from a cheap place (an alloc's own shape entry, or shape_i), and
// lift_shape_i moves shape_i below the node it measures, so that measuring a value does
// not keep it computed.
//
// As Theano (local_mul_zero, local_zero_div): x * 0 -> 0 and 0 / x -> 0 even where x is
// inf or NaN (IEEE gives NaN) or x is 0 (0 / 0), and the sign of a zero is not kept.
#include "grad/symbolic_zero.hpp"
#include "ops/blas.hpp"
#include "ops/dimshuffle.hpp"
#include "ops/elemwise.hpp"
#include "ops/op_util.hpp"
#include "ops/reduce.hpp"
#include "ops/shape_ops.hpp"
#include "ops/subtensor.hpp"
#include "rewrite/rewrite_util.hpp"
#include "rewrite/rewriter.hpp"
#include "theon/tensor.hpp"

namespace theon::rewrite {

void register_zero_rewrites(RewriteDb& db);

namespace {

using detail::is_symbolic_zero;
using detail::ScalarOpId;
namespace T = theon::tensor;

template <class O>
const O* op_of(const Var& v) {
  return v.owner() ? dynamic_cast<const O*>(&v.owner()->op()) : nullptr;
}

Var int64_scalar(int64_t value, const Loc& loc) {
  return constant(NDArray::full(DType::Int64, {}, static_cast<double>(value)), "", loc);
}

Var as_int64(const Var& v) { return v.dtype() == DType::Int64 ? v : T::cast(v, DType::Int64); }

// The length of v's dimension d, read without computing v where possible: 1 where v is
// broadcastable, an alloc's own shape entry, otherwise shape_i (which lift_shape_i moves
// further down).
Var length_of(const Var& v, int d, const Loc& loc) {
  if (v.broadcastable()[d]) return int64_scalar(1, loc);
  if (op_of<detail::Alloc>(v)) return as_int64(v.owner()->inputs[d + 1]);
  return detail::shape_i_at(v, d, loc);
}

// Zeros with exactly `old`'s type; lengths[d] is used where `old` is not broadcastable.
Var zeros_with_lengths(const Var& old, const Vars& lengths) {
  Vars shape;
  for (int d = 0; d < old.ndim(); ++d)
    shape.push_back(old.broadcastable()[d] ? int64_scalar(1, old.loc()) : lengths[d]);
  Var zero = constant(NDArray::full(old.dtype(), {}, 0), "", old.loc());
  return detail::patternbroadcast_at(detail::alloc_at(zero, shape, old.loc()), old.broadcastable(),
                                     old.loc());
}

// Zeros shaped like `old`, the output of an element-wise node reading `operands` (all of
// old's rank); zero operands are measured first, as their lengths are the cheapest.
Var zeros_like_elemwise(const Var& old, const Vars& operands) {
  Vars ordered;
  for (const Var& x : operands)
    if (is_symbolic_zero(x)) ordered.push_back(x);
  for (const Var& x : operands)
    if (!is_symbolic_zero(x)) ordered.push_back(x);
  Vars lengths(old.ndim());
  for (int d = 0; d < old.ndim(); ++d)
    for (const Var& x : ordered)
      if (!lengths[d].defined() && !x.broadcastable()[d]) lengths[d] = length_of(x, d, old.loc());
  return zeros_with_lengths(old, lengths);
}

std::optional<Vars> one(const Var& v) { return Vars{v}; }

bool any_zero(const Vars& xs) {
  for (const Var& x : xs)
    if (is_symbolic_zero(x)) return true;
  return false;
}

// x * 0 -> 0 (Theano's choice for floats too: see the top of the file)
std::optional<Vars> mul_by_zero(const ApplyNode& node, const FunctionGraph&) {
  if (!elemwise_of(node.output(0), ScalarOpId::Mul) || !any_zero(node.inputs)) return std::nullopt;
  return one(zeros_like_elemwise(node.output(0), node.inputs));
}

// `v` given exactly `old`'s type: cast, then stretched to old's shape by alloc where v is
// broadcastable and old is not (lengths from the replaced node's operands).
Var fit_value(const Var& v, const Var& old, const Vars& operands) {
  Var out = v.dtype() == old.dtype() ? v : T::cast(v, old.dtype());
  if (out.type() == old.type()) return out;
  Vars lengths(old.ndim());
  bool stretch = false;
  for (int d = 0; d < old.ndim(); ++d) {
    if (!out.broadcastable()[d]) {
      lengths[d] = length_of(out, d, old.loc());
      continue;
    }
    if (old.broadcastable()[d]) continue;
    stretch = true;
    Var zero_shape = zeros_like_elemwise(old, operands);
    lengths[d] = length_of(zero_shape, d, old.loc());
  }
  if (stretch) {
    Vars shape;
    for (int d = 0; d < old.ndim(); ++d)
      shape.push_back(old.broadcastable()[d] ? int64_scalar(1, old.loc()) : lengths[d]);
    out = detail::alloc_at(out, shape, old.loc());
  }
  return detail::patternbroadcast_at(out, old.broadcastable(), old.loc());
}

// x + 0 + y -> x + y, x - 0 -> x, 0 - x -> -x (dtype and broadcast pattern kept)
std::optional<Vars> add_zero(const ApplyNode& node, const FunctionGraph&) {
  const detail::Elemwise* e = elemwise_of(node);
  if (!e || !any_zero(node.inputs)) return std::nullopt;
  const Var old = node.output(0);
  Vars kept;
  if (e->scalar_op() == ScalarOpId::Add) {
    for (const Var& x : node.inputs)
      if (!is_symbolic_zero(x)) kept.push_back(x);
    if (kept.empty()) return one(zeros_like_elemwise(old, node.inputs));
    if (kept.size() > 1) return one(fit_value(T::add(kept, node.loc), old, node.inputs));
    return one(fit_value(kept[0], old, node.inputs));
  }
  if (e->scalar_op() != ScalarOpId::Sub) return std::nullopt;
  const Var& a = node.inputs[0];
  const Var& b = node.inputs[1];
  if (is_symbolic_zero(b)) return one(fit_value(a, old, node.inputs));
  return one(fit_value(T::neg(b), old, node.inputs));
}

// 0 / x, 0 // x, -0, cast(0) -> 0 (x / 0 is left alone)
std::optional<Vars> zero_in_zero_out(const ApplyNode& node, const FunctionGraph&) {
  const detail::Elemwise* e = elemwise_of(node);
  if (!e || !is_symbolic_zero(node.inputs[0])) return std::nullopt;
  const Var old = node.output(0);
  switch (e->scalar_op()) {
    case ScalarOpId::TrueDiv:
    case ScalarOpId::FloorDiv:
    case ScalarOpId::Neg:
      break;
    case ScalarOpId::Identity:  // a cast of an alloc of 0 is an alloc of 0 of the new dtype
      if (op_of<detail::Alloc>(node.inputs[0])) break;
      return std::nullopt;
    default:
      return std::nullopt;
  }
  return one(zeros_like_elemwise(old, node.inputs));
}

// switch(c, 0, 0) -> 0
std::optional<Vars> switch_of_zeros(const ApplyNode& node, const FunctionGraph&) {
  if (!elemwise_of(node.output(0), ScalarOpId::Switch)) return std::nullopt;
  if (!is_symbolic_zero(node.inputs[1]) || !is_symbolic_zero(node.inputs[2])) return std::nullopt;
  return one(zeros_like_elemwise(node.output(0), node.inputs));
}

// sum(0, axes) -> 0 of the sum's shape
std::optional<Vars> sum_of_zeros(const ApplyNode& node, const FunctionGraph&) {
  const auto& op = dynamic_cast<const detail::Reduce&>(node.op());
  if (op.kind() != detail::ReduceKind::Sum || !is_symbolic_zero(node.inputs[0]))
    return std::nullopt;
  const Var& x = node.inputs[0];
  const Var old = node.output(0);
  Vars lengths;
  for (int d = 0; d < x.ndim(); ++d) {
    if (!op.is_reduced(d)) {
      lengths.push_back(length_of(x, d, old.loc()));
    } else if (op.keepdims()) {
      lengths.push_back(int64_scalar(1, old.loc()));
    }
  }
  return one(zeros_with_lengths(old, lengths));
}

// dimshuffle(0) -> 0 of the new layout
std::optional<Vars> dimshuffle_of_zeros(const ApplyNode& node, const FunctionGraph&) {
  const auto& op = dynamic_cast<const detail::DimShuffle&>(node.op());
  const Var& x = node.inputs[0];
  if (!op_of<detail::Alloc>(x) || !is_symbolic_zero(x)) return std::nullopt;
  const Var old = node.output(0);
  Vars lengths;
  for (int p : op.pattern())
    lengths.push_back(p < 0 ? int64_scalar(1, old.loc()) : length_of(x, p, old.loc()));
  return one(zeros_with_lengths(old, lengths));
}

// The entries of a reshape's shape vector when each is known not to be -1.
std::optional<Vars> explicit_entries(const Var& s) {
  Vars entries;
  if (s.is_constant()) {
    const NDArray c = s.constant_value();
    for (int64_t i = 0; i < c.size(); ++i) {
      const int64_t n = c.at<int64_t>({i});
      if (n < 0) return std::nullopt;
      entries.push_back(int64_scalar(n, s.loc()));
    }
    return entries;
  }
  if (!op_of<detail::MakeVector>(s)) return std::nullopt;
  for (const Var& e : s.owner()->inputs) {
    if (auto c = detail::constant_int(e); c && *c < 0) return std::nullopt;
    if (!detail::constant_int(e) && !op_of<detail::ShapeI>(e)) return std::nullopt;  // may be -1
    entries.push_back(as_int64(e));
  }
  return entries;
}

// reshape(0, shape) -> 0 of that shape (when no entry can be -1)
std::optional<Vars> reshape_of_zeros(const ApplyNode& node, const FunctionGraph&) {
  if (!is_symbolic_zero(node.inputs[0])) return std::nullopt;
  std::optional<Vars> entries = explicit_entries(node.inputs[1]);
  if (!entries) return std::nullopt;
  return one(zeros_with_lengths(node.output(0), *entries));
}

// dot(0, y), dot(x, 0) -> 0 of the product's shape
std::optional<Vars> dot_with_zero(const ApplyNode& node, const FunctionGraph&) {
  const Var& a = node.inputs[0];
  const Var& b = node.inputs[1];
  if (!is_symbolic_zero(a) && !is_symbolic_zero(b)) return std::nullopt;
  const Var old = node.output(0);
  Vars lengths;
  if (a.ndim() == 2) lengths.push_back(length_of(a, 0, old.loc()));
  if (b.ndim() == 2) lengths.push_back(length_of(b, 1, old.loc()));
  return one(zeros_with_lengths(old, lengths));
}

// x[idx] -> 0 of the indexed shape, for x a symbolic zero and basic indexing. Each
// sliced axis's length is that of the same slice of arange(length): a vector as long
// as one axis, not the whole array.
std::optional<Vars> subtensor_of_zeros(const ApplyNode& node, const FunctionGraph&) {
  const auto& op = dynamic_cast<const detail::Subtensor&>(node.op());
  const Var& x = node.inputs[0];
  if (!is_symbolic_zero(x)) return std::nullopt;
  const Var old = node.output(0);
  const Loc& loc = old.loc();
  const detail::IndexList& list = op.index_list();
  size_t next_bound = 1;
  Vars lengths;
  for (int d = 0; d < x.ndim(); ++d) {
    if (d >= static_cast<int>(list.size())) {
      lengths.push_back(length_of(x, d, loc));
      continue;
    }
    const detail::IndexEntry& entry = list[d];
    Vars bounds;
    for (const detail::IndexBound* b : {&entry.start, &entry.stop, &entry.step}) {
      if (!entry.is_slice && b != &entry.start) break;
      if (b->is_input()) bounds.push_back(node.inputs[next_bound++]);
    }
    if (!entry.is_slice) continue;  // an integer drops its axis
    Vars inputs{T::arange(VarArg(int64_t{0}, loc), VarArg(length_of(x, d, loc), loc),
                          VarArg(int64_t{1}, loc), DType::Int64)};
    inputs.insert(inputs.end(), bounds.begin(), bounds.end());
    const Var positions =
        detail::apply_op<detail::Subtensor>(loc, inputs, detail::IndexList{entry});
    lengths.push_back(detail::shape_i_at(positions, 0, loc));
  }
  return one(zeros_with_lengths(old, lengths));
}

// inc_subtensor(x, 0) -> x (not set_subtensor, which writes the zeros)
std::optional<Vars> inc_subtensor_of_zero(const ApplyNode& node, const FunctionGraph&) {
  const auto& op = dynamic_cast<const detail::IncSubtensor&>(node.op());
  if (op.is_set() || !is_symbolic_zero(node.inputs[1])) return std::nullopt;
  const Var& x = node.inputs[0];
  if (!(x.type() == node.output(0).type())) return std::nullopt;
  return one(x);
}

// shape_i(f(x, ...), d) -> the length from f's inputs, for f element-wise (a
// non-broadcastable operand's length), dimshuffle, alloc, rebroadcast, reduce, dot and
// reshape to explicit lengths: measuring a value then no longer keeps it computed.
std::optional<Vars> lift_shape_i(const ApplyNode& node, const FunctionGraph&) {
  const int d = dynamic_cast<const detail::ShapeI&>(node.op()).axis();
  const Var& x = node.inputs[0];
  const ApplyNode* owner = x.owner();
  if (!owner || x.broadcastable()[d]) return std::nullopt;
  const Loc& loc = node.loc;
  const Vars& in = owner->inputs;
  const Op& op = owner->op();
  if (dynamic_cast<const detail::Elemwise*>(&op)) {
    for (const Var& i : in)
      if (i.ndim() == x.ndim() && !i.broadcastable()[d]) return one(detail::shape_i_at(i, d, loc));
    return std::nullopt;
  }
  if (const auto* ds = dynamic_cast<const detail::DimShuffle*>(&op)) {
    const int p = ds->pattern()[d];
    return p < 0 ? std::nullopt : one(detail::shape_i_at(in[0], p, loc));
  }
  if (dynamic_cast<const detail::Alloc*>(&op)) return one(as_int64(in[d + 1]));
  if (dynamic_cast<const detail::Rebroadcast*>(&op)) return one(detail::shape_i_at(in[0], d, loc));
  if (const auto* r = dynamic_cast<const detail::Reduce*>(&op)) {
    int seen = -1;
    for (int a = 0; a < in[0].ndim(); ++a) {
      if (r->is_reduced(a) && !r->keepdims()) continue;
      if (++seen == d)
        return r->is_reduced(a) ? std::nullopt : one(detail::shape_i_at(in[0], a, loc));
    }
    return std::nullopt;
  }
  if (dynamic_cast<const detail::Dot*>(&op)) {
    const Var& a = in[0];
    const Var& b = in[1];
    if (a.ndim() == 2 && d == 0) return one(detail::shape_i_at(a, 0, loc));
    if (b.ndim() == 2) return one(detail::shape_i_at(b, 1, loc));
    return std::nullopt;
  }
  if (x.index() == 0 && op_of<detail::Reshape>(x)) {
    std::optional<Vars> entries = explicit_entries(in[1]);
    if (entries) return one((*entries)[d]);
  }
  return std::nullopt;
}

}  // namespace

void register_zero_rewrites(RewriteDb& db) {
  const std::vector<std::string> tags = {"fast_run", "zero_rewrites"};
  db.add("canonicalize", LocalRewrite{"mul_by_zero", {"mul"}, mul_by_zero}, tags);
  db.add("canonicalize", LocalRewrite{"add_zero", {"add", "sub"}, add_zero}, tags);
  db.add("canonicalize",
         LocalRewrite{
             "zero_in_zero_out", {"true_div", "floor_div", "neg", "identity"}, zero_in_zero_out},
         tags);
  db.add("canonicalize", LocalRewrite{"switch_of_zeros", {"switch_"}, switch_of_zeros}, tags);
  db.add("canonicalize", LocalRewrite{"sum_of_zeros", {"sum"}, sum_of_zeros}, tags);
  db.add("canonicalize", LocalRewrite{"dimshuffle_of_zeros", {"dimshuffle"}, dimshuffle_of_zeros},
         tags);
  db.add("canonicalize", LocalRewrite{"reshape_of_zeros", {"reshape"}, reshape_of_zeros}, tags);
  db.add("canonicalize", LocalRewrite{"dot_with_zero", {"dot"}, dot_with_zero}, tags);
  db.add("canonicalize", LocalRewrite{"subtensor_of_zeros", {"subtensor"}, subtensor_of_zeros},
         tags);
  db.add("canonicalize",
         LocalRewrite{"inc_subtensor_of_zero", {"inc_subtensor"}, inc_subtensor_of_zero}, tags);
  db.add("canonicalize", LocalRewrite{"lift_shape_i", {"shape_i"}, lift_shape_i}, tags);
}

}  // namespace theon::rewrite
