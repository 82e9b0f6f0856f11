// The row loops of batch normalization, on rows of one channel (float or double; x and
// dy may be strided, outputs are written with unit stride). Sums are kept in double.
//
// With AVX-512 (ops/avx512.hpp) contiguous rows run vector loops, summed in several
// lanes, so results may differ from the scalar loops in the last bits.
// THEON_FUSED_SIMD=0 selects the scalar loops.
#pragma once

#include <cstdint>

namespace theon::detail::bn {

// s1 += sum(x - shift), s2 += sum((x - shift)^2): the statistics pass. A shift near the
// mean (any value of the channel) keeps the variance s2/m - (s1/m)^2 from cancelling.
template <class T>
void shifted_sums(const T* x, int64_t xs, int64_t n, T shift, double& s1, double& s2);

// s1 += sum(dy), s2 += sum(dy * (x - mean)): the gradient's pass over the data.
template <class T>
void gradient_sums(const T* dy, int64_t dys, const T* x, int64_t xs, int64_t n, T mean, double& s1,
                   double& s2);

// y = (x - mean) * scale + shift.
template <class T>
void normalize(const T* x, int64_t xs, T* y, int64_t n, T mean, T scale, T shift);

// dx = dy * a + (x - mean) * b + c.
template <class T>
void input_gradient(const T* dy, int64_t dys, const T* x, int64_t xs, T* dx, int64_t n, T mean, T a,
                    T b, T c);

}  // namespace theon::detail::bn
