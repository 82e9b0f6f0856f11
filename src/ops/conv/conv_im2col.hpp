// Convolution as matrix products (the algorithm that runs every shape): the input
// patches of each image become the columns of a matrix (im2col), so that the forward
// pass is filters (out x channels*kernel) times columns, the input gradient is the
// transposed product scattered back (col2im), and the filter gradient is the output
// gradient times the columns' transpose. Products go to the project's cblas (OpenBLAS).
//
// Small images are batched: the columns of several images sit side by side in one
// matrix, so that LeNet's 28x28 (or 8x8) images make GEMMs with a long dimension of about
// a thousand rather than a string of tiny ones. Threads take ranges of the batch (with
// OpenBLAS single-threaded inside them); a batch of one leaves the threads to OpenBLAS.
// Scratch buffers belong to the calling thread and only grow, so repeated calls of one
// geometry allocate nothing.
#pragma once

#include "ops/conv/conv_kernels.hpp"

namespace theon::detail::conv::im2col {

template <class T>
void forward(const Geometry& g, const T* input, const T* filters, T* output);
template <class T>
void grad_input(const Geometry& g, const T* grad_output, const T* filters, T* grad_input);
template <class T>
void grad_filters(const Geometry& g, const T* input, const T* grad_output, T* grad_filters);

// Test knob: the most threads the im2col path uses (0: as many as the pool has).
void set_max_threads(int n);

}  // namespace theon::detail::conv::im2col
