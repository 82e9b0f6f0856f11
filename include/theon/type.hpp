// TensorType: the static type of a symbolic variable, a dtype plus one flag per
// dimension saying whether that dimension is known to have length 1 ("broadcastable").
// A row is (true, false), a column (false, true), a matrix (false, false).
#pragma once

#include <string>

#include "theon/array.hpp"

namespace theon {

struct TensorType {
  DType dtype = DType::Float64;
  BroadcastPattern broadcastable;

  TensorType() = default;
  // ValueError beyond kMaxDims dimensions: a graph that asks for more fails where it is built.
  TensorType(DType d, BroadcastPattern b) : dtype(d), broadcastable(std::move(b)) {
    THEON_CHECK_USER(broadcastable.size() <= static_cast<size_t>(kMaxDims), ValueError)
        << "a tensor can have at most " << kMaxDims << " dimensions, this one would have "
        << broadcastable.size();
  }
  // All dimensions of unknown length.
  static TensorType of_rank(DType d, int ndim) { return {d, BroadcastPattern(ndim, false)}; }

  int ndim() const { return static_cast<int>(broadcastable.size()); }
  friend bool operator==(const TensorType& a, const TensorType& b) {
    return a.dtype == b.dtype && a.broadcastable == b.broadcastable;
  }

  // "float64 matrix", "float32 row", "int32 scalar", "float64 tensor5",
  // "float64 (True, False, True)" for patterns without a Theano name.
  std::string str() const;
  // Python-style constructor text: TensorType(float64, (False, True)).
  std::string repr() const;

  // Checks that `value` can be passed where this type is expected and returns it,
  // converted to this dtype when that is allowed: the same dtype, a safe upcast, or
  // (with allow_downcast) any conversion. ndim and broadcastable dimensions must match.
  // `what` names the value in error messages ("input 0 (x)").
  NDArray filter(const NDArray& value, bool allow_downcast, const std::string& what) const;
};

}  // namespace theon
