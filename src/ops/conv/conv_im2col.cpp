#include "ops/conv/conv_im2col.hpp"

#include <cblas.h>
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <vector>

#include "core/parallel.hpp"
#include "theon/error.hpp"

namespace theon::detail::conv::im2col {
namespace {

std::atomic<int> thread_limit{0};

// OpenBLAS's thread count, looked up at run time so that another BLAS (without these
// entry points) still links. Set to 1 while our own threads each run GEMMs: two levels
// of threads on two cores only fight.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas() {
    static auto* get = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    static auto* set =
        reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (!get || !set) return;
    set_ = set;
    before_ = get();
    if (before_ != 1) set_(1);
  }
  ~SingleThreadedBlas() {
    if (set_ && before_ != 1) set_(before_);
  }
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

 private:
  void (*set_)(int) = nullptr;
  int before_ = 1;
};

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              int(m), int(n), int(k), 1.0f, a, int(lda), b, int(ldb), beta, c, int(ldc));
}
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
          const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              int(m), int(n), int(k), 1.0, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

// ceil(a / b) for b > 0 and any a.
int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// Sizes every pass shares.
struct Plan {
  int64_t image, out, taps, rows;  // image and output sizes, kernel taps, rows = Cg * taps
  int64_t per_gemm;                // images whose columns share one matrix
  bool pointwise;                  // 1x1 kernel, stride 1, no padding: the image is its columns
};

Plan make_plan(const Geometry& g) {
  Plan p;
  p.image = g.image_size();
  p.out = g.output_size();
  p.taps = g.kernel_size();
  p.rows = g.channels_per_group() * p.taps;
  p.pointwise = p.taps == 1;
  for (int a = 0; a < g.spatial; ++a)
    p.pointwise = p.pointwise && g.stride[a] == 1 && g.pad[a] == 0;
  // About a thousand columns per GEMM, and at most ~4M elements of columns.
  constexpr int64_t kColumns = 1024, kMaxElements = int64_t{1} << 22;
  p.per_gemm = std::max<int64_t>(1, ceil_div(kColumns, std::max<int64_t>(p.out, 1)));
  p.per_gemm = std::min(p.per_gemm, std::max<int64_t>(1, kMaxElements / std::max<int64_t>(p.rows * p.out, 1)));
  p.per_gemm = std::min(p.per_gemm, std::max<int64_t>(g.batch, 1));
  return p;
}

// The geometry's spatial arrays with the used axes last (a 2-d convolution gets a
// leading axis of length 1), so that the innermost loop runs along the image's rows.
struct Axes3 {
  std::array<int64_t, 3> image, output, kernel, stride, dilation, pad;
};

Axes3 right_aligned(const Geometry& g) {
  Axes3 a{{1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}};
  const int shift = 3 - g.spatial;
  for (int i = 0; i < g.spatial; ++i) {
    a.image[i + shift] = g.image[i];
    a.output[i + shift] = g.output[i];
    a.kernel[i + shift] = g.kernel[i];
    a.stride[i + shift] = g.stride[i];
    a.dilation[i + shift] = g.dilation[i];
    a.pad[i + shift] = g.pad[i];
  }
  return a;
}

// Visits the rows of the column matrix of one image: for each (channel, tap) and each
// output row (all axes but the last), fn(row, dst, inside, src, lo, hi): dst is the offset of
// that output row within the column row, inside false when the whole output row reads
// padding, src the image offset that output column 0 would read, and output columns [lo, hi) read the
// image (column o at src + o * stride) while the others read padding.
template <class Fn>
void for_each_patch_row(const Geometry& g, int64_t channels, Fn&& fn) {
  const Axes3 a = right_aligned(g);
  const auto& I = a.image;
  const auto& O = a.output;
  const auto& K = a.kernel;
  const auto& S = a.stride;
  const auto& D = a.dilation;
  const auto& P = a.pad;
  const int64_t image = g.image_size();
  int64_t row = 0;
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t k0 = 0; k0 < K[0]; ++k0)
      for (int64_t k1 = 0; k1 < K[1]; ++k1)
        for (int64_t k2 = 0; k2 < K[2]; ++k2, ++row) {
          const int64_t off2 = k2 * D[2] - P[2];
          const int64_t lo = std::min(O[2], off2 >= 0 ? 0 : ceil_div(-off2, S[2]));
          const int64_t hi = std::max(lo, std::min(O[2], ceil_div(I[2] - off2, S[2])));
          for (int64_t o0 = 0; o0 < O[0]; ++o0) {
            const int64_t x0 = o0 * S[0] + k0 * D[0] - P[0];
            for (int64_t o1 = 0; o1 < O[1]; ++o1) {
              const int64_t x1 = o1 * S[1] + k1 * D[1] - P[1];
              const int64_t dst = (o0 * O[1] + o1) * O[2];
              const bool inside = x0 >= 0 && x0 < I[0] && x1 >= 0 && x1 < I[1];
              fn(row, dst, inside, c * image + (x0 * I[1] + x1) * I[2] + off2, lo, hi);
            }
          }
        }
}

// Columns of one image (its group's channels at x) into col, whose rows are ld apart.
template <class T>
void image_to_columns(const Geometry& g, const T* x, T* col, int64_t ld) {
  const int64_t width = g.output[g.spatial - 1], stride = g.stride[g.spatial - 1];
  for_each_patch_row(g, g.channels_per_group(),
                     [&](int64_t row, int64_t dst, bool inside, int64_t src, int64_t lo, int64_t hi) {
                       T* out = col + row * ld + dst;
                       if (!inside) {
                         std::fill(out, out + width, T(0));
                         return;
                       }
                       std::fill(out, out + lo, T(0));
                       if (stride == 1) {
                         std::memcpy(out + lo, x + src + lo, sizeof(T) * (hi - lo));
                       } else {
                         for (int64_t o = lo; o < hi; ++o) out[o] = x[src + o * stride];
                       }
                       std::fill(out + hi, out + width, T(0));
                     });
}

// The adjoint: adds the columns back onto the image (which the caller zeroed).
template <class T>
void columns_to_image(const Geometry& g, const T* col, int64_t ld, T* x) {
  const int64_t stride = g.stride[g.spatial - 1];
  for_each_patch_row(g, g.channels_per_group(),
                     [&](int64_t row, int64_t dst, bool inside, int64_t src, int64_t lo, int64_t hi) {
                       if (!inside) return;
                       const T* in = col + row * ld + dst;
                       if (stride == 1) {
                         for (int64_t o = lo; o < hi; ++o) x[src + o] += in[o];
                       } else {
                         for (int64_t o = lo; o < hi; ++o) x[src + o * stride] += in[o];
                       }
                     });
}

// Per-task scratch, owned by the calling thread's workspace and grown before the tasks
// start (tasks must not throw, and growing is the only thing that could).
template <class T>
struct Scratch {
  std::vector<T> columns, product, partial;
};

template <class T>
std::vector<Scratch<T>>& workspaces(int tasks) {
  thread_local std::vector<Scratch<T>> all;
  if (static_cast<int>(all.size()) < tasks) all.resize(tasks);
  return all;
}

template <class T>
void grow(std::vector<T>& v, int64_t n) {
  if (static_cast<int64_t>(v.size()) < n) v.resize(n);
}

void check_blas_sizes(const Geometry& g, const Plan& p) {
  const int64_t longest =
      std::max({p.rows, p.per_gemm * p.out, p.image, g.out_channels, g.in_channels});
  THEON_CHECK_USER(longest <= INT_MAX, ValueError)
      << "conv: a matrix dimension of " << longest << " exceeds what BLAS can index ("
      << g.describe() << ")";
}

// Runs body(task, begin, end) over ranges of the batch, on threads when there are
// several images, each task with its own scratch. Returns the number of tasks.
template <class T, class Body>
int over_batch(const Geometry& g, std::vector<Scratch<T>>*& scratch, Body&& body,
                int64_t columns, int64_t product, int64_t partial) {
  const int limit = thread_limit.load() > 0 ? thread_limit.load() : max_threads();
  const int tasks = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(limit, g.batch)));
  scratch = &workspaces<T>(tasks);
  for (int t = 0; t < tasks; ++t) {
    grow((*scratch)[t].columns, columns);
    grow((*scratch)[t].product, product);
    grow((*scratch)[t].partial, partial);
  }
  if (tasks == 1) {
    body(0, int64_t{0}, g.batch);
    return 1;
  }
  SingleThreadedBlas single;
  parallel_for(tasks, [&](int t) {
    body(t, g.batch * t / tasks, g.batch * (t + 1) / tasks);
  });
  return tasks;
}

}  // namespace

void set_max_threads(int n) { thread_limit.store(std::max(n, 0)); }

template <class T>
void forward(const Geometry& g, const T* input, const T* filters, T* output) {
  const Plan p = make_plan(g);
  check_blas_sizes(g, p);
  const int64_t C = g.in_channels, OC = g.out_channels, Cg = g.channels_per_group(),
                Og = g.filters_per_group();
  std::vector<Scratch<T>>* scratch = nullptr;
  auto body = [&](int task, int64_t begin, int64_t end) {
    Scratch<T>& s = (*scratch)[task];
    for (int64_t n0 = begin; n0 < end; n0 += p.per_gemm) {
      const int64_t nb = std::min(p.per_gemm, end - n0), ld = nb * p.out;
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        const T* w = filters + grp * Og * p.rows;
        const T* x = input + (n0 * C + grp * Cg) * p.image;
        T* y = output + (n0 * OC + grp * Og) * p.out;
        if (nb == 1) {
          const T* col = x;
          if (!p.pointwise) {
            image_to_columns(g, x, s.columns.data(), p.out);
            col = s.columns.data();
          }
          gemm(false, false, Og, p.out, p.rows, w, p.rows, col, p.out, T(0), y, p.out);
          continue;
        }
        for (int64_t b = 0; b < nb; ++b)
          image_to_columns(g, x + b * C * p.image, s.columns.data() + b * p.out, ld);
        gemm(false, false, Og, ld, p.rows, w, p.rows, s.columns.data(), ld, T(0),
             s.product.data(), ld);
        for (int64_t b = 0; b < nb; ++b)
          for (int64_t o = 0; o < Og; ++o)
            std::memcpy(y + (b * OC + o) * p.out, s.product.data() + o * ld + b * p.out,
                        sizeof(T) * p.out);
      }
    }
  };
  over_batch<T>(g, scratch, body, p.rows * p.per_gemm * p.out,
                p.per_gemm > 1 ? Og * p.per_gemm * p.out : 0, 0);
}

template <class T>
void grad_input(const Geometry& g, const T* grad_output, const T* filters, T* grad_input) {
  const Plan p = make_plan(g);
  check_blas_sizes(g, p);
  const int64_t C = g.in_channels, OC = g.out_channels, Cg = g.channels_per_group(),
                Og = g.filters_per_group();
  std::vector<Scratch<T>>* scratch = nullptr;
  auto body = [&](int task, int64_t begin, int64_t end) {
    Scratch<T>& s = (*scratch)[task];
    if (!p.pointwise)
      std::fill(grad_input + begin * C * p.image, grad_input + end * C * p.image, T(0));
    for (int64_t n0 = begin; n0 < end; n0 += p.per_gemm) {
      const int64_t nb = std::min(p.per_gemm, end - n0), ld = nb * p.out;
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        const T* w = filters + grp * Og * p.rows;
        const T* gy = grad_output + (n0 * OC + grp * Og) * p.out;
        T* gx = grad_input + (n0 * C + grp * Cg) * p.image;
        if (nb == 1) {
          if (p.pointwise) {
            gemm(true, false, p.rows, p.out, Og, w, p.rows, gy, p.out, T(0), gx, p.image);
          } else {
            gemm(true, false, p.rows, p.out, Og, w, p.rows, gy, p.out, T(0), s.columns.data(),
                 p.out);
            columns_to_image(g, s.columns.data(), p.out, gx);
          }
          continue;
        }
        for (int64_t b = 0; b < nb; ++b)
          for (int64_t o = 0; o < Og; ++o)
            std::memcpy(s.product.data() + o * ld + b * p.out, gy + (b * OC + o) * p.out,
                        sizeof(T) * p.out);
        gemm(true, false, p.rows, ld, Og, w, p.rows, s.product.data(), ld, T(0),
             s.columns.data(), ld);
        for (int64_t b = 0; b < nb; ++b) {
          T* image = gx + b * C * p.image;
          if (p.pointwise) {
            for (int64_t c = 0; c < Cg; ++c)
              std::memcpy(image + c * p.image, s.columns.data() + c * ld + b * p.out,
                          sizeof(T) * p.out);
          } else {
            columns_to_image(g, s.columns.data() + b * p.out, ld, image);
          }
        }
      }
    }
  };
  over_batch<T>(g, scratch, body, p.rows * p.per_gemm * p.out,
                p.per_gemm > 1 ? Og * p.per_gemm * p.out : 0, 0);
}

template <class T>
void grad_filters(const Geometry& g, const T* input, const T* grad_output, T* grad_filters) {
  const Plan p = make_plan(g);
  check_blas_sizes(g, p);
  const int64_t C = g.in_channels, OC = g.out_channels, Cg = g.channels_per_group(),
                Og = g.filters_per_group();
  const int64_t total = OC * p.rows;
  std::vector<Scratch<T>>* scratch = nullptr;
  auto body = [&](int task, int64_t begin, int64_t end) {
    Scratch<T>& s = (*scratch)[task];
    // Task 0 sums straight into the output; the others into partial sums added after.
    T* sum = task == 0 ? grad_filters : s.partial.data();
    std::fill(sum, sum + total, T(0));
    for (int64_t n0 = begin; n0 < end; n0 += p.per_gemm) {
      const int64_t nb = std::min(p.per_gemm, end - n0), ld = nb * p.out;
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        const T* x = input + (n0 * C + grp * Cg) * p.image;
        const T* gy = grad_output + (n0 * OC + grp * Og) * p.out;
        T* gw = sum + grp * Og * p.rows;
        if (nb == 1) {
          const T* col = x;
          if (!p.pointwise) {
            image_to_columns(g, x, s.columns.data(), p.out);
            col = s.columns.data();
          }
          gemm(false, true, Og, p.rows, p.out, gy, p.out, col, p.out, T(1), gw, p.rows);
          continue;
        }
        for (int64_t b = 0; b < nb; ++b) {
          image_to_columns(g, x + b * C * p.image, s.columns.data() + b * p.out, ld);
          for (int64_t o = 0; o < Og; ++o)
            std::memcpy(s.product.data() + o * ld + b * p.out, gy + (b * OC + o) * p.out,
                        sizeof(T) * p.out);
        }
        gemm(false, true, Og, p.rows, ld, s.product.data(), ld, s.columns.data(), ld, T(1), gw,
             p.rows);
      }
    }
  };
  const int tasks_used = over_batch<T>(g, scratch, body, p.rows * p.per_gemm * p.out,
                                       p.per_gemm > 1 ? Og * p.per_gemm * p.out : 0, total);
  for (int t = 1; t < tasks_used; ++t) {
    const T* part = (*scratch)[t].partial.data();
    for (int64_t i = 0; i < total; ++i) grad_filters[i] += part[i];
  }
}

template void forward(const Geometry&, const float*, const float*, float*);
template void forward(const Geometry&, const double*, const double*, double*);
template void grad_input(const Geometry&, const float*, const float*, float*);
template void grad_input(const Geometry&, const double*, const double*, double*);
template void grad_filters(const Geometry&, const float*, const float*, float*);
template void grad_filters(const Geometry&, const double*, const double*, double*);

}  // namespace theon::detail::conv::im2col
