// Linear algebra (Theano's theano.tensor.nlinalg and theano.tensor.slinalg), computed by
// LAPACK through OpenBLAS.
//
// Every operation takes matrices (2-d tensors; a TypeError names the op otherwise) of
// float32 or float64; integer and bool inputs are cast to float first (float_of: int8,
// int16, uint8 and bool give float32, wider integers float64), complex ones are a
// TypeError. Results keep the input's float dtype. Stacked (batched) matrices are not
// supported, as in Theano. Ops that need a square matrix throw ShapeError naming the
// shape when the function runs; a matrix LAPACK cannot factor (a singular matrix for
// matrix_inverse or solve, a matrix that is not positive definite for cholesky) throws
// LinAlgError naming the op.
//
//   namespace nl = theon::tensor::nlinalg;
//   namespace sl = theon::tensor::slinalg;
//   auto a = T::dmatrix("a");
//   auto b = T::dvector("b");
//   auto x = sl::solve(a, b);                       // a x = b
//   auto g = T::grad(nl::det(a), {a});              // det(a) * inv(a)^T
//   auto [w, v] = nl::eigh(a);                      // a symmetric: a v = v diag(w)
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "theon/error.hpp"
#include "theon/tensor.hpp"

namespace theon {

// LAPACK could not factor the matrix (numpy.linalg.LinAlgError in Python, which Theano
// programs catch; there it is also a ValueError). The message names the op.
THEON_DECLARE_ERROR(LinAlgError, ValueError);

}  // namespace theon

namespace theon::tensor::nlinalg {

// The inverse of a square matrix (LAPACK getrf + getri). LinAlgError when singular.
// Gradient: -inv(x)^T g inv(x)^T.
Var matrix_inverse(VarArg x);

// The determinant of a square matrix, a scalar (getrf; 1 for a 0x0 matrix).
// Gradient: g det(x) inv(x)^T.
Var det(VarArg x);

// Eigenvalues w and right eigenvectors v (columns, unit length) of a general square
// matrix (geev): x v = v diag(w). Theano's types are real, so a matrix with complex
// eigenvalues throws ValueError (Theano dropped the imaginary parts silently); use eigh
// for symmetric matrices. No gradient, as in Theano.
std::pair<Var, Var> eig(VarArg x);

// Eigenvalues w (ascending) and orthonormal eigenvectors v of a symmetric matrix, read
// from its lower (UPLO "L") or upper ("U") triangle (syevd). Gradient for both outputs
// (the other triangle gets none, as the op never reads it).
std::pair<Var, Var> eigh(VarArg x, std::string_view UPLO = "L");

// Singular value decomposition x = u diag(s) v (gesdd; v is NumPy's vh). Returns
// {u, s, v}, or {s} when compute_uv is false. full_matrices: u is (m, m) and v (n, n),
// otherwise (m, k) and (k, n) with k = min(m, n). No gradient, as in Theano.
std::vector<Var> svd(VarArg x, bool full_matrices = true, bool compute_uv = true);

// The Moore-Penrose pseudo-inverse (gesdd; singular values below 1e-15 times the largest
// count as zero, as numpy.linalg.pinv). Gradient for matrices of constant rank.
Var pinv(VarArg x);

// QR factorization (geqrf + orgqr). mode "reduced" gives {q (m, k), r (k, n)},
// "complete" {q (m, m), r (m, n)}, "r" {r (k, n)}; "raw" is not supported (ValueError).
// No gradient, as in Theano.
std::vector<Var> qr(VarArg x, std::string_view mode = "reduced");

// The sum of the diagonal of a matrix (need not be square).
Var trace(VarArg x);

// Theano's diag: the diagonal of a matrix (offset k), or the square matrix with vector x
// on its k-th diagonal. Other ranks: ValueError.
Var diag(VarArg x, int k = 0);
// The `offset` diagonal of x along axis1 and axis2 (numpy.diagonal), appended as the
// last axis; a copy.
Var diagonal(VarArg x, int offset = 0, int axis1 = 0, int axis2 = 1);
// The main diagonal of a matrix (Theano's extract_diag).
Var extract_diag(VarArg x, int offset = 0);
// The square matrix with vector v on diagonal `offset` and zeros elsewhere.
Var alloc_diag(VarArg v, int offset = 0);

// The order of a norm: a number (numpy's ord, +-infinity included), or the names
// "fro", "nuc", "inf" and "-inf"; unset: the 2-norm of a vector, Frobenius of a matrix.
struct NormOrder {
  NormOrder() = default;
  NormOrder(double p) : number(p) {}
  NormOrder(int p) : number(p) {}
  NormOrder(const char* name) : name(name) {}
  NormOrder(std::string name) : name(std::move(name)) {}
  std::optional<double> number;
  std::string name;
};

// numpy.linalg.norm(x, ord) of a vector or matrix, built from sums, abs and max (so
// differentiable where those are); matrices also take ord 2, -2 and "nuc" (through the
// singular values, without gradient). ValueError for an order NumPy rejects.
Var norm(VarArg x, NormOrder ord = {});

// The product of the matrices, left to right: matrix_dot({a, b, c}) = dot(dot(a, b), c).
Var matrix_dot(const std::vector<Var>& matrices, Loc loc = Loc::current());

// m to the integer power n by repeated squaring; n < 0 inverts m first, n = 0 gives the
// identity of m's shape.
Var matrix_power(VarArg m, int n);

}  // namespace theon::tensor::nlinalg

namespace theon::tensor::slinalg {

// The Cholesky factor of a symmetric positive definite matrix, read from its lower
// (lower = true, x = L L^T, L returned) or upper (x = U^T U, U returned) triangle
// (potrf). LinAlgError when not positive definite. Gradient (Murray 2016) on the
// triangle that was read.
Var cholesky(VarArg x, bool lower = true);

// x with a x = b, b a vector or a matrix of right-hand sides (scipy.linalg.solve).
// assume_a: "gen" (getrf + getrs), "sym" or "her" (sysv, the triangle given by
// `lower`), "pos" (posv). LinAlgError when a is singular (or, for "pos", not positive
// definite). Gradient for a and b.
Var solve(VarArg a, VarArg b, std::string_view assume_a = "gen", bool lower = false);

// x with op(a) x = b for a triangular a (trtrs; the other triangle is not read):
// trans 0 solves a x = b, 1 a^T x = b. unit_diagonal: a's diagonal is taken to be ones.
// LinAlgError when a has a zero on its diagonal. Gradient for a and b.
Var solve_triangular(VarArg a, VarArg b, int trans = 0, bool lower = false,
                     bool unit_diagonal = false);
Var solve_lower_triangular(VarArg a, VarArg b);
Var solve_upper_triangular(VarArg a, VarArg b);
// solve(a, b, "sym"): Theano's solve_symmetric.
Var solve_symmetric(VarArg a, VarArg b);

// The matrix exponential (Pade approximants of degree 3 to 13 with scaling and
// squaring, Higham 2005; computed in float64). Gradient by the exact Frechet
// derivative: the upper-right block of expm([[a^T, g], [0, a^T]]).
Var expm(VarArg a);

// The eigenvalues (ascending) of a symmetric matrix, read from its lower or upper
// triangle; eigh's w, so it has eigh's gradient.
Var eigvalsh(VarArg a, bool lower = true);

// The Kronecker product of vectors or matrices (numpy.kron); a vector operand meeting a
// matrix is a row.
Var kron(VarArg a, VarArg b);

}  // namespace theon::tensor::slinalg
