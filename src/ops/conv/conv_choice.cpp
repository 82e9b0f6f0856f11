// Which convolution algorithm runs which shape. The rules come from bench/conv_ops.cpp's
// measurements on this project's machine (2 Zen 5 cores, AVX-512), recorded with the
// command in docs/conv_algorithms.md; change them only with new numbers.
#include "ops/conv/conv_algorithms.hpp"
#include "theon/config.hpp"

namespace theon::detail::conv {

std::string_view algorithm_name(Algorithm a) {
  switch (a) {
    case Algorithm::Im2col: return "im2col";
    case Algorithm::OneDnn: return "onednn";
    case Algorithm::OneDnnPlain: return "onednn_plain";
    case Algorithm::OneDnnWinograd: return "onednn_winograd";
    case Algorithm::Direct: return "direct";
    case Algorithm::Lanes: return "lanes";
  }
  return "?";
}

std::string_view pass_name(Pass p) {
  switch (p) {
    case Pass::Forward: return "forward";
    case Pass::GradInput: return "grad_input";
    case Pass::GradFilters: return "grad_filters";
  }
  return "?";
}

bool can_run(Algorithm a, const Geometry& g, bool is_float32, Pass pass) {
  switch (a) {
    case Algorithm::Im2col: return true;
    case Algorithm::OneDnn:
    case Algorithm::OneDnnPlain: return is_float32 && onednn::available();
    case Algorithm::OneDnnWinograd:
      return is_float32 && onednn::available() && onednn::winograd_shape(g);
    case Algorithm::Direct: return is_float32 && pass == Pass::Forward && direct::supports(g);
    case Algorithm::Lanes:
      return is_float32 &&
             (pass == Pass::GradInput ? lanes::supports_grad_input(g) : lanes::supports(g));
  }
  return false;
}

namespace {

// oneDNN's blocked layouts hold channels in groups of 16: channel counts that are
// multiples of 16 waste nothing there, and its blocked kernels then beat GEMM (VGG's
// 64 -> 64: every pass). LeNet's 20 -> 50 would be padded to 32 -> 64, and the reorders
// cost as much as they save.
bool fits_blocks(const Geometry& g) {
  return g.channels_per_group() % 16 == 0 && g.filters_per_group() % 16 == 0;
}

// oneDNN's Winograd F(4,3) does 2.25x fewer multiplications than the direct sum for 3x3
// stride-1 filters: 1.5x to 2.3x faster on VGG's 64 -> 64 and CIFAR's 32 -> 64, every pass.
// Measured only where the channels fill blocks of 16 and the output holds a few 4x4 tiles.
bool winograd_pays(const Geometry& g) {
  return onednn::winograd_shape(g) && fits_blocks(g) && g.output[0] >= 8 && g.output[1] >= 8;
}

// The batch-lanes kernels where oneDNN would pad the channels and GEMM's dimensions are
// short: LeNet's 20 -> 50 at 12x12 runs forward at 95 GFLOP/s (oneDNN plain 63),
// grad-input at 93-98 (im2col 54-57) and grad-filters at 85 (oneDNN plain 60). They need
// whole blocks of 16 images and one block's input in L2: VGG's 64-channel 56x56 blocks
// (14 MB) run forward at 36.
bool lanes_pay(const Geometry& g, Pass pass) {
  constexpr int64_t kMaxBlockBytes = 256 * 1024;
  return !fits_blocks(g) && g.channels_per_group() > 4 && g.batch >= 16 &&
         can_run(Algorithm::Lanes, g, true, pass) && lanes::block_bytes(g) <= kMaxBlockBytes;
}

Algorithm measured_choice(const Geometry& g, bool is_float32, Pass pass) {
  // float64: oneDNN has no f64 convolutions and the direct kernel is float32 only.
  if (!is_float32) return Algorithm::Im2col;
  // Few input channels: the direct kernel (LeNet's first layer).
  if (pass == Pass::Forward && can_run(Algorithm::Direct, g, true, pass))
    return Algorithm::Direct;
  if (lanes_pay(g, pass)) return Algorithm::Lanes;
  if (!onednn::available()) return Algorithm::Im2col;
  if (winograd_pays(g)) return Algorithm::OneDnnWinograd;
  if (fits_blocks(g)) return Algorithm::OneDnn;
  switch (pass) {
    case Pass::Forward: return Algorithm::OneDnnPlain;
    // oneDNN's backward-data is no faster than col2im on LeNet's 20 -> 50 and 13x slower
    // on 1 -> 20.
    case Pass::GradInput: return Algorithm::Im2col;
    // With a few input channels GEMM's columns win (LeNet's 1 -> 20); plain oneDNN on
    // 20 -> 50.
    case Pass::GradFilters:
      return g.channels_per_group() <= 4 ? Algorithm::Im2col : Algorithm::OneDnnPlain;
  }
  return Algorithm::Im2col;
}

}  // namespace

Algorithm choose_algorithm(const Geometry& g, bool is_float32, Pass pass) {
  const std::string& forced = config().conv_algorithm;
  for (Algorithm a :
       {Algorithm::Im2col, Algorithm::OneDnn, Algorithm::OneDnnPlain, Algorithm::OneDnnWinograd,
        Algorithm::Direct, Algorithm::Lanes})
    if (forced == algorithm_name(a) && can_run(a, g, is_float32, pass)) return a;
  return measured_choice(g, is_float32, pass);
}

}  // namespace theon::detail::conv
