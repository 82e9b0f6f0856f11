#include "ops/pool/pool_fast.hpp"

#include "ops/avx512.hpp"

#ifdef THEON_AVX512_KERNELS
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 on its own intrinsics
#include <immintrin.h>
#endif

namespace theon::detail::pool::fast {
namespace {

#ifdef THEON_AVX512_KERNELS
// 2x2-style windows of width 2 and stride 2: 16 outputs from 32 inputs of each window
// row. Rows are reduced first (vertical max), then even and odd lanes (horizontal).
int64_t max_width2_stride2(const float* rows, int64_t row_stride, int64_t row_begin,
                           int64_t row_end, int64_t full, float* out) {
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  int64_t o = 0;
  for (; o + 16 <= full; o += 16) {
    const float* p = rows + row_begin * row_stride + 2 * o;
    __m512 lo = _mm512_loadu_ps(p), hi = _mm512_loadu_ps(p + 16);
    __mmask16 nan = _mm512_cmp_ps_mask(lo, lo, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(hi, hi, _CMP_UNORD_Q);
    for (int64_t r = row_begin + 1; r < row_end; ++r) {
      p += row_stride;
      const __m512 a = _mm512_loadu_ps(p), b = _mm512_loadu_ps(p + 16);
      nan |= _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q);
      lo = _mm512_max_ps(lo, a);
      hi = _mm512_max_ps(hi, b);
    }
    if (nan) return o;
    const __m512 m = _mm512_max_ps(_mm512_permutex2var_ps(lo, even, hi),
                                   _mm512_permutex2var_ps(lo, odd, hi));
    _mm512_storeu_ps(out + o, m);
  }
  return o;
}
#endif

}  // namespace
}  // namespace theon::detail::pool::fast

// The dispatcher itself is baseline code: it runs before the CPU check.
#ifdef THEON_AVX512_KERNELS
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif

namespace theon::detail::pool::fast {

int64_t max_row_f32(const float* rows, int64_t row_stride, int64_t row_begin, int64_t row_end,
                    int64_t width, int64_t ws, int64_t stride, int64_t pad, int64_t out_width,
                    float* out) {
#ifdef THEON_AVX512_KERNELS
  if (ws == 2 && stride == 2 && pad == 0 && row_end > row_begin && avx512_enabled()) {
    const int64_t full = out_width < width / 2 ? out_width : width / 2;  // windows inside the row
    return max_width2_stride2(rows, row_stride, row_begin, row_end, full, out);
  }
#endif
  (void)rows, (void)row_stride, (void)row_begin, (void)row_end, (void)width, (void)ws,
      (void)stride, (void)pad, (void)out_width, (void)out;
  return 0;
}

}  // namespace theon::detail::pool::fast
