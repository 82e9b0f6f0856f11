// LAPACK from OpenBLAS, called through the Fortran ABI (trailing underscore, arguments
// by pointer, a hidden length after the arguments for each character argument), with
// overloads on float and double so that the ops are written once as templates.
//
// LAPACK reads matrices in column-major order. A C-contiguous (m, n) array is, to LAPACK,
// its own transpose (n, m) with leading dimension n: ops that can use that fact (inverse,
// Cholesky, triangular solves) work on the row-major data directly; the others copy into
// a column-major work matrix, which LAPACK overwrites anyway.
#pragma once

#include <cblas.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "theon/array.hpp"
#include "theon/error.hpp"

extern "C" {
// clang-format off
void sgetrf_(const int* m, const int* n, float* a, const int* lda, int* ipiv, int* info);
void dgetrf_(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info);
void sgetri_(const int* n, float* a, const int* lda, const int* ipiv, float* work, const int* lwork, int* info);
void dgetri_(const int* n, double* a, const int* lda, const int* ipiv, double* work, const int* lwork, int* info);
void sgesv_(const int* n, const int* nrhs, float* a, const int* lda, int* ipiv, float* b, const int* ldb, int* info);
void dgesv_(const int* n, const int* nrhs, double* a, const int* lda, int* ipiv, double* b, const int* ldb, int* info);
void sgetrs_(const char* trans, const int* n, const int* nrhs, const float* a, const int* lda, const int* ipiv, float* b, const int* ldb, int* info, size_t);
void dgetrs_(const char* trans, const int* n, const int* nrhs, const double* a, const int* lda, const int* ipiv, double* b, const int* ldb, int* info, size_t);
void ssysv_(const char* uplo, const int* n, const int* nrhs, float* a, const int* lda, int* ipiv, float* b, const int* ldb, float* work, const int* lwork, int* info, size_t);
void dsysv_(const char* uplo, const int* n, const int* nrhs, double* a, const int* lda, int* ipiv, double* b, const int* ldb, double* work, const int* lwork, int* info, size_t);
void sposv_(const char* uplo, const int* n, const int* nrhs, float* a, const int* lda, float* b, const int* ldb, int* info, size_t);
void dposv_(const char* uplo, const int* n, const int* nrhs, double* a, const int* lda, double* b, const int* ldb, int* info, size_t);
void spotrf_(const char* uplo, const int* n, float* a, const int* lda, int* info, size_t);
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, size_t);
void strtrs_(const char* uplo, const char* trans, const char* diag, const int* n, const int* nrhs, const float* a, const int* lda, float* b, const int* ldb, int* info, size_t, size_t, size_t);
void dtrtrs_(const char* uplo, const char* trans, const char* diag, const int* n, const int* nrhs, const double* a, const int* lda, double* b, const int* ldb, int* info, size_t, size_t, size_t);
void ssyevd_(const char* jobz, const char* uplo, const int* n, float* a, const int* lda, float* w, float* work, const int* lwork, int* iwork, const int* liwork, int* info, size_t, size_t);
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w, double* work, const int* lwork, int* iwork, const int* liwork, int* info, size_t, size_t);
void sgeev_(const char* jobvl, const char* jobvr, const int* n, float* a, const int* lda, float* wr, float* wi, float* vl, const int* ldvl, float* vr, const int* ldvr, float* work, const int* lwork, int* info, size_t, size_t);
void dgeev_(const char* jobvl, const char* jobvr, const int* n, double* a, const int* lda, double* wr, double* wi, double* vl, const int* ldvl, double* vr, const int* ldvr, double* work, const int* lwork, int* info, size_t, size_t);
void sgesdd_(const char* jobz, const int* m, const int* n, float* a, const int* lda, float* s, float* u, const int* ldu, float* vt, const int* ldvt, float* work, const int* lwork, int* iwork, int* info, size_t);
void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u, const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork, int* info, size_t);
void sgeqrf_(const int* m, const int* n, float* a, const int* lda, float* tau, float* work, const int* lwork, int* info);
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork, int* info);
void sorgqr_(const int* m, const int* n, const int* k, float* a, const int* lda, const float* tau, float* work, const int* lwork, int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau, double* work, const int* lwork, int* info);
// clang-format on
}

namespace theon::detail::lapack {

// LAPACK's integers are 32-bit (OpenBLAS's LP64 interface): a ValueError naming the op
// for a length that does not fit.
int to_int(int64_t n, std::string_view op);
// The size LAPACK reports in work[0] after a workspace query (lwork = -1).
int work_size(double reported, std::string_view op);

// ---- typed overloads: one name for float and double ----
// clang-format off
#define THEON_LAPACK_OVERLOAD(NAME, PARAMS, ARGS) \
  inline void NAME(PARAMS(float)) { s##NAME##_ ARGS; } \
  inline void NAME(PARAMS(double)) { d##NAME##_ ARGS; }

#define P(T) int m, int n, T* a, int lda, int* ipiv, int* info
THEON_LAPACK_OVERLOAD(getrf, P, (&m, &n, a, &lda, ipiv, info))
#undef P
#define P(T) int n, T* a, int lda, const int* ipiv, T* work, int lwork, int* info
THEON_LAPACK_OVERLOAD(getri, P, (&n, a, &lda, ipiv, work, &lwork, info))
#undef P
#define P(T) int n, int nrhs, T* a, int lda, int* ipiv, T* b, int ldb, int* info
THEON_LAPACK_OVERLOAD(gesv, P, (&n, &nrhs, a, &lda, ipiv, b, &ldb, info))
#undef P
#define P(T) char trans, int n, int nrhs, const T* a, int lda, const int* ipiv, T* b, int ldb, int* info
THEON_LAPACK_OVERLOAD(getrs, P, (&trans, &n, &nrhs, a, &lda, ipiv, b, &ldb, info, 1))
#undef P
#define P(T) char uplo, int n, int nrhs, T* a, int lda, int* ipiv, T* b, int ldb, T* work, int lwork, int* info
THEON_LAPACK_OVERLOAD(sysv, P, (&uplo, &n, &nrhs, a, &lda, ipiv, b, &ldb, work, &lwork, info, 1))
#undef P
#define P(T) char uplo, int n, int nrhs, T* a, int lda, T* b, int ldb, int* info
THEON_LAPACK_OVERLOAD(posv, P, (&uplo, &n, &nrhs, a, &lda, b, &ldb, info, 1))
#undef P
#define P(T) char uplo, int n, T* a, int lda, int* info
THEON_LAPACK_OVERLOAD(potrf, P, (&uplo, &n, a, &lda, info, 1))
#undef P
#define P(T) char uplo, char trans, char diag, int n, int nrhs, const T* a, int lda, T* b, int ldb, int* info
THEON_LAPACK_OVERLOAD(trtrs, P, (&uplo, &trans, &diag, &n, &nrhs, a, &lda, b, &ldb, info, 1, 1, 1))
#undef P
#define P(T) char jobz, char uplo, int n, T* a, int lda, T* w, T* work, int lwork, int* iwork, int liwork, int* info
THEON_LAPACK_OVERLOAD(syevd, P, (&jobz, &uplo, &n, a, &lda, w, work, &lwork, iwork, &liwork, info, 1, 1))
#undef P
#define P(T) char jobvl, char jobvr, int n, T* a, int lda, T* wr, T* wi, T* vl, int ldvl, T* vr, int ldvr, T* work, int lwork, int* info
THEON_LAPACK_OVERLOAD(geev, P, (&jobvl, &jobvr, &n, a, &lda, wr, wi, vl, &ldvl, vr, &ldvr, work, &lwork, info, 1, 1))
#undef P
#define P(T) char jobz, int m, int n, T* a, int lda, T* s, T* u, int ldu, T* vt, int ldvt, T* work, int lwork, int* iwork, int* info
THEON_LAPACK_OVERLOAD(gesdd, P, (&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work, &lwork, iwork, info, 1))
#undef P
#define P(T) int m, int n, T* a, int lda, T* tau, T* work, int lwork, int* info
THEON_LAPACK_OVERLOAD(geqrf, P, (&m, &n, a, &lda, tau, work, &lwork, info))
#undef P
#define P(T) int m, int n, int k, T* a, int lda, const T* tau, T* work, int lwork, int* info
THEON_LAPACK_OVERLOAD(orgqr, P, (&m, &n, &k, a, &lda, tau, work, &lwork, info))
#undef P
#undef THEON_LAPACK_OVERLOAD
// clang-format on

// c = a b for column-major a (m, k), b (k, n) and c (m, n), through BLAS.
inline void gemm(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c,
                 int ldc) {
  cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c,
              ldc);
}
inline void gemm(int m, int n, int k, const double* a, int lda, const double* b, int ldb, double* c,
                 int ldc) {
  cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
}

// ---- moving matrices between NumPy's layout and LAPACK's ----

// A column-major copy of the 2-d array `a` (any strides), leading dimension a.shape(0)
// (at least 1, as LAPACK wants).
template <class T>
std::vector<T> to_fortran(const NDArray& a) {
  const int64_t m = a.shape(0), n = a.shape(1);
  std::vector<T> out(static_cast<size_t>(m * n));
  const T* p = a.data<T>();
  const int64_t s0 = a.strides()[0], s1 = a.strides()[1];
  for (int64_t j = 0; j < n; ++j)
    for (int64_t i = 0; i < m; ++i) out[static_cast<size_t>(j * m + i)] = p[i * s0 + j * s1];
  return out;
}

// Writes the column-major (m, n) matrix `src` (leading dimension ld) into the 2-d `out`.
template <class T>
void from_fortran(const T* src, int64_t ld, NDArray& out) {
  const int64_t m = out.shape(0), n = out.shape(1);
  T* p = out.data<T>();
  const int64_t s0 = out.strides()[0], s1 = out.strides()[1];
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) p[i * s0 + j * s1] = src[j * ld + i];
}

// Leading dimensions must be at least 1 even for empty matrices.
inline int ld(int64_t rows) { return rows > 1 ? static_cast<int>(rows) : 1; }

}  // namespace theon::detail::lapack
