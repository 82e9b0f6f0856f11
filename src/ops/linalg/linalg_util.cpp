#include "ops/linalg/linalg_util.hpp"

#include "ops/blas.hpp"
#include "ops/dimshuffle.hpp"
#include "ops/op_util.hpp"

namespace theon::detail {
namespace {

Var as_float(std::string_view op, const VarArg& x) {
  const Var& v = x.var;
  THEON_CHECK_USER(!is_complex(v.dtype()), TypeError)
      << op << ": complex matrices are not supported, got " << describe(v);
  if (is_float(v.dtype())) return v;
  return tensor::cast(x, float_of(v.dtype()));
}

}  // namespace

Var float_matrix(std::string_view op, const VarArg& x) {
  THEON_CHECK_USER(x.var.ndim() == 2, TypeError)
      << op << ": expects a matrix (2 dimensions), got " << describe(x.var);
  return as_float(op, x);
}

Var float_vector_or_matrix(std::string_view op, const VarArg& x) {
  THEON_CHECK_USER(x.var.ndim() == 1 || x.var.ndim() == 2, TypeError)
      << op << ": expects a vector or a matrix, got " << describe(x.var);
  return as_float(op, x);
}

void check_square(std::string_view op, const NDArray& a) {
  THEON_CHECK_USER(a.shape(0) == a.shape(1), ShapeError)
      << op << ": expects a square matrix, got shape " << shape_str(a.shape());
}

void throw_linalg(std::string_view op, std::string_view what) {
  THEON_FAIL(LinAlgError) << op << ": " << what;
}

Var transpose_at(const Var& x, const Loc& loc) { return dimshuffle_at(x, {1, 0}, loc); }

Var as_grad_of(const Var& g, const Var& x, const Loc& loc) { return like_input(g, x, loc); }

}  // namespace theon::detail
