// The stabilize phase, indexing rules: the negative log-likelihood written by indexing,
// -mean(log(softmax(z))[arange(n), y]), computed as categorical_crossentropy(softmax(z),
// y) is (Theano's local_advanced_indexing_crossentropy_onehot), and its gradient's
// scatter into zeros as the one-hot mask categorical_crossentropy's gradient uses.
//
// n must be the length of y or the rows of z. When it is len(y) and the rows are not
// provably that, the rewritten graph keeps what indexing would do: it reads the first n
// rows, and row_labels raises the IndexError indexing would raise for n > rows.
#include "ops/advanced_subtensor.hpp"
#include "ops/nnet/softmax.hpp"
#include "ops/nnet/softmax_crossentropy.hpp"
#include "ops/op_util.hpp"
#include "ops/shape_ops.hpp"
#include "rewrite/rewrite_util.hpp"
#include "rewrite/stabilize.hpp"
#include "theon/shape_ops.hpp"

namespace theon::rewrite::stabilize {
namespace {

using detail::AdvancedEntry;

template <class O>
const O* op_of(const Var& v) {
  return v.owner() ? dynamic_cast<const O*>(&v.owner()->op()) : nullptr;
}

// An index of two integer arrays: x[rows, labels].
bool is_two_arrays(const detail::AdvancedIndex& index) {
  return index.size() == 2 && index[0].kind == AdvancedEntry::Kind::Array &&
         index[1].kind == AdvancedEntry::Kind::Array;
}

// n when v = arange(0, n, 1).
std::optional<Var> arange_stop(const Var& v) {
  if (!op_of<detail::ARange>(v)) return std::nullopt;
  const Vars& in = v.owner()->inputs;
  if (detail::constant_int(in[0]) != 0 || detail::constant_int(in[2]) != 1) return std::nullopt;
  return in[1];
}

// s when n = s.shape[0], written shape_i(s, 0) or shape(s)[0].
std::optional<Var> length_of(const Var& n) {
  if (auto* s = op_of<detail::ShapeI>(n); s && s->axis() == 0) return n.owner()->inputs[0];
  auto* sub = op_of<detail::Subtensor>(n);
  if (!sub || sub->index_list().size() != 1 || sub->index_list()[0].is_slice) return std::nullopt;
  const detail::IndexBound& b = sub->index_list()[0].start;
  const Var& vector = n.owner()->inputs[0];
  if (b.kind != detail::IndexBound::Kind::Constant || b.value != 0 || !op_of<detail::ShapeOp>(vector))
    return std::nullopt;
  return vector.owner()->inputs[0];
}

// z when x = log_softmax(z) or log(softmax(z)), along the rows of a matrix; with the
// softmax, whose rows are z's too.
struct LogSoftmaxOf {
  Var z, softmax;
};
std::optional<LogSoftmaxOf> log_softmax_of(const Var& x) {
  if (x.ndim() != 2 || !is_float(x.dtype())) return std::nullopt;
  Var sm = x;
  const auto* op = op_of<detail::Softmax>(x);
  if (!op || !op->is_log()) {
    const Vars* log_in = elemwise_inputs(x, detail::ScalarOpId::Log);
    if (!log_in) return std::nullopt;
    sm = (*log_in)[0];
    op = op_of<detail::Softmax>(sm);
    if (!op || op->is_log() || sm.dtype() != x.dtype()) return std::nullopt;
  }
  if (op->axis() != 1) return std::nullopt;
  return LogSoftmaxOf{sm.owner()->inputs[0], sm};
}

// The variable whose rows v's rows are: v itself, or the input of the softmax,
// log-softmax or log of a softmax computing it.
Var row_root(Var v) {
  while (true) {
    if (op_of<detail::Softmax>(v)) {
      v = v.owner()->inputs[0];
    } else if (const Vars* log_in = elemwise_inputs(v, detail::ScalarOpId::Log); log_in && op_of<detail::Softmax>((*log_in)[0])) {
      v = (*log_in)[0];
    } else {
      return v;
    }
  }
}

// Whether the lengths a and b (int scalars) are the same by construction: the same
// value, or the length of axis 0 of the same rows.
bool same_length(const Var& a, const Var& b) {
  if (same_value(a, b)) return true;
  const std::optional<Var> sa = length_of(a), sb = length_of(b);
  return sa && sb && same_value(row_root(*sa), row_root(*sb));
}

// The first n rows of a matrix, as a view.
Var first_rows(const Var& m, const Var& n, const Loc& loc) {
  detail::IndexEntry e;
  e.is_slice = true;
  e.stop = {detail::IndexBound::Kind::Input, 0};
  return detail::subtensor(m, {e}, {n}, loc);
}

// log_softmax(z)[arange(n), y] = -crossentropy_softmax_1hot(z, y): one fused pass over
// z, where the unrewritten graph computes the whole log-softmax to read one element per
// row.
std::optional<Vars> crossentropy_from_indexed_log_softmax(const ApplyNode& node, const FunctionGraph&) {
  const auto& op = dynamic_cast<const detail::AdvancedSubtensor&>(node.op());
  if (!is_two_arrays(op.index())) return std::nullopt;
  const Var& x = node.inputs[0];
  const Var& labels = node.inputs[2];
  const std::optional<LogSoftmaxOf> ls = log_softmax_of(x);
  const std::optional<Var> n = arange_stop(node.inputs[1]);
  if (!ls || !n || labels.ndim() != 1) return std::nullopt;
  const std::optional<Var> source = length_of(*n);
  if (!source) return std::nullopt;
  const bool rows_are_n = same_value(row_root(*source), ls->z);
  if (!rows_are_n && !same_value(*source, labels)) return std::nullopt;
  const Loc& loc = node.loc;
  const Var z = rows_are_n ? ls->z : first_rows(ls->z, *n, loc);
  const Var rows = rows_are_n ? *n : detail::shape_i_at(ls->z, 0, loc);
  const Var y = detail::row_labels(labels, *n, rows, detail::shape_i_at(ls->z, 1, loc), loc);
  const Var nll = detail::crossentropy_softmax_1hot(z, y, loc);
  std::optional<Var> v = broadcast_like(negate(nll), node.output(0), {});
  if (!v) return std::nullopt;
  return Vars{*v};
}

// The pullback of x[arange(n), y], a scatter of g into zeros:
//   inc_subtensor(zeros(rows, k)[arange(n), y], g) = switch(y[:, None] == arange(k), g[:, None], 0)
// in the first n rows: an element-wise mask that fuses with the softmax's pullback,
// as categorical_crossentropy's gradient does.
std::optional<Vars> onehot_from_scatter_into_zeros(const ApplyNode& node, const FunctionGraph&) {
  const auto& op = dynamic_cast<const detail::AdvancedIncSubtensor&>(node.op());
  if (op.is_set() || !is_two_arrays(op.index())) return std::nullopt;
  const Var& zeros = node.inputs[0];
  const Var& g = node.inputs[1];
  const Var& labels = node.inputs[3];
  const std::optional<Var> n = arange_stop(node.inputs[2]);
  if (!n || zeros.ndim() != 2 || g.ndim() > 1 || labels.ndim() != 1) return std::nullopt;
  if (!op_of<detail::Alloc>(zeros) || !is_constant_value(zeros.owner()->inputs[0], 0) ||
      zeros.owner()->inputs.size() != 3)
    return std::nullopt;
  const Var& rows = zeros.owner()->inputs[1];
  const Var& classes = zeros.owner()->inputs[2];
  const std::optional<Var> source = length_of(*n);
  const bool rows_are_n = same_length(rows, *n) || (source && same_value(*source, zeros));
  if (!rows_are_n && !(source && same_value(*source, labels))) return std::nullopt;
  const Loc& loc = node.loc;
  namespace T = theon::tensor;
  const Var y = detail::row_labels(labels, *n, rows_are_n ? *n : rows, classes, loc);
  const Var onehot = T::eq(VarArg(T::dimshuffle(VarArg(y, loc), {0, 'x'}), loc),
                           VarArg(T::dimshuffle(VarArg(T::arange(VarArg(classes, loc)), loc), {'x', 0}), loc));
  const Var column = g.ndim() == 1 ? T::dimshuffle(VarArg(g, loc), {0, 'x'}) : g;
  Var scattered = as_dtype(T::switch_(VarArg(onehot, loc), VarArg(column, loc), 0), zeros.dtype());
  if (!rows_are_n) {
    detail::IndexEntry e;
    e.is_slice = true;
    e.stop = {detail::IndexBound::Kind::Input, 0};
    scattered = detail::inc_subtensor(zeros, scattered, {e}, {*n}, /*set=*/true, loc);
  }
  std::optional<Var> v = broadcast_like(scattered, node.output(0), node.inputs);
  if (!v) return std::nullopt;
  return Vars{*v};
}

// shape_i(softmax(z), d) = shape_i(z, d) (log_softmax too): the rules above leave the
// gradient's zeros shaped like the log-softmax, which no longer needs computing.
std::optional<Vars> shape_of_softmax_input(const ApplyNode& node, const FunctionGraph&) {
  const Var& x = node.inputs[0];
  if (!op_of<detail::Softmax>(x)) return std::nullopt;
  const int axis = dynamic_cast<const detail::ShapeI&>(node.op()).axis();
  return Vars{detail::shape_i_at(x.owner()->inputs[0], axis, node.loc)};
}

}  // namespace

void register_indexing_rules(RewriteDb& db) {
  db.add("stabilize", LocalRewrite{"shape_of_softmax_input", {"shape_i"}, shape_of_softmax_input}, {"fast_run"});
  db.add("stabilize",
         LocalRewrite{"crossentropy_from_indexed_log_softmax", {"advanced_subtensor"},
                      crossentropy_from_indexed_log_softmax},
         {"fast_run"});
  db.add("stabilize",
         LocalRewrite{"onehot_from_scatter_into_zeros", {"advanced_inc_subtensor"}, onehot_from_scatter_into_zeros},
         {"fast_run"});
}

}  // namespace theon::rewrite::stabilize
