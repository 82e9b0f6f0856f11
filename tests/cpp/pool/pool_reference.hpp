// A direct reference for pooling, written from Theano's definition rather than from the
// kernels: the image is padded explicitly, windows are enumerated in padded coordinates,
// and everything is computed in float64 on contiguous copies.
#pragma once

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "theon/theon.hpp"

namespace theon::testing {

struct PoolCase {
  Shape shape;                   // the input's
  std::vector<int64_t> ws, stride, pad;  // stride / pad filled in (never empty)
  bool ignore_border = false;
  std::string mode = "max";
  int nd() const { return static_cast<int>(ws.size()); }
  std::string str() const;
};

// Windows along one axis of length n: those starting at j * stride in the padded image
// of length v = n + 2 pad; ignore_border keeps the windows that fit, otherwise a window
// is kept while it starts inside the image and its predecessor did not reach the end.
inline int64_t reference_length(int64_t n, int64_t ws, int64_t stride, int64_t pad, bool ib) {
  const int64_t v = n + 2 * pad;
  int64_t j = 0;
  while (ib ? j * stride + ws <= v : (j * stride < v && (j == 0 || (j - 1) * stride + ws < v))) ++j;
  return j;
}

inline Shape reference_shape(const PoolCase& c) {
  Shape s = c.shape;
  const int lead = static_cast<int>(s.size()) - c.nd();
  for (int d = 0; d < c.nd(); ++d)
    s[lead + d] = reference_length(c.shape[lead + d], c.ws[d], c.stride[d], c.pad[d], c.ignore_border);
  return s;
}

// visit(out_index, elements, padded_count) for every output element (C order): the flat
// indices into x of the window's input elements in row-major order, and the window's
// length within the padded image.
inline void for_each_window(const PoolCase& c,
                            const std::function<void(int64_t, const std::vector<int64_t>&, int64_t)>& visit) {
  const int nd = c.nd();
  const int lead = static_cast<int>(c.shape.size()) - nd;
  const Shape out = reference_shape(c);
  int64_t planes = 1, image = 1, outs = 1;
  for (int d = 0; d < lead; ++d) planes *= c.shape[d];
  for (int d = 0; d < nd; ++d) image *= c.shape[lead + d], outs *= out[lead + d];
  std::vector<int64_t> o(nd, 0), elements;
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t k = 0; k < outs; ++k) {
      int64_t rest = k;
      for (int d = nd - 1; d >= 0; --d) o[d] = rest % out[lead + d], rest /= out[lead + d];
      // Per axis: the padded positions of the window, clipped to the padded image.
      std::vector<std::vector<int64_t>> axis(nd);
      int64_t padded = 1;
      for (int d = 0; d < nd; ++d) {
        const int64_t n = c.shape[lead + d], v = n + 2 * c.pad[d];
        const int64_t start = o[d] * c.stride[d], end = std::min(start + c.ws[d], v);
        padded *= end - start;
        for (int64_t i = start; i < end; ++i)
          if (i >= c.pad[d] && i < c.pad[d] + n) axis[d].push_back(i - c.pad[d]);
      }
      elements.clear();
      std::vector<size_t> at(nd, 0);
      bool any = true;
      for (int d = 0; d < nd; ++d) any = any && !axis[d].empty();
      while (any) {
        int64_t flat = 0;
        for (int d = 0; d < nd; ++d) flat = flat * c.shape[lead + d] + axis[d][at[d]];
        elements.push_back(p * image + flat);
        int d = nd - 1;
        while (d >= 0 && ++at[d] == axis[d].size()) at[d--] = 0;
        if (d < 0) break;
      }
      visit(p * outs + k, elements, padded);
    }
  }
}

inline std::vector<double> flat_values(const NDArray& a) {
  const NDArray d = a.astype(DType::Float64).copy();
  return std::vector<double>(d.data<double>(), d.data<double>() + d.size());
}

// pool(x) in float64.
inline NDArray reference_pool(const PoolCase& c, const NDArray& x) {
  const std::vector<double> xv = flat_values(x);
  const Shape shape = reference_shape(c);
  std::vector<double> out(static_cast<size_t>(shape_size(shape)), 0.0);
  for_each_window(c, [&](int64_t o, const std::vector<int64_t>& e, int64_t padded) {
    if (e.empty()) return;
    double v = c.mode == "max" ? -INFINITY : 0.0;  // max: NaN wins (NumPy's np.max)
    for (int64_t i : e) v = c.mode == "max" ? (std::isnan(xv[i]) ? xv[i] : std::max(v, xv[i])) : v + xv[i];
    if (c.mode == "average_inc_pad") v /= static_cast<double>(padded);
    if (c.mode == "average_exc_pad") v /= static_cast<double>(e.size());
    out[o] = v;
  });
  return array(out, shape);
}

// The gradient of sum(pool(x) * w) with respect to x, in float64: w[o] goes to the
// first maximum of window o (max), or is spread over the window (other modes).
inline NDArray reference_grad(const PoolCase& c, const NDArray& x, const NDArray& w) {
  const std::vector<double> xv = flat_values(x), wv = flat_values(w);
  std::vector<double> gx(xv.size(), 0.0);
  for_each_window(c, [&](int64_t o, const std::vector<int64_t>& e, int64_t padded) {
    if (e.empty()) return;
    if (c.mode == "max") {
      int64_t best = e[0];
      for (int64_t i : e)
        if (xv[i] > xv[best]) best = i;
      gx[best] += wv[o];
      return;
    }
    double share = wv[o];
    if (c.mode == "average_inc_pad") share /= static_cast<double>(padded);
    if (c.mode == "average_exc_pad") share /= static_cast<double>(e.size());
    for (int64_t i : e) gx[i] += share;
  });
  return array(gx, x.shape());
}

inline std::string PoolCase::str() const {
  auto list = [](const std::vector<int64_t>& v) {
    std::string s = "(";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + ")";
  };
  return "shape " + shape_str(shape) + " ws " + list(ws) + " stride " + list(stride) + " pad " +
         list(pad) + (ignore_border ? " ignore_border" : " keep_border") + " mode " + mode;
}

}  // namespace theon::testing
