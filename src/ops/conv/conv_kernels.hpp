// The numeric core of convolution, shared by the conv ops (conv.cpp and friends) and the
// algorithms that compute it (im2col + GEMM, and faster ones for shapes where they win).
//
// Every kernel works on contiguous row-major buffers:
//   input    (batch, in_channels, d0[, d1[, d2]])          "NC + spatial"
//   filters  (out_channels, in_channels / groups, k0, ...)  not flipped: the ops flip
//                                                         filters for filter_flip=True
//   output   (batch, out_channels, o0, ...)
// and computes the cross-correlation
//   out[n, g*Og + o, y] = sum_{c, j} in[n, g*Cg + c, y*stride + j*dilation - pad]
//                                    * filters[g*Og + o, c, j]
// (zero where the input index falls in the padding), with Og = out_channels / groups and
// Cg = in_channels / groups. The gradient kernels compute its two adjoints.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace theon::detail::conv {

inline constexpr int kMaxSpatial = 3;

// One convolution's sizes, already checked (ConvGeometry::make in conv_geometry.cpp
// checks them and their products for overflow). Unused trailing spatial entries are 1
// for sizes, strides and dilations and 0 for padding.
struct Geometry {
  int spatial = 2;  // 2 or 3 spatial dimensions
  int64_t batch = 0, in_channels = 0, out_channels = 0, groups = 1;
  std::array<int64_t, kMaxSpatial> image{1, 1, 1};     // input's spatial lengths
  std::array<int64_t, kMaxSpatial> kernel{1, 1, 1};    // filter's spatial lengths
  std::array<int64_t, kMaxSpatial> output{1, 1, 1};    // output's spatial lengths
  std::array<int64_t, kMaxSpatial> stride{1, 1, 1};    // Theano's subsample
  std::array<int64_t, kMaxSpatial> dilation{1, 1, 1};  // Theano's filter_dilation
  std::array<int64_t, kMaxSpatial> pad{0, 0, 0};       // zeros on both sides

  int64_t channels_per_group() const { return in_channels / groups; }
  int64_t filters_per_group() const { return out_channels / groups; }
  int64_t image_size() const { return image[0] * image[1] * image[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
  int64_t output_size() const { return output[0] * output[1] * output[2]; }
  // Multiply-adds of the forward pass (each gradient costs the same).
  double macs() const {
    return double(batch) * double(out_channels) * double(output_size()) *
           double(channels_per_group()) * double(kernel_size());
  }
  // "batch 128, 1->20 channels, image 28x28, kernel 5x5, stride 1x1, ..." for errors
  // and for the benchmark's labels.
  std::string describe() const;
};

// Entry points the ops call. They pick the algorithm for the geometry and dtype
// (conv_dispatch.cpp says which runs when, and why) and may use several threads.
// Outputs are overwritten, never accumulated into.
template <class T>
void forward(const Geometry& g, const T* input, const T* filters, T* output);
template <class T>
void grad_input(const Geometry& g, const T* grad_output, const T* filters, T* grad_input);
template <class T>
void grad_filters(const Geometry& g, const T* input, const T* grad_output, T* grad_filters);

}  // namespace theon::detail::conv
