// Cholesky (potrf) and its pullback (Murray 2016, "Differentiation of the Cholesky
// decomposition", built from triangular solves so that it is differentiable again).
#include "ops/blas.hpp"
#include "ops/linalg/lapack.hpp"
#include "ops/linalg/linalg_util.hpp"
#include "ops/op_util.hpp"

namespace theon::detail {
namespace {

class Cholesky final : public Op {
 public:
  explicit Cholesky(bool lower) : lower_(lower) {}
  std::string name() const override { return "cholesky"; }
  std::string props() const override { return lower_ ? "lower=1" : "lower=0"; }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {inputs[0].type()};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    check_square(name(), x);
    NDArray& o = reuse_or_allocate(*out[0], x.dtype(), x.shape());
    o.assign(x);
    const int n = lapack::to_int(x.shape(0), "cholesky");
    if (n == 0) return;
    visit_float(x.dtype(), name(), [&](auto zero) {
      using T = decltype(zero);
      T* a = o.data<T>();
      // LAPACK sees the C-order buffer transposed: its upper triangle is our lower one,
      // and its factor U (x = U^T U) reads back as our L (x = L L^T).
      int info = 0;
      lapack::potrf(lower_ ? 'U' : 'L', n, a, n, &info);
      if (info > 0)
        THEON_FAIL(LinAlgError) << "cholesky: the matrix is not positive definite (its leading "
                                << info << "x" << info << " minor is not)";
      THEON_ASSERT(info == 0) << "cholesky: LAPACK argument " << -info << " rejected";
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
          if (lower_ ? j > i : j < i) a[static_cast<size_t>(i) * n + j] = T{};
    });
  }

  // With x = L L^T and Phi(m) = tril(m) with its diagonal halved:
  //   S = L^-T Phi(L^T gL) L^-1, and gx = S + S^T on the triangle read, S's diagonal once.
  // For the upper factor U = L^T, gL = gU^T.
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    const Var& g = output_grads[0];
    if (!g.defined()) return {Var()};
    const Loc& loc = node.loc;
    auto t = [&](const Var& m) { return transpose_at(m, loc); };
    auto sub = [&](const Var& p, const Var& q) {
      return tensor::sub(VarArg(p, loc), VarArg(q, loc));
    };
    auto diag_of = [&](const Var& m) { return alloc_diag_at(extract_diag_at(m, 0, loc), 0, loc); };
    const Var l = lower_ ? node.output(0) : t(node.output(0));
    const Var gl = lower_ ? g : t(g);
    const Var m = dot_at(t(l), gl, loc);
    const Var phi = sub(tril_at(m, 0, loc), tensor::mul(VarArg(diag_of(m), loc), VarArg(0.5, loc)));
    // L^-T P L^-1 = L^-T (L^-T P^T)^T, two solves with the upper-triangular L^T.
    auto upper_solve = [&](const Var& rhs) {
      return solve_at(t(l), rhs, MatrixStructure::Triangular, false, false, loc);
    };
    const Var s = upper_solve(t(upper_solve(t(phi))));
    const Var both = tensor::add(VarArg(s, loc), VarArg(t(s), loc));
    const Var gx = sub(lower_ ? tril_at(both, 0, loc) : triu_at(both, 0, loc), diag_of(s));
    return {as_grad_of(gx, node.inputs[0], loc)};
  }

 private:
  bool lower_;
};

}  // namespace
}  // namespace theon::detail

namespace theon::tensor::slinalg {

Var cholesky(VarArg x, bool lower) {
  const Var a = detail::float_matrix("cholesky", x);
  return detail::apply_op<detail::Cholesky>(x.loc, {a}, lower);
}

}  // namespace theon::tensor::slinalg
