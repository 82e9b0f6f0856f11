// Eig (geev), Eigh (syevd) and EighGrad, eigh's pullback computed in one node.
#include <cctype>

#include "ops/blas.hpp"
#include "ops/linalg/lapack.hpp"
#include "ops/linalg/linalg_util.hpp"
#include "ops/op_util.hpp"
#include "serialize/private_ops.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail {
namespace {

class Eig final : public Op {
 public:
  std::string name() const override { return "eig"; }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    const DType d = inputs[0].dtype();
    return {TensorType(d, {false}), TensorType(d, {false, false})};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    check_square(name(), x);
    const int n = lapack::to_int(x.shape(0), "eig");
    NDArray& w = reuse_or_allocate(*out[0], x.dtype(), {n});
    NDArray& v = reuse_or_allocate(*out[1], x.dtype(), {n, n});
    if (n == 0) return;
    visit_float(x.dtype(), name(), [&](auto zero) {
      using T = decltype(zero);
      std::vector<T> a = lapack::to_fortran<T>(x), imag(static_cast<size_t>(n)),
                     vectors(static_cast<size_t>(n) * n);
      T* real = w.data<T>();
      T query{}, none{};
      int info = 0;
      lapack::geev('N', 'V', n, a.data(), n, real, imag.data(), &none, 1, vectors.data(), n, &query,
                   -1, &info);
      const int lwork = lapack::work_size(query, "eig");
      std::vector<T> work(static_cast<size_t>(lwork));
      lapack::geev('N', 'V', n, a.data(), n, real, imag.data(), &none, 1, vectors.data(), n,
                   work.data(), lwork, &info);
      if (info > 0) throw_linalg("eig", "the eigenvalue algorithm did not converge");
      THEON_ASSERT(info == 0) << "eig: LAPACK argument " << -info << " rejected";
      for (int i = 0; i < n; ++i)
        THEON_CHECK_USER(imag[static_cast<size_t>(i)] == 0, ValueError)
            << "eig: the matrix has complex eigenvalues (" << real[i] << " + "
            << imag[static_cast<size_t>(i)] << "i); Theon's eig returns real arrays, as "
            << "Theano's types are (use eigh for a symmetric matrix)";
      lapack::from_fortran(vectors.data(), n, v);
    });
  }

 private:
};

class EighGrad final : public Op {
 public:
  explicit EighGrad(char uplo) : uplo_(uplo) {}
  std::string name() const override { return "eigh_grad"; }
  std::string props() const override { return std::string("UPLO=") + uplo_; }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {TensorType(inputs[0].dtype(), {false, false})};
  }

  // inputs x, w, v, gw, gv. With x = V diag(w) V^T:
  //   gx = V (diag(gw) + F o (V^T gV)) V^T,  F[i, j] = 1 / (w[j] - w[i]) off the diagonal,
  // then folded onto the triangle that syevd read (an entry there stands for both).
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& w = *in[1];
    const NDArray& v = *in[2];
    const NDArray& gw = *in[3];
    const NDArray& gv = *in[4];
    const int64_t n = w.shape(0);
    const DType d = v.dtype();
    NDArray& gx = reuse_or_allocate(*out[0], d, {n, n});
    if (n == 0) return;
    NDArray inner = NDArray::empty(d, {n, n}), left = NDArray::empty(d, {n, n}),
            full = NDArray::empty(d, {n, n});
    dot_into(v.transpose(), gv.astype(d), inner);
    visit_float(d, name(), [&](auto zero) {
      using T = decltype(zero);
      T* m = inner.data<T>();
      const NDArray wc = w.contiguous(), gwc = gw.astype(d).contiguous();
      const T* wp = wc.data<T>();
      const T* gwp = gwc.data<T>();
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j)
          m[i * n + j] = i == j ? gwp[i] : m[i * n + j] / (wp[j] - wp[i]);
      dot_into(v, inner, left);
      dot_into(left, v.transpose(), full);
      const T* f = full.data<T>();
      T* o = gx.data<T>();
      const bool lower = uplo_ == 'L';
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {
          const bool kept = lower ? j <= i : j >= i;
          o[i * n + j] = !kept ? T{} : i == j ? f[i * n + j] : f[i * n + j] + f[j * n + i];
        }
    });
  }

 private:
  char uplo_;
};

class Eigh final : public Op {
 public:
  explicit Eigh(char uplo) : uplo_(uplo) {}
  std::string name() const override { return "eigh"; }
  std::string props() const override { return std::string("UPLO=") + uplo_; }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    const DType d = inputs[0].dtype();
    return {TensorType(d, {false}), TensorType(d, {false, false})};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    check_square(name(), x);
    const int n = lapack::to_int(x.shape(0), "eigh");
    NDArray& w = reuse_or_allocate(*out[0], x.dtype(), {n});
    NDArray& v = reuse_or_allocate(*out[1], x.dtype(), {n, n});
    if (n == 0) return;
    visit_float(x.dtype(), name(), [&](auto zero) {
      using T = decltype(zero);
      std::vector<T> a = lapack::to_fortran<T>(x);
      T query{};
      int iquery = 0, info = 0;
      lapack::syevd('V', uplo_, n, a.data(), n, w.data<T>(), &query, -1, &iquery, -1, &info);
      const int lwork = lapack::work_size(query, "eigh");
      const int liwork = iquery > 1 ? iquery : 1;
      std::vector<T> work(static_cast<size_t>(lwork));
      std::vector<int> iwork(static_cast<size_t>(liwork));
      lapack::syevd('V', uplo_, n, a.data(), n, w.data<T>(), work.data(), lwork, iwork.data(),
                    liwork, &info);
      if (info > 0) throw_linalg("eigh", "the eigenvalue algorithm did not converge");
      THEON_ASSERT(info == 0) << "eigh: LAPACK argument " << -info << " rejected";
      lapack::from_fortran(a.data(), n, v);
    });
  }

  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    if (!output_grads[0].defined() && !output_grads[1].defined()) return {Var()};
    const Loc& loc = node.loc;
    const Var w = node.output(0), v = node.output(1);
    const Var gw = output_grads[0].defined() ? output_grads[0] : tensor::zeros_like(VarArg(w, loc));
    const Var gv = output_grads[1].defined() ? output_grads[1] : tensor::zeros_like(VarArg(v, loc));
    const Var& x = node.inputs[0];
    return {as_grad_of(apply_op<EighGrad>(loc, {x, w, v, gw, gv}, uplo_), x, loc)};
  }

 private:
  char uplo_;
};

}  // namespace

std::shared_ptr<const Op> make_eigh_grad_op(char uplo) { return std::make_shared<const EighGrad>(uplo); }
}  // namespace theon::detail

namespace theon::tensor::nlinalg {

std::pair<Var, Var> eig(VarArg x) {
  const Var a = detail::float_matrix("eig", x);
  Vars outs = make_apply(std::make_shared<const detail::Eig>(), {a}, x.loc);
  return {outs[0], outs[1]};
}

std::pair<Var, Var> eigh(VarArg x, std::string_view UPLO) {
  const char uplo = UPLO.size() == 1 ? static_cast<char>(std::toupper(UPLO[0])) : '?';
  THEON_CHECK_USER(uplo == 'L' || uplo == 'U', ValueError)
      << "eigh: UPLO must be 'L' or 'U', got '" << UPLO << "'";
  const Var a = detail::float_matrix("eigh", x);
  Vars outs = make_apply(std::make_shared<const detail::Eigh>(uplo), {a}, x.loc);
  return {outs[0], outs[1]};
}

}  // namespace theon::tensor::nlinalg

namespace theon::tensor::slinalg {

Var eigvalsh(VarArg a, bool lower) { return nlinalg::eigh(a, lower ? "L" : "U").first; }

}  // namespace theon::tensor::slinalg
