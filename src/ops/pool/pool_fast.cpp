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
// Lane indices of the even and odd elements of 32 floats held in two registers.
inline __m512i even_lanes() {
  return _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
}
inline __m512i odd_lanes() {
  return _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
}

inline __mmask16 lanes(int64_t n) {
  return n >= 16 ? __mmask16(0xFFFF) : n <= 0 ? __mmask16(0) : __mmask16((1u << n) - 1);
}
inline __mmask16 unordered(__m512 v) { return _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q); }

// Windows of width 2 and stride 2: 16 outputs from 32 inputs of each window row (fewer
// at the end of the row, under a mask). Rows are reduced first (vertical max), then
// even and odd lanes (horizontal).
int64_t max_width2_stride2(const float* rows, int64_t row_stride, int64_t row_begin,
                           int64_t row_end, int64_t full, float* out) {
  const __m512i kEven = even_lanes(), kOdd = odd_lanes();
  for (int64_t o = 0; o < full; o += 16) {
    const __mmask16 out_mask = lanes(full - o);
    const __mmask16 lo_mask = lanes(2 * (full - o)), hi_mask = lanes(2 * (full - o) - 16);
    const float* p = rows + row_begin * row_stride + 2 * o;
    __m512 lo = _mm512_maskz_loadu_ps(lo_mask, p), hi = _mm512_maskz_loadu_ps(hi_mask, p + 16);
    __mmask16 nan = unordered(lo) | unordered(hi);
    for (int64_t r = row_begin + 1; r < row_end; ++r) {
      p += row_stride;
      const __m512 a = _mm512_maskz_loadu_ps(lo_mask, p), b = _mm512_maskz_loadu_ps(hi_mask, p + 16);
      nan |= unordered(a) | unordered(b);
      lo = _mm512_max_ps(lo, a);
      hi = _mm512_max_ps(hi, b);
    }
    if (nan) return o;
    const __m512 m = _mm512_max_ps(_mm512_permutex2var_ps(lo, kEven, hi),
                                   _mm512_permutex2var_ps(lo, kOdd, hi));
    _mm512_mask_storeu_ps(out + o, out_mask, m);
  }
  return full;
}

// The same with the arg-max: candidates in row-major order (row by row, even lane before
// odd), each replacing the best when it is larger or the first NaN, as the scalar loop.
int64_t argmax_width2_stride2(const float* rows, int64_t row_stride, int64_t row_begin,
                              int64_t row_end, int64_t first_k, int64_t full, float* out,
                              int32_t* argmax) {
  const __m512i kEven = even_lanes(), kOdd = odd_lanes();
  for (int64_t o = 0; o < full; o += 16) {
    const __mmask16 out_mask = lanes(full - o);
    const __mmask16 lo_mask = lanes(2 * (full - o)), hi_mask = lanes(2 * (full - o) - 16);
    const float* p = rows + row_begin * row_stride + 2 * o;
    __m512 best = _mm512_set1_ps(-__builtin_inff());
    __m512i k = _mm512_set1_epi32(static_cast<int32_t>(first_k));
    int32_t row_k = static_cast<int32_t>(first_k);
    for (int64_t r = row_begin; r < row_end; ++r, p += row_stride, row_k += 2) {
      const __m512 a = _mm512_maskz_loadu_ps(lo_mask, p), b = _mm512_maskz_loadu_ps(hi_mask, p + 16);
      const __m512 even = _mm512_permutex2var_ps(a, kEven, b), odd = _mm512_permutex2var_ps(a, kOdd, b);
      for (int side = 0; side < 2; ++side) {
        const __m512 v = side ? odd : even;
        const __mmask16 take = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | (unordered(v) & ~unordered(best));
        best = _mm512_mask_mov_ps(best, take, v);
        k = _mm512_mask_mov_epi32(k, take, _mm512_set1_epi32(row_k + side));
      }
    }
    _mm512_mask_storeu_ps(out + o, out_mask, best);
    _mm512_mask_storeu_epi32(argmax + o, out_mask, k);
  }
  return full;
}

// The gradient: each output's value and arg-max duplicated into the two input columns of
// its window, then each of the window's rows keeps the value where the arg-max matches.
int64_t scatter_width2_stride2(const float* gz, const int32_t* argmax, int64_t full,
                               float* origin, int64_t row_stride) {
  const __m512i kLo = _mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0);
  const __m512i kHi = _mm512_set_epi32(15, 15, 14, 14, 13, 13, 12, 12, 11, 11, 10, 10, 9, 9, 8, 8);
  const __m512i kSide = _mm512_set_epi32(1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0);
  for (int64_t o = 0; o < full; o += 16) {
    const __mmask16 out_mask = lanes(full - o);
    const __mmask16 lo_mask = lanes(2 * (full - o)), hi_mask = lanes(2 * (full - o) - 16);
    const __m512 z = _mm512_maskz_loadu_ps(out_mask, gz + o);
    const __m512i a = _mm512_maskz_loadu_epi32(out_mask, argmax + o);
    const __m512 z_lo = _mm512_permutexvar_ps(kLo, z), z_hi = _mm512_permutexvar_ps(kHi, z);
    const __m512i a_lo = _mm512_permutexvar_epi32(kLo, a), a_hi = _mm512_permutexvar_epi32(kHi, a);
    for (int row = 0; row < 2; ++row) {
      const __m512i want = _mm512_add_epi32(kSide, _mm512_set1_epi32(2 * row));
      float* p = origin + row * row_stride + 2 * o;
      _mm512_mask_storeu_ps(p, lo_mask, _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(a_lo, want), z_lo));
      _mm512_mask_storeu_ps(p + 16, hi_mask,
                            _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(a_hi, want), z_hi));
    }
  }
  return full;
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

int64_t argmax_scatter_row_f32(const float* gz, const int32_t* argmax, int64_t width, int64_t ws,
                               int64_t stride, int64_t pad, int64_t out_width, float* origin,
                               int64_t row_stride) {
#ifdef THEON_AVX512_KERNELS
  if (ws == 2 && stride == 2 && pad == 0 && avx512_enabled()) {
    const int64_t full = out_width < width / 2 ? out_width : width / 2;  // windows inside the row
    return scatter_width2_stride2(gz, argmax, full, origin, row_stride);
  }
#endif
  (void)gz, (void)argmax, (void)width, (void)ws, (void)stride, (void)pad, (void)out_width,
      (void)origin, (void)row_stride;
  return 0;
}

int64_t argmax_row_f32(const float* rows, int64_t row_stride, int64_t row_begin, int64_t row_end,
                       int64_t first_k, int64_t width, int64_t ws, int64_t stride, int64_t pad,
                       int64_t out_width, float* out, int32_t* argmax) {
#ifdef THEON_AVX512_KERNELS
  if (ws == 2 && stride == 2 && pad == 0 && row_end > row_begin && avx512_enabled()) {
    const int64_t full = out_width < width / 2 ? out_width : width / 2;
    return argmax_width2_stride2(rows, row_stride, row_begin, row_end, first_k, full, out, argmax);
  }
#endif
  (void)rows, (void)row_stride, (void)row_begin, (void)row_end, (void)first_k, (void)width,
      (void)ws, (void)stride, (void)pad, (void)out_width, (void)out, (void)argmax;
  return 0;
}

}  // namespace theon::detail::pool::fast
