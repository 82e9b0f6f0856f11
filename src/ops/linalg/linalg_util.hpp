// Helpers shared by the linear-algebra ops: argument checks, the errors they throw, and
// the structural ops (triangles, diagonals) that their gradients are made of.
#pragma once

#include <string_view>

#include "theon/linalg.hpp"

namespace theon::detail {

// x as a float matrix for `op`: TypeError unless it has two dimensions and a real dtype;
// integers and bool are cast to float_of(dtype).
Var float_matrix(std::string_view op, const VarArg& x);
// The same for a vector or a matrix (right-hand sides).
Var float_vector_or_matrix(std::string_view op, const VarArg& x);

// ShapeError unless the run-time value is square: "op: expects a square matrix, got (2, 3)".
void check_square(std::string_view op, const NDArray& a);
// LinAlgError: "op: <what>", e.g. "matrix_inverse: matrix is singular".
[[noreturn]] void throw_linalg(std::string_view op, std::string_view what);

// Calls f(T{}) with T the C++ type of a float dtype (the ops only ever see float32 and
// float64, which their public functions ensure).
template <class F>
void visit_float(DType dtype, std::string_view op, F&& f) {
  if (dtype == DType::Float32) return f(float{});
  THEON_ASSERT(dtype == DType::Float64) << op << " on " << dtype_name(dtype);
  f(double{});
}

// x^T as a view (dimshuffle (1, 0)).
Var transpose_at(const Var& x, const Loc& loc);
// numpy.tril(x, k) and numpy.triu(x, k) of a matrix.
Var tril_at(const Var& x, int k, const Loc& loc);
Var triu_at(const Var& x, int k, const Loc& loc);
// The k-th diagonal of a matrix, and the square matrix with a vector on its k-th diagonal.
Var extract_diag_at(const Var& x, int k, const Loc& loc);
Var alloc_diag_at(const Var& v, int k, const Loc& loc);
// What solve may assume of its matrix a: nothing (LU), symmetry (LDL^T), positive
// definiteness (Cholesky), or a triangle (the one `lower` names; the other is not read).
enum class MatrixStructure { General, Symmetric, Positive, Triangular };
// The Solve node for a x = b (a, b already float of one dtype).
Var solve_at(const Var& a, const Var& b, MatrixStructure structure, bool lower, bool unit_diagonal,
             const Loc& loc);

// g cast to x's dtype and broadcast pattern (what a pullback returns for input x).
Var as_grad_of(const Var& g, const Var& x, const Loc& loc);

}  // namespace theon::detail
