// Graph-level helpers of nlinalg and slinalg, built from existing ops: norm,
// matrix_dot, matrix_power and kron.
#include <cmath>

#include "ops/dimshuffle.hpp"
#include "ops/linalg/linalg_util.hpp"
#include "ops/op_util.hpp"
#include "theon/blas.hpp"
#include "theon/reduce.hpp"
#include "theon/shape_ops.hpp"

namespace theon::tensor::nlinalg {
namespace {

Var float_operand(std::string_view op, const VarArg& x) {
  const Var& v = x.var;
  THEON_CHECK_USER(!is_complex(v.dtype()), TypeError)
      << op << ": complex tensors are not supported, got " << describe(v);
  return is_float(v.dtype()) ? v : tensor::cast(x, float_of(v.dtype()));
}

Var vector_norm(const Var& x, const NormOrder& ord, const Loc& loc) {
  auto abs_x = [&] { return tensor::abs(VarArg(x, loc)); };
  const double inf = std::numeric_limits<double>::infinity();
  std::optional<double> p = ord.number;
  if (ord.name == "inf") p = inf;
  if (ord.name == "-inf") p = -inf;
  THEON_CHECK_USER(ord.name.empty() || p, ValueError)
      << "norm: invalid norm order '" << ord.name << "' for vectors";
  if (!p || *p == 2)
    return tensor::sqrt(VarArg(tensor::sum(VarArg(tensor::sqr(VarArg(x, loc)), loc)), loc));
  if (*p == inf) return tensor::max(VarArg(abs_x(), loc));
  if (*p == -inf) return tensor::min(VarArg(abs_x(), loc));
  if (*p == 0) {  // the number of nonzero entries
    const Var nonzero = tensor::neq(VarArg(x, loc), VarArg(0, loc));
    return tensor::sum(VarArg(tensor::cast(VarArg(nonzero, loc), x.dtype()), loc));
  }
  if (*p == 1) return tensor::sum(VarArg(abs_x(), loc));
  const Var powers = tensor::pow(VarArg(abs_x(), loc), VarArg(*p, loc));
  return tensor::pow(VarArg(tensor::sum(VarArg(powers, loc)), loc), VarArg(1 / *p, loc));
}

Var matrix_norm(const Var& x, const NormOrder& ord, const Loc& loc) {
  auto abs_sums = [&](int axis) {
    return VarArg(tensor::sum(VarArg(tensor::abs(VarArg(x, loc)), loc), axis), loc);
  };
  const double inf = std::numeric_limits<double>::infinity();
  std::optional<double> p = ord.number;
  if (ord.name == "inf") p = inf;
  if (ord.name == "-inf") p = -inf;
  if ((!p && ord.name.empty()) || ord.name == "fro")
    return tensor::sqrt(VarArg(tensor::sum(VarArg(tensor::sqr(VarArg(x, loc)), loc)), loc));
  if (ord.name == "nuc" || (p && (*p == 2 || *p == -2))) {
    const Var s = svd(VarArg(x, loc), false, false)[0];
    if (ord.name == "nuc") return tensor::sum(VarArg(s, loc));
    return *p == 2 ? tensor::max(VarArg(s, loc)) : tensor::min(VarArg(s, loc));
  }
  THEON_CHECK_USER(p && (*p == inf || *p == -inf || *p == 1 || *p == -1), ValueError)
      << "norm: invalid norm order " << (p ? std::to_string(*p) : "'" + ord.name + "'")
      << " for matrices";
  if (*p == inf) return tensor::max(abs_sums(1));
  if (*p == -inf) return tensor::min(abs_sums(1));
  if (*p == 1) return tensor::max(abs_sums(0));
  return tensor::min(abs_sums(0));
}

}  // namespace

Var norm(VarArg x, NormOrder ord) {
  const Var v = float_operand("norm", x);
  THEON_CHECK_USER(v.ndim() == 1 || v.ndim() == 2, ValueError)
      << "norm: takes a vector or a matrix, got " << describe(v);
  return v.ndim() == 1 ? vector_norm(v, ord, x.loc) : matrix_norm(v, ord, x.loc);
}

Var matrix_dot(const std::vector<Var>& matrices, Loc loc) {
  THEON_CHECK_USER(!matrices.empty(), ValueError) << "matrix_dot: needs at least one matrix";
  Var product = matrices[0];
  for (size_t i = 1; i < matrices.size(); ++i)
    product = tensor::dot(VarArg(product, loc), VarArg(matrices[i], loc));
  return product;
}

Var matrix_power(VarArg m, int n) {
  const Loc& loc = m.loc;
  Var base = float_operand("matrix_power", m);
  THEON_CHECK_USER(base.ndim() == 2, TypeError)
      << "matrix_power: expects a matrix (2 dimensions), got " << describe(base);
  if (n < 0) base = matrix_inverse(VarArg(base, loc));
  unsigned k = n < 0 ? 0u - static_cast<unsigned>(n) : static_cast<unsigned>(n);
  Var result;
  while (k > 0) {  // binary powering: one product per bit, one squaring per bit
    if (k & 1u)
      result = result.defined() ? tensor::dot(VarArg(result, loc), VarArg(base, loc)) : base;
    k >>= 1;
    if (k > 0) base = tensor::dot(VarArg(base, loc), VarArg(base, loc));
  }
  if (result.defined()) return result;
  const Var ones = tensor::ones({tensor::shape_i(VarArg(base, loc), 0)}, base.dtype());
  return detail::alloc_diag_at(ones, 0, loc);
}

}  // namespace theon::tensor::nlinalg

namespace theon::tensor::slinalg {

// numpy.kron for operands of rank 1 or 2: a[i, j] * b[k, l] at row i * rows(b) + k and
// column j * cols(b) + l; a vector meeting a matrix is a row.
Var kron(VarArg a, VarArg b) {
  const Loc& loc = a.loc;
  Var x = a.var, y = b.var;
  THEON_CHECK_USER(x.ndim() >= 1 && x.ndim() <= 2 && y.ndim() >= 1 && y.ndim() <= 2, TypeError)
      << "kron: takes vectors and matrices\n  a  " << describe(x) << "\n  b  " << describe(y);
  if (x.ndim() == 1 && y.ndim() == 1) {
    const Var outer = tensor::mul(VarArg(detail::dimshuffle_at(x, {0, 'x'}, loc), loc),
                                  VarArg(detail::dimshuffle_at(y, {'x', 0}, loc), loc));
    return tensor::flatten(VarArg(outer, loc), 1);
  }
  if (x.ndim() == 1) x = detail::dimshuffle_at(x, {'x', 0}, loc);
  if (y.ndim() == 1) y = detail::dimshuffle_at(y, {'x', 0}, loc);
  const Var blocks = tensor::mul(VarArg(detail::dimshuffle_at(x, {0, 'x', 1, 'x'}, loc), loc),
                                 VarArg(detail::dimshuffle_at(y, {'x', 0, 'x', 1}, loc), loc));
  auto length = [&](const Var& v, int axis) { return tensor::shape_i(VarArg(v, loc), axis); };
  const Var rows = tensor::mul(VarArg(length(x, 0), loc), VarArg(length(y, 0), loc));
  const Var cols = tensor::mul(VarArg(length(x, 1), loc), VarArg(length(y, 1), loc));
  return tensor::reshape(VarArg(blocks, loc),
                         ShapeArg({VarArg(rows, loc), VarArg(cols, loc)}, loc));
}

}  // namespace theon::tensor::slinalg
