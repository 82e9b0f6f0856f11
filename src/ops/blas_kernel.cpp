// The product kernel: CBLAS for float and complex dtypes, plain loops for the others.
// BLAS reads a row-major matrix through one leading dimension and a unit stride along
// the other axis, optionally transposed; a view with that layout (a transpose, a slice
// of rows or columns) is passed in place, anything else is copied first.
#include <cblas.h>

#include <climits>
#include <optional>
#include <type_traits>

#include "ops/blas.hpp"

namespace theon::detail {
namespace {

template <class T>
struct Blas;

template <>
struct Blas<float> {
  static float dot(int n, const float* x, int incx, const float* y, int incy) {
    return cblas_sdot(n, x, incx, y, incy);
  }
  static void gemv(CBLAS_TRANSPOSE t, int m, int n, const float* a, int lda, const float* x,
                   int incx, float* y) {
    cblas_sgemv(CblasRowMajor, t, m, n, 1.0f, a, lda, x, incx, 0.0f, y, 1);
  }
  static void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, const float* a,
                   int lda, const float* b, int ldb, float* c, int ldc) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
  }
};

template <>
struct Blas<double> {
  static double dot(int n, const double* x, int incx, const double* y, int incy) {
    return cblas_ddot(n, x, incx, y, incy);
  }
  static void gemv(CBLAS_TRANSPOSE t, int m, int n, const double* a, int lda, const double* x,
                   int incx, double* y) {
    cblas_dgemv(CblasRowMajor, t, m, n, 1.0, a, lda, x, incx, 0.0, y, 1);
  }
  static void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, const double* a,
                   int lda, const double* b, int ldb, double* c, int ldc) {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
  }
};

// Complex products use the unconjugated routines (dotu, Trans rather than ConjTrans):
// numpy.dot does not conjugate.
template <>
struct Blas<complex64> {
  using T = complex64;
  static T dot(int n, const T* x, int incx, const T* y, int incy) {
    T r;
    cblas_cdotu_sub(n, x, incx, y, incy, &r);
    return r;
  }
  static void gemv(CBLAS_TRANSPOSE t, int m, int n, const T* a, int lda, const T* x, int incx,
                   T* y) {
    const T one(1), zero(0);
    cblas_cgemv(CblasRowMajor, t, m, n, &one, a, lda, x, incx, &zero, y, 1);
  }
  static void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, const T* a, int lda,
                   const T* b, int ldb, T* c, int ldc) {
    const T one(1), zero(0);
    cblas_cgemm(CblasRowMajor, ta, tb, m, n, k, &one, a, lda, b, ldb, &zero, c, ldc);
  }
};

template <>
struct Blas<complex128> {
  using T = complex128;
  static T dot(int n, const T* x, int incx, const T* y, int incy) {
    T r;
    cblas_zdotu_sub(n, x, incx, y, incy, &r);
    return r;
  }
  static void gemv(CBLAS_TRANSPOSE t, int m, int n, const T* a, int lda, const T* x, int incx,
                   T* y) {
    const T one(1), zero(0);
    cblas_zgemv(CblasRowMajor, t, m, n, &one, a, lda, x, incx, &zero, y, 1);
  }
  static void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, const T* a, int lda,
                   const T* b, int ldb, T* c, int ldc) {
    const T one(1), zero(0);
    cblas_zgemm(CblasRowMajor, ta, tb, m, n, k, &one, a, lda, b, ldb, &zero, c, ldc);
  }
};

template <class T>
constexpr bool has_blas = std::is_floating_point_v<T> || ComplexElement<T>;

bool fits_int(int64_t v) { return v >= 0 && v <= INT_MAX; }

// A matrix as BLAS reads it: `trans` means the memory holds its transpose row-major.
struct MatrixArg {
  NDArray array;  // the view itself, or a contiguous copy
  bool trans;
  int ld;
};

std::optional<MatrixArg> blas_layout(const NDArray& m) {
  const int64_t r = m.shape(0), c = m.shape(1);
  const int64_t s0 = m.strides()[0], s1 = m.strides()[1];
  // A length-1 axis is never stepped along, so its stride does not matter.
  if ((c == 1 || s1 == 1) && (r == 1 || s0 >= std::max<int64_t>(c, 1))) {
    const int64_t ld = r == 1 ? std::max<int64_t>(c, 1) : s0;
    if (fits_int(ld)) return MatrixArg{m, false, static_cast<int>(ld)};
  }
  if ((r == 1 || s0 == 1) && (c == 1 || s1 >= std::max<int64_t>(r, 1))) {
    const int64_t ld = c == 1 ? std::max<int64_t>(r, 1) : s1;
    if (fits_int(ld)) return MatrixArg{m, true, static_cast<int>(ld)};
  }
  return std::nullopt;
}

MatrixArg as_blas_matrix(const NDArray& m) {
  if (auto layout = blas_layout(m)) return *layout;
  NDArray c = m.copy();
  return MatrixArg{c, false, static_cast<int>(std::max<int64_t>(c.shape(1), 1))};
}

struct VectorArg {
  NDArray array;
  int inc;
};

// BLAS increments must be positive here: zero (broadcast) is invalid for gemv, and a
// negative one means walking from the other end of the memory.
VectorArg as_blas_vector(const NDArray& v) {
  const int64_t stride = v.strides()[0];
  if (v.shape(0) <= 1) return {v, 1};
  if (stride > 0 && fits_int(stride)) return {v, static_cast<int>(stride)};
  return {v.copy(), 1};
}

template <class T>
void blas_dot(const NDArray& a, const NDArray& b, NDArray& out) {
  using B = Blas<T>;
  T* y = out.data<T>();
  if (a.ndim() == 1 && b.ndim() == 1) {
    VectorArg x = as_blas_vector(a), z = as_blas_vector(b);
    *y = B::dot(static_cast<int>(a.shape(0)), x.array.data<T>(), x.inc, z.array.data<T>(), z.inc);
  } else if (a.ndim() == 2 && b.ndim() == 1) {
    MatrixArg m = as_blas_matrix(a);
    VectorArg x = as_blas_vector(b);
    const int rows = static_cast<int>(a.shape(0)), cols = static_cast<int>(a.shape(1));
    if (!m.trans) {
      B::gemv(CblasNoTrans, rows, cols, m.array.data<T>(), m.ld, x.array.data<T>(), x.inc, y);
    } else {
      B::gemv(CblasTrans, cols, rows, m.array.data<T>(), m.ld, x.array.data<T>(), x.inc, y);
    }
  } else if (a.ndim() == 1 && b.ndim() == 2) {
    // x.B = B^T.x
    VectorArg x = as_blas_vector(a);
    MatrixArg m = as_blas_matrix(b);
    const int rows = static_cast<int>(b.shape(0)), cols = static_cast<int>(b.shape(1));
    if (!m.trans) {
      B::gemv(CblasTrans, rows, cols, m.array.data<T>(), m.ld, x.array.data<T>(), x.inc, y);
    } else {
      B::gemv(CblasNoTrans, cols, rows, m.array.data<T>(), m.ld, x.array.data<T>(), x.inc, y);
    }
  } else {
    MatrixArg ma = as_blas_matrix(a), mb = as_blas_matrix(b);
    const int m = static_cast<int>(a.shape(0)), k = static_cast<int>(a.shape(1));
    const int n = static_cast<int>(b.shape(1));
    B::gemm(ma.trans ? CblasTrans : CblasNoTrans, mb.trans ? CblasTrans : CblasNoTrans, m, n, k,
            ma.array.data<T>(), ma.ld, mb.array.data<T>(), mb.ld, y, std::max(n, 1));
  }
}

// acc + x * y, wrapping around for integers (NumPy's behaviour; signed overflow is
// undefined in C++, so the arithmetic is unsigned) and any(x and y) for bool.
template <class T>
T multiply_add(T acc, T x, T y) {
  if constexpr (std::is_same_v<T, bool>) {
    return acc || (x && y);
  } else if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(
        static_cast<U>(static_cast<U>(acc) + static_cast<U>(x) * static_cast<U>(y)));
  } else {
    return acc + x * y;
  }
}

// Every case as an (m x k) . (k x n) product: a vector a is one row, a vector b one column.
template <class T>
void loop_dot(const NDArray& a, const NDArray& b, NDArray& out) {
  const bool a_vec = a.ndim() == 1, b_vec = b.ndim() == 1;
  const int64_t m = a_vec ? 1 : a.shape(0), k = a_vec ? a.shape(0) : a.shape(1);
  const int64_t n = b_vec ? 1 : b.shape(1);
  const int64_t sa0 = a_vec ? 0 : a.strides()[0], sa1 = a.strides()[a_vec ? 0 : 1];
  const int64_t sb0 = b.strides()[0], sb1 = b_vec ? 0 : b.strides()[1];
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* pc = out.data<T>();
  for (int64_t i = 0; i < m; ++i) {
    T* row = pc + i * n;
    for (int64_t j = 0; j < n; ++j) row[j] = T{};
    // i-k-j order: the innermost loop walks a row of b and of the output.
    for (int64_t p = 0; p < k; ++p) {
      const T x = pa[i * sa0 + p * sa1];
      const T* brow = pb + p * sb0;
      for (int64_t j = 0; j < n; ++j) row[j] = multiply_add(row[j], x, brow[j * sb1]);
    }
  }
}

}  // namespace

void dot_into(const NDArray& a, const NDArray& b, NDArray& out) {
  THEON_ASSERT(a.dtype() == b.dtype() && a.dtype() == out.dtype())
      << "dot_into: dtypes " << dtype_name(a.dtype()) << ", " << dtype_name(b.dtype()) << " -> "
      << dtype_name(out.dtype());
  THEON_ASSERT(a.ndim() >= 1 && a.ndim() <= 2 && b.ndim() >= 1 && b.ndim() <= 2)
      << "dot_into: ranks " << a.ndim() << " and " << b.ndim();
  const int64_t k = a.shape(a.ndim() - 1);
  THEON_ASSERT(k == b.shape(0)) << "dot_into: shapes " << shape_str(a.shape()) << " and "
                                << shape_str(b.shape());
  if (out.size() == 0) return;  // nothing to write (an empty slot reused may have any strides)
  THEON_ASSERT(out.is_contiguous()) << "dot_into: strided output";
  if (k == 0) {  // an empty sum
    out.fill(0);
    return;
  }
  bool small = fits_int(k) && fits_int(a.shape(0)) && fits_int(b.shape(b.ndim() - 1));
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (has_blas<T>) {
      if (small) return blas_dot<T>(a, b, out);
    }
    loop_dot<T>(a, b, out);
  });
}

}  // namespace theon::detail
