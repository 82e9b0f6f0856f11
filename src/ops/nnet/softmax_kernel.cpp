#include "ops/nnet/softmax_kernel.hpp"

#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/avx512.hpp"

namespace theon::detail::softmax_rows {
namespace {

template <class T>
T max_scalar(const T* x, int64_t n) {
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t j = 0; j < n; ++j) {
    if (std::isnan(x[j])) return x[j];
    if (x[j] > m) m = x[j];
  }
  return m;
}

template <class T, bool kStore>
double exp_sum_scalar(const T* x, T shift, T* e, int64_t n) {
  // Below this exp underflows to 0, and glibc takes a slow path (errno, exceptions)
  // that makes wide-ranged inputs 20x slower.
  constexpr T kUnderflow = std::is_same_v<T, float> ? T(-104) : T(-746);
  double total = 0;
  for (int64_t j = 0; j < n; ++j) {
    const T d = x[j] - shift;
    const T v = d < kUnderflow ? T(0) : std::exp(d);
    if constexpr (kStore) e[j] = v;
    total += v;
  }
  return total;
}

}  // namespace
}  // namespace theon::detail::softmax_rows

#ifdef THEON_AVX512_KERNELS
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")
// GCC 12 flags the deliberately undefined lanes inside its own max and reduce intrinsics.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "ops/sleef_avx512.hpp"

// As in ops/fused_simd.cpp: only intrinsics and functions with internal linkage here, so
// that no AVX-512 copy of a shared inline function reaches the rest of the library.
namespace theon::detail::softmax_rows {
namespace {

struct F64 {
  using T = double;
  using V = __m512d;
  using M = __mmask8;
  static constexpr int64_t kWidth = 8;
  static M tail(int64_t n) { return static_cast<M>((1u << n) - 1); }
  static V load(const T* p) { return _mm512_loadu_pd(p); }
  static V load(const T* p, M m) { return _mm512_maskz_loadu_pd(m, p); }
  static void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  static void store(T* p, V v, M m) { _mm512_mask_storeu_pd(p, m, v); }
  static V set1(T v) { return _mm512_set1_pd(v); }
  static V sub(V a, V b) { return _mm512_sub_pd(a, b); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V max(V a, V b) { return _mm512_max_pd(a, b); }
  static V max(V a, M m, V b) { return _mm512_mask_max_pd(a, m, a, b); }
  static M nan(V a) { return _mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q); }
  static T reduce_max(V a) { return _mm512_reduce_max_pd(a); }
  static V exp(V a) { return Sleef_expd8_u10avx512f(a); }
  static V zero_outside(M m, V a) { return _mm512_maskz_mov_pd(m, a); }
  // Adds the lanes of v to the double accumulators.
  static void accumulate(__m512d& acc0, __m512d&, V v) { acc0 = _mm512_add_pd(acc0, v); }
};

struct F32 {
  using T = float;
  using V = __m512;
  using M = __mmask16;
  static constexpr int64_t kWidth = 16;
  static M tail(int64_t n) { return static_cast<M>((1u << n) - 1); }
  static V load(const T* p) { return _mm512_loadu_ps(p); }
  static V load(const T* p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(T* p, V v) { _mm512_storeu_ps(p, v); }
  static void store(T* p, V v, M m) { _mm512_mask_storeu_ps(p, m, v); }
  static V set1(T v) { return _mm512_set1_ps(v); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V max(V a, M m, V b) { return _mm512_mask_max_ps(a, m, a, b); }
  static M nan(V a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static T reduce_max(V a) { return _mm512_reduce_max_ps(a); }
  static V exp(V a) { return Sleef_expf16_u10avx512f(a); }
  static V zero_outside(M m, V a) { return _mm512_maskz_mov_ps(m, a); }
  // float terms summed in double, as the scalar loop does.
  static void accumulate(__m512d& acc0, __m512d& acc1, V v) {
    acc0 = _mm512_add_pd(acc0, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
    acc1 = _mm512_add_pd(acc1, _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1)));
  }
};

// Two accumulators hide the latency of max; NaN lanes are tracked apart because
// vmaxp* returns its second operand when either is NaN.
template <class S>
typename S::T max_avx512(const typename S::T* x, int64_t n) {
  using V = typename S::V;
  using M = typename S::M;
  constexpr int64_t w = S::kWidth;
  V m0 = S::set1(-__builtin_inf()), m1 = m0;
  M nan = 0;
  int64_t j = 0;
  for (; j + 2 * w <= n; j += 2 * w) {
    const V a = S::load(x + j), b = S::load(x + j + w);
    nan |= S::nan(a) | S::nan(b);
    m0 = S::max(m0, a);
    m1 = S::max(m1, b);
  }
  for (; j + w <= n; j += w) {
    const V a = S::load(x + j);
    nan |= S::nan(a);
    m0 = S::max(m0, a);
  }
  if (j < n) {
    const M t = S::tail(n - j);
    const V a = S::load(x + j, t);
    nan |= S::nan(a) & t;
    m0 = S::max(m0, t, a);
  }
  if (nan) return static_cast<typename S::T>(__builtin_nan(""));
  return S::reduce_max(S::max(m0, m1));
}

template <class S, bool kStore>
double exp_sum_avx512(const typename S::T* x, typename S::T shift, typename S::T* e, int64_t n) {
  using V = typename S::V;
  constexpr int64_t w = S::kWidth;
  const V s = S::set1(shift);
  __m512d acc0 = _mm512_setzero_pd(), acc1 = _mm512_setzero_pd();
  int64_t j = 0;
  for (; j + w <= n; j += w) {
    const V v = S::exp(S::sub(S::load(x + j), s));
    if constexpr (kStore) S::store(e + j, v);
    S::accumulate(acc0, acc1, v);
  }
  if (j < n) {
    const typename S::M t = S::tail(n - j);
    const V v = S::zero_outside(t, S::exp(S::sub(S::load(x + j, t), s)));
    if constexpr (kStore) S::store(e + j, v, t);
    S::accumulate(acc0, acc1, v);
  }
  return _mm512_reduce_add_pd(_mm512_add_pd(acc0, acc1));
}

template <class S>
void scale_avx512(typename S::T* y, typename S::T scale, int64_t n) {
  const typename S::V s = S::set1(scale);
  int64_t j = 0;
  for (; j + S::kWidth <= n; j += S::kWidth) S::store(y + j, S::mul(S::load(y + j), s));
  if (j < n) {
    const typename S::M t = S::tail(n - j);
    S::store(y + j, S::mul(S::load(y + j, t), s), t);
  }
}

template <class S>
void subtract_avx512(const typename S::T* x, typename S::T shift, typename S::T* y, int64_t n) {
  const typename S::V s = S::set1(shift);
  int64_t j = 0;
  for (; j + S::kWidth <= n; j += S::kWidth) S::store(y + j, S::sub(S::load(x + j), s));
  if (j < n) {
    const typename S::M t = S::tail(n - j);
    S::store(y + j, S::sub(S::load(x + j, t), s), t);
  }
}

}  // namespace
}  // namespace theon::detail::softmax_rows
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif  // THEON_AVX512_KERNELS

namespace theon::detail::softmax_rows {
namespace {

#ifdef THEON_AVX512_KERNELS
template <class T>
using Simd = std::conditional_t<std::is_same_v<T, double>, F64, F32>;
#endif

}  // namespace

template <class T>
T max(const T* x, int64_t n) {
#ifdef THEON_AVX512_KERNELS
  if (avx512_enabled()) return max_avx512<Simd<T>>(x, n);
#endif
  return max_scalar(x, n);
}

template <class T>
double exp_sum(const T* x, T shift, T* e, int64_t n) {
#ifdef THEON_AVX512_KERNELS
  if (avx512_enabled())
    return e ? exp_sum_avx512<Simd<T>, true>(x, shift, e, n)
             : exp_sum_avx512<Simd<T>, false>(x, shift, e, n);
#endif
  return e ? exp_sum_scalar<T, true>(x, shift, e, n) : exp_sum_scalar<T, false>(x, shift, e, n);
}

template <class T>
void scale(T* y, T s, int64_t n) {
#ifdef THEON_AVX512_KERNELS
  if (avx512_enabled()) return scale_avx512<Simd<T>>(y, s, n);
#endif
  for (int64_t j = 0; j < n; ++j) y[j] *= s;
}

template <class T>
void subtract(const T* x, T s, T* y, int64_t n) {
#ifdef THEON_AVX512_KERNELS
  if (avx512_enabled()) return subtract_avx512<Simd<T>>(x, s, y, n);
#endif
  for (int64_t j = 0; j < n; ++j) y[j] = x[j] - s;
}

template <class T>
void softmax(const T* x, T* y, int64_t n, bool is_log) {
  // exp(x - max) <= 1 never overflows and the largest term is 1, so the sum is in
  // [1, n]. A row of -inf alone keeps the shift 0 (-> NaN as NumPy's 0 / 0); NaN
  // propagates through the max.
  T m = max(x, n);
  if (std::isinf(m) && m < 0) m = 0;
  const double total = exp_sum(x, m, is_log ? nullptr : y, n);
  if (is_log)
    subtract(x, m + static_cast<T>(std::log(total)), y, n);
  else
    scale(y, static_cast<T>(1.0 / total), n);
}

#define THEON_SOFTMAX_ROWS(T)                                  \
  template T max<T>(const T*, int64_t);                        \
  template double exp_sum<T>(const T*, T, T*, int64_t);        \
  template void scale<T>(T*, T, int64_t);                      \
  template void subtract<T>(const T*, T, T*, int64_t);         \
  template void softmax<T>(const T*, T*, int64_t, bool);
THEON_SOFTMAX_ROWS(float)
THEON_SOFTMAX_ROWS(double)
#undef THEON_SOFTMAX_ROWS

}  // namespace theon::detail::softmax_rows
