// Run-time choice of the AVX-512 kernels. The library is built for baseline x86-64;
// files with AVX-512 loops compile only those loops for it (under a GCC target pragma,
// with SLEEF's vector math from ops/sleef_avx512.hpp) and call them only when
// avx512_enabled() says the CPU can run them.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define THEON_AVX512_KERNELS 1
#endif

namespace theon::detail {

// True when this build has AVX-512 kernels, the CPU and OS support AVX-512 F/DQ/VL/BW,
// AVX2 and FMA, and THEON_FUSED_SIMD=0 is not in the environment (read once; the switch
// measures the scalar loops).
bool avx512_enabled();

}  // namespace theon::detail
