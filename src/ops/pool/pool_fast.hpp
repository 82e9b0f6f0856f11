// Vectorized special cases of the pooling kernels, for the shapes convolutional
// networks use most (2x2 windows with stride 2 on float32 rows).
#pragma once

#include <cstdint>

namespace theon::detail::pool::fast {

// Max pooling of one output row of a float32 image whose rows are contiguous: `rows`
// points at input row 0 (the next row `row_stride` elements further), the window covers
// rows [row_begin, row_end); along the row: image length `width`, window `ws`, stride,
// pad, `out_width` outputs written to `out`. Computes a prefix of the outputs (those it
// has a fast loop for, none when it has none for these sizes) and returns its length;
// the caller computes the rest. A chunk containing NaN is left to the caller too, which
// propagates it.
int64_t max_row_f32(const float* rows, int64_t row_stride, int64_t row_begin, int64_t row_end,
                    int64_t width, int64_t ws, int64_t stride, int64_t pad, int64_t out_width,
                    float* out);

// The same with each window's arg-max (pool_kernels.hpp says how it is numbered; the
// window's first row is `first_k` / ws there). Windows with NaN are handled here too.
int64_t argmax_row_f32(const float* rows, int64_t row_stride, int64_t row_begin, int64_t row_end,
                       int64_t first_k, int64_t width, int64_t ws, int64_t stride, int64_t pad,
                       int64_t out_width, float* out, int32_t* argmax);

// The max-pool gradient of one output row, for windows of width 2 and stride 2 over two
// image rows (no padding): writes, not adds, gz where each window's arg-max (0 .. 3,
// row-major in the window) points and zero at its other three inputs, into the two rows
// at `origin` (`row_stride` apart). Valid only where windows do not overlap (stride 2
// along the rows too). Computes a prefix of the outputs (none when it has no fast loop
// for these sizes) and returns its length; the caller scatters the rest.
int64_t argmax_scatter_row_f32(const float* gz, const int32_t* argmax, int64_t width, int64_t ws,
                               int64_t stride, int64_t pad, int64_t out_width, float* origin,
                               int64_t row_stride);

}  // namespace theon::detail::pool::fast
