// canonicalize: the graph in one normal form, so that later phases match fewer shapes
// of the same computation. The algebra of sums and products is in
// canonicalize_algebra.cpp; here are the nodes that do nothing or that merge with the
// node they read (layout, casts, reductions over nothing, fills).
#include "ops/dimshuffle.hpp"
#include "ops/elemwise.hpp"
#include "ops/op_util.hpp"
#include "ops/reduce.hpp"
#include "ops/shape_ops.hpp"
#include "rewrite/phases.hpp"
#include "rewrite/rewrite_util.hpp"
#include "theon/tensor.hpp"

namespace theon::rewrite {

// canonicalize_algebra.cpp, zero_rewrites.cpp
void register_canonicalize_algebra(RewriteDb& db);
void register_zero_rewrites(RewriteDb& db);

namespace {

using detail::DimShuffle;
using detail::ScalarOpId;
namespace T = theon::tensor;

template <class O>
const O* op_of(const Var& v) {
  return v.owner() ? dynamic_cast<const O*>(&v.owner()->op()) : nullptr;
}

std::optional<Vars> one(const Var& v) { return Vars{v}; }

// dimshuffle{q}(dimshuffle{p}(x)) -> dimshuffle{p o q}(x), or x when that is the identity
std::optional<Vars> merge_dimshuffles(const ApplyNode& node, const FunctionGraph&) {
  const auto& outer = dynamic_cast<const DimShuffle&>(node.op());
  const auto* inner = op_of<DimShuffle>(node.inputs[0]);
  if (!inner) return std::nullopt;
  const Var& x = node.inputs[0].owner()->inputs[0];
  std::vector<DimEntry> pattern;
  for (int p : outer.pattern())
    pattern.push_back(p < 0 || inner->pattern()[p] < 0 ? DimEntry('x') : DimEntry(inner->pattern()[p]));
  return one(detail::dimshuffle_at(x, pattern, node.loc));
}

// dimshuffle{0,1,...,n-1}(x) -> x
std::optional<Vars> remove_identity_dimshuffle(const ApplyNode& node, const FunctionGraph&) {
  const auto& op = dynamic_cast<const DimShuffle&>(node.op());
  if (static_cast<int>(op.pattern().size()) != op.input_ndim()) return std::nullopt;
  for (int i = 0; i < op.input_ndim(); ++i)
    if (op.pattern()[i] != i) return std::nullopt;
  return one(node.inputs[0]);
}

// reshape(reshape(x, s1), s2) -> reshape(x, s2): a reshape reads elements in C order,
// whatever shape they had.
std::optional<Vars> merge_reshapes(const ApplyNode& node, const FunctionGraph&) {
  if (!op_of<detail::Reshape>(node.inputs[0])) return std::nullopt;
  const auto& op = dynamic_cast<const detail::Reshape&>(node.op());
  const Var& x = node.inputs[0].owner()->inputs[0];
  return one(detail::apply_op<detail::Reshape>(node.loc, {x, node.inputs[1]}, op.ndim()));
}

// Whether entry `i` of a shape is x.shape[i] by construction: shape_i(x, i), or 1 where
// x is broadcastable.
bool is_own_length(const Var& entry, const Var& x, int i) {
  if (auto c = detail::constant_int(entry)) return *c == 1 && x.broadcastable()[i];
  const auto* s = op_of<detail::ShapeI>(entry);
  return s && s->axis() == i && entry.owner()->inputs[0].is(x);
}

// reshape(x, shape(x)) -> x, and reshape of a vector to one dimension -> x (its length
// must already be the size). Entries may be shape_i(x, i), a constant 1 where x is
// broadcastable, and one -1.
std::optional<Vars> remove_useless_reshape(const ApplyNode& node, const FunctionGraph&) {
  const Var& x = node.inputs[0];
  const Var& s = node.inputs[1];
  const Var old = node.output(0);
  if (x.ndim() != old.ndim()) return std::nullopt;
  for (int d = 0; d < x.ndim(); ++d)
    if (old.broadcastable()[d] && !x.broadcastable()[d]) return std::nullopt;
  bool useless = x.ndim() == 1;
  if (op_of<detail::ShapeOp>(s)) useless = useless || s.owner()->inputs[0].is(x);
  if (!useless) {
    Vars entries;
    if (op_of<detail::MakeVector>(s)) {
      entries = s.owner()->inputs;
    } else if (s.is_constant() && s.ndim() == 1) {
      entries = detail::shape_entries(ShapeArg(s, node.loc), "reshape");
    }
    if (static_cast<int>(entries.size()) == x.ndim()) {
      int wildcards = 0;
      useless = true;
      for (int i = 0; i < x.ndim() && useless; ++i) {
        auto c = detail::constant_int(entries[i]);
        if (c && *c == -1) {
          ++wildcards;
        } else {
          useless = is_own_length(entries[i], x, i);
        }
      }
      useless = useless && wildcards <= 1;
    }
  }
  if (!useless) return std::nullopt;
  return one(x);
}

// cast{t}(x) -> x when x is already of dtype t (and the identity op likewise)
std::optional<Vars> remove_useless_cast(const ApplyNode& node, const FunctionGraph&) {
  const detail::Elemwise* e = elemwise_of(node);
  if (!e || e->scalar_op() != ScalarOpId::Identity) return std::nullopt;
  if (node.inputs[0].dtype() != e->out_dtype()) return std::nullopt;
  return one(node.inputs[0]);
}

// cast{t}(cast{u}(x)) -> cast{t}(x) when u holds every value of x exactly
std::optional<Vars> merge_lossless_casts(const ApplyNode& node, const FunctionGraph&) {
  const detail::Elemwise* e = elemwise_of(node);
  if (!e || e->scalar_op() != ScalarOpId::Identity) return std::nullopt;
  const Var& mid = node.inputs[0];
  if (!elemwise_of(mid, ScalarOpId::Identity)) return std::nullopt;
  const Var& x = mid.owner()->inputs[0];
  if (!can_cast_safely(x.dtype(), mid.dtype())) return std::nullopt;
  return one(T::cast(x, e->out_dtype()));
}

// fill(m, b) -> b when b already has the fill's shape (it is broadcastable only where
// the result is)
std::optional<Vars> remove_useless_fill(const ApplyNode& node, const FunctionGraph&) {
  const detail::Elemwise* e = elemwise_of(node);
  if (!e || e->scalar_op() != ScalarOpId::Second) return std::nullopt;
  const Var& b = node.inputs[1];
  const Var old = node.output(0);
  if (!(b.type() == old.type())) return std::nullopt;
  return one(b);
}

// sum(x, axes) -> x (in the sum's dtype) when every axis in `axes` has length 1, with
// those axes dropped unless keepdims; the same for prod, max and min. Covers the empty
// axis list.
std::optional<Vars> remove_trivial_reduce(const ApplyNode& node, const FunctionGraph&) {
  const auto& op = dynamic_cast<const detail::Reduce&>(node.op());
  using detail::ReduceKind;
  if (op.kind() != ReduceKind::Sum && op.kind() != ReduceKind::Prod &&
      op.kind() != ReduceKind::Max && op.kind() != ReduceKind::Min)
    return std::nullopt;
  const Var& x = node.inputs[0];
  for (int a : op.axes())
    if (!x.broadcastable()[a]) return std::nullopt;
  const Var old = node.output(0);
  Var v = T::cast(x, old.dtype());
  if (!op.keepdims() && !op.axes().empty()) {
    std::vector<DimEntry> kept;
    for (int d = 0; d < x.ndim(); ++d)
      if (!op.is_reduced(d)) kept.push_back(d);
    v = detail::dimshuffle_at(v, kept, node.loc);
  }
  return one(v);
}

// x ** 0 -> fill(x, 1) (pow(nan, 0) is 1 too), x ** 1 -> x; in the pow's dtype and shape.
// Other constant exponents are specialize's.
std::optional<Vars> pow_by_zero_or_one(const ApplyNode& node, const FunctionGraph&) {
  if (!elemwise_of(node) || elemwise_of(node)->scalar_op() != ScalarOpId::Pow) return std::nullopt;
  std::optional<double> e = uniform_constant(node.inputs[1]);
  if (!e || (*e != 0 && *e != 1)) return std::nullopt;
  const Var old = node.output(0);
  const Var v = *e == 0 ? scalar_constant(1, old.dtype(), old.ndim(), old.loc()) : node.inputs[0];
  std::optional<Var> out = broadcast_like(v, old, node.inputs);
  if (!out) return std::nullopt;
  return one(*out);
}

}  // namespace

void register_canonicalize(RewriteDb& db) {
  register_canonicalize_algebra(db);
  register_zero_rewrites(db);
  const std::vector<std::string> tags = {"fast_run"};
  db.add("canonicalize", LocalRewrite{"merge_dimshuffles", {"dimshuffle"}, merge_dimshuffles}, tags);
  db.add("canonicalize",
         LocalRewrite{"remove_identity_dimshuffle", {"dimshuffle"}, remove_identity_dimshuffle}, tags);
  db.add("canonicalize", LocalRewrite{"merge_reshapes", {"reshape"}, merge_reshapes}, tags);
  db.add("canonicalize", LocalRewrite{"remove_useless_reshape", {"reshape"}, remove_useless_reshape},
         tags);
  db.add("canonicalize", LocalRewrite{"remove_useless_cast", {"identity"}, remove_useless_cast}, tags);
  db.add("canonicalize", LocalRewrite{"merge_lossless_casts", {"identity"}, merge_lossless_casts}, tags);
  db.add("canonicalize", LocalRewrite{"remove_useless_fill", {"second"}, remove_useless_fill}, tags);
  db.add("canonicalize", LocalRewrite{"pow_by_zero_or_one", {"pow"}, pow_by_zero_or_one}, tags);
  db.add("canonicalize",
         LocalRewrite{"remove_trivial_reduce", {"sum", "prod", "max", "min"}, remove_trivial_reduce},
         tags);
}

}  // namespace theon::rewrite
