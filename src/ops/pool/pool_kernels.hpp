// The numeric kernels of the pooling ops. Inputs may be strided (a View: data and
// PlaneLayout); outputs are contiguous arrays the ops allocate (planes, out...) or
// (planes, image...). Outputs are overwritten, never accumulated into.
//
// Work is split into `tasks` pieces run by parallel_for: the forward kernels (and
// max_grad_grad, whose output has the forward's shape) split the output rows of all
// planes, the kernels that scatter into an image-shaped gradient split whole planes,
// since neighbouring windows may overlap. Any task count gives the same result.
//
// The arg-max of a window is stored relative to the window's origin (which may lie in
// the padding): k = ((i0 - start0) * ws1 + (i1 - start1)) * ws2 + (i2 - start2), an
// int32 whatever the image size (the window's size is checked to fit at build time).
#pragma once

#include <cstdint>

#include "ops/pool/pool_params.hpp"

namespace theon::detail::pool {

template <class T>
struct View {
  const T* data = nullptr;
  PlaneLayout layout;
  const T* plane(int64_t p) const { return data + layout.offset(p); }
};

template <class T>
View<T> view_as(const NDArray& a, int nd) {
  return {a.data<T>(), PlaneLayout::of(a, nd)};
}

// How many tasks a call with this geometry should use: 1 for small calls (waking
// threads costs more than they save), else the pool's size.
int default_tasks(const Geometry& g);

// out = pool(x) in g.mode (any mode on floats; max only on integers).
template <class T>
void forward(const Geometry& g, const View<T>& x, T* out, int tasks);
// Max pooling that also records each window's arg-max (the first maximum in row-major
// order; the first NaN when there is one).
template <class T>
void forward_argmax(const Geometry& g, const View<T>& x, T* out, int32_t* argmax, int tasks);
// gx = gradient of max pooling: gz[o] added at the first element of window o equal to
// maxout[o] (both NaN counts as equal).
template <class T>
void max_grad(const Geometry& g, const View<T>& x, const View<T>& maxout, const View<T>& gz,
              T* gx, int tasks);
// gx = gradient of sum / average pooling (g.mode) for the output gradient gz.
template <class T>
void average_grad(const Geometry& g, const View<T>& gz, T* gx, int tasks);
// ggz[o] = ggx at the element max_grad sends gz[o] to (0 when there is none).
template <class T>
void max_grad_grad(const Geometry& g, const View<T>& x, const View<T>& maxout, const View<T>& ggx,
                   T* ggz, int tasks);
// gx = gz[o] scattered to the recorded arg-max of each window.
template <class T>
void argmax_scatter(const Geometry& g, const View<int32_t>& argmax, const View<T>& gz, T* gx,
                    int tasks);

}  // namespace theon::detail::pool
