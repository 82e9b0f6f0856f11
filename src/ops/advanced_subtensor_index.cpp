// The public index / set_subtensor / inc_subtensor: each index goes to the cheapest op
// that computes it. Without arrays or masks, a view (Subtensor, with new axes added by
// a dimshuffle); x[ivec] and x[ivec, :, ...], the common gather, AdvancedSubtensor1;
// anything else AdvancedSubtensor.
#include "ops/advanced_subtensor.hpp"
#include "ops/dimshuffle.hpp"
#include "ops/op_util.hpp"
#include "theon/shape_ops.hpp"
#include "theon/subtensor.hpp"

namespace theon::tensor {
namespace {

using detail::AdvancedEntry;
using detail::IndexBound;

bool is_full_slice(const IndexArg& a) {
  return a.is_slice() && !a.slice().start && !a.slice().stop && !a.slice().step;
}

bool is_array(const IndexArg& a) { return a.is_value() && (a.value().var.ndim() > 0 || is_bool(a.value().var.dtype())); }

// The axes of x an entry reads.
int axes_read(const IndexArg& a) {
  if (a.is_newaxis() || a.is_ellipsis()) return 0;
  if (a.is_value() && is_bool(a.value().var.dtype())) return a.value().var.ndim();
  return 1;
}

// A bound or integer entry: folded into the structure when constant, else an input.
IndexBound to_bound(const std::optional<VarArg>& arg, Vars& inputs, const char* what) {
  if (!arg) return {};
  const Var& v = arg->var;
  THEON_CHECK_USER(v.ndim() == 0 && is_integer(v.dtype()), TypeError)
      << "subtensor: " << what << " must be an integer or an integer scalar variable, got " << describe(v);
  if (auto c = detail::constant_int(v)) return {IndexBound::Kind::Constant, *c};
  inputs.push_back(v);
  return {IndexBound::Kind::Input, 0};
}

detail::IndexEntry slice_entry(const SliceArg& s, Vars& inputs) {
  detail::IndexEntry e;
  e.is_slice = true;
  e.start = to_bound(s.start, inputs, "a slice start");
  e.stop = to_bound(s.stop, inputs, "a slice stop");
  e.step = to_bound(s.step, inputs, "a slice step");
  THEON_CHECK_USER(!(e.step.kind == IndexBound::Kind::Constant && e.step.value == 0), ValueError)
      << "subtensor: slice step cannot be zero";
  return e;
}

// Replaces the ellipsis by whole slices; IndexError for a second one or too many indices.
std::vector<IndexArg> expand_ellipsis(const Var& x, std::vector<IndexArg> indices) {
  int read = 0, ellipses = 0;
  for (const IndexArg& a : indices) {
    read += axes_read(a);
    ellipses += a.is_ellipsis();
  }
  THEON_CHECK_USER(ellipses <= 1, IndexError) << "index: an index can only have a single ellipsis ('...')";
  THEON_CHECK_USER(read <= x.ndim(), IndexError)
      << "subtensor: too many indices for array: array is " << x.ndim() << "-dimensional, but " << read
      << " were indexed (" << describe(x) << ")";
  std::vector<IndexArg> out;
  for (IndexArg& a : indices) {
    if (!a.is_ellipsis()) {
      out.push_back(std::move(a));
      continue;
    }
    for (int d = read; d < x.ndim(); ++d) out.emplace_back(slice());
  }
  return out;
}

Var basic_index(const VarArg& x, const std::vector<IndexArg>& indices) {
  detail::IndexList list;
  Vars bounds;
  std::vector<int> new_axes;  // positions in the result
  int out_axis = 0;
  for (const IndexArg& a : indices) {
    if (a.is_newaxis()) {
      new_axes.push_back(out_axis++);
    } else if (a.is_slice()) {
      list.push_back(slice_entry(a.slice(), bounds));
      ++out_axis;
    } else {
      detail::IndexEntry e;
      e.start = to_bound(a.value(), bounds, "an index");
      list.push_back(e);
    }
  }
  Var out = detail::subtensor(x.var, list, bounds, x.loc);
  if (new_axes.empty()) return out;
  std::vector<DimEntry> pattern;
  const int total = out.ndim() + static_cast<int>(new_axes.size());
  for (int i = 0, next = 0; i < total; ++i) {
    if (std::find(new_axes.begin(), new_axes.end(), i) != new_axes.end()) {
      pattern.emplace_back('x');
    } else {
      pattern.emplace_back(next++);
    }
  }
  return dimshuffle(VarArg(out, x.loc), pattern);
}

// x[ivec] or x[ivec, :, ...]: AdvancedSubtensor1's gather of rows.
bool is_row_gather(const std::vector<IndexArg>& indices) {
  if (indices.empty() || !indices[0].is_value()) return false;
  const Var& idx = indices[0].value().var;
  if (idx.ndim() != 1 || !is_integer(idx.dtype())) return false;
  for (size_t j = 1; j < indices.size(); ++j)
    if (!is_full_slice(indices[j])) return false;
  return true;
}

Var general_index(const VarArg& x, const std::vector<IndexArg>& indices) {
  detail::AdvancedIndex index;
  Vars inputs;
  for (const IndexArg& a : indices) {
    AdvancedEntry e;
    if (a.is_newaxis()) {
      e.kind = AdvancedEntry::Kind::NewAxis;
    } else if (a.is_slice()) {
      e.kind = AdvancedEntry::Kind::Slice;
      e.basic = slice_entry(a.slice(), inputs);
    } else if (is_array(a)) {
      const Var& v = a.value().var;
      THEON_CHECK_USER(is_integer(v.dtype()) || is_bool(v.dtype()), TypeError)
          << "index: arrays used as indices must be of integer (or boolean) type, got " << describe(v);
      THEON_CHECK_USER(!is_bool(v.dtype()) || v.ndim() > 0, IndexError)
          << "index: a 0-d boolean index (True or False) is not supported; use a mask of rank 1 or more";
      e.kind = is_bool(v.dtype()) ? AdvancedEntry::Kind::Mask : AdvancedEntry::Kind::Array;
      inputs.push_back(v);
    } else {
      e.kind = AdvancedEntry::Kind::Scalar;
      e.basic.start = to_bound(a.value(), inputs, "an index");
    }
    index.push_back(e);
  }
  return detail::advanced_subtensor(x.var, index, inputs, x.loc);
}

const ApplyNode* indexing_node(const Var& t) {
  const ApplyNode* node = t.owner();
  if (!node) return nullptr;
  const Op& op = node->op();
  if (dynamic_cast<const detail::Subtensor*>(&op) || dynamic_cast<const detail::AdvancedSubtensor1*>(&op) ||
      dynamic_cast<const detail::AdvancedSubtensor*>(&op))
    return node;
  return nullptr;
}

// For a basic index with new axes (an indexing node under a dimshuffle that only adds
// axes): the indexed variable, and the value with those axes (length 1) dropped.
std::optional<std::pair<Var, Var>> without_new_axes(const Var& t, const Var& value, const Loc& loc) {
  const auto* shuffle = t.owner() ? dynamic_cast<const detail::DimShuffle*>(&t.owner()->op()) : nullptr;
  if (!shuffle || !indexing_node(t.owner()->inputs[0]) || value.ndim() > t.ndim()) return std::nullopt;
  std::vector<int> added, kept;
  int next = 0;
  for (size_t p = 0; p < shuffle->pattern().size(); ++p) {
    const int from = shuffle->pattern()[p];
    if (from >= 0 && from != next++) return std::nullopt;  // a transpose, not only new axes
    (from < 0 ? added : kept).push_back(static_cast<int>(p));
  }
  if (next != t.owner()->inputs[0].ndim()) return std::nullopt;
  std::vector<DimEntry> pad;
  for (int d = 0; d < t.ndim() - value.ndim(); ++d) pad.emplace_back('x');
  for (int d = 0; d < value.ndim(); ++d) pad.emplace_back(d);
  Var v = addbroadcast(VarArg(dimshuffle(VarArg(value, loc), pad), loc), added);
  return std::pair{t.owner()->inputs[0], dimshuffle(VarArg(v, loc), std::vector<DimEntry>(kept.begin(), kept.end()))};
}

Var write(const char* op, VarArg indexed, VarArg y, bool set) {
  if (!indexing_node(indexed.var))
    if (auto inner = without_new_axes(indexed.var, y.var, y.loc))
      return write(op, VarArg(inner->first, indexed.loc), VarArg(inner->second, y.loc), set);
  const Var& t = indexed.var;
  const ApplyNode* node = indexing_node(t);
  THEON_CHECK_USER(node, ValueError)
      << op << ": the first argument must be the result of index(), such as " << op << "(T::index(x, {0}), y); got "
      << describe(t)
      << (t.owner() ? " computed by " + t.owner()->op().name() : std::string(", which no op computes"));
  const Var& x = node->inputs[0];
  Var value = y.var;
  THEON_CHECK_USER(value.ndim() <= t.ndim(), TypeError)
      << op << ": cannot write a value of rank " << value.ndim() << " into an indexed part of rank " << t.ndim()
      << "\n  value  " << describe(value) << "\n  indexed  " << describe(t);
  if (value.dtype() != x.dtype()) {
    value = value.is_constant() ? constant(value.constant_value().astype(x.dtype()), value.name(), y.loc)
                                : cast(VarArg(value, y.loc), x.dtype());
  }
  const Op& o = node->op();
  if (dynamic_cast<const detail::AdvancedSubtensor1*>(&o))
    return detail::advanced_inc_subtensor1(x, value, node->inputs[1], set, indexed.loc);
  const Vars rest(node->inputs.begin() + 1, node->inputs.end());
  if (auto* general = dynamic_cast<const detail::AdvancedSubtensor*>(&o))
    return detail::advanced_inc_subtensor(x, value, general->index(), rest, set, indexed.loc);
  return detail::inc_subtensor(x, value, dynamic_cast<const detail::Subtensor&>(o).index_list(), rest, set,
                               indexed.loc);
}

}  // namespace

Var index(VarArg x, std::vector<IndexArg> indices) {
  indices = expand_ellipsis(x.var, std::move(indices));
  bool any_array = false;
  for (const IndexArg& a : indices) any_array = any_array || is_array(a);
  if (!any_array) return basic_index(x, indices);
  if (is_row_gather(indices)) return detail::advanced_subtensor1(x.var, indices[0].value().var, x.loc);
  return general_index(x, indices);
}

Var set_subtensor(VarArg indexed, VarArg y) { return write("set_subtensor", indexed, y, true); }
Var inc_subtensor(VarArg indexed, VarArg y) { return write("inc_subtensor", indexed, y, false); }

}  // namespace theon::tensor
