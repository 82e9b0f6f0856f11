// Walking strided arrays: the loops that copies, casts and element-wise kernels share.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "theon/shape.hpp"

namespace theon::detail {

// Calls row(offsets, n) once per innermost row of `shape`, where offsets[k] is the
// element offset of the row's first element in operand k (strides[k]) and n the row
// length. Operands' innermost strides are strides[k].back(). Does nothing for an empty
// shape; calls row once with n = 1 for a 0-d shape.
template <size_t K, class Row>
void for_each_row(std::span<const int64_t> shape, const std::array<const int64_t*, K>& strides,
                  Row&& row) {
  const int nd = static_cast<int>(shape.size());
  for (int64_t d : shape)
    if (d == 0) return;
  std::array<int64_t, K> offsets{};
  if (nd == 0) {
    row(offsets, int64_t{1});
    return;
  }
  const int64_t inner = shape[nd - 1];
  SmallVec<int64_t, 6> counter(static_cast<size_t>(nd), 0);
  while (true) {
    row(offsets, inner);
    // Advance the outer dimensions like an odometer.
    int axis = nd - 2;
    for (; axis >= 0; --axis) {
      for (size_t k = 0; k < K; ++k) offsets[k] += strides[k][axis];
      if (++counter[axis] < shape[axis]) break;
      for (size_t k = 0; k < K; ++k) offsets[k] -= strides[k][axis] * shape[axis];
      counter[axis] = 0;
    }
    if (axis < 0) return;
  }
}

}  // namespace theon::detail
