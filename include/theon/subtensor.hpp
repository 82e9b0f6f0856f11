// Indexing with NumPy's semantics: integers and slices (whose bounds may be symbolic
// int scalars), new axes, an ellipsis, integer arrays of any rank in any positions and
// boolean masks; and the set/increment forms of all of them (docs/indexing.md).
//
//   T::index(x, {0})                         // x[0]
//   T::index(x, {T::slice(), 1})             // x[:, 1]
//   T::index(x, {T::slice({}, {}, -1)})      // x[::-1]
//   T::index(x, {T::slice(i, i + 2)})        // x[i:i+2], i a symbolic int scalar
//   T::index(x, {idx})                       // x[idx], idx an int vector
//   T::index(x, {T::arange(n), y})           // x[arange(n), y]: one element per row
//   T::index(x, {T::slice(), idx, T::newaxis}) // x[:, idx, None]
//   T::index(x, {T::gt(x, 0)})               // x[x > 0], a boolean mask
//   T::index(x, {T::ellipsis, 0})            // x[..., 0]
//   T::set_subtensor(T::index(x, {0}), 5)    // a copy of x with x[0] = 5
#pragma once

#include <optional>
#include <vector>

#include "theon/tensor.hpp"

namespace theon {

// start:stop:step; an absent bound is Python's None.
struct SliceArg {
  std::optional<VarArg> start, stop, step;
};

// Markers for Python's None (a new axis of length 1) and ... (as many whole axes as
// the other entries leave).
struct NewAxisArg {};
struct EllipsisArg {};

// One index entry: an integer (literal or symbolic int scalar), an integer array of any
// rank, a boolean mask, a slice, a new axis or the ellipsis.
class IndexArg {
 public:
  IndexArg(NewAxisArg) : marker_(Marker::NewAxis) {}
  IndexArg(EllipsisArg) : marker_(Marker::Ellipsis) {}
  IndexArg(VarArg value) : value_(std::move(value)) {}
  // A Var needs its own constructor: Var -> VarArg -> IndexArg is two conversions.
  IndexArg(const Var& value, Loc loc = Loc::current()) : value_(VarArg(value, loc)) {}
  template <Arithmetic N>
  IndexArg(N value, Loc loc = Loc::current()) : value_(VarArg(value, loc)) {}
  IndexArg(SliceArg s) : slice_(std::move(s)) {}
  bool is_slice() const { return slice_.has_value(); }
  bool is_newaxis() const { return marker_ == Marker::NewAxis; }
  bool is_ellipsis() const { return marker_ == Marker::Ellipsis; }
  // An integer or an array (neither a slice nor a marker).
  bool is_value() const { return value_.has_value(); }
  const SliceArg& slice() const { return *slice_; }
  const VarArg& value() const { return *value_; }

 private:
  std::optional<VarArg> value_;
  std::optional<SliceArg> slice_;
  enum class Marker : uint8_t { None, NewAxis, Ellipsis } marker_ = Marker::None;
};

namespace tensor {

inline SliceArg slice(std::optional<VarArg> start = {}, std::optional<VarArg> stop = {},
                      std::optional<VarArg> step = {}) {
  return {std::move(start), std::move(stop), std::move(step)};
}
inline constexpr NewAxisArg newaxis{};
inline constexpr EllipsisArg ellipsis{};

// x[indices...] as NumPy computes it; missing trailing entries mean whole axes. Without
// arrays or masks it is a view (Subtensor); x[ivec] and x[ivec, :, ...] gather rows
// (AdvancedSubtensor1); anything else is AdvancedSubtensor. IndexError for an index
// out of range (naming the axis, the index and the length), TypeError for float arrays.
Var index(VarArg x, std::vector<IndexArg> indices);
// A copy of the indexed tensor with the indexed part replaced by (or incremented by)
// y, broadcast to it. `indexed` must be the result of index() (without new axes when it
// holds no array or mask). Increments at repeated positions accumulate, as
// numpy.add.at; a set with repeated positions keeps the last write, as NumPy does.
Var set_subtensor(VarArg indexed, VarArg y);
Var inc_subtensor(VarArg indexed, VarArg y);

}  // namespace tensor
}  // namespace theon
