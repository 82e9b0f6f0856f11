// Where a slice starts on an axis and how many elements it takes: Python's
// slice.indices() and len(range(...)), shared by NDArray::slice and the indexing ops'
// shape inference so that both agree for every int64 bound and step.
#pragma once

#include <cstdint>
#include <utility>

#include "theon/array.hpp"

namespace theon::detail {

// {start, length} of `s` on an axis of length n; s.step must be nonzero. Any int64
// value is a valid bound or step (-2^63 included); absent bounds are std::nullopt.
std::pair<int64_t, int64_t> slice_extent(int64_t n, const Slice& s);

}  // namespace theon::detail
