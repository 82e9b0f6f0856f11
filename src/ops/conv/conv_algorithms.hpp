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
// gives it the plain layouts as they are. Each wins on some shapes.
enum class Algorithm { Im2col, OneDnn, OneDnnPlain, Direct };
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
// blocked: oneDNN's own layouts with reorders (Algorithm::OneDnn), else the plain ones.
void forward(const Geometry& g, const float* input, const float* filters, float* output,
             bool blocked = true);
void grad_input(const Geometry& g, const float* grad_output, const float* filters,
                float* grad_input, bool blocked = true);
void grad_filters(const Geometry& g, const float* input, const float* grad_output,
                  float* grad_filters, bool blocked = true);
}  // namespace onednn

namespace direct {
// The AVX-512 direct forward kernel: stride 1, any dilation and padding, meant for few
// input channels per group (LeNet's first layer) where GEMM's inner dimension is short.
bool supports(const Geometry& g);
void forward(const Geometry& g, const float* input, const float* filters, float* output);
}  // namespace direct

}  // namespace theon::detail::conv
