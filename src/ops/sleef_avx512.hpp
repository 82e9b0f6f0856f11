// SLEEF's AVX-512 entry points (u10: within 1 ulp; erfc u15). Include this only inside a
// `#pragma GCC target("avx512f,...")` region, after <immintrin.h>: GCC's C++ front end
// does not define __AVX512F__ for code under a target pragma, so <sleef.h> would hide
// them. The library links libsleef (CMakeLists.txt).
#pragma once

#define THEON_SLEEF_UNARY_DECL(D, F) \
  extern "C" __m512d Sleef_##D(__m512d); \
  extern "C" __m512 Sleef_##F(__m512);
THEON_SLEEF_UNARY_DECL(expd8_u10avx512f, expf16_u10avx512f)
THEON_SLEEF_UNARY_DECL(exp2d8_u10avx512f, exp2f16_u10avx512f)
THEON_SLEEF_UNARY_DECL(expm1d8_u10avx512f, expm1f16_u10avx512f)
THEON_SLEEF_UNARY_DECL(logd8_u10avx512f, logf16_u10avx512f)
THEON_SLEEF_UNARY_DECL(log2d8_u10avx512f, log2f16_u10avx512f)
THEON_SLEEF_UNARY_DECL(log10d8_u10avx512f, log10f16_u10avx512f)
THEON_SLEEF_UNARY_DECL(log1pd8_u10avx512f, log1pf16_u10avx512f)
THEON_SLEEF_UNARY_DECL(sind8_u10avx512f, sinf16_u10avx512f)
THEON_SLEEF_UNARY_DECL(cosd8_u10avx512f, cosf16_u10avx512f)
THEON_SLEEF_UNARY_DECL(tand8_u10avx512f, tanf16_u10avx512f)
THEON_SLEEF_UNARY_DECL(asind8_u10avx512f, asinf16_u10avx512f)
THEON_SLEEF_UNARY_DECL(acosd8_u10avx512f, acosf16_u10avx512f)
THEON_SLEEF_UNARY_DECL(atand8_u10avx512f, atanf16_u10avx512f)
THEON_SLEEF_UNARY_DECL(sinhd8_u10avx512f, sinhf16_u10avx512f)
THEON_SLEEF_UNARY_DECL(coshd8_u10avx512f, coshf16_u10avx512f)
THEON_SLEEF_UNARY_DECL(tanhd8_u10avx512f, tanhf16_u10avx512f)
THEON_SLEEF_UNARY_DECL(erfd8_u10avx512f, erff16_u10avx512f)
THEON_SLEEF_UNARY_DECL(erfcd8_u15avx512f, erfcf16_u15avx512f)
#undef THEON_SLEEF_UNARY_DECL
extern "C" __m512d Sleef_powd8_u10avx512f(__m512d, __m512d);
extern "C" __m512 Sleef_powf16_u10avx512f(__m512, __m512);
struct TheonSleefPairD {
  __m512d x, y;
};
struct TheonSleefPairF {
  __m512 x, y;
};
extern "C" TheonSleefPairD Sleef_sincosd8_u10avx512f(__m512d);
extern "C" TheonSleefPairF Sleef_sincosf16_u10avx512f(__m512);
extern "C" __m512d Sleef_atan2d8_u10avx512f(__m512d, __m512d);
extern "C" __m512 Sleef_atan2f16_u10avx512f(__m512, __m512);
