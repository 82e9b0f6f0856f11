#include "ops/dimshuffle.hpp"

#include <numeric>

#include "ops/op_util.hpp"
#include "theon/reduce.hpp"

namespace theon::detail {

DimShuffle::DimShuffle(std::vector<int> pattern, int input_ndim)
    : pattern_(std::move(pattern)), input_ndim_(input_ndim) {}

std::vector<int> DimShuffle::dropped() const {
  std::vector<bool> kept(input_ndim_, false);
  for (int p : pattern_)
    if (p >= 0) kept[p] = true;
  std::vector<int> out;
  for (int i = 0; i < input_ndim_; ++i)
    if (!kept[i]) out.push_back(i);
  return out;
}

bool DimShuffle::is_transpose() const {
  if (static_cast<int>(pattern_.size()) != input_ndim_) return false;
  for (int p : pattern_)
    if (p < 0) return false;
  return true;
}

std::string DimShuffle::props() const {
  std::string s;
  for (size_t i = 0; i < pattern_.size(); ++i) {
    if (i) s += ',';
    s += pattern_[i] < 0 ? std::string("x") : std::to_string(pattern_[i]);
  }
  return s;
}

std::vector<TensorType> DimShuffle::make_types(std::span<const Var> inputs) const {
  const Var& x = inputs[0];
  THEON_CHECK_USER(x.ndim() == input_ndim_, TypeError)
      << "dimshuffle{" << props() << "}: expects " << input_ndim_ << " dimensions, got "
      << describe(x);
  // The pattern is checked here too, not only by the API that builds it: a loaded graph
  // (serialize) makes the op from saved numbers.
  std::vector<bool> used(input_ndim_, false);
  for (int p : pattern_) {
    THEON_CHECK_USER(p >= -1 && p < input_ndim_ && (p < 0 || !used[p]), ValueError)
        << "dimshuffle{" << props() << "}: entry " << p << " is not an unused axis of a "
        << input_ndim_ << "-dimensional input";
    if (p >= 0) used[p] = true;
  }
  for (int d : dropped())
    THEON_CHECK_USER(x.broadcastable()[d], ValueError)
        << "dimshuffle{" << props() << "}: drops axis " << d
        << ", which is not broadcastable, of " << describe(x);
  BroadcastPattern b;
  for (int p : pattern_) b.push_back(p < 0 ? true : x.broadcastable()[p]);
  return {TensorType(x.dtype(), b)};
}

void DimShuffle::perform(const ApplyNode&, std::span<const NDArray* const> in,
                         std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  // Drop, then permute, then insert: all views.
  NDArray v = x;
  std::vector<int> kept;
  for (int p : pattern_)
    if (p >= 0) kept.push_back(p);
  std::vector<int> drop = dropped();
  for (auto it = drop.rbegin(); it != drop.rend(); ++it) {
    THEON_CHECK_USER(v.shape(*it) == 1, ShapeError)
        << "dimshuffle: axis " << *it << " should have length 1, got shape "
        << shape_str(x.shape());
    v = v.squeeze(*it);
  }
  // Renumber kept axes after the drops.
  std::vector<int> perm;
  for (int p : kept) {
    int shift = 0;
    for (int d : drop) shift += d < p;
    perm.push_back(p - shift);
  }
  v = v.transpose(perm);
  for (size_t i = 0; i < pattern_.size(); ++i)
    if (pattern_[i] < 0) v = v.expand_dims(static_cast<int>(i));
  *out[0] = std::move(v);
}

Vars DimShuffle::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& gz = output_grads[0];
  // Sum over the inserted axes, then put the kept axes back in input order and
  // re-insert the dropped (broadcastable) ones.
  std::vector<int> inserted;
  for (size_t i = 0; i < pattern_.size(); ++i)
    if (pattern_[i] < 0) inserted.push_back(static_cast<int>(i));
  Var g = inserted.empty() ? gz : tensor::sum(gz, Axes(inserted));
  std::vector<int> kept;
  for (int p : pattern_)
    if (p >= 0) kept.push_back(p);
  std::vector<DimEntry> back;
  for (int axis = 0; axis < input_ndim_; ++axis) {
    auto it = std::find(kept.begin(), kept.end(), axis);
    if (it == kept.end()) back.push_back(DimEntry('x'));
    else back.push_back(static_cast<int>(it - kept.begin()));
  }
  Var result = dimshuffle_at(g, back, node.loc);
  return {result};
}

std::string DimShuffle::print(std::span<const std::string> args) const {
  if (is_transpose() && input_ndim_ == 2 && pattern_[0] == 1) return args[0] + ".T";
  return "dimshuffle{" + props() + "}(" + args[0] + ")";
}

Var dimshuffle_at(const Var& x, const std::vector<DimEntry>& pattern, const Loc& loc) {
  std::vector<int> p;
  std::vector<bool> seen(x.ndim(), false);
  for (const DimEntry& e : pattern) {
    if (e.is_new()) {
      p.push_back(-1);
      continue;
    }
    int axis = normalize_axis(e.axis, x.ndim(), "dimshuffle");
    THEON_CHECK_USER(!seen[axis], ValueError) << "dimshuffle: axis " << axis << " repeated";
    seen[axis] = true;
    p.push_back(axis);
  }
  // The identity pattern needs no node.
  if (static_cast<int>(p.size()) == x.ndim()) {
    bool identity = true;
    for (int i = 0; i < x.ndim(); ++i) identity = identity && p[i] == i;
    if (identity) return x;
  }
  return apply_op<DimShuffle>(loc, {x}, std::move(p), x.ndim());
}

}  // namespace theon::detail

namespace theon {

DimEntry::DimEntry(char c) : axis(-1) {
  THEON_CHECK_USER(c == 'x', ValueError)
      << "dimshuffle: a pattern entry is an axis number or 'x', got '" << c << "'";
}

namespace tensor {

Var dimshuffle(VarArg x, std::vector<DimEntry> pattern) {
  return detail::dimshuffle_at(x.var, pattern, x.loc);
}

Var transpose(VarArg x) {
  std::vector<DimEntry> p;
  for (int i = x.var.ndim() - 1; i >= 0; --i) p.push_back(i);
  return detail::dimshuffle_at(x.var, p, x.loc);
}

Var transpose(VarArg x, std::vector<int> axes) {
  THEON_CHECK_USER(static_cast<int>(axes.size()) == x.var.ndim(), ValueError)
      << "transpose: " << axes.size() << " axes for " << describe(x.var);
  std::vector<DimEntry> p(axes.begin(), axes.end());
  return detail::dimshuffle_at(x.var, p, x.loc);
}

}  // namespace tensor
}  // namespace theon
