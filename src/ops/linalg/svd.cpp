// SVD and Pinv, both through gesdd; Pinv's pullback (Golub and Pereyra 1973).
#include <algorithm>

#include "ops/blas.hpp"
#include "ops/linalg/lapack.hpp"
#include "ops/linalg/linalg_util.hpp"
#include "ops/op_util.hpp"

namespace theon::detail {
namespace {

// The factors of a column-major (m, n) matrix, column-major: u (m, u_cols), s (k),
// vt (vt_rows, n). jobz 'A' (full), 'S' (reduced) or 'N' (s only).
template <class T>
struct Factors {
  std::vector<T> u, s, vt;
  int u_cols = 0, vt_rows = 0;
};

template <class T>
Factors<T> gesdd(std::vector<T>& a, int m, int n, char jobz, std::string_view op) {
  const int k = std::min(m, n);
  Factors<T> f;
  f.u_cols = jobz == 'A' ? m : jobz == 'S' ? k : 0;
  f.vt_rows = jobz == 'A' ? n : jobz == 'S' ? k : 0;
  f.s.resize(static_cast<size_t>(k));
  f.u.resize(std::max<size_t>(1, static_cast<size_t>(m) * f.u_cols));
  f.vt.resize(std::max<size_t>(1, static_cast<size_t>(f.vt_rows) * n));
  if (k == 0) return f;
  std::vector<int> iwork(static_cast<size_t>(8) * k);
  const int ldu = lapack::ld(m), ldvt = lapack::ld(f.vt_rows);
  T query{};
  int info = 0;
  lapack::gesdd(jobz, m, n, a.data(), lapack::ld(m), f.s.data(), f.u.data(), ldu, f.vt.data(), ldvt,
                &query, -1, iwork.data(), &info);
  const int lwork = lapack::work_size(query, op);
  std::vector<T> work(static_cast<size_t>(lwork));
  lapack::gesdd(jobz, m, n, a.data(), lapack::ld(m), f.s.data(), f.u.data(), ldu, f.vt.data(), ldvt,
                work.data(), lwork, iwork.data(), &info);
  if (info > 0) throw_linalg(op, "the singular value decomposition did not converge");
  THEON_ASSERT(info == 0) << op << ": LAPACK argument " << -info << " rejected";
  return f;
}

void set_identity(NDArray& a) {
  a.fill(0);
  visit_float(a.dtype(), "svd", [&](auto zero) {
    using T = decltype(zero);
    for (int64_t i = 0; i < std::min(a.shape(0), a.shape(1)); ++i)
      a.data<T>()[i * a.shape(1) + i] = 1;
  });
}

class SVD final : public Op {
 public:
  SVD(bool full_matrices, bool compute_uv)
      : full_matrices_(full_matrices), compute_uv_(compute_uv) {}
  std::string name() const override { return "svd"; }
  std::string props() const override {
    return std::string("full_matrices=") + (full_matrices_ ? "1" : "0") +
           ", compute_uv=" + (compute_uv_ ? "1" : "0");
  }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    const DType d = inputs[0].dtype();
    if (!compute_uv_) return {TensorType(d, {false})};
    return {TensorType(d, {false, false}), TensorType(d, {false}), TensorType(d, {false, false})};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    const int m = lapack::to_int(x.shape(0), "svd"), n = lapack::to_int(x.shape(1), "svd");
    const int k = std::min(m, n);
    const char jobz = !compute_uv_ ? 'N' : full_matrices_ ? 'A' : 'S';
    visit_float(x.dtype(), name(), [&](auto zero) {
      using T = decltype(zero);
      std::vector<T> a = lapack::to_fortran<T>(x);
      Factors<T> f = gesdd(a, m, n, jobz, "svd");
      NDArray& s = reuse_or_allocate(*out[compute_uv_ ? 1 : 0], x.dtype(), {k});
      std::copy(f.s.begin(), f.s.end(), s.data<T>());
      if (!compute_uv_) return;
      NDArray& u = reuse_or_allocate(*out[0], x.dtype(), {m, f.u_cols});
      NDArray& vt = reuse_or_allocate(*out[2], x.dtype(), {f.vt_rows, n});
      if (k == 0) {  // LAPACK is not called; the full factors of an empty matrix are identities
        set_identity(u);
        set_identity(vt);
        return;
      }
      lapack::from_fortran(f.u.data(), m, u);
      lapack::from_fortran(f.vt.data(), f.vt_rows, vt);
    });
  }

 private:
  bool full_matrices_, compute_uv_;
};

class Pinv final : public Op {
 public:
  std::string name() const override { return "pinv"; }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    const Var& x = inputs[0];
    return {TensorType(x.dtype(), {x.broadcastable()[1], x.broadcastable()[0]})};
  }

  // pinv(x) = V diag(1 / s) U^T over the singular values above 1e-15 times the largest.
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    const int m = lapack::to_int(x.shape(0), "pinv"), n = lapack::to_int(x.shape(1), "pinv");
    const int k = std::min(m, n);
    NDArray& p = reuse_or_allocate(*out[0], x.dtype(), {n, m});
    if (k == 0) {
      p.fill(0);
      return;
    }
    visit_float(x.dtype(), name(), [&](auto zero) {
      using T = decltype(zero);
      std::vector<T> a = lapack::to_fortran<T>(x);
      Factors<T> f = gesdd(a, m, n, 'S', "pinv");
      const T cutoff = T(1e-15) * *std::max_element(f.s.begin(), f.s.end());
      for (int l = 0; l < k; ++l) {
        const T s = f.s[static_cast<size_t>(l)];
        const T scale = s > cutoff ? 1 / s : 0;
        for (int j = 0; j < n; ++j) f.vt[static_cast<size_t>(j) * k + l] *= scale;
      }
      // The column-major (m, n) product U (diag(1/s) V^T) is pinv(x)^T, which is pinv(x)
      // in C order: BLAS writes the output directly.
      lapack::gemm(m, n, k, f.u.data(), m, f.vt.data(), k, p.data<T>(), m);
    });
  }

  // For X = pinv(A) (A of constant rank), with G the output gradient:
  //   gA = -X^T G X^T + (I - A X) G^T X X^T + X^T X G^T (I - X A).
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    const Var& g = output_grads[0];
    if (!g.defined()) return {Var()};
    const Loc& loc = node.loc;
    const Var& a = node.inputs[0];
    const Var x = node.output(0);
    auto t = [&](const Var& m) { return transpose_at(m, loc); };
    auto dot = [&](const Var& p, const Var& q) { return dot_at(p, q, loc); };
    auto sub = [&](const Var& p, const Var& q) {
      return tensor::sub(VarArg(p, loc), VarArg(q, loc));
    };
    const Var term1 = tensor::neg(VarArg(dot(dot(t(x), g), t(x)), loc));
    const Var left = dot(dot(t(g), x), t(x));
    const Var term2 = sub(left, dot(a, dot(x, left)));
    const Var right = dot(dot(t(x), x), t(g));
    const Var term3 = sub(right, dot(dot(right, x), a));
    const Var ga = tensor::add(VarArg(tensor::add(VarArg(term1, loc), VarArg(term2, loc)), loc),
                               VarArg(term3, loc));
    return {as_grad_of(ga, a, loc)};
  }
};

}  // namespace
}  // namespace theon::detail

namespace theon::tensor::nlinalg {

std::vector<Var> svd(VarArg x, bool full_matrices, bool compute_uv) {
  const Var a = detail::float_matrix("svd", x);
  return make_apply(std::make_shared<const detail::SVD>(full_matrices, compute_uv), {a}, x.loc);
}

Var pinv(VarArg x) {
  const Var a = detail::float_matrix("pinv", x);
  return detail::apply_op<detail::Pinv>(x.loc, {a});
}

}  // namespace theon::tensor::nlinalg
