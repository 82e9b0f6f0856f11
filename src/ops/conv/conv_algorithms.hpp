// The convolution algorithms other than im2col + GEMM, each behind the same contract as
// conv_kernels.hpp (contiguous NC + spatial buffers, cross-correlation, outputs
// overwritten), and the per-shape choice between them. conv_dispatch.cpp asks
// choose_algorithm() which one runs; docs/conv_algorithms.md has the measurements behind
// the choice.
#pragma once

#include <string_view>

#include "ops/conv/conv_kernels.hpp"

namespace theon::detail::conv {

// OneDnn lets oneDNN pick its blocked layouts and reorders at the boundary; OneDnnPlain
// gives it the plain layouts as they are; OneDnnWinograd is oneDNN's Winograd F(4,3) for
// 3x3 stride-1 filters (blocked layouts; where oneDNN has no Winograd kernel for the
// shape, its direct one runs). Each wins on some shapes.
enum class Algorithm { Im2col, OneDnn, OneDnnPlain, OneDnnWinograd, Direct, Lanes };
inline bool is_onednn(Algorithm a) {
  return a == Algorithm::OneDnn || a == Algorithm::OneDnnPlain ||
         a == Algorithm::OneDnnWinograd;
}
enum class Pass { Forward, GradInput, GradFilters };

std::string_view algorithm_name(Algorithm a);
std::string_view pass_name(Pass p);

// The algorithm that runs `pass` of `g` on element type float (is_float32) or double:
// THEON_FLAGS=conv_algorithm=... when set and able to run it, else the fastest measured.
Algorithm choose_algorithm(const Geometry& g, bool is_float32, Pass pass);

// Whether `a` can run `pass` of `g` at all (oneDNN: built in, float32 only; direct:
// forward, float32, stride 1, few input channels per group).
bool can_run(Algorithm a, const Geometry& g, bool is_float32, Pass pass);

namespace onednn {
// True when Theon was built with oneDNN (libdnnl-dev).
bool available();
// Primitives (and the buffers they need) are made on the first call for a geometry and
// reused afterwards, so the steady state allocates nothing. Calls may come from several
// threads; one geometry's calls take turns.
// `how` is OneDnn, OneDnnPlain or OneDnnWinograd.
void forward(const Geometry& g, const float* input, const float* filters, float* output,
             Algorithm how = Algorithm::OneDnn);
void grad_input(const Geometry& g, const float* grad_output, const float* filters,
                float* grad_input, Algorithm how = Algorithm::OneDnn);
void grad_filters(const Geometry& g, const float* input, const float* grad_output,
                  float* grad_filters, Algorithm how = Algorithm::OneDnn);
// Whether Winograd applies to g at all: 2-d, 3x3, stride 1, no dilation, one group.
bool winograd_shape(const Geometry& g);
}  // namespace onednn

namespace direct {
// The AVX-512 direct forward kernel: stride 1, any dilation and padding, meant for few
// input channels per group (LeNet's first layer) where GEMM's inner dimension is short.
bool supports(const Geometry& g);
void forward(const Geometry& g, const float* input, const float* filters, float* output);
}  // namespace direct

namespace lanes {
// The batch-lanes AVX-512 kernels (conv_lanes.cpp): 16 images in the 16 lanes of a
// vector; 2-d, one group, stride 1, no dilation, any padding; grad-input also needs
// kernels at most 7 wide (supports_grad_input).
bool supports(const Geometry& g);
bool supports_grad_input(const Geometry& g);
void grad_input(const Geometry& g, const float* grad_output, const float* filters,
                float* grad_input);
void forward(const Geometry& g, const float* input, const float* filters, float* output);
void grad_filters(const Geometry& g, const float* input, const float* grad_output,
                  float* grad_filters);
// Bytes of one block of 16 images in the kernels' layout (input channels, padded image).
int64_t block_bytes(const Geometry& g);
}  // namespace lanes

}  // namespace theon::detail::conv
