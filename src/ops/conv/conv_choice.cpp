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
    case Algorithm::Direct: return "direct";
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
    case Algorithm::Direct: return is_float32 && pass == Pass::Forward && direct::supports(g);
  }
  return false;
}

namespace {

Algorithm measured_choice(const Geometry& g, bool is_float32, Pass pass) {
  // float64: oneDNN has no f64 convolutions and the direct kernel is float32 only.
  if (!is_float32) return Algorithm::Im2col;
  if (can_run(Algorithm::Direct, g, is_float32, pass)) return Algorithm::Direct;
  if (can_run(Algorithm::OneDnn, g, is_float32, pass)) return Algorithm::OneDnn;
  return Algorithm::Im2col;
}

}  // namespace

Algorithm choose_algorithm(const Geometry& g, bool is_float32, Pass pass) {
  const std::string& forced = config().conv_algorithm;
  for (Algorithm a :
       {Algorithm::Im2col, Algorithm::OneDnn, Algorithm::OneDnnPlain, Algorithm::Direct})
    if (forced == algorithm_name(a) && can_run(a, g, is_float32, pass)) return a;
  return measured_choice(g, is_float32, pass);
}

}  // namespace theon::detail::conv
