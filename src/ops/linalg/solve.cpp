// Solve: a x = b for general (getrf + getrs), symmetric (sysv), positive definite (posv)
// and triangular (trtrs) a, with its pullback; the public solve family.
#include "ops/blas.hpp"
#include "ops/dimshuffle.hpp"
#include "ops/linalg/lapack.hpp"
#include "ops/linalg/linalg_util.hpp"
#include "ops/op_util.hpp"

namespace theon::detail {
namespace {

const char* structure_name(MatrixStructure s) {
  switch (s) {
    case MatrixStructure::General:
      return "gen";
    case MatrixStructure::Symmetric:
      return "sym";
    case MatrixStructure::Positive:
      return "pos";
    case MatrixStructure::Triangular:
      return "triangular";
  }
  return "";
}

class Solve final : public Op {
 public:
  Solve(MatrixStructure structure, bool lower, bool unit_diagonal)
      : structure_(structure), lower_(lower), unit_diagonal_(unit_diagonal) {}
  std::string name() const override { return "solve"; }
  std::string props() const override {
    return std::string("assume_a=") + structure_name(structure_) +
           ", lower=" + (lower_ ? "1" : "0") + ", unit_diagonal=" + (unit_diagonal_ ? "1" : "0");
  }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    const Var& b = inputs[1];
    THEON_ASSERT(inputs[0].ndim() == 2 && inputs[0].dtype() == b.dtype())
        << "solve: unexpected operands" << describe_inputs(inputs);
    BroadcastPattern pattern{false};
    if (b.ndim() == 2) pattern.push_back(b.broadcastable()[1]);
    return {TensorType(b.dtype(), pattern)};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& a = *in[0];
    const NDArray& b = *in[1];
    check_square(name(), a);
    THEON_CHECK_USER(a.shape(0) == b.shape(0), ShapeError)
        << "solve: a of shape " << shape_str(a.shape()) << " and b of shape "
        << shape_str(b.shape()) << " disagree: b needs " << a.shape(0) << " rows";
    NDArray& x = reuse_or_allocate(*out[0], b.dtype(), b.shape());
    const int n = lapack::to_int(a.shape(0), "solve");
    const int nrhs = lapack::to_int(b.ndim() == 1 ? 1 : b.shape(1), "solve");
    if (n == 0 || nrhs == 0) return;
    visit_float(a.dtype(), name(), [&](auto zero) {
      using T = decltype(zero);
      // The right-hand sides, column-major: LAPACK overwrites them with x.
      std::vector<T> rhs;
      if (b.ndim() == 1) {
        rhs.resize(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i) rhs[static_cast<size_t>(i)] = b.data<T>()[i * b.strides()[0]];
      } else {
        rhs = lapack::to_fortran<T>(b);
      }
      solve(a, n, nrhs, rhs.data());
      if (b.ndim() == 1) {
        std::copy(rhs.begin(), rhs.end(), x.data<T>());
      } else {
        lapack::from_fortran(rhs.data(), n, x);
      }
    });
  }

  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  template <class T>
  void solve(const NDArray& a, int n, int nrhs, T* rhs) const {
    const char uplo = lower_ ? 'L' : 'U';
    int info = 0;
    if (structure_ == MatrixStructure::Triangular) {
      solve_triangular(a, n, nrhs, rhs);
      return;
    }
    std::vector<T> lu = lapack::to_fortran<T>(a);
    std::vector<int> pivots(static_cast<size_t>(n));
    switch (structure_) {
      case MatrixStructure::General:
        lapack::getrf(n, n, lu.data(), n, pivots.data(), &info);
        if (info > 0) throw_linalg("solve", "matrix is singular");
        lapack::getrs('N', n, nrhs, lu.data(), n, pivots.data(), rhs, n, &info);
        break;
      case MatrixStructure::Symmetric: {
        T query{};
        lapack::sysv(uplo, n, nrhs, lu.data(), n, pivots.data(), rhs, n, &query, -1, &info);
        const int lwork = lapack::work_size(query, "solve");
        std::vector<T> work(static_cast<size_t>(lwork));
        lapack::sysv(uplo, n, nrhs, lu.data(), n, pivots.data(), rhs, n, work.data(), lwork, &info);
        if (info > 0) throw_linalg("solve", "matrix is singular");
        break;
      }
      case MatrixStructure::Positive:
        lapack::posv(uplo, n, nrhs, lu.data(), n, rhs, n, &info);
        if (info > 0) throw_linalg("solve", "matrix is not positive definite");
        break;
      case MatrixStructure::Triangular:
        break;
    }
    THEON_ASSERT(info == 0) << "solve: LAPACK argument " << -info << " rejected";
  }

  // trtrs only reads a: it runs on a's own buffer when a is C- or Fortran-contiguous (a
  // C-order a is, to LAPACK, a^T: it then solves with the transpose of the other triangle).
  template <class T>
  void solve_triangular(const NDArray& a, int n, int nrhs, T* rhs) const {
    const int64_t s0 = a.strides()[0], s1 = a.strides()[1], min_ld = n > 1 ? n : 1;
    std::vector<T> copy;
    const T* data = a.data<T>();
    int lda = n;
    bool seen_transposed = false;
    if (s1 == 1 && s0 >= min_ld && s0 <= INT_MAX) {
      lda = static_cast<int>(s0);
      seen_transposed = true;
    } else if (s0 == 1 && s1 >= min_ld && s1 <= INT_MAX) {
      lda = static_cast<int>(s1);
    } else {
      copy = lapack::to_fortran<T>(a);
      data = copy.data();
      lda = lapack::ld(n);
    }
    const char uplo = lower_ != seen_transposed ? 'L' : 'U';
    const char trans = seen_transposed ? 'T' : 'N';
    int info = 0;
    lapack::trtrs(uplo, trans, unit_diagonal_ ? 'U' : 'N', n, nrhs, data, lda, rhs, n, &info);
    if (info > 0) throw_linalg("solve_triangular", "matrix is singular (a zero on its diagonal)");
    THEON_ASSERT(info == 0) << "solve_triangular: LAPACK argument " << -info << " rejected";
  }

  MatrixStructure structure_;
  bool lower_, unit_diagonal_;
};

// x = A^-1 b: gb = A^-T g and gA = -gb x^T, then restricted to what the op reads of A
// (a triangle; for a symmetric A the stored triangle stands for both).
Vars Solve::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& g = output_grads[0];
  if (!g.defined()) return {Var(), Var()};
  const Loc& loc = node.loc;
  const Var& a = node.inputs[0];
  const Var& b = node.inputs[1];
  const Var x = node.output(0);
  Var gb;
  if (structure_ == MatrixStructure::Symmetric || structure_ == MatrixStructure::Positive) {
    gb = apply_op<Solve>(loc, {a, g}, structure_, lower_, unit_diagonal_);
  } else {
    const bool lower = structure_ == MatrixStructure::Triangular ? !lower_ : lower_;
    gb = apply_op<Solve>(loc, {transpose_at(a, loc), g}, structure_, lower, unit_diagonal_);
  }
  const Var outer = b.ndim() == 1 ? tensor::mul(VarArg(dimshuffle_at(gb, {0, 'x'}, loc), loc),
                                                VarArg(dimshuffle_at(x, {'x', 0}, loc), loc))
                                  : dot_at(gb, transpose_at(x, loc), loc);
  Var ga = tensor::neg(VarArg(outer, loc));
  switch (structure_) {
    case MatrixStructure::General:
      break;
    case MatrixStructure::Triangular: {
      const int k = unit_diagonal_ ? 1 : 0;
      ga = lower_ ? tril_at(ga, -k, loc) : triu_at(ga, k, loc);
      break;
    }
    case MatrixStructure::Symmetric:
    case MatrixStructure::Positive: {
      const Var gat = transpose_at(ga, loc);
      ga = lower_
               ? tensor::add(VarArg(tril_at(ga, 0, loc), loc), VarArg(tril_at(gat, -1, loc), loc))
               : tensor::add(VarArg(triu_at(ga, 0, loc), loc), VarArg(triu_at(gat, 1, loc), loc));
      break;
    }
  }
  return {as_grad_of(ga, a, loc), as_grad_of(gb, b, loc)};
}

std::pair<Var, Var> solve_operands(std::string_view op, const VarArg& a, const VarArg& b) {
  const Var av = float_matrix(op, a);
  const Var bv = float_vector_or_matrix(op, b);
  return same_dtype(av, bv, a.loc);
}

}  // namespace

Var solve_at(const Var& a, const Var& b, MatrixStructure structure, bool lower, bool unit_diagonal,
             const Loc& loc) {
  return apply_op<Solve>(loc, {a, b}, structure, lower, unit_diagonal);
}

}  // namespace theon::detail

namespace theon::tensor::slinalg {

using detail::MatrixStructure;

Var solve(VarArg a, VarArg b, std::string_view assume_a, bool lower) {
  MatrixStructure structure;
  if (assume_a == "gen" || assume_a == "general") {
    structure = MatrixStructure::General;
  } else if (assume_a == "sym" || assume_a == "her" || assume_a == "symmetric") {
    structure = MatrixStructure::Symmetric;
  } else if (assume_a == "pos") {
    structure = MatrixStructure::Positive;
  } else if (assume_a == "lower_triangular" || assume_a == "upper_triangular") {
    // Theano's A_structure names.
    return solve_triangular(a, b, 0, assume_a == "lower_triangular");
  } else {
    THEON_FAIL(ValueError) << "solve: assume_a must be 'gen', 'sym', 'her' or 'pos', got '"
                           << assume_a << "'";
  }
  auto [av, bv] = detail::solve_operands("solve", a, b);
  return detail::solve_at(av, bv, structure, lower, false, a.loc);
}

Var solve_triangular(VarArg a, VarArg b, int trans, bool lower, bool unit_diagonal) {
  THEON_CHECK_USER(trans >= 0 && trans <= 2, ValueError)
      << "solve_triangular: trans must be 0, 1 or 2, got " << trans;
  auto [av, bv] = detail::solve_operands("solve_triangular", a, b);
  // a^T x = b is a triangular solve with a^T, whose triangle is the other one.
  if (trans != 0)
    return detail::solve_at(detail::transpose_at(av, a.loc), bv, MatrixStructure::Triangular,
                            !lower, unit_diagonal, a.loc);
  return detail::solve_at(av, bv, MatrixStructure::Triangular, lower, unit_diagonal, a.loc);
}

Var solve_lower_triangular(VarArg a, VarArg b) { return solve_triangular(a, b, 0, true); }
Var solve_upper_triangular(VarArg a, VarArg b) { return solve_triangular(a, b, 0, false); }
Var solve_symmetric(VarArg a, VarArg b) { return solve(a, b, "sym"); }

}  // namespace theon::tensor::slinalg
