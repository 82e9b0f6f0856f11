// The direct AVX-512 forward convolution, for few input channels per group (LeNet's first
// layer: 1 channel, 5x5): there GEMM's inner dimension (channels x taps = 25) is too
// short to reach its peak, and im2col copies every pixel 25 times.
//
// The trick: copy one image group into a zero-padded buffer of width Wp = W + 2 pad, and
// compute the output on the same width. Output pixel q = y * Wp + x then reads input
// pixel q + offset(c, ky, kx) for every tap, a constant shift, so 16 consecutive outputs
// are one vector times one broadcast weight per tap. The Wp - OW columns past each output
// row are computed and dropped (14% of the work for 28 -> 24).
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/parallel.hpp"
#include "ops/avx512.hpp"
#include "ops/conv/conv_algorithms.hpp"

namespace theon::detail::conv::direct {
namespace {

// Above this many input channels per group GEMM's inner dimension is long enough.
constexpr int64_t kMaxChannels = 4;
constexpr int64_t kMaxTaps = 1024;
// Output vectors per step: 3 x 16 = 48 outputs (LeNet's 24 x 28 padded rows are 14 steps).
constexpr int kVectors = 3;

struct Plan {
  int64_t wp = 0, hp = 0, plane = 0;  // padded width, height, and plane length
  int64_t q_end = 0;                  // outputs computed per filter: OH * Wp, rounded up
  int64_t buffer = 0;                 // padded input length incl. the slack the last
                                      // vectors read
  std::vector<int64_t> offsets;       // per tap (c, ky, kx): its shift
};

Plan plan_of(const Geometry& g) {
  Plan p;
  p.wp = g.image[1] + 2 * g.pad[1];
  p.hp = g.image[0] + 2 * g.pad[0];
  p.plane = p.wp * p.hp;
  p.q_end = (g.output[0] * p.wp + 16 * kVectors - 1) / (16 * kVectors) * (16 * kVectors);
  for (int64_t c = 0; c < g.channels_per_group(); ++c)
    for (int64_t ky = 0; ky < g.kernel[0]; ++ky)
      for (int64_t kx = 0; kx < g.kernel[1]; ++kx)
        p.offsets.push_back(c * p.plane + ky * g.dilation[0] * p.wp + kx * g.dilation[1]);
  p.buffer = p.q_end + p.offsets.back() + 16;
  return p;
}

#ifdef THEON_AVX512_KERNELS
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
}  // namespace
}  // namespace theon::detail::conv::direct
#include <immintrin.h>
namespace theon::detail::conv::direct {
namespace {

// F filters x 16 V outputs per step, all taps: F V accumulators stay in registers, and
// each tap costs V vector loads and F broadcasts for F V multiply-adds.
template <int F>
void filter_block(const float* in, const float* w, int64_t taps, const int64_t* offsets,
                  int64_t q_end, float* out, int64_t out_stride) {
  constexpr int V = kVectors;
  for (int64_t q = 0; q < q_end; q += 16 * V) {
    __m512 acc[F][V];
    for (int f = 0; f < F; ++f)
      for (int v = 0; v < V; ++v) acc[f][v] = _mm512_setzero_ps();
    for (int64_t t = 0; t < taps; ++t) {
      const float* src = in + q + offsets[t];
      __m512 x[V];
      for (int v = 0; v < V; ++v) x[v] = _mm512_loadu_ps(src + 16 * v);
      for (int f = 0; f < F; ++f) {
        const __m512 wv = _mm512_set1_ps(w[f * taps + t]);
        for (int v = 0; v < V; ++v) acc[f][v] = _mm512_fmadd_ps(wv, x[v], acc[f][v]);
      }
    }
    for (int f = 0; f < F; ++f)
      for (int v = 0; v < V; ++v) _mm512_storeu_ps(out + f * out_stride + q + 16 * v, acc[f][v]);
  }
}

// One image's one group: pad into `padded`, compute on the padded width into `flat`, copy
// the valid columns out.
void image_group(const Geometry& g, const Plan& p, const float* in, const float* w, float* out,
                 float* padded, float* flat) {
  const int64_t cg = g.channels_per_group(), og = g.filters_per_group();
  const int64_t taps = static_cast<int64_t>(p.offsets.size());
  std::fill(padded, padded + p.buffer, 0.0f);
  for (int64_t c = 0; c < cg; ++c)
    for (int64_t y = 0; y < g.image[0]; ++y)
      std::memcpy(padded + c * p.plane + (y + g.pad[0]) * p.wp + g.pad[1],
                  in + (c * g.image[0] + y) * g.image[1], sizeof(float) * g.image[1]);
  const int64_t out_plane = g.output[0] * g.output[1];
  for (int64_t o = 0; o < og;) {
    const int64_t left = og - o;
    const int f = left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1;
    const float* wo = w + o * taps;
    switch (f) {
      case 8: filter_block<8>(padded, wo, taps, p.offsets.data(), p.q_end, flat, p.q_end); break;
      case 4: filter_block<4>(padded, wo, taps, p.offsets.data(), p.q_end, flat, p.q_end); break;
      case 2: filter_block<2>(padded, wo, taps, p.offsets.data(), p.q_end, flat, p.q_end); break;
      default: filter_block<1>(padded, wo, taps, p.offsets.data(), p.q_end, flat, p.q_end);
    }
    for (int i = 0; i < f; ++i)
      for (int64_t y = 0; y < g.output[0]; ++y)
        std::memcpy(out + (o + i) * out_plane + y * g.output[1], flat + i * p.q_end + y * p.wp,
                    sizeof(float) * g.output[1]);
    o += f;
  }
}

#pragma GCC pop_options
#endif  // THEON_AVX512_KERNELS

}  // namespace

bool supports(const Geometry& g) {
#ifdef THEON_AVX512_KERNELS
  if (!avx512_enabled() || g.spatial != 2) return false;
  if (g.stride[0] != 1 || g.stride[1] != 1) return false;
  const int64_t taps = g.channels_per_group() * g.kernel_size();
  return g.channels_per_group() <= kMaxChannels && taps <= kMaxTaps && g.macs() > 0;
#else
  (void)g;
  return false;
#endif
}

void forward(const Geometry& g, const float* input, const float* filters, float* output) {
#ifdef THEON_AVX512_KERNELS
  const Plan p = plan_of(g);
  const int64_t items = g.batch * g.groups;
  const int tasks = static_cast<int>(std::min<int64_t>(max_threads(), items));
  const int64_t in_image = g.channels_per_group() * g.image_size();
  const int64_t out_image = g.filters_per_group() * g.output_size();
  const int64_t w_group = g.filters_per_group() * static_cast<int64_t>(p.offsets.size());
  parallel_for(tasks, [&](int task) {
    // Per-thread buffers, grown once: the steady state allocates nothing.
    thread_local std::vector<float> padded, flat;
    if (padded.size() < size_t(p.buffer)) padded.resize(p.buffer);
    if (flat.size() < size_t(8 * p.q_end)) flat.resize(8 * p.q_end);
    for (int64_t i = items * task / tasks; i < items * (task + 1) / tasks; ++i) {
      // Item i is image i / groups, group i % groups; groups are adjacent in channels.
      image_group(g, p, input + i * in_image, filters + (i % g.groups) * w_group,
                  output + i * out_image, padded.data(), flat.data());
    }
  });
#else
  (void)g, (void)input, (void)filters, (void)output;
#endif
}

}  // namespace theon::detail::conv::direct
