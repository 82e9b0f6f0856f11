// Convolution (Theano's theano.tensor.nnet.abstract_conv), in theon::tensor::nnet.
//
// Layouts are Theano's: an input (batch, channels, rows, cols) (3-d: with depth first
// among the spatial axes), filters (out_channels, channels / num_groups, rows, cols),
// an output (batch, out_channels, out_rows, out_cols). Along each spatial axis the
// output has (in + 2 pad - dilation (k - 1) - 1) // stride + 1 entries, where pad is
// 0 for "valid", dilation (k - 1) for "full", dilation (k // 2) for "half", or given
// (one int for every axis, or one per axis). With filter_flip (the default) the filters
// are flipped along every spatial axis (true convolution, as Theano); without, the op is
// a cross-correlation. num_groups splits the channels into groups that do not mix.
// float32 and float64 only; an integer operand is a TypeError, float32 with float64
// computes in float64. A dilated kernel larger than the padded image is a ValueError.
//
// Shape hints (input_shape, filter_shape; an entry std::nullopt where unknown) are
// checked when the function runs: a mismatch is a ShapeError naming the hint and the
// actual shape.
//
// The forward pass, its gradient with respect to the inputs and with respect to the
// filters are three ops, each differentiable through the other two (so second
// derivatives work); docs/conv.md says more and docs/conv_algorithms.md which algorithm
// runs.
//
//   namespace nnet = theon::tensor::nnet;
//   auto x = T::ftensor4("x"), w = T::ftensor4("w");
//   auto y = nnet::conv2d(x, w, {}, {}, "half");          // same rows and cols as x
//   auto z = nnet::conv2d(x, w, {128, 1, 28, 28}, {20, 1, 5, 5});
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "theon/shape_ops.hpp"
#include "theon/tensor.hpp"

namespace theon::tensor::nnet {

// Theano's border_mode: "valid", "full", "half", one padding for every spatial axis, or
// one per axis. Anything else is a ValueError when the convolution is built.
class BorderMode {
 public:
  enum class Kind { Valid, Full, Half, Explicit };
  BorderMode(const char* mode);
  BorderMode(const std::string& mode);
  BorderMode(int pad) : BorderMode(int64_t{pad}) {}
  BorderMode(int64_t pad);
  BorderMode(std::vector<int64_t> pads);
  BorderMode(std::initializer_list<int64_t> pads) : BorderMode(std::vector<int64_t>(pads)) {}

  Kind kind() const { return kind_; }
  // Explicit only: one entry (every axis) or one per spatial axis.
  const std::vector<int64_t>& pads() const { return pads_; }
  // The mode as written, for messages; non-empty `unknown()` when the name is not one.
  const std::string& unknown() const { return unknown_; }

 private:
  Kind kind_ = Kind::Valid;
  std::vector<int64_t> pads_;
  std::string unknown_;
};

// A shape hint: empty for none, else one entry per dimension (nullopt where unknown).
using ShapeHint = std::vector<std::optional<int64_t>>;

// The convolution of a batch of images with a bank of filters (Theano's conv2d).
Var conv2d(VarArg input, VarArg filters, ShapeHint input_shape = {}, ShapeHint filter_shape = {},
           BorderMode border_mode = "valid", std::vector<int64_t> subsample = {1, 1},
           bool filter_flip = true, std::vector<int64_t> filter_dilation = {1, 1},
           int64_t num_groups = 1);
// The same on rank-5 operands: (batch, channels, depth, rows, cols).
Var conv3d(VarArg input, VarArg filters, ShapeHint input_shape = {}, ShapeHint filter_shape = {},
           BorderMode border_mode = "valid", std::vector<int64_t> subsample = {1, 1, 1},
           bool filter_flip = true, std::vector<int64_t> filter_dilation = {1, 1, 1},
           int64_t num_groups = 1);

// The gradient of conv2d with respect to its input, given the gradient of its output:
// the "transposed convolution". `input_shape` is the input's full shape (batch,
// channels, rows, cols); only its spatial entries are read (they may be symbolic), and
// they choose among the input lengths that a stride > 1 maps to the same output length.
Var conv2d_grad_wrt_inputs(VarArg output_grad, VarArg filters, const ShapeArg& input_shape,
                           ShapeHint filter_shape = {}, BorderMode border_mode = "valid",
                           std::vector<int64_t> subsample = {1, 1}, bool filter_flip = true,
                           std::vector<int64_t> filter_dilation = {1, 1}, int64_t num_groups = 1);
// The gradient of conv2d with respect to its filters; `filter_shape` is their full shape
// (out_channels, channels / groups, rows, cols), of which the spatial entries are read.
Var conv2d_grad_wrt_weights(VarArg input, VarArg output_grad, const ShapeArg& filter_shape,
                            ShapeHint input_shape = {}, BorderMode border_mode = "valid",
                            std::vector<int64_t> subsample = {1, 1}, bool filter_flip = true,
                            std::vector<int64_t> filter_dilation = {1, 1},
                            int64_t num_groups = 1);
Var conv3d_grad_wrt_inputs(VarArg output_grad, VarArg filters, const ShapeArg& input_shape,
                           ShapeHint filter_shape = {}, BorderMode border_mode = "valid",
                           std::vector<int64_t> subsample = {1, 1, 1}, bool filter_flip = true,
                           std::vector<int64_t> filter_dilation = {1, 1, 1},
                           int64_t num_groups = 1);
Var conv3d_grad_wrt_weights(VarArg input, VarArg output_grad, const ShapeArg& filter_shape,
                            ShapeHint input_shape = {}, BorderMode border_mode = "valid",
                            std::vector<int64_t> subsample = {1, 1, 1}, bool filter_flip = true,
                            std::vector<int64_t> filter_dilation = {1, 1, 1},
                            int64_t num_groups = 1);

// Theano's conv2d_transpose: conv2d_grad_wrt_inputs(input, filters, output_shape, ...)
// with subsample = input_dilation, i.e. the upsampling whose adjoint is conv2d.
Var conv2d_transpose(VarArg input, VarArg filters, const ShapeArg& output_shape,
                     ShapeHint filter_shape = {}, BorderMode border_mode = "valid",
                     std::vector<int64_t> input_dilation = {1, 1}, bool filter_flip = true,
                     std::vector<int64_t> filter_dilation = {1, 1}, int64_t num_groups = 1);

// Theano's get_conv_shape_1axis: the output length of one axis, or nullopt when the
// image or kernel length is unknown. border_mode here is one axis's: "valid", "full",
// "half" or a padding.
std::optional<int64_t> get_conv_shape_1axis(std::optional<int64_t> image_shape,
                                            std::optional<int64_t> kernel_shape,
                                            const BorderMode& border_mode, int64_t subsample,
                                            int64_t dilation = 1);

}  // namespace theon::tensor::nnet
