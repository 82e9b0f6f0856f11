// Shared by the extra ops: walking the 1-D lines of arrays along one axis, and the
// small checks their builders repeat.
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "core/strided.hpp"
#include "theon/graph.hpp"
#include "theon/tensor.hpp"

namespace theon::detail {

// Calls line(offsets) once per 1-D line along `axis` of `shape`, where offsets[k] is
// the element offset of the line's first element in operand k (strides[k]). The line
// itself is left to the caller, who knows each operand's length and stride there: the
// operands may differ in length along `axis` (repeat, unravel) but not elsewhere.
template <size_t K, class Line>
void for_each_line(const Shape& shape, int axis, const std::array<const Strides*, K>& strides,
                   Line&& line) {
  Shape outer;
  std::array<Strides, K> outer_strides;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
    if (d == axis) continue;
    outer.push_back(shape[d]);
    for (size_t k = 0; k < K; ++k) outer_strides[k].push_back((*strides[k])[d]);
  }
  // A trailing length-1 dimension makes for_each_row call once per line.
  outer.push_back(1);
  std::array<const int64_t*, K> raw;
  for (size_t k = 0; k < K; ++k) {
    outer_strides[k].push_back(0);
    raw[k] = outer_strides[k].data();
  }
  for_each_row<K>(outer, raw, [&](const std::array<int64_t, K>& offsets, int64_t) {
    line(offsets);
  });
}

// x flattened to a vector when no axis is given (the NumPy convention of axis=None),
// with the axis to work on then (0) or the normalized given one.
struct AxisInput {
  Var x;
  int axis;
};
AxisInput flatten_unless_axis(const VarArg& x, std::optional<int> axis, std::string_view op);

// TypeError naming `op` unless v has an integer (or bool) dtype.
void expect_integer(std::string_view op, const Var& v, std::string_view what);

}  // namespace theon::detail
