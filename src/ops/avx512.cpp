#include "ops/avx512.hpp"

#include <cstdlib>

namespace theon::detail {

bool avx512_enabled() {
#ifdef THEON_AVX512_KERNELS
  static const bool enabled = [] {
    const char* env = std::getenv("THEON_FUSED_SIMD");
    if (env && env[0] == '0') return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return enabled;
#else
  return false;
#endif
}

}  // namespace theon::detail
