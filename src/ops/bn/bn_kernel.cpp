#include "ops/bn/bn_kernel.hpp"

#include <type_traits>

#include "ops/avx512.hpp"

namespace theon::detail::bn {
namespace {

template <class T>
void shifted_sums_scalar(const T* x, int64_t xs, int64_t n, T shift, double& s1, double& s2) {
  double a = 0, b = 0;
  for (int64_t j = 0; j < n; ++j) {
    const double d = static_cast<double>(x[j * xs] - shift);
    a += d;
    b += d * d;
  }
  s1 += a;
  s2 += b;
}

template <class T>
void gradient_sums_scalar(const T* dy, int64_t dys, const T* x, int64_t xs, int64_t n, T mean,
                          double& s1, double& s2) {
  double a = 0, b = 0;
  for (int64_t j = 0; j < n; ++j) {
    const double g = static_cast<double>(dy[j * dys]);
    a += g;
    b += g * static_cast<double>(x[j * xs] - mean);
  }
  s1 += a;
  s2 += b;
}

template <class T>
void normalize_scalar(const T* x, int64_t xs, T* y, int64_t n, T mean, T scale, T shift) {
  for (int64_t j = 0; j < n; ++j) y[j] = (x[j * xs] - mean) * scale + shift;
}

template <class T>
void input_gradient_scalar(const T* dy, int64_t dys, const T* x, int64_t xs, T* dx, int64_t n,
                           T mean, T a, T b, T c) {
  for (int64_t j = 0; j < n; ++j) dx[j] = dy[j * dys] * a + (x[j * xs] - mean) * b + c;
}

}  // namespace
}  // namespace theon::detail::bn

#ifdef THEON_AVX512_KERNELS
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

// As in ops/fused_simd.cpp: only intrinsics and functions with internal linkage here.
namespace theon::detail::bn {
namespace {

// Loads 16 floats (or the first `left` of them) as two vectors of 8 doubles.
inline void load_f32(const float* p, int64_t left, __m512d& lo, __m512d& hi) {
  const __m512 v = left >= 16 ? _mm512_loadu_ps(p)
                              : _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << left) - 1), p);
  lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
  hi = _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1));
}

inline __m512d load_f64(const double* p, int64_t left) {
  return left >= 8 ? _mm512_loadu_pd(p)
                   : _mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << left) - 1), p);
}

// Masked-off lanes load 0, which add nothing to either sum, so the tail needs no care
// beyond the subtraction of the shift (done on loaded lanes only).
void shifted_sums_f32(const float* x, int64_t n, float shift, double& s1, double& s2) {
  const __m512d sh = _mm512_set1_pd(shift);
  __m512d a0 = _mm512_setzero_pd(), a1 = a0, b0 = a0, b1 = a0;
  for (int64_t j = 0; j < n; j += 16) {
    const int64_t left = n - j;
    __m512d lo, hi;
    load_f32(x + j, left, lo, hi);
    const __mmask8 mlo = left >= 8 ? 0xff : static_cast<__mmask8>((1u << left) - 1);
    const __mmask8 mhi = left >= 16  ? 0xff
                         : left <= 8 ? 0
                                     : static_cast<__mmask8>((1u << (left - 8)) - 1);
    lo = _mm512_maskz_sub_pd(mlo, lo, sh);
    hi = _mm512_maskz_sub_pd(mhi, hi, sh);
    a0 = _mm512_add_pd(a0, lo);
    a1 = _mm512_add_pd(a1, hi);
    b0 = _mm512_fmadd_pd(lo, lo, b0);
    b1 = _mm512_fmadd_pd(hi, hi, b1);
  }
  s1 += _mm512_reduce_add_pd(_mm512_add_pd(a0, a1));
  s2 += _mm512_reduce_add_pd(_mm512_add_pd(b0, b1));
}

void shifted_sums_f64(const double* x, int64_t n, double shift, double& s1, double& s2) {
  const __m512d sh = _mm512_set1_pd(shift);
  __m512d a0 = _mm512_setzero_pd(), a1 = a0, b0 = a0, b1 = a0;
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) {
    const __m512d u = _mm512_sub_pd(_mm512_loadu_pd(x + j), sh);
    const __m512d v = _mm512_sub_pd(_mm512_loadu_pd(x + j + 8), sh);
    a0 = _mm512_add_pd(a0, u);
    a1 = _mm512_add_pd(a1, v);
    b0 = _mm512_fmadd_pd(u, u, b0);
    b1 = _mm512_fmadd_pd(v, v, b1);
  }
  for (; j < n; j += 8) {
    const int64_t left = n - j;
    const __mmask8 m = left >= 8 ? 0xff : static_cast<__mmask8>((1u << left) - 1);
    const __m512d u = _mm512_maskz_sub_pd(m, load_f64(x + j, left), sh);
    a0 = _mm512_add_pd(a0, u);
    b0 = _mm512_fmadd_pd(u, u, b0);
  }
  s1 += _mm512_reduce_add_pd(_mm512_add_pd(a0, a1));
  s2 += _mm512_reduce_add_pd(_mm512_add_pd(b0, b1));
}

// dy's masked-off lanes are 0, so (x - mean) there contributes nothing.
void gradient_sums_f32(const float* dy, const float* x, int64_t n, float mean, double& s1,
                       double& s2) {
  const __m512d mu = _mm512_set1_pd(mean);
  __m512d a0 = _mm512_setzero_pd(), a1 = a0, b0 = a0, b1 = a0;
  for (int64_t j = 0; j < n; j += 16) {
    const int64_t left = n - j;
    __m512d g0, g1, x0, x1;
    load_f32(dy + j, left, g0, g1);
    load_f32(x + j, left, x0, x1);
    a0 = _mm512_add_pd(a0, g0);
    a1 = _mm512_add_pd(a1, g1);
    b0 = _mm512_fmadd_pd(g0, _mm512_sub_pd(x0, mu), b0);
    b1 = _mm512_fmadd_pd(g1, _mm512_sub_pd(x1, mu), b1);
  }
  s1 += _mm512_reduce_add_pd(_mm512_add_pd(a0, a1));
  s2 += _mm512_reduce_add_pd(_mm512_add_pd(b0, b1));
}

void gradient_sums_f64(const double* dy, const double* x, int64_t n, double mean, double& s1,
                       double& s2) {
  const __m512d mu = _mm512_set1_pd(mean);
  __m512d a0 = _mm512_setzero_pd(), b0 = a0;
  for (int64_t j = 0; j < n; j += 8) {
    const int64_t left = n - j;
    const __m512d g = load_f64(dy + j, left);
    a0 = _mm512_add_pd(a0, g);
    b0 = _mm512_fmadd_pd(g, _mm512_sub_pd(load_f64(x + j, left), mu), b0);
  }
  s1 += _mm512_reduce_add_pd(a0);
  s2 += _mm512_reduce_add_pd(b0);
}

void normalize_f32(const float* x, float* y, int64_t n, float mean, float scale, float shift) {
  const __m512 mu = _mm512_set1_ps(mean), a = _mm512_set1_ps(scale), b = _mm512_set1_ps(shift);
  int64_t j = 0;
  for (; j + 16 <= n; j += 16)
    _mm512_storeu_ps(y + j, _mm512_fmadd_ps(_mm512_sub_ps(_mm512_loadu_ps(x + j), mu), a, b));
  if (j < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - j)) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(m, x + j);
    _mm512_mask_storeu_ps(y + j, m, _mm512_fmadd_ps(_mm512_sub_ps(v, mu), a, b));
  }
}

void normalize_f64(const double* x, double* y, int64_t n, double mean, double scale, double shift) {
  const __m512d mu = _mm512_set1_pd(mean), a = _mm512_set1_pd(scale), b = _mm512_set1_pd(shift);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    _mm512_storeu_pd(y + j, _mm512_fmadd_pd(_mm512_sub_pd(_mm512_loadu_pd(x + j), mu), a, b));
  if (j < n) {
    const __mmask8 m = static_cast<__mmask8>((1u << (n - j)) - 1);
    const __m512d v = _mm512_maskz_loadu_pd(m, x + j);
    _mm512_mask_storeu_pd(y + j, m, _mm512_fmadd_pd(_mm512_sub_pd(v, mu), a, b));
  }
}

void input_gradient_f32(const float* dy, const float* x, float* dx, int64_t n, float mean, float a,
                        float b, float c) {
  const __m512 mu = _mm512_set1_ps(mean), va = _mm512_set1_ps(a), vb = _mm512_set1_ps(b),
               vc = _mm512_set1_ps(c);
  for (int64_t j = 0; j < n; j += 16) {
    const __mmask16 m = n - j >= 16 ? 0xffff : static_cast<__mmask16>((1u << (n - j)) - 1);
    const __m512 g = _mm512_maskz_loadu_ps(m, dy + j);
    const __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + j), mu);
    _mm512_mask_storeu_ps(dx + j, m, _mm512_fmadd_ps(g, va, _mm512_fmadd_ps(d, vb, vc)));
  }
}

void input_gradient_f64(const double* dy, const double* x, double* dx, int64_t n, double mean,
                        double a, double b, double c) {
  const __m512d mu = _mm512_set1_pd(mean), va = _mm512_set1_pd(a), vb = _mm512_set1_pd(b),
                vc = _mm512_set1_pd(c);
  for (int64_t j = 0; j < n; j += 8) {
    const __mmask8 m = n - j >= 8 ? 0xff : static_cast<__mmask8>((1u << (n - j)) - 1);
    const __m512d g = _mm512_maskz_loadu_pd(m, dy + j);
    const __m512d d = _mm512_sub_pd(_mm512_maskz_loadu_pd(m, x + j), mu);
    _mm512_mask_storeu_pd(dx + j, m, _mm512_fmadd_pd(g, va, _mm512_fmadd_pd(d, vb, vc)));
  }
}

}  // namespace
}  // namespace theon::detail::bn

#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif

namespace theon::detail::bn {

#ifdef THEON_AVX512_KERNELS
#define THEON_BN_VECTOR(condition, call) \
  if ((condition) && avx512_enabled()) return call
#else
#define THEON_BN_VECTOR(condition, call)
#endif

template <class T>
void shifted_sums(const T* x, int64_t xs, int64_t n, T shift, double& s1, double& s2) {
  if constexpr (std::is_same_v<T, float>) {
    THEON_BN_VECTOR(xs == 1, shifted_sums_f32(x, n, shift, s1, s2));
  } else {
    THEON_BN_VECTOR(xs == 1, shifted_sums_f64(x, n, shift, s1, s2));
  }
  shifted_sums_scalar(x, xs, n, shift, s1, s2);
}

template <class T>
void gradient_sums(const T* dy, int64_t dys, const T* x, int64_t xs, int64_t n, T mean, double& s1,
                   double& s2) {
  if constexpr (std::is_same_v<T, float>) {
    THEON_BN_VECTOR(dys == 1 && xs == 1, gradient_sums_f32(dy, x, n, mean, s1, s2));
  } else {
    THEON_BN_VECTOR(dys == 1 && xs == 1, gradient_sums_f64(dy, x, n, mean, s1, s2));
  }
  gradient_sums_scalar(dy, dys, x, xs, n, mean, s1, s2);
}

template <class T>
void normalize(const T* x, int64_t xs, T* y, int64_t n, T mean, T scale, T shift) {
  if constexpr (std::is_same_v<T, float>) {
    THEON_BN_VECTOR(xs == 1, normalize_f32(x, y, n, mean, scale, shift));
  } else {
    THEON_BN_VECTOR(xs == 1, normalize_f64(x, y, n, mean, scale, shift));
  }
  normalize_scalar(x, xs, y, n, mean, scale, shift);
}

template <class T>
void input_gradient(const T* dy, int64_t dys, const T* x, int64_t xs, T* dx, int64_t n, T mean, T a,
                    T b, T c) {
  if constexpr (std::is_same_v<T, float>) {
    THEON_BN_VECTOR(dys == 1 && xs == 1, input_gradient_f32(dy, x, dx, n, mean, a, b, c));
  } else {
    THEON_BN_VECTOR(dys == 1 && xs == 1, input_gradient_f64(dy, x, dx, n, mean, a, b, c));
  }
  input_gradient_scalar(dy, dys, x, xs, dx, n, mean, a, b, c);
}

#undef THEON_BN_VECTOR

template void shifted_sums(const float*, int64_t, int64_t, float, double&, double&);
template void shifted_sums(const double*, int64_t, int64_t, double, double&, double&);
template void gradient_sums(const float*, int64_t, const float*, int64_t, int64_t, float, double&,
                            double&);
template void gradient_sums(const double*, int64_t, const double*, int64_t, int64_t, double,
                            double&, double&);
template void normalize(const float*, int64_t, float*, int64_t, float, float, float);
template void normalize(const double*, int64_t, double*, int64_t, double, double, double);
template void input_gradient(const float*, int64_t, const float*, int64_t, float*, int64_t, float,
                             float, float, float);
template void input_gradient(const double*, int64_t, const double*, int64_t, double*, int64_t,
                             double, double, double, double);

}  // namespace theon::detail::bn
