// Pooling (Theano's theano.tensor.signal.pool), in theon::tensor::signal.
//
// pool_2d pools over the last two axes of an input of any rank >= 2, pool_3d over the
// last three of a rank >= 3 input; the leading axes are batch-like (each slice is pooled
// on its own). Each output element reduces one window of `ws` input elements:
//   window o along an axis covers [o * stride - pad, o * stride - pad + ws)
// and the modes are
//   "max"              the largest input element of the window (padding never wins;
//                      NaN propagates)
//   "sum"              the sum of the window's input elements
//   "average_inc_pad"  sum / (window length clipped to the padded image): padding counts
//   "average_exc_pad"  sum / (number of input elements in the window): padding does not
// Output length along an axis of length n (v = n + 2 * pad):
//   ignore_border=true:   max(0, (v - ws) / stride + 1)           (full windows only)
//   ignore_border=false:  (v - 1) / stride + 1                     if stride >= ws
//                         max(0, (v - 1 - ws + stride) / stride) + 1  otherwise
// (floor division), so ignore_border=false keeps the partial windows at the end.
// pad needs ignore_border=true and pad < ws (as Theano); stride defaults to ws.
//
// Gradients: max pooling sends each output's gradient to the first maximum of its
// window in row-major order (Theano sends it to every element equal to the maximum; see
// docs/pool.md); the other modes spread it over the window. The gradient ops are public
// (max_pool_grad, average_pool_grad, max_pool_grad_grad) and have gradients of their
// own, so second derivatives work. When a compiled function needs both the max pooling
// and its gradient, a rewrite makes the forward pass record each window's arg-max and
// the gradient scatter through it (docs/pool.md).
//
//   namespace S = theon::tensor::signal;
//   auto x = T::ftensor4("x");                           // (batch, channels, rows, cols)
//   auto y = S::pool_2d(x, {2, 2}, /*ignore_border=*/true);  // (batch, channels, rows/2, cols/2)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "theon/tensor.hpp"

namespace theon::tensor::signal {

// A window size, stride or padding: one entry per pooled axis. An empty stride means
// "equal to ws", an empty pad means zeros.
using PoolWindow = std::vector<int64_t>;

// Max pooling of float or integer inputs; the other modes need float inputs. ValueError
// for an unknown mode, a ws or stride below 1, a negative pad, pad >= ws, or a non-zero
// pad with ignore_border=false; TypeError for an input of too small a rank.
Var pool_2d(VarArg input, const PoolWindow& ws, bool ignore_border = false,
            const PoolWindow& stride = {}, const PoolWindow& pad = {},
            const std::string& mode = "max");
Var pool_3d(VarArg input, const PoolWindow& ws, bool ignore_border = false,
            const PoolWindow& stride = {}, const PoolWindow& pad = {},
            const std::string& mode = "max");

// The input with every element that is not the (first) maximum of its window of
// non-overlapping patch_size patches set to zero; the shape is the input's.
Var max_pool_2d_same_size(VarArg input, const PoolWindow& patch_size);

// The gradient ops (Theano's MaxPoolGrad, AveragePoolGrad, DownsampleFactorMaxGradGrad),
// pooling over the last `ws.size()` axes (2 or 3) with the same parameters as the pooling
// they differentiate.
//  - max_pool_grad: x's shape; gz[o] added at the first element of window o equal to
//    maxout[o] (nothing where none is).
//  - average_pool_grad: x's shape; gz[o] (divided by the window's count for the average
//    modes) added at every input element of window o. `mode` is not "max".
//  - max_pool_grad_grad: maxout's shape; ggx read at the element max_pool_grad would
//    write to (0 where none is).
Var max_pool_grad(VarArg x, VarArg maxout, VarArg gz, const PoolWindow& ws, bool ignore_border,
                  const PoolWindow& stride = {}, const PoolWindow& pad = {});
Var average_pool_grad(VarArg x, VarArg gz, const PoolWindow& ws, bool ignore_border,
                      const PoolWindow& stride = {}, const PoolWindow& pad = {},
                      const std::string& mode = "average_inc_pad");
Var max_pool_grad_grad(VarArg x, VarArg maxout, VarArg ggx, const PoolWindow& ws,
                       bool ignore_border, const PoolWindow& stride = {},
                       const PoolWindow& pad = {});

// The output length along one axis of length `n`, by the formulas above.
int64_t pool_output_length(int64_t n, int64_t ws, int64_t stride, int64_t pad, bool ignore_border);

}  // namespace theon::tensor::signal
