// Indexing: basic (integers and slices, whose bounds may be symbolic int scalars),
// integer-array indexing along the first indexed axis, and their set/increment forms.
//
//   T::index(x, {0})                         // x[0]
//   T::index(x, {T::slice(), 1})             // x[:, 1]
//   T::index(x, {T::slice({}, {}, -1)})      // x[::-1]
//   T::index(x, {T::slice(i, i + 2)})        // x[i:i+2], i a symbolic int scalar
//   T::index(x, {idx})                       // x[idx], idx an int vector
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

// One index entry: an integer (literal or symbolic int scalar), an int vector
// (integer-array indexing), or a slice.
class IndexArg {
 public:
  IndexArg(VarArg value) : value_(std::move(value)) {}
  // A Var needs its own constructor: Var -> VarArg -> IndexArg is two conversions.
  IndexArg(const Var& value, Loc loc = Loc::current()) : value_(VarArg(value, loc)) {}
  template <Arithmetic N>
  IndexArg(N value, Loc loc = Loc::current()) : value_(VarArg(value, loc)) {}
  IndexArg(SliceArg s) : slice_(std::move(s)) {}
  bool is_slice() const { return slice_.has_value(); }
  const SliceArg& slice() const { return *slice_; }
  const VarArg& value() const { return *value_; }

 private:
  std::optional<VarArg> value_;
  std::optional<SliceArg> slice_;
};

namespace tensor {

inline SliceArg slice(std::optional<VarArg> start = {}, std::optional<VarArg> stop = {},
                      std::optional<VarArg> step = {}) {
  return {std::move(start), std::move(stop), std::move(step)};
}
// x[indices...]: missing trailing entries mean whole axes.
Var index(VarArg x, std::vector<IndexArg> indices);
// A copy of the indexed tensor with the indexed part replaced by (or incremented by)
// y, broadcast to it. `indexed` must be the result of index(). Increments at repeated
// integer-array indices accumulate, as numpy.add.at.
Var set_subtensor(VarArg indexed, VarArg y);
Var inc_subtensor(VarArg indexed, VarArg y);

}  // namespace tensor
}  // namespace theon
