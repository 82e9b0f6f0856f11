// The loops behind philox::fill_*: a portable one and an AVX-512 one (philox_avx512.cpp),
// which produce the same words; uniform values are bit-identical, normal ones may differ
// in the last bit (SLEEF's vector log/sincos against glibc's scalar ones).
#pragma once

#include "ops/random/philox.hpp"

namespace theon::detail::philox {

enum class Fill { UniformF32, UniformF64, NormalF32, NormalF64 };

// Writes n values of `kind` to `out`, taken from the groups that start at `at` (a partial
// last group is computed whole and cut).
void fill_scalar(Fill kind, const Position& at, void* out, int64_t n);
// The same with AVX-512; false when this build or CPU has none (nothing written).
bool fill_avx512(Fill kind, const Position& at, void* out, int64_t n);

}  // namespace theon::detail::philox
