// MatrixInverse (getrf + getri) and Det (getrf), with their pullbacks.
#include "ops/blas.hpp"
#include "ops/linalg/lapack.hpp"
#include "ops/linalg/linalg_util.hpp"
#include "ops/op_util.hpp"

namespace theon::detail {
namespace {

class MatrixInverse final : public Op {
 public:
  std::string name() const override { return "matrix_inverse"; }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {inputs[0].type()};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    check_square(name(), x);
    // In C order LAPACK sees x^T, and inv(x^T) = inv(x)^T: inverting that buffer in place
    // leaves inv(x) in C order, so the output is the only copy.
    NDArray& o = reuse_or_allocate(*out[0], x.dtype(), x.shape());
    o.assign(x);
    const int n = lapack::to_int(x.shape(0), "matrix_inverse");
    if (n == 0) return;
    visit_float(x.dtype(), name(), [&](auto zero) {
      using T = decltype(zero);
      T* a = o.data<T>();
      std::vector<int> pivots(static_cast<size_t>(n));
      int info = 0;
      lapack::getrf(n, n, a, n, pivots.data(), &info);
      if (info > 0) throw_linalg("matrix_inverse", "matrix is singular");
      T query{};
      lapack::getri(n, a, n, pivots.data(), &query, -1, &info);
      const int lwork = lapack::work_size(query, "matrix_inverse");
      std::vector<T> work(static_cast<size_t>(lwork));
      lapack::getri(n, a, n, pivots.data(), work.data(), lwork, &info);
      if (info > 0) throw_linalg("matrix_inverse", "matrix is singular");
    });
  }

  // d inv(x) = -inv(x) dx inv(x), so gx = -inv(x)^T g inv(x)^T.
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    const Var& g = output_grads[0];
    if (!g.defined()) return {Var()};
    const Loc& loc = node.loc;
    const Var xt = transpose_at(node.output(0), loc);
    const Var gx = tensor::neg(VarArg(dot_at(dot_at(xt, g, loc), xt, loc), loc));
    return {as_grad_of(gx, node.inputs[0], loc)};
  }
};

class Det final : public Op {
 public:
  std::string name() const override { return "det"; }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {TensorType(inputs[0].dtype(), {})};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    check_square(name(), x);
    NDArray& o = reuse_or_allocate(*out[0], x.dtype(), {});
    const int n = lapack::to_int(x.shape(0), "det");
    visit_float(x.dtype(), name(), [&](auto zero) {
      using T = decltype(zero);
      // det(x^T) = det(x): any layout LAPACK reads will do, the copy is column-major.
      std::vector<T> a = lapack::to_fortran<T>(x);
      std::vector<int> pivots(static_cast<size_t>(n));
      int info = 0;
      if (n > 0) lapack::getrf(n, n, a.data(), n, pivots.data(), &info);
      // x = P L U with a unit L: det is the product of U's diagonal, negated once per
      // row swap. info > 0 only says some U[i, i] is zero, which the product shows.
      T det = 1;
      for (int i = 0; i < n; ++i) {
        det *= a[static_cast<size_t>(i) * n + i];
        if (pivots[static_cast<size_t>(i)] != i + 1) det = -det;
      }
      *o.data<T>() = det;
    });
  }

  // d det(x) = det(x) tr(inv(x) dx), so gx = g det(x) inv(x)^T.
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    const Var& g = output_grads[0];
    if (!g.defined()) return {Var()};
    const Loc& loc = node.loc;
    const Var& x = node.inputs[0];
    const Var inverse = apply_op<MatrixInverse>(loc, {x});
    const Var scale = tensor::mul(VarArg(g, loc), VarArg(node.output(0), loc));
    const Var gx = tensor::mul(VarArg(scale, loc), VarArg(transpose_at(inverse, loc), loc));
    return {as_grad_of(gx, x, loc)};
  }
};

}  // namespace
}  // namespace theon::detail

namespace theon::tensor::nlinalg {

Var matrix_inverse(VarArg x) {
  const Var a = detail::float_matrix("matrix_inverse", x);
  return detail::apply_op<detail::MatrixInverse>(x.loc, {a});
}

Var det(VarArg x) {
  const Var a = detail::float_matrix("det", x);
  return detail::apply_op<detail::Det>(x.loc, {a});
}

}  // namespace theon::tensor::nlinalg
