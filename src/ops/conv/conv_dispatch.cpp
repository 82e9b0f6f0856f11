// The entry points of conv_kernels.hpp: empty and degenerate shapes here, then the
// algorithm for the geometry. im2col + GEMM (conv_im2col.cpp) runs every shape; faster
// algorithms plug in here for the shapes where they win (conv_algorithms.hpp, whose
// choice docs/conv_algorithms.md explains).
//
// For the CONVFAST helper: the conv ops (conv_ops.cpp) always pass contiguous buffers
// and an already-checked Geometry (conv_geometry.cpp); they never call with batch, any
// channel count or the output size zero (handled below). conv_kernels.hpp is unchanged.
// im2col::set_max_threads is a test knob for comparing the threaded path with one thread.
#include <algorithm>
#include <type_traits>

#include "ops/conv/conv_algorithms.hpp"
#include "ops/conv/conv_im2col.hpp"
#include "ops/conv/conv_kernels.hpp"

namespace theon::detail::conv {
namespace {

// No products to compute: batch, output size or a channel count is zero.
bool is_empty(const Geometry& g) {
  return g.batch == 0 || g.in_channels == 0 || g.out_channels == 0 || g.output_size() == 0;
}

}  // namespace

template <class T>
void forward(const Geometry& g, const T* input, const T* filters, T* output) {
  if (is_empty(g)) {
    std::fill(output, output + g.batch * g.out_channels * g.output_size(), T(0));
    return;
  }
  if constexpr (std::is_same_v<T, float>) {
    switch (const Algorithm a = choose_algorithm(g, true, Pass::Forward)) {
      case Algorithm::OneDnn:
      case Algorithm::OneDnnPlain:
      case Algorithm::OneDnnWinograd: return onednn::forward(g, input, filters, output, a);
      case Algorithm::Direct: return direct::forward(g, input, filters, output);
      case Algorithm::Lanes: return lanes::forward(g, input, filters, output);
      case Algorithm::Im2col: break;
    }
  }
  im2col::forward(g, input, filters, output);
}

template <class T>
void grad_input(const Geometry& g, const T* grad_output, const T* filters, T* grad_input) {
  if (is_empty(g)) {
    std::fill(grad_input, grad_input + g.batch * g.in_channels * g.image_size(), T(0));
    return;
  }
  if constexpr (std::is_same_v<T, float>) {
    const Algorithm a = choose_algorithm(g, true, Pass::GradInput);
    if (is_onednn(a)) return onednn::grad_input(g, grad_output, filters, grad_input, a);
    if (a == Algorithm::Lanes) return lanes::grad_input(g, grad_output, filters, grad_input);
  }
  im2col::grad_input(g, grad_output, filters, grad_input);
}

template <class T>
void grad_filters(const Geometry& g, const T* input, const T* grad_output, T* grad_filters) {
  if (is_empty(g)) {
    std::fill(grad_filters,
              grad_filters + g.out_channels * g.channels_per_group() * g.kernel_size(), T(0));
    return;
  }
  if constexpr (std::is_same_v<T, float>) {
    const Algorithm a = choose_algorithm(g, true, Pass::GradFilters);
    if (is_onednn(a)) return onednn::grad_filters(g, input, grad_output, grad_filters, a);
    if (a == Algorithm::Lanes) return lanes::grad_filters(g, input, grad_output, grad_filters);
  }
  im2col::grad_filters(g, input, grad_output, grad_filters);
}

template void forward(const Geometry&, const float*, const float*, float*);
template void forward(const Geometry&, const double*, const double*, double*);
template void grad_input(const Geometry&, const float*, const float*, float*);
template void grad_input(const Geometry&, const double*, const double*, double*);
template void grad_filters(const Geometry&, const float*, const float*, float*);
template void grad_filters(const Geometry&, const double*, const double*, double*);

}  // namespace theon::detail::conv
