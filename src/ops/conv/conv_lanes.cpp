// The batch-lanes AVX-512 convolution (every pass): 16 images side by side
// in the 16 lanes of a vector. Meant for LeNet's second layer (20 -> 50 channels, 8x8
// outputs, 5x5 filters), where GEMM's M = 50 and N = 64 per image are awkward for sgemm
// and oneDNN would pad the channels to blocks of 16.
//
// Each block of 16 images is copied into the layout [channel][y][x][lane] (zero border
// for the padding, zero lanes past the batch). Then every tap of every output pixel is
// one broadcast weight times one vector of 16 images: no lane is wasted whatever the
// channel counts or the image width, and the sums stay in registers over all taps.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/parallel.hpp"
#include "ops/avx512.hpp"
#include "ops/conv/conv_algorithms.hpp"

namespace theon::detail::conv::lanes {
namespace {

constexpr int64_t kLanes = 16;
// Output columns per forward step and filters per step: 3 x 8 accumulators.
constexpr int kColumns = 8, kFilters = 3;
// Grad-filters: filters x kernel columns per step (4 x 5 accumulators), and how many
// blocks of 16 images a step sums before adding its lanes into the result. Fewer lane
// sums beat keeping the chunk in L2: on LeNet's 20 -> 50, 8 blocks (4.5 MB) took 3.9 ms,
// 4 blocks 4.0-4.1, 2 blocks (the L2-sized chunk) 4.1-4.6, 1 block 4.4-5.1.
constexpr int kGradFilters = 4, kTapColumns = 5;
constexpr int64_t kBlocksPerChunk = 8;
// Grad-input: output-gradient columns per step; the kernel widths it is compiled for.
constexpr int64_t kGradColumns = 8, kMaxGradKernelWidth = 7;

struct Plan {
  int64_t hp = 0, wp = 0;      // padded image
  int64_t blocks = 0;          // blocks of 16 images
  int64_t in_block = 0;        // floats of one block's input in lanes layout
  int64_t out_block = 0;       // floats of one block's output (or output gradient)
  // Grad-input: the output gradient's rows rounded up to whole steps (zeros past OW), and
  // the padded input gradient's rows, as wide as the steps reach.
  int64_t gy_width = 0, gx_width = 0, gy_block = 0, gx_block = 0;
};

Plan plan_of(const Geometry& g) {
  Plan p;
  p.hp = g.image[0] + 2 * g.pad[0];
  p.wp = g.image[1] + 2 * g.pad[1];
  p.blocks = (g.batch + kLanes - 1) / kLanes;
  p.in_block = g.in_channels * p.hp * p.wp * kLanes;
  p.out_block = g.out_channels * g.output_size() * kLanes;
  p.gy_width = (g.output[1] + kGradColumns - 1) / kGradColumns * kGradColumns;
  p.gx_width = p.gy_width + g.kernel[1] - 1;
  p.gy_block = g.out_channels * g.output[0] * p.gy_width * kLanes;
  p.gx_block = g.in_channels * p.hp * p.gx_width * kLanes;
  return p;
}

template <class T>
void grow(std::vector<T>& v, int64_t n) {
  if (static_cast<int64_t>(v.size()) < n) v.resize(n);
}

#ifdef THEON_AVX512_KERNELS
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
}  // namespace
}  // namespace theon::detail::conv::lanes
#include <immintrin.h>
namespace theon::detail::conv::lanes {
namespace {

// The copies between the plain layout and the lanes layout: element i of an image (its
// flat index in the image's planes) lives in vector rows[i] of the block. Sixteen
// elements of sixteen images are one 16 x 16 transpose in registers.

// r[l] (16 elements of image l) becomes r[k] (element k of the 16 images).
void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  auto pd = [](__m512 v) { return _mm512_castps_pd(v); };
  // u[4 G + k], 128-bit lane L: rows 4 G .. 4 G + 3 of column 4 L + k.
  __m512 u[16];
  for (int G = 0; G < 4; ++G) {
    const __m512* a = t + 4 * G;
    u[4 * G + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(a[0]), pd(a[2])));
    u[4 * G + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(a[0]), pd(a[2])));
    u[4 * G + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(a[1]), pd(a[3])));
    u[4 * G + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(a[1]), pd(a[3])));
  }
  for (int k = 0; k < 4; ++k) {
    const __m512 lo01 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0x44);
    const __m512 hi01 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0xEE);
    const __m512 lo23 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0x44);
    const __m512 hi23 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0xEE);
    r[k] = _mm512_shuffle_f32x4(lo01, lo23, 0x88);
    r[4 + k] = _mm512_shuffle_f32x4(lo01, lo23, 0xDD);
    r[8 + k] = _mm512_shuffle_f32x4(hi01, hi23, 0x88);
    r[12 + k] = _mm512_shuffle_f32x4(hi01, hi23, 0xDD);
  }
}

// Images [16 block, 16 block + 16) of `planes` (per_image floats each) into the block at
// dst; lanes past the batch get zeros.
void to_lanes(const Geometry& g, const float* planes, int64_t per_image, int64_t block,
              const int64_t* rows, float* dst) {
  const int64_t first = block * kLanes, valid = std::min(kLanes, g.batch - first);
  const float* image = planes + first * per_image;
  int64_t i = 0;
  for (; i + kLanes <= per_image; i += kLanes) {
    __m512 r[16];
    for (int l = 0; l < 16; ++l)
      r[l] = l < valid ? _mm512_loadu_ps(image + l * per_image + i) : _mm512_setzero_ps();
    transpose16(r);
    for (int k = 0; k < 16; ++k) _mm512_storeu_ps(dst + rows[i + k] * kLanes, r[k]);
  }
  for (; i < per_image; ++i)
    for (int64_t l = 0; l < kLanes; ++l)
      dst[rows[i] * kLanes + l] = l < valid ? image[l * per_image + i] : 0.0f;
}

// The inverse: the block's vectors rows[i] back into the images that exist.
void from_lanes(const Geometry& g, const float* src, const int64_t* rows, int64_t per_image,
                int64_t block, float* planes) {
  const int64_t first = block * kLanes, valid = std::min(kLanes, g.batch - first);
  float* image = planes + first * per_image;
  int64_t i = 0;
  for (; i + kLanes <= per_image; i += kLanes) {
    __m512 r[16];
    for (int k = 0; k < 16; ++k) r[k] = _mm512_loadu_ps(src + rows[i + k] * kLanes);
    transpose16(r);
    for (int l = 0; l < valid; ++l) _mm512_storeu_ps(image + l * per_image + i, r[l]);
  }
  for (; i < per_image; ++i)
    for (int64_t l = 0; l < valid; ++l) image[l * per_image + i] = src[rows[i] * kLanes + l];
}

// rows[] for planes of `channels` x h x w placed at (y0, x0) of planes `height` x `width`.
const int64_t* placed_rows(int64_t channels, int64_t h, int64_t w, int64_t height,
                           int64_t width, int64_t y0, int64_t x0) {
  thread_local std::vector<int64_t> rows;  // this thread's, grown once
  grow(rows, channels * h * w);
  int64_t i = 0;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) rows[i++] = (c * height + y + y0) * width + x + x0;
  return rows.data();
}

// Input images into [C][Hp][Wp][16] (zero border when padded).
void input_to_lanes(const Geometry& g, const Plan& p, const float* input, int64_t block,
                    float* dst) {
  const int64_t C = g.in_channels, H = g.image[0], W = g.image[1];
  if (p.hp != H || p.wp != W) std::fill(dst, dst + p.in_block, 0.0f);
  to_lanes(g, input, C * H * W, block, placed_rows(C, H, W, p.hp, p.wp, g.pad[0], g.pad[1]),
           dst);
}

// Outputs (or their gradient) and [OC][OH][OW][16], both ways.
void output_to_lanes(const Geometry& g, const float* planes, int64_t block, float* dst) {
  const int64_t OC = g.out_channels, OH = g.output[0], OW = g.output[1];
  to_lanes(g, planes, OC * OH * OW, block, placed_rows(OC, OH, OW, OH, OW, 0, 0), dst);
}

void lanes_to_output(const Geometry& g, const float* src, int64_t block, float* planes) {
  const int64_t OC = g.out_channels, OH = g.output[0], OW = g.output[1];
  from_lanes(g, src, placed_rows(OC, OH, OW, OH, OW, 0, 0), OC * OH * OW, block, planes);
}

// Grad-input's copies: the output gradient into [OC][OH][gy_width][16] (zeros past OW),
// and the padded input gradient's interior back out.
void grad_output_to_lanes(const Geometry& g, const Plan& p, const float* planes,
                          int64_t block, float* dst) {
  const int64_t OC = g.out_channels, OH = g.output[0], OW = g.output[1];
  if (p.gy_width != OW) std::fill(dst, dst + p.gy_block, 0.0f);
  to_lanes(g, planes, OC * OH * OW, block, placed_rows(OC, OH, OW, OH, p.gy_width, 0, 0),
           dst);
}

void lanes_to_grad_input(const Geometry& g, const Plan& p, const float* src, int64_t block,
                         float* planes) {
  const int64_t C = g.in_channels, H = g.image[0], W = g.image[1];
  from_lanes(g, src, placed_rows(C, H, W, p.hp, p.gx_width, g.pad[0], g.pad[1]), C * H * W,
             block, planes);
}

// F filters x X output columns of one output row, over every (channel, ky, kx): each
// tap loads X + 0 input vectors shared by the F filters (the X columns read X + kx).
// `x` points at the block's input row oy of channel 0, column x0; `w` at filter o's taps;
// `y` at output (o, oy, x0) in lanes layout.
template <int F, int X>
void forward_step(const Geometry& g, const Plan& p, const float* x, const float* w, float* y) {
  const int64_t C = g.in_channels, KH = g.kernel[0], KW = g.kernel[1];
  const int64_t w_filter = C * KH * KW, channel = p.hp * p.wp * kLanes;
  const int64_t y_filter = g.output_size() * kLanes;
  __m512 acc[F][X];
  for (int f = 0; f < F; ++f)
    for (int j = 0; j < X; ++j) acc[f][j] = _mm512_setzero_ps();
  for (int64_t c = 0; c < C; ++c)
    for (int64_t ky = 0; ky < KH; ++ky) {
      const float* row = x + c * channel + ky * p.wp * kLanes;
      const float* taps = w + (c * KH + ky) * KW;
      for (int64_t kx = 0; kx < KW; ++kx) {
        __m512 wv[F];
        for (int f = 0; f < F; ++f) wv[f] = _mm512_set1_ps(taps[f * w_filter + kx]);
        for (int j = 0; j < X; ++j) {
          const __m512 v = _mm512_loadu_ps(row + (j + kx) * kLanes);
          for (int f = 0; f < F; ++f) acc[f][j] = _mm512_fmadd_ps(wv[f], v, acc[f][j]);
        }
      }
    }
  for (int f = 0; f < F; ++f)
    for (int j = 0; j < X; ++j) _mm512_storeu_ps(y + f * y_filter + j * kLanes, acc[f][j]);
}

template <int F>
void forward_columns(const Geometry& g, const Plan& p, int64_t columns, const float* x,
                     const float* w, float* y) {
  switch (columns) {
    case 8: return forward_step<F, 8>(g, p, x, w, y);
    case 7: return forward_step<F, 7>(g, p, x, w, y);
    case 6: return forward_step<F, 6>(g, p, x, w, y);
    case 5: return forward_step<F, 5>(g, p, x, w, y);
    case 4: return forward_step<F, 4>(g, p, x, w, y);
    case 3: return forward_step<F, 3>(g, p, x, w, y);
    case 2: return forward_step<F, 2>(g, p, x, w, y);
    default: return forward_step<F, 1>(g, p, x, w, y);
  }
}

// One block: `x` its input in lanes layout, `y` its output in lanes layout.
void forward_block(const Geometry& g, const Plan& p, const float* x, const float* w, float* y) {
  const int64_t OC = g.out_channels, OH = g.output[0], OW = g.output[1];
  const int64_t w_filter = g.in_channels * g.kernel_size();
  for (int64_t o = 0; o < OC;) {
    const int f = OC - o >= kFilters ? kFilters : static_cast<int>(OC - o);
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t x0 = 0; x0 < OW; x0 += kColumns) {
        const int64_t cols = std::min<int64_t>(kColumns, OW - x0);
        const float* xr = x + (oy * p.wp + x0) * kLanes;
        float* yr = y + ((o * OH + oy) * OW + x0) * kLanes;
        const float* wo = w + o * w_filter;
        if (f == 3) forward_columns<3>(g, p, cols, xr, wo, yr);
        else if (f == 2) forward_columns<2>(g, p, cols, xr, wo, yr);
        else forward_columns<1>(g, p, cols, xr, wo, yr);
      }
    o += f;
  }
}

// The sum of v's 16 lanes (GCC 12's _mm512_reduce_add_ps warns inside its header).
float lane_sum(__m512 v) {
  const __m256 lo = _mm512_castps512_ps256(v);
  const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  const __m256 s8 = _mm256_add_ps(lo, hi);
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  s4 = _mm_add_ss(s4, _mm_movehdup_ps(s4));
  return _mm_cvtss_f32(s4);
}

// Grad-filters: F filters x K kernel columns (kx0 .. kx0 + K) of one (channel, ky), summed
// over the chunk's blocks, every output pixel and the 16 lanes, added into `gw` (at
// filter o's (c, ky, kx0)).
template <int F, int K>
void filters_step(const Geometry& g, const Plan& p, const float* x, const float* gy,
                  int64_t blocks, float* gw) {
  const int64_t OH = g.output[0], OW = g.output[1];
  const int64_t gy_filter = g.output_size() * kLanes;
  const int64_t w_filter = g.in_channels * g.kernel_size();
  __m512 acc[F][K];
  for (int f = 0; f < F; ++f)
    for (int k = 0; k < K; ++k) acc[f][k] = _mm512_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    const float* xb = x + b * p.in_block;
    const float* gb = gy + b * p.out_block;
    for (int64_t oy = 0; oy < OH; ++oy) {
      const float* xr = xb + oy * p.wp * kLanes;
      const float* gr = gb + oy * OW * kLanes;
      for (int64_t ox = 0; ox < OW; ++ox) {
        __m512 d[F];
        for (int f = 0; f < F; ++f) d[f] = _mm512_loadu_ps(gr + f * gy_filter + ox * kLanes);
        for (int k = 0; k < K; ++k) {
          const __m512 v = _mm512_loadu_ps(xr + (ox + k) * kLanes);
          for (int f = 0; f < F; ++f) acc[f][k] = _mm512_fmadd_ps(d[f], v, acc[f][k]);
        }
      }
    }
  }
  for (int f = 0; f < F; ++f)
    for (int k = 0; k < K; ++k) gw[f * w_filter + k] += lane_sum(acc[f][k]);
}

template <int F>
void filters_columns(const Geometry& g, const Plan& p, int64_t k, const float* x,
                     const float* gy, int64_t blocks, float* gw) {
  switch (k) {
    case 5: return filters_step<F, 5>(g, p, x, gy, blocks, gw);
    case 4: return filters_step<F, 4>(g, p, x, gy, blocks, gw);
    case 3: return filters_step<F, 3>(g, p, x, gy, blocks, gw);
    case 2: return filters_step<F, 2>(g, p, x, gy, blocks, gw);
    default: return filters_step<F, 1>(g, p, x, gy, blocks, gw);
  }
}

// Filters [o_begin, o_end) of gw, from the chunk of `blocks` blocks at x and gy.
void filters_chunk(const Geometry& g, const Plan& p, const float* x, const float* gy,
                   int64_t blocks, int64_t o_begin, int64_t o_end, float* gw) {
  const int64_t C = g.in_channels, KH = g.kernel[0], KW = g.kernel[1];
  const int64_t w_filter = C * KH * KW, channel = p.hp * p.wp * kLanes;
  for (int64_t o = o_begin; o < o_end;) {
    const int f = o_end - o >= kGradFilters ? kGradFilters : static_cast<int>(o_end - o);
    const float* go = gy + o * g.output_size() * kLanes;
    for (int64_t c = 0; c < C; ++c)
      for (int64_t ky = 0; ky < KH; ++ky)
        for (int64_t kx = 0; kx < KW; kx += kTapColumns) {
          const int64_t k = std::min<int64_t>(kTapColumns, KW - kx);
          const float* xs = x + c * channel + (ky * p.wp + kx) * kLanes;
          float* out = gw + o * w_filter + (c * KH + ky) * KW + kx;
          if (f == 4) filters_columns<4>(g, p, k, xs, go, blocks, out);
          else if (f == 3) filters_columns<3>(g, p, k, xs, go, blocks, out);
          else if (f == 2) filters_columns<2>(g, p, k, xs, go, blocks, out);
          else filters_columns<1>(g, p, k, xs, go, blocks, out);
        }
    o += f;
  }
}

// Grad-input: CB channels of one padded input-gradient row iy, from the 8 output-gradient
// columns o0 .. o0 + 8 of every filter and every ky whose output row iy - ky exists. Column
// o0 + j of the gradient reaches input columns o0 + j + kx: with KW known at compile time
// the 8 + KW - 1 sums per channel stay in registers and only real products are computed.
// Added into `gx` (the block's gradient at channel c, row iy, column o0).
template <int KW, int CB>
void grad_input_step(const Geometry& g, const Plan& p, const float* gy, const float* w,
                     int64_t iy, int64_t o0, float* gx) {
  constexpr int A = kGradColumns + KW - 1;
  const int64_t OC = g.out_channels, KH = g.kernel[0], OH = g.output[0];
  const int64_t w_channel = KH * KW, w_filter = g.in_channels * w_channel;
  const int64_t gy_filter = OH * p.gy_width * kLanes, gx_channel = p.hp * p.gx_width * kLanes;
  const int64_t ky_lo = std::max<int64_t>(0, iy - (OH - 1)), ky_hi = std::min(KH - 1, iy);
  __m512 acc[CB][A];
  for (int c = 0; c < CB; ++c)
    for (int a = 0; a < A; ++a) acc[c][a] = _mm512_setzero_ps();
  for (int64_t o = 0; o < OC; ++o)
    for (int64_t ky = ky_lo; ky <= ky_hi; ++ky) {
      const float* row = gy + o * gy_filter + ((iy - ky) * p.gy_width + o0) * kLanes;
      const float* wk = w + o * w_filter + ky * KW;
      for (int j = 0; j < kGradColumns; ++j) {
        const __m512 v = _mm512_loadu_ps(row + j * kLanes);
        for (int c = 0; c < CB; ++c)
          for (int kx = 0; kx < KW; ++kx)
            acc[c][j + kx] =
                _mm512_fmadd_ps(_mm512_set1_ps(wk[c * w_channel + kx]), v, acc[c][j + kx]);
      }
    }
  for (int c = 0; c < CB; ++c)
    for (int a = 0; a < A; ++a) {
      float* at = gx + c * gx_channel + a * kLanes;
      _mm512_storeu_ps(at, _mm512_add_ps(_mm512_loadu_ps(at), acc[c][a]));
    }
}

// Channels per step: as many as keep (8 + KW - 1) x CB sums within 24 registers.
template <int KW>
void grad_input_block_kw(const Geometry& g, const Plan& p, const float* gy, const float* w,
                         float* gx) {
  constexpr int CB = std::max(1, 24 / (int(kGradColumns) + KW - 1));
  const int64_t C = g.in_channels, KH = g.kernel[0];
  const int64_t gx_channel = p.hp * p.gx_width * kLanes;
  std::fill(gx, gx + p.gx_block, 0.0f);
  for (int64_t c = 0; c < C; c += CB) {
    const bool whole = C - c >= CB;
    for (int64_t iy = 0; iy < p.hp; ++iy)
      for (int64_t o0 = 0; o0 < p.gy_width; o0 += kGradColumns) {
        float* at = gx + c * gx_channel + (iy * p.gx_width + o0) * kLanes;
        const float* wc = w + c * KH * KW;
        if (whole) grad_input_step<KW, CB>(g, p, gy, wc, iy, o0, at);
        else
          for (int64_t cc = c; cc < C; ++cc)
            grad_input_step<KW, 1>(g, p, gy, w + cc * KH * KW, iy, o0,
                                   at + (cc - c) * gx_channel);
      }
  }
}

void grad_input_block(const Geometry& g, const Plan& p, const float* gy, const float* w,
                      float* gx) {
  switch (g.kernel[1]) {
    case 1: return grad_input_block_kw<1>(g, p, gy, w, gx);
    case 2: return grad_input_block_kw<2>(g, p, gy, w, gx);
    case 3: return grad_input_block_kw<3>(g, p, gy, w, gx);
    case 4: return grad_input_block_kw<4>(g, p, gy, w, gx);
    case 5: return grad_input_block_kw<5>(g, p, gy, w, gx);
    case 6: return grad_input_block_kw<6>(g, p, gy, w, gx);
    default: return grad_input_block_kw<7>(g, p, gy, w, gx);
  }
}

#pragma GCC pop_options
#endif  // THEON_AVX512_KERNELS

}  // namespace

bool supports(const Geometry& g) {
#ifdef THEON_AVX512_KERNELS
  if (!avx512_enabled() || g.spatial != 2 || g.groups != 1) return false;
  for (int a = 0; a < 2; ++a)
    if (g.stride[a] != 1 || g.dilation[a] != 1) return false;
  return g.macs() > 0;
#else
  (void)g;
  return false;
#endif
}

bool supports_grad_input(const Geometry& g) {
  return supports(g) && g.kernel[1] <= kMaxGradKernelWidth;
}

void grad_input(const Geometry& g, const float* grad_output, const float* filters,
                float* grad_input) {
#ifdef THEON_AVX512_KERNELS
  const Plan p = plan_of(g);
  const int tasks = static_cast<int>(std::min<int64_t>(max_threads(), p.blocks));
  parallel_for(tasks, [&](int task) {
    thread_local std::vector<float> gy, gx;
    grow(gy, p.gy_block);
    grow(gx, p.gx_block);
    for (int64_t b = p.blocks * task / tasks; b < p.blocks * (task + 1) / tasks; ++b) {
      grad_output_to_lanes(g, p, grad_output, b, gy.data());
      grad_input_block(g, p, gy.data(), filters, gx.data());
      lanes_to_grad_input(g, p, gx.data(), b, grad_input);
    }
  });
#else
  (void)g, (void)grad_output, (void)filters, (void)grad_input;
#endif
}

int64_t block_bytes(const Geometry& g) {
  return plan_of(g).in_block * static_cast<int64_t>(sizeof(float));
}

void forward(const Geometry& g, const float* input, const float* filters, float* output) {
#ifdef THEON_AVX512_KERNELS
  const Plan p = plan_of(g);
  const int tasks = static_cast<int>(std::min<int64_t>(max_threads(), p.blocks));
  parallel_for(tasks, [&](int task) {
    // Per-thread buffers, grown once: the steady state allocates nothing.
    thread_local std::vector<float> in, out;
    grow(in, p.in_block);
    grow(out, p.out_block);
    for (int64_t b = p.blocks * task / tasks; b < p.blocks * (task + 1) / tasks; ++b) {
      input_to_lanes(g, p, input, b, in.data());
      forward_block(g, p, in.data(), filters, out.data());
      lanes_to_output(g, out.data(), b, output);
    }
  });
#else
  (void)g, (void)input, (void)filters, (void)output;
#endif
}

void grad_filters(const Geometry& g, const float* input, const float* grad_output,
                  float* grad_filters) {
#ifdef THEON_AVX512_KERNELS
  const Plan p = plan_of(g);
  // The whole batch in lanes layout, owned by the calling thread; the tasks only read it.
  // (Named through pointers: inside the tasks a thread_local name is the task thread's.)
  thread_local std::vector<float> in_lanes, gy_lanes;
  grow(in_lanes, p.blocks * p.in_block);
  grow(gy_lanes, p.blocks * p.out_block);
  float* const in = in_lanes.data();
  float* const gy = gy_lanes.data();
  const int copiers = static_cast<int>(std::min<int64_t>(max_threads(), p.blocks));
  parallel_for(copiers, [&](int task) {
    for (int64_t b = p.blocks * task / copiers; b < p.blocks * (task + 1) / copiers; ++b) {
      input_to_lanes(g, p, input, b, in + b * p.in_block);
      output_to_lanes(g, grad_output, b, gy + b * p.out_block);
    }
  });
  // Threads take ranges of filters (each writes its own rows of grad_filters).
  const int64_t OC = g.out_channels, w_filter = g.in_channels * g.kernel_size();
  const int64_t steps = (OC + kGradFilters - 1) / kGradFilters;
  const int tasks = static_cast<int>(std::min<int64_t>(max_threads(), steps));
  parallel_for(tasks, [&](int task) {
    const int64_t o_begin = std::min(OC, steps * task / tasks * kGradFilters);
    const int64_t o_end = std::min(OC, steps * (task + 1) / tasks * kGradFilters);
    std::fill(grad_filters + o_begin * w_filter, grad_filters + o_end * w_filter, 0.0f);
    for (int64_t b = 0; b < p.blocks; b += kBlocksPerChunk)
      filters_chunk(g, p, in + b * p.in_block, gy + b * p.out_block,
                    std::min(kBlocksPerChunk, p.blocks - b), o_begin, o_end, grad_filters);
  });
#else
  (void)g, (void)input, (void)grad_output, (void)grad_filters;
#endif
}

}  // namespace theon::detail::conv::lanes
