#include "ops/pool/pool_kernels.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>

#include "core/parallel.hpp"
#include "ops/pool/pool_fast.hpp"

namespace theon::detail::pool {
namespace {

// One window along slot a: the input elements [begin, end) it covers, its origin
// `start` (negative in the padding) and its length clipped to the padded image (the
// divisor of average_inc_pad).
struct Range {
  int64_t begin, end, start, padded_count;
  int64_t count() const { return end - begin; }
};

inline Range window(const Geometry& g, int a, int64_t o) {
  const int64_t start = o * g.stride[a] - g.pad[a];
  const int64_t end = start + g.ws[a];
  return {std::max<int64_t>(start, 0), std::min(end, g.image[a]), start,
          std::min(end, g.image[a] + g.pad[a]) - start};
}

// [begin, end) of task t when n items are split into `tasks` near-equal pieces.
inline int64_t split_point(int64_t n, int tasks, int t) {
  return n / tasks * t + std::min<int64_t>(t, n % tasks);
}

// body(plane, o0, o1, row) for every output row (all o2 of one (plane, o0, o1)).
template <class F>
void for_rows(const Geometry& g, int tasks, F&& body) {
  const int64_t rows = g.planes * g.out[0] * g.out[1];
  if (rows == 0 || g.out[2] == 0) return;
  const int n = static_cast<int>(std::clamp<int64_t>(tasks, 1, rows));
  parallel_for(n, [&](int t) {
    for (int64_t r = split_point(rows, n, t), end = split_point(rows, n, t + 1); r < end; ++r) {
      const int64_t o1 = r % g.out[1], q = r / g.out[1];
      body(q / g.out[0], q % g.out[0], o1, r);
    }
  });
}

// body(plane) for every plane.
template <class F>
void for_planes(const Geometry& g, int tasks, F&& body) {
  if (g.planes == 0) return;
  const int n = static_cast<int>(std::clamp<int64_t>(tasks, 1, g.planes));
  parallel_for(n, [&](int t) {
    for (int64_t p = split_point(g.planes, n, t), end = split_point(g.planes, n, t + 1); p < end;
         ++p)
      body(p);
  });
}

// body(o0, o1, o2, r0, r1, r2) for every output of one plane, in order.
template <class F>
void for_outputs(const Geometry& g, F&& body) {
  for (int64_t o0 = 0; o0 < g.out[0]; ++o0) {
    const Range r0 = window(g, 0, o0);
    for (int64_t o1 = 0; o1 < g.out[1]; ++o1) {
      const Range r1 = window(g, 1, o1);
      for (int64_t o2 = 0; o2 < g.out[2]; ++o2) body(o0, o1, o2, r0, r1, window(g, 2, o2));
    }
  }
}

template <class T>
constexpr T lowest() {
  if constexpr (std::numeric_limits<T>::has_infinity) return -std::numeric_limits<T>::infinity();
  return std::numeric_limits<T>::lowest();
}

template <class T>
inline bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  return false;
}

// v replaces the running maximum: larger, or the first NaN (which then stays).
template <class T>
inline bool beats(T v, T best) {
  return v > best || (is_nan(v) && !is_nan(best));
}

template <class T>
inline bool matches(T v, T m) {
  return v == m || (is_nan(v) && is_nan(m));
}

// The first element of the window (row-major) matching maxout: its indices, or false
// when none matches.
template <class T>
inline bool find_match(const T* xp, const std::array<int64_t, 3>& s, const Range& r0,
                       const Range& r1, const Range& r2, T m, std::array<int64_t, 3>& at) {
  for (int64_t i0 = r0.begin; i0 < r0.end; ++i0)
    for (int64_t i1 = r1.begin; i1 < r1.end; ++i1)
      for (int64_t i2 = r2.begin; i2 < r2.end; ++i2)
        if (matches(xp[i0 * s[0] + i1 * s[1] + i2 * s[2]], m)) {
          at = {i0, i1, i2};
          return true;
        }
  return false;
}

template <class T>
void forward_row(const Geometry& g, const T* xp, const std::array<int64_t, 3>& s, int64_t o0,
                 int64_t o1, T* o) {
  const Range r0 = window(g, 0, o0), r1 = window(g, 1, o1);
  int64_t o2 = 0;
  if constexpr (std::is_same_v<T, float>) {
    if (g.mode == Mode::Max && r0.count() == 1 && s[2] == 1)
      o2 = fast::max_row_f32(xp + r0.begin * s[0], s[1], r1.begin, r1.end, g.image[2], g.ws[2],
                             g.stride[2], g.pad[2], g.out[2], o);
  }
  for (; o2 < g.out[2]; ++o2) {
    const Range r2 = window(g, 2, o2);
    const int64_t n = r0.count() * r1.count() * r2.count();
    if (n <= 0) {
      o[o2] = T(0);  // an empty window (a zero-length image with padding)
      continue;
    }
    if (g.mode == Mode::Max) {
      T best = lowest<T>();
      for (int64_t i0 = r0.begin; i0 < r0.end; ++i0)
        for (int64_t i1 = r1.begin; i1 < r1.end; ++i1) {
          const T* row = xp + i0 * s[0] + i1 * s[1];
          for (int64_t i2 = r2.begin; i2 < r2.end; ++i2) {
            const T v = row[i2 * s[2]];
            best = beats(v, best) ? v : best;  // a select, not a branch: random data
          }
        }
      o[o2] = best;
    } else if constexpr (std::is_floating_point_v<T>) {
      T sum = 0;
      for (int64_t i0 = r0.begin; i0 < r0.end; ++i0)
        for (int64_t i1 = r1.begin; i1 < r1.end; ++i1) {
          const T* row = xp + i0 * s[0] + i1 * s[1];
          for (int64_t i2 = r2.begin; i2 < r2.end; ++i2) sum += row[i2 * s[2]];
        }
      if (g.mode == Mode::AverageIncPad)
        sum /= static_cast<T>(r0.padded_count * r1.padded_count * r2.padded_count);
      else if (g.mode == Mode::AverageExcPad)
        sum /= static_cast<T>(n);
      o[o2] = sum;
    }
  }
}

// The divisor of one window's contribution in the sum / average modes.
template <class T>
inline T divisor(Mode mode, const Range& r0, const Range& r1, const Range& r2) {
  if (mode == Mode::AverageIncPad)
    return static_cast<T>(r0.padded_count * r1.padded_count * r2.padded_count);
  if (mode == Mode::AverageExcPad) return static_cast<T>(r0.count() * r1.count() * r2.count());
  return T(1);
}

}  // namespace

int default_tasks(const Geometry& g) {
  // Below ~64k input elements one thread finishes before others would wake up.
  const double work = double(g.planes) * double(g.image_size());
  return work < 65536.0 ? 1 : max_threads();
}

template <class T>
void forward(const Geometry& g, const View<T>& x, T* out, int tasks) {
  const std::array<int64_t, 3>& s = x.layout.stride;
  for_rows(g, tasks, [&](int64_t p, int64_t o0, int64_t o1, int64_t row) {
    forward_row(g, x.plane(p), s, o0, o1, out + row * g.out[2]);
  });
}

template <class T>
void forward_argmax(const Geometry& g, const View<T>& x, T* out, int32_t* argmax, int tasks) {
  const std::array<int64_t, 3>& s = x.layout.stride;
  const int64_t w1 = g.ws[1], w2 = g.ws[2];
  for_rows(g, tasks, [&](int64_t p, int64_t o0, int64_t o1, int64_t row) {
    const T* xp = x.plane(p);
    T* o = out + row * g.out[2];
    int32_t* a = argmax + row * g.out[2];
    const Range r0 = window(g, 0, o0), r1 = window(g, 1, o1);
    int64_t o2 = 0;
    if constexpr (std::is_same_v<T, float>) {
      if (r0.count() == 1 && s[2] == 1)
        o2 = fast::argmax_row_f32(xp + r0.begin * s[0], s[1], r1.begin, r1.end,
                                  ((r0.begin - r0.start) * w1 + (r1.begin - r1.start)) * w2,
                                  g.image[2], g.ws[2], g.stride[2], g.pad[2], g.out[2], o, a);
    }
    for (; o2 < g.out[2]; ++o2) {
      const Range r2 = window(g, 2, o2);
      T best = lowest<T>();
      // The first element stands until something beats it (all -inf, or all lowest()).
      int64_t k = ((r0.begin - r0.start) * w1 + (r1.begin - r1.start)) * w2 + (r2.begin - r2.start);
      bool empty = true;
      for (int64_t i0 = r0.begin; i0 < r0.end; ++i0)
        for (int64_t i1 = r1.begin; i1 < r1.end; ++i1) {
          const T* line = xp + i0 * s[0] + i1 * s[1];
          const int64_t k01 = ((i0 - r0.start) * w1 + (i1 - r1.start)) * w2 - r2.start;
          for (int64_t i2 = r2.begin; i2 < r2.end; ++i2) {
            empty = false;
            const T v = line[i2 * s[2]];
            const bool take = beats(v, best);
            best = take ? v : best;
            k = take ? k01 + i2 : k;
          }
        }
      o[o2] = empty ? T(0) : best;
      a[o2] = empty ? -1 : static_cast<int32_t>(k);
    }
  });
}

template <class T>
void max_grad(const Geometry& g, const View<T>& x, const View<T>& maxout, const View<T>& gz,
              T* gx, int tasks) {
  const int64_t image = g.image_size();
  const auto& sx = x.layout.stride;
  const auto& sm = maxout.layout.stride;
  const auto& sg = gz.layout.stride;
  for_planes(g, tasks, [&](int64_t p) {
    T* gp = gx + p * image;
    std::fill(gp, gp + image, T(0));
    const T* xp = x.plane(p);
    const T* mp = maxout.plane(p);
    const T* zp = gz.plane(p);
    for_outputs(g, [&](int64_t o0, int64_t o1, int64_t o2, const Range& r0, const Range& r1,
                       const Range& r2) {
      const T m = mp[o0 * sm[0] + o1 * sm[1] + o2 * sm[2]];
      std::array<int64_t, 3> at;
      if (find_match(xp, sx, r0, r1, r2, m, at))
        gp[(at[0] * g.image[1] + at[1]) * g.image[2] + at[2]] +=
            zp[o0 * sg[0] + o1 * sg[1] + o2 * sg[2]];
    });
  });
}

template <class T>
void average_grad(const Geometry& g, const View<T>& gz, T* gx, int tasks) {
  const int64_t image = g.image_size();
  const auto& sg = gz.layout.stride;
  for_planes(g, tasks, [&](int64_t p) {
    T* gp = gx + p * image;
    std::fill(gp, gp + image, T(0));
    const T* zp = gz.plane(p);
    for_outputs(g, [&](int64_t o0, int64_t o1, int64_t o2, const Range& r0, const Range& r1,
                       const Range& r2) {
      const T v = zp[o0 * sg[0] + o1 * sg[1] + o2 * sg[2]] / divisor<T>(g.mode, r0, r1, r2);
      for (int64_t i0 = r0.begin; i0 < r0.end; ++i0)
        for (int64_t i1 = r1.begin; i1 < r1.end; ++i1) {
          T* line = gp + (i0 * g.image[1] + i1) * g.image[2];
          for (int64_t i2 = r2.begin; i2 < r2.end; ++i2) line[i2] += v;
        }
    });
  });
}

template <class T>
void max_grad_grad(const Geometry& g, const View<T>& x, const View<T>& maxout, const View<T>& ggx,
                   T* ggz, int tasks) {
  const auto& sx = x.layout.stride;
  const auto& sm = maxout.layout.stride;
  const auto& sgg = ggx.layout.stride;
  for_rows(g, tasks, [&](int64_t p, int64_t o0, int64_t o1, int64_t row) {
    const T* xp = x.plane(p);
    const T* mp = maxout.plane(p);
    const T* gp = ggx.plane(p);
    T* o = ggz + row * g.out[2];
    const Range r0 = window(g, 0, o0), r1 = window(g, 1, o1);
    for (int64_t o2 = 0; o2 < g.out[2]; ++o2) {
      const Range r2 = window(g, 2, o2);
      const T m = mp[o0 * sm[0] + o1 * sm[1] + o2 * sm[2]];
      std::array<int64_t, 3> at;
      o[o2] = find_match(xp, sx, r0, r1, r2, m, at)
                  ? gp[at[0] * sgg[0] + at[1] * sgg[1] + at[2] * sgg[2]]
                  : T(0);
    }
  });
}

template <class T>
void argmax_scatter(const Geometry& g, const View<int32_t>& argmax, const View<T>& gz, T* gx,
                    int tasks) {
  const int64_t image = g.image_size();
  const auto& sa = argmax.layout.stride;
  const auto& sg = gz.layout.stride;
  const int64_t w1 = g.ws[1], w2 = g.ws[2];
  // Where arg-max k lies from its window's origin in the contiguous gradient: a table
  // for the usual small windows (a division per output costs more than the scatter).
  constexpr int64_t kTable = 256;
  std::array<int64_t, kTable> delta;
  const bool use_table = g.window_size() <= kTable;
  auto offset_of = [&](int64_t k) {
    return (k / (w1 * w2) * g.image[1] + k / w2 % w1) * g.image[2] + k % w2;
  };
  if (use_table)
    for (int64_t k = 0; k < g.window_size(); ++k) delta[k] = offset_of(k);
  // 2x2 windows, stride 2 both ways, one slice deep, no padding, contiguous rows: whole
  // rows of windows are written by fast::argmax_scatter_row_f32 (no window overlaps
  // another, so writing equals adding onto the zeros).
  const bool rows_of_2x2 = g.ws[0] == 1 && g.pad[0] == 0 && g.ws[1] == 2 && g.stride[1] == 2 &&
                           g.pad[1] == 0 && sa[2] == 1 && sg[2] == 1;
  for_planes(g, tasks, [&](int64_t p) {
    T* gp = gx + p * image;
    std::fill(gp, gp + image, T(0));
    const int32_t* ap = argmax.plane(p);
    const T* zp = gz.plane(p);
    for (int64_t o0 = 0; o0 < g.out[0]; ++o0) {
      const int64_t start0 = o0 * g.stride[0] - g.pad[0];
      for (int64_t o1 = 0; o1 < g.out[1]; ++o1) {
        const int64_t start1 = o1 * g.stride[1] - g.pad[1];
        const int32_t* arow = ap + o0 * sa[0] + o1 * sa[1];
        const T* zrow = zp + o0 * sg[0] + o1 * sg[1];
        // The window origins of this row, in the contiguous gradient.
        T* origin = gp + (start0 * g.image[1] + start1) * g.image[2] - g.pad[2];
        int64_t o2 = 0;
        if constexpr (std::is_same_v<T, float>) {
          if (rows_of_2x2 && start1 + 2 <= g.image[1])
            o2 = fast::argmax_scatter_row_f32(zrow, arow, g.image[2], g.ws[2], g.stride[2],
                                              g.pad[2], g.out[2], origin, g.image[2]);
        }
        for (; o2 < g.out[2]; ++o2) {
          const int64_t k = arow[o2 * sa[2]];
          if (k < 0) continue;  // an empty window
          origin[o2 * g.stride[2] + (use_table ? delta[k] : offset_of(k))] += zrow[o2 * sg[2]];
        }
      }
    }
  });
}

#define THEON_POOL_ANY(T)                                                                       \
  template void forward<T>(const Geometry&, const View<T>&, T*, int);                          \
  template void forward_argmax<T>(const Geometry&, const View<T>&, T*, int32_t*, int);
#define THEON_POOL_FLOAT(T)                                                                     \
  THEON_POOL_ANY(T)                                                                             \
  template void max_grad<T>(const Geometry&, const View<T>&, const View<T>&, const View<T>&, T*, \
                            int);                                                              \
  template void average_grad<T>(const Geometry&, const View<T>&, T*, int);                     \
  template void max_grad_grad<T>(const Geometry&, const View<T>&, const View<T>&,              \
                                 const View<T>&, T*, int);                                     \
  template void argmax_scatter<T>(const Geometry&, const View<int32_t>&, const View<T>&, T*, int);

THEON_POOL_FLOAT(float)
THEON_POOL_FLOAT(double)
THEON_POOL_ANY(int8_t)
THEON_POOL_ANY(int16_t)
THEON_POOL_ANY(int32_t)
THEON_POOL_ANY(int64_t)
THEON_POOL_ANY(uint8_t)

}  // namespace theon::detail::pool
