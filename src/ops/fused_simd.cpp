// AVX-512 block loops for the fused interpreter: float32 and float64 arithmetic and
// SLEEF's vector transcendentals (u10: within 1 ulp, erfc 1.5 ulp; glibc's scalar libm,
// which the plain Elemwise loops call, is within 1 ulp too, so fused and unfused results
// may differ in the last bit). The library is built for baseline x86-64; only the
// functions below are compiled for AVX-512, and simd_block_fn hands them out only when
// the CPU (and OS) supports it. THEON_FUSED_SIMD=0 in the environment turns them off
// (to measure the scalar loops).
//
// The AVX-512 code lives in an anonymous namespace and uses no library templates, so no
// AVX-512 copy of a shared inline function can leak into the rest of the library.
#include "ops/avx512.hpp"
#include "ops/fused.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define THEON_FUSED_AVX512 1
#endif

#ifdef THEON_FUSED_AVX512
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")
// GCC 12 flags the deliberately undefined lanes inside its own roundscale and abs intrinsics.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "ops/sleef_avx512.hpp"

namespace theon::detail {
namespace {

struct F64 {
  using T = double;
  using V = __m512d;
  using M = __mmask8;
  static constexpr int64_t kWidth = 8;
  static V load(const T* p) { return _mm512_loadu_pd(p); }
  static V load(const T* p, M m) { return _mm512_maskz_loadu_pd(m, p); }
  static void store(T* p, V v) { _mm512_storeu_pd(p, v); }
  static void store(T* p, V v, M m) { _mm512_mask_storeu_pd(p, m, v); }
  static M tail(int64_t n) { return static_cast<M>((1u << n) - 1); }
};

struct F32 {
  using T = float;
  using V = __m512;
  using M = __mmask16;
  static constexpr int64_t kWidth = 16;
  static V load(const T* p) { return _mm512_loadu_ps(p); }
  static V load(const T* p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(T* p, V v) { _mm512_storeu_ps(p, v); }
  static void store(T* p, V v, M m) { _mm512_mask_storeu_ps(p, m, v); }
  static M tail(int64_t n) { return static_cast<M>((1u << n) - 1); }
};

// The lanes past the end of a block are loaded as zeros and never stored.
template <class S, class Op>
void unary(int64_t n, const void* pa, const void*, const void*, void* pr) {
  const auto* a = static_cast<const typename S::T*>(pa);
  auto* r = static_cast<typename S::T*>(pr);
  int64_t j = 0;
  for (; j + S::kWidth <= n; j += S::kWidth) S::store(r + j, Op{}(S::load(a + j)));
  if (j < n) {
    const typename S::M m = S::tail(n - j);
    S::store(r + j, Op{}(S::load(a + j, m)), m);
  }
}

template <class S, class Op>
void binary(int64_t n, const void* pa, const void* pb, const void*, void* pr) {
  const auto* a = static_cast<const typename S::T*>(pa);
  const auto* b = static_cast<const typename S::T*>(pb);
  auto* r = static_cast<typename S::T*>(pr);
  int64_t j = 0;
  for (; j + S::kWidth <= n; j += S::kWidth) S::store(r + j, Op{}(S::load(a + j), S::load(b + j)));
  if (j < n) {
    const typename S::M m = S::tail(n - j);
    S::store(r + j, Op{}(S::load(a + j, m), S::load(b + j, m)), m);
  }
}

template <class S, class Op>
void ternary(int64_t n, const void* pa, const void* pb, const void* pc, void* pr) {
  const auto* a = static_cast<const typename S::T*>(pa);
  const auto* b = static_cast<const typename S::T*>(pb);
  const auto* c = static_cast<const typename S::T*>(pc);
  auto* r = static_cast<typename S::T*>(pr);
  int64_t j = 0;
  for (; j + S::kWidth <= n; j += S::kWidth)
    S::store(r + j, Op{}(S::load(a + j), S::load(b + j), S::load(c + j)));
  if (j < n) {
    const typename S::M m = S::tail(n - j);
    S::store(r + j, Op{}(S::load(a + j, m), S::load(b + j, m), S::load(c + j, m)), m);
  }
}

// Each op: one overload per vector type.
#define THEON_SLEEF_UNARY(OP, D, F)                                \
  struct OP {                                                      \
    __m512d operator()(__m512d x) const { return Sleef_##D(x); }   \
    __m512 operator()(__m512 x) const { return Sleef_##F(x); }     \
  };
THEON_SLEEF_UNARY(Exp, expd8_u10avx512f, expf16_u10avx512f)
THEON_SLEEF_UNARY(Exp2, exp2d8_u10avx512f, exp2f16_u10avx512f)
THEON_SLEEF_UNARY(Expm1, expm1d8_u10avx512f, expm1f16_u10avx512f)
THEON_SLEEF_UNARY(Log, logd8_u10avx512f, logf16_u10avx512f)
THEON_SLEEF_UNARY(Log2, log2d8_u10avx512f, log2f16_u10avx512f)
THEON_SLEEF_UNARY(Log10, log10d8_u10avx512f, log10f16_u10avx512f)
THEON_SLEEF_UNARY(Log1p, log1pd8_u10avx512f, log1pf16_u10avx512f)
THEON_SLEEF_UNARY(Sin, sind8_u10avx512f, sinf16_u10avx512f)
THEON_SLEEF_UNARY(Cos, cosd8_u10avx512f, cosf16_u10avx512f)
THEON_SLEEF_UNARY(Tan, tand8_u10avx512f, tanf16_u10avx512f)
THEON_SLEEF_UNARY(Arcsin, asind8_u10avx512f, asinf16_u10avx512f)
THEON_SLEEF_UNARY(Arccos, acosd8_u10avx512f, acosf16_u10avx512f)
THEON_SLEEF_UNARY(Arctan, atand8_u10avx512f, atanf16_u10avx512f)
THEON_SLEEF_UNARY(Sinh, sinhd8_u10avx512f, sinhf16_u10avx512f)
THEON_SLEEF_UNARY(Cosh, coshd8_u10avx512f, coshf16_u10avx512f)
THEON_SLEEF_UNARY(Tanh, tanhd8_u10avx512f, tanhf16_u10avx512f)
THEON_SLEEF_UNARY(Erf, erfd8_u10avx512f, erff16_u10avx512f)
THEON_SLEEF_UNARY(Erfc, erfcd8_u15avx512f, erfcf16_u15avx512f)
#undef THEON_SLEEF_UNARY

#define THEON_VECTOR_OP(OP, ARGS, D, F)               \
  struct OP {                                         \
    __m512d operator()(THEON_##ARGS(__m512d)) const { return D; } \
    __m512 operator()(THEON_##ARGS(__m512)) const { return F; }   \
  };
#define THEON_ONE(V) V a
#define THEON_TWO(V) V a, V b
THEON_VECTOR_OP(Add, TWO, _mm512_add_pd(a, b), _mm512_add_ps(a, b))
THEON_VECTOR_OP(Sub, TWO, _mm512_sub_pd(a, b), _mm512_sub_ps(a, b))
THEON_VECTOR_OP(Mul, TWO, _mm512_mul_pd(a, b), _mm512_mul_ps(a, b))
THEON_VECTOR_OP(Div, TWO, _mm512_div_pd(a, b), _mm512_div_ps(a, b))
THEON_VECTOR_OP(Pow, TWO, Sleef_powd8_u10avx512f(a, b), Sleef_powf16_u10avx512f(a, b))
THEON_VECTOR_OP(Arctan2, TWO, Sleef_atan2d8_u10avx512f(a, b), Sleef_atan2f16_u10avx512f(a, b))
THEON_VECTOR_OP(Neg, ONE, _mm512_xor_pd(a, _mm512_set1_pd(-0.0)), _mm512_xor_ps(a, _mm512_set1_ps(-0.0f)))
THEON_VECTOR_OP(Sqr, ONE, _mm512_mul_pd(a, a), _mm512_mul_ps(a, a))
THEON_VECTOR_OP(Reciprocal, ONE, _mm512_div_pd(_mm512_set1_pd(1.0), a), _mm512_div_ps(_mm512_set1_ps(1.0f), a))
THEON_VECTOR_OP(Sqrt, ONE, _mm512_sqrt_pd(a), _mm512_sqrt_ps(a))
THEON_VECTOR_OP(Abs, ONE, _mm512_abs_pd(a), _mm512_abs_ps(a))
THEON_VECTOR_OP(Floor, ONE, _mm512_roundscale_pd(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC),
                _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC))
THEON_VECTOR_OP(Ceil, ONE, _mm512_roundscale_pd(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC),
                _mm512_roundscale_ps(a, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC))
THEON_VECTOR_OP(Trunc, ONE, _mm512_roundscale_pd(a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC),
                _mm512_roundscale_ps(a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC))
// Round half to even, as nearbyint in the default rounding mode.
THEON_VECTOR_OP(Round, ONE, _mm512_roundscale_pd(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC),
                _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC))
#undef THEON_VECTOR_OP
#undef THEON_ONE
#undef THEON_TWO

// k::minimum / k::maximum: b < a ? b : a (so equal zeros keep a's sign), NaN if either is.
struct Minimum {
  __m512d operator()(__m512d a, __m512d b) const {
    const __m512d r = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(b, a, _CMP_LT_OQ), a, b);
    return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(a, b, _CMP_UNORD_Q), r, _mm512_add_pd(a, b));
  }
  __m512 operator()(__m512 a, __m512 b) const {
    const __m512 r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(b, a, _CMP_LT_OQ), a, b);
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), r, _mm512_add_ps(a, b));
  }
};
struct Maximum {  // a < b ? b : a
  __m512d operator()(__m512d a, __m512d b) const {
    const __m512d r = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(a, b, _CMP_LT_OQ), a, b);
    return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(a, b, _CMP_UNORD_Q), r, _mm512_add_pd(a, b));
  }
  __m512 operator()(__m512 a, __m512 b) const {
    const __m512 r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), a, b);
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q), r, _mm512_add_ps(a, b));
  }
};
struct Clip {  // minimum(maximum(x, lo), hi)
  template <class V>
  V operator()(V x, V lo, V hi) const {
    return Minimum{}(Maximum{}(x, lo), hi);
  }
};

// k::sigmoid, branch-free: with e = exp(-|x|), 1 / (1 + e) where x >= 0, else e / (1 + e).
struct Sigmoid {
  __m512d operator()(__m512d x) const {
    const __m512d e = Sleef_expd8_u10avx512f(_mm512_sub_pd(_mm512_setzero_pd(), _mm512_abs_pd(x)));
    const __m512d d = _mm512_add_pd(_mm512_set1_pd(1.0), e);
    const __mmask8 positive = _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_GE_OQ);
    return _mm512_div_pd(_mm512_mask_blend_pd(positive, e, _mm512_set1_pd(1.0)), d);
  }
  __m512 operator()(__m512 x) const {
    const __m512 e = Sleef_expf16_u10avx512f(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_abs_ps(x)));
    const __m512 d = _mm512_add_ps(_mm512_set1_ps(1.0f), e);
    const __mmask16 positive = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GE_OQ);
    return _mm512_div_ps(_mm512_mask_blend_ps(positive, e, _mm512_set1_ps(1.0f)), d);
  }
};

// k::softplus: x above 30, exp(x) below -30, log1p(exp(x)) between.
struct Softplus {
  __m512d operator()(__m512d x) const {
    const __m512d e = Sleef_expd8_u10avx512f(x);
    __m512d r = Sleef_log1pd8_u10avx512f(e);
    r = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, _mm512_set1_pd(-30.0), _CMP_LT_OQ), r, e);
    return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, _mm512_set1_pd(30.0), _CMP_GT_OQ), r, x);
  }
  __m512 operator()(__m512 x) const {
    const __m512 e = Sleef_expf16_u10avx512f(x);
    __m512 r = Sleef_log1pf16_u10avx512f(e);
    r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(-30.0f), _CMP_LT_OQ), r, e);
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(30.0f), _CMP_GT_OQ), r, x);
  }
};

// sin into r and cos into c (the block convention's third operand, here an output).
template <class S>
void sincos(int64_t n, const void* pa, const void*, const void* pc, void* pr) {
  const auto* a = static_cast<const typename S::T*>(pa);
  auto* s = static_cast<typename S::T*>(pr);
  auto* c = static_cast<typename S::T*>(const_cast<void*>(pc));
  auto both = [](typename S::V x) {
    if constexpr (S::kWidth == 8) return Sleef_sincosd8_u10avx512f(x);
    else return Sleef_sincosf16_u10avx512f(x);
  };
  int64_t j = 0;
  for (; j + S::kWidth <= n; j += S::kWidth) {
    const auto r = both(S::load(a + j));
    S::store(s + j, r.x);
    S::store(c + j, r.y);
  }
  if (j < n) {
    const typename S::M m = S::tail(n - j);
    const auto r = both(S::load(a + j, m));
    S::store(s + j, r.x, m);
    S::store(c + j, r.y, m);
  }
}

// a < b (or another IEEE predicate) as bytes 0 and 1: a mask compare, then the mask
// spread to bytes. NaN compares false, except under != (as the scalar loops).
template <class S, int Predicate>
void compare(int64_t n, const void* pa, const void* pb, const void*, void* pr) {
  const auto* a = static_cast<const typename S::T*>(pa);
  const auto* b = static_cast<const typename S::T*>(pb);
  auto* r = static_cast<char*>(pr);
  auto mask = [](typename S::V x, typename S::V y) -> __mmask16 {
    if constexpr (S::kWidth == 16) return _mm512_cmp_ps_mask(x, y, Predicate);
    else return _mm512_cmp_pd_mask(x, y, Predicate);
  };
  const __m128i one = _mm_set1_epi8(1);
  int64_t j = 0;
  for (; j + S::kWidth <= n; j += S::kWidth) {
    const __m128i bytes = _mm_maskz_mov_epi8(mask(S::load(a + j), S::load(b + j)), one);
    if constexpr (S::kWidth == 16) _mm_storeu_si128(reinterpret_cast<__m128i*>(r + j), bytes);
    else _mm_storel_epi64(reinterpret_cast<__m128i*>(r + j), bytes);
  }
  if (j < n) {
    const typename S::M m = S::tail(n - j);
    const __m128i bytes = _mm_maskz_mov_epi8(mask(S::load(a + j, m), S::load(b + j, m)), one);
    _mm_mask_storeu_epi8(r + j, static_cast<__mmask16>(m), bytes);
  }
}

template <class S>
ScalarBlockFn compare_fn(ScalarOpId id) {
  switch (id) {
    case ScalarOpId::Lt: return &compare<S, _CMP_LT_OQ>;
    case ScalarOpId::Gt: return &compare<S, _CMP_GT_OQ>;
    case ScalarOpId::Le: return &compare<S, _CMP_LE_OQ>;
    case ScalarOpId::Ge: return &compare<S, _CMP_GE_OQ>;
    case ScalarOpId::Eq: return &compare<S, _CMP_EQ_OQ>;
    case ScalarOpId::Neq: return &compare<S, _CMP_NEQ_UQ>;
    default: return nullptr;
  }
}

template <class S>
ScalarBlockFn vector_fn(ScalarOpId id) {
  switch (id) {
    case ScalarOpId::Add: return &binary<S, Add>;
    case ScalarOpId::Sub: return &binary<S, Sub>;
    case ScalarOpId::Mul: return &binary<S, Mul>;
    case ScalarOpId::TrueDiv: return &binary<S, Div>;
    case ScalarOpId::Pow: return &binary<S, Pow>;
    case ScalarOpId::Minimum: return &binary<S, Minimum>;
    case ScalarOpId::Maximum: return &binary<S, Maximum>;
    case ScalarOpId::Arctan2: return &binary<S, Arctan2>;
    case ScalarOpId::Neg: return &unary<S, Neg>;
    case ScalarOpId::Abs: return &unary<S, Abs>;
    case ScalarOpId::Reciprocal: return &unary<S, Reciprocal>;
    case ScalarOpId::Sqr: return &unary<S, Sqr>;
    case ScalarOpId::Sqrt: return &unary<S, Sqrt>;
    case ScalarOpId::Exp: return &unary<S, Exp>;
    case ScalarOpId::Exp2: return &unary<S, Exp2>;
    case ScalarOpId::Expm1: return &unary<S, Expm1>;
    case ScalarOpId::Log: return &unary<S, Log>;
    case ScalarOpId::Log2: return &unary<S, Log2>;
    case ScalarOpId::Log10: return &unary<S, Log10>;
    case ScalarOpId::Log1p: return &unary<S, Log1p>;
    case ScalarOpId::Sin: return &unary<S, Sin>;
    case ScalarOpId::Cos: return &unary<S, Cos>;
    case ScalarOpId::Tan: return &unary<S, Tan>;
    case ScalarOpId::Arcsin: return &unary<S, Arcsin>;
    case ScalarOpId::Arccos: return &unary<S, Arccos>;
    case ScalarOpId::Arctan: return &unary<S, Arctan>;
    case ScalarOpId::Sinh: return &unary<S, Sinh>;
    case ScalarOpId::Cosh: return &unary<S, Cosh>;
    case ScalarOpId::Tanh: return &unary<S, Tanh>;
    case ScalarOpId::Sigmoid: return &unary<S, Sigmoid>;
    case ScalarOpId::Softplus: return &unary<S, Softplus>;
    case ScalarOpId::Erf: return &unary<S, Erf>;
    case ScalarOpId::Erfc: return &unary<S, Erfc>;
    case ScalarOpId::Floor: return &unary<S, Floor>;
    case ScalarOpId::Ceil: return &unary<S, Ceil>;
    case ScalarOpId::Round: return &unary<S, Round>;
    case ScalarOpId::Trunc: return &unary<S, Trunc>;
    case ScalarOpId::Clip: return &ternary<S, Clip>;
    default: return nullptr;
  }
}

}  // namespace
}  // namespace theon::detail
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif  // THEON_FUSED_AVX512

namespace theon::detail {
namespace {

bool simd_enabled() { return avx512_enabled(); }

}  // namespace

ScalarBlockFn simd_sincos_fn(DType compute) {
#ifdef THEON_FUSED_AVX512
  if (!simd_enabled()) return nullptr;
  if (compute == DType::Float64) return &sincos<F64>;
  if (compute == DType::Float32) return &sincos<F32>;
#else
  (void)compute;
#endif
  return nullptr;
}

ScalarBlockFn simd_compare_fn(ScalarOpId id, DType compute) {
#ifdef THEON_FUSED_AVX512
  if (!simd_enabled()) return nullptr;
  if (compute == DType::Float64) return compare_fn<F64>(id);
  if (compute == DType::Float32) return compare_fn<F32>(id);
#else
  (void)id;
  (void)compute;
#endif
  return nullptr;
}

ScalarBlockFn simd_block_fn(ScalarOpId id, DType compute) {
#ifdef THEON_FUSED_AVX512
  if (!simd_enabled()) return nullptr;
  if (compute == DType::Float64) return vector_fn<F64>(id);
  if (compute == DType::Float32) return vector_fn<F32>(id);
#else
  (void)id;
  (void)compute;
#endif
  return nullptr;
}

}  // namespace theon::detail
