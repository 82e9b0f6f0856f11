// Philox4x32-10 on 16 blocks at once: each AVX-512 register holds one of the four counter
// words for 16 consecutive blocks, so a group (philox.hpp) comes out as four registers
// that store without shuffling. Only this file is compiled for AVX-512; fill_avx512 runs
// it when avx512_enabled() says the CPU can.
#include "ops/avx512.hpp"
#include "ops/random/philox_fill.hpp"

#ifdef THEON_AVX512_KERNELS
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "ops/sleef_avx512.hpp"

namespace theon::detail::philox {
namespace {

struct Group {
  __m512i x[4];
};

// 32x32 -> 64-bit products of 16 lanes. The low halves are vpmulld's; for the high
// halves vpmuludq multiplies the even lanes, so the odd ones go through a shifted copy,
// and the two are blended back into lane order.
inline void mulhilo(__m512i a, __m512i m, __m512i& hi, __m512i& lo) {
  const __m512i even = _mm512_mul_epu32(a, m);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
  hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
  lo = _mm512_mullo_epi32(a, m);
}

// a ^ b ^ c in one instruction (truth table 0x96).
inline __m512i xor3(__m512i a, __m512i b, __m512i c) { return _mm512_ternarylogic_epi32(a, b, c, 0x96); }

// G consecutive groups from `at` (group g starts at block at.block + 16 g), their rounds
// interleaved: one group's rounds form a chain of dependent multiplies, so evaluating
// several side by side keeps the multipliers busy. The round keys are the same for all.
template <int G>
inline void groups(const Position& at, Group* out) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i stream_lo = _mm512_set1_epi32(static_cast<int>(static_cast<uint32_t>(at.stream)));
  const __m512i stream_hi = _mm512_set1_epi32(static_cast<int>(static_cast<uint32_t>(at.stream >> 32)));
  for (int g = 0; g < G; ++g) {
    const uint64_t block = at.block + static_cast<uint64_t>(g) * kGroupBlocks;
    Group& o = out[g];
    o.x[0] = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(static_cast<uint32_t>(block))), lane);
    // A lane whose low word wrapped carries one into the high word.
    const __mmask16 carry = _mm512_cmplt_epu32_mask(o.x[0], lane);
    const __m512i hi = _mm512_set1_epi32(static_cast<int>(static_cast<uint32_t>(block >> 32)));
    o.x[1] = _mm512_mask_add_epi32(hi, carry, hi, _mm512_set1_epi32(1));
    o.x[2] = stream_lo;
    o.x[3] = stream_hi;
  }
  uint32_t k0 = static_cast<uint32_t>(at.key), k1 = static_cast<uint32_t>(at.key >> 32);
  const __m512i m0 = _mm512_set1_epi32(static_cast<int>(kMul0));
  const __m512i m1 = _mm512_set1_epi32(static_cast<int>(kMul1));
  for (int r = 0; r < kRounds; ++r) {
    const __m512i key0 = _mm512_set1_epi32(static_cast<int>(k0));
    const __m512i key1 = _mm512_set1_epi32(static_cast<int>(k1));
    for (int g = 0; g < G; ++g) {
      Group& o = out[g];
      __m512i hi0, lo0, hi1, lo1;
      mulhilo(o.x[0], m0, hi0, lo0);
      mulhilo(o.x[2], m1, hi1, lo1);
      o.x[0] = xor3(hi1, o.x[1], key0);
      o.x[1] = lo1;
      o.x[2] = xor3(hi0, o.x[3], key1);
      o.x[3] = lo0;
    }
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
}

inline Group group(const Position& at) {
  Group g;
  groups<1>(at, &g);
  return g;
}

inline __m512 unit_float(__m512i w) {
  return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(w, 8)), _mm512_set1_ps(0x1p-24f));
}
// Lanes [8 half, 8 half + 8) of (hi << 32 | lo) >> 11, times 2^-53.
inline __m512d unit_double(__m512i lo, __m512i hi, int half) {
  const __m256i l = half ? _mm512_extracti64x4_epi64(lo, 1) : _mm512_castsi512_si256(lo);
  const __m256i h = half ? _mm512_extracti64x4_epi64(hi, 1) : _mm512_castsi512_si256(hi);
  const __m512i bits = _mm512_or_si512(_mm512_slli_epi64(_mm512_cvtepu32_epi64(h), 32), _mm512_cvtepu32_epi64(l));
  return _mm512_mul_pd(_mm512_cvtepu64_pd(_mm512_srli_epi64(bits, 11)), _mm512_set1_pd(0x1p-53));
}

// One group's values into `out` (64 floats or 32 doubles), as group_values in philox.cpp.
inline void group_values(Fill kind, const Group& g, void* out) {
  switch (kind) {
    case Fill::UniformF32: {
      float* o = static_cast<float*>(out);
      for (int w = 0; w < 4; ++w) _mm512_storeu_ps(o + 16 * w, unit_float(g.x[w]));
      return;
    }
    case Fill::UniformF64: {
      double* o = static_cast<double*>(out);
      for (int j = 0; j < 2; ++j)
        for (int half = 0; half < 2; ++half)
          _mm512_storeu_pd(o + 16 * j + 8 * half, unit_double(g.x[2 * j], g.x[2 * j + 1], half));
      return;
    }
    case Fill::NormalF32: {
      float* o = static_cast<float*>(out);
      for (int j = 0; j < 2; ++j) {
        const __m512 u1 = _mm512_add_ps(unit_float(g.x[2 * j]), _mm512_set1_ps(0x1p-24f));
        const __m512 u2 = unit_float(g.x[2 * j + 1]);
        const __m512 radius = _mm512_sqrt_ps(_mm512_mul_ps(_mm512_set1_ps(-2.0f), Sleef_logf16_u10avx512f(u1)));
        const TheonSleefPairF sc =
            Sleef_sincosf16_u10avx512f(_mm512_mul_ps(_mm512_set1_ps(6.28318530717958647692f), u2));
        _mm512_storeu_ps(o + 32 * j, _mm512_mul_ps(radius, sc.y));
        _mm512_storeu_ps(o + 32 * j + 16, _mm512_mul_ps(radius, sc.x));
      }
      return;
    }
    case Fill::NormalF64: {
      double* o = static_cast<double*>(out);
      for (int half = 0; half < 2; ++half) {
        const __m512d u1 = _mm512_add_pd(unit_double(g.x[0], g.x[1], half), _mm512_set1_pd(0x1p-53));
        const __m512d u2 = unit_double(g.x[2], g.x[3], half);
        const __m512d radius = _mm512_sqrt_pd(_mm512_mul_pd(_mm512_set1_pd(-2.0), Sleef_logd8_u10avx512f(u1)));
        const TheonSleefPairD sc =
            Sleef_sincosd8_u10avx512f(_mm512_mul_pd(_mm512_set1_pd(6.28318530717958647692), u2));
        _mm512_storeu_pd(o + 8 * half, _mm512_mul_pd(radius, sc.y));
        _mm512_storeu_pd(o + 16 + 8 * half, _mm512_mul_pd(radius, sc.x));
      }
      return;
    }
  }
}

}  // namespace

bool fill_avx512(Fill kind, const Position& at, void* out, int64_t n) {
  if (!avx512_enabled()) return false;
  const bool dbl = kind == Fill::UniformF64 || kind == Fill::NormalF64;
  const int64_t per = values_per_group(dbl);
  const size_t item = dbl ? sizeof(double) : sizeof(float);
  char* dst = static_cast<char*>(out);
  Position p = at;
  int64_t i = 0;
  constexpr int kWide = 4;  // groups evaluated together
  for (; i + kWide * per <= n; i += kWide * per, p.block += kWide * kGroupBlocks) {
    Group g[kWide];
    groups<kWide>(p, g);
    for (int k = 0; k < kWide; ++k) group_values(kind, g[k], dst + static_cast<size_t>(i + k * per) * item);
  }
  for (; i + per <= n; i += per, p.block += kGroupBlocks)
    group_values(kind, group(p), dst + static_cast<size_t>(i) * item);
  if (i < n) {
    alignas(64) char tail[kGroupWords * sizeof(float)];
    group_values(kind, group(p), tail);
    __builtin_memcpy(dst + static_cast<size_t>(i) * item, tail, static_cast<size_t>(n - i) * item);
  }
  return true;
}

}  // namespace theon::detail::philox

#pragma GCC diagnostic pop
#pragma GCC pop_options

#else

namespace theon::detail::philox {
bool fill_avx512(Fill, const Position&, void*, int64_t) { return false; }
}  // namespace theon::detail::philox

#endif
