// The row loops of the softmax family (softmax, log_softmax, logsumexp, the fused
// softmax cross-entropy), on contiguous rows of float or double. Each op makes its result
// from the same three passes: the row's maximum, the sum of exp(x - shift) (storing the
// terms for softmax), then a scale or a subtraction.
//
// With AVX-512 (ops/avx512.hpp) the passes are vector loops with SLEEF's exp, within 1
// ulp as glibc's, summed in several lanes: results may differ from the scalar loops in
// the last bits. THEON_FUSED_SIMD=0 selects the scalar loops.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/parallel.hpp"

namespace theon::detail::softmax_rows {

// The largest element; NaN if the row holds a NaN; -inf for an empty row.
template <class T>
T max(const T* x, int64_t n);

// sum(exp(x - shift)) in double, storing each term into e[j] when e is not null (e may
// be x). exp of -inf is 0; a NaN anywhere makes the sum NaN.
template <class T>
double exp_sum(const T* x, T shift, T* e, int64_t n);

// y[j] *= s.
template <class T>
void scale(T* y, T s, int64_t n);

// y[j] = x[j] - s (y may be x).
template <class T>
void subtract(const T* x, T s, T* y, int64_t n);

// softmax or log_softmax of one row (y may be x), after subtracting the maximum, so that
// no input overflows; a row of -inf alone keeps a shift of 0 and gives NaN (0 / 0), as
// NumPy does; a NaN makes the row NaN.
template <class T>
void softmax(const T* x, T* y, int64_t n, bool is_log);

// Below this many elements an op runs on one thread: waking the pool costs more.
inline constexpr int64_t kParallelElements = int64_t{1} << 16;

// Runs body(begin, end) over [0, rows) in chunks: on the thread pool when
// rows * elements_per_row reaches kParallelElements, else once on the caller. body must
// not throw.
template <class Body>
void for_row_chunks(int64_t rows, int64_t elements_per_row, Body&& body) {
  const int64_t work = rows * std::max<int64_t>(elements_per_row, 1);
  const int64_t tasks = std::min<int64_t>(rows, max_threads());
  if (work < kParallelElements || tasks < 2) {
    if (rows > 0) body(int64_t{0}, rows);
    return;
  }
  parallel_for(static_cast<int>(tasks), [&](int task) {
    body(rows * task / tasks, rows * (task + 1) / tasks);
  });
}

// Calls row(x_row, y_row) for each contiguous row copy [x_row, x_row + n) and where the
// result row goes; for strided rows (xs or ys not 1) it copies into `buffer` and back.
template <class T, class Row>
void with_contiguous_row(const T* x, int64_t xs, T* y, int64_t ys, int64_t n,
                         std::vector<T>& buffer, Row&& row) {
  if (xs == 1 && ys == 1) {
    row(x, y);
    return;
  }
  buffer.resize(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) buffer[j] = x[j * xs];
  row(buffer.data(), buffer.data());
  for (int64_t j = 0; j < n; ++j) y[j * ys] = buffer[j];
}

}  // namespace theon::detail::softmax_rows
