// nlinalg and slinalg (include/theon/linalg.hpp): values against hand-computed results
// and NumPy (commands in comments), identities on random matrices, float32 and float64,
// transposed and empty inputs, the errors, and verify_grad on every differentiable op.
#include "theon/linalg.hpp"

#include <cmath>

#include "grad/grad_check.hpp"
#include "support/test_util.hpp"

namespace T = theon::tensor;
namespace nl = theon::tensor::nlinalg;
namespace sl = theon::tensor::slinalg;
using theon::array;
using theon::function;
using theon::testing::allclose;
using theon::testing::random_array;
using theon::testing::throws_with;

namespace theon {
namespace {

NDArray identity(int64_t n, DType dtype = DType::Float64) {
  NDArray out = NDArray::zeros(dtype, {n, n});
  for (int64_t i = 0; i < n; ++i) out.index(0, i).index(0, i).fill(1);
  return out;
}

// a + n * I for a random a in [-1, 1): well conditioned.
NDArray well_conditioned(int64_t n, unsigned seed = 0, DType dtype = DType::Float64) {
  NDArray a = random_array({n, n}, DType::Float64, -1, 1, seed);
  for (int64_t i = 0; i < n; ++i) a.index(0, i).index(0, i).fill(a.at<double>({i, i}) + n);
  return a.astype(dtype);
}

NDArray matmul(const NDArray& a, const NDArray& b) {
  auto x = T::dmatrix("x"), y = T::dmatrix("y");
  return function({x, y}, T::dot(x, y))(a.astype(DType::Float64), b.astype(DType::Float64));
}

// a a^T + n I: symmetric positive definite.
NDArray spd(int64_t n, unsigned seed = 0) {
  NDArray a = random_array({n, n}, DType::Float64, -1, 1, seed);
  NDArray s = matmul(a, a.transpose());
  for (int64_t i = 0; i < n; ++i) s.index(0, i).index(0, i).fill(s.at<double>({i, i}) + n);
  return s;
}

// ---- values ----

TEST(Linalg, InverseTimesMatrixIsIdentityInBothDtypes) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    auto x = T::tensor(dtype, {false, false}, "x");
    auto f = function({x}, nl::matrix_inverse(x));
    const NDArray a = well_conditioned(5, 1, dtype);
    const NDArray inv = f(a);
    EXPECT_EQ(inv.dtype(), dtype);
    const double tol = dtype == DType::Float32 ? 1e-5 : 1e-12;
    EXPECT_TRUE(allclose(matmul(a, inv), identity(5), tol, tol, false));
    EXPECT_TRUE(allclose(matmul(a.transpose(), f(a.transpose())), identity(5), tol, tol, false));
  }
}

TEST(Linalg, InverseAndDetOfAKnownMatrix) {
  auto x = T::dmatrix("x");
  auto f = function({x}, {nl::matrix_inverse(x), nl::det(x)});
  // numpy.linalg.inv([[2, 1, 0], [1, 3, 1], [0, 1, 4]]) * 18; det = 18
  auto outs = f(array({{2.0, 1.0, 0.0}, {1.0, 3.0, 1.0}, {0.0, 1.0, 4.0}}));
  EXPECT_ALLCLOSE(outs[0], array({{11.0 / 18, -4.0 / 18, 1.0 / 18},
                                  {-4.0 / 18, 8.0 / 18, -2.0 / 18},
                                  {1.0 / 18, -2.0 / 18, 5.0 / 18}}));
  EXPECT_ALLCLOSE(outs[1], array(18.0));
  EXPECT_ALLCLOSE(function({x}, nl::det(x))(array({{0.0, 1.0}, {1.0, 0.0}})),
                  array(-1.0));  // a row swap
  EXPECT_ALLCLOSE(function({x}, nl::det(x))(array({{1.0, 2.0}, {2.0, 4.0}})),
                  array(0.0));  // singular
}

TEST(Linalg, EmptyMatrices) {
  auto x = T::dmatrix("x");
  auto [w, v] = nl::eigh(x);
  auto f = function({x}, {nl::matrix_inverse(x), nl::det(x), w, v, sl::cholesky(x), sl::expm(x)});
  auto outs = f(NDArray::zeros(DType::Float64, {0, 0}));
  EXPECT_EQ(outs[0].shape(), Shape({0, 0}));
  EXPECT_ALLCLOSE(outs[1], array(1.0));  // numpy.linalg.det(numpy.zeros((0, 0)))
  EXPECT_EQ(outs[2].shape(), Shape({0}));
  EXPECT_EQ(outs[4].shape(), Shape({0, 0}));
  EXPECT_EQ(outs[5].shape(), Shape({0, 0}));
}

TEST(Linalg, EighAndEigOfKnownMatrices) {
  auto x = T::dmatrix("x");
  auto [w, v] = nl::eigh(x);
  auto outs = function({x}, {w, v})(array({{2.0, 1.0}, {1.0, 2.0}}));
  EXPECT_ALLCLOSE(outs[0], array({1.0, 3.0}));
  const double r = std::sqrt(0.5);
  NDArray absv = function({x}, T::abs(x))(outs[1]);
  EXPECT_ALLCLOSE(absv, array({{r, r}, {r, r}}), 1e-12, 1e-12);
  // The upper triangle is what UPLO "U" reads; the lower one is junk here.
  auto upper = nl::eigh(x, "U");
  EXPECT_ALLCLOSE(function({x}, upper.first)(array({{2.0, 1.0}, {99.0, 2.0}})), array({1.0, 3.0}));
  auto [ew, ev] = nl::eig(x);
  const NDArray a = array({{2.0, 0.0}, {1.0, 3.0}});
  auto e = function({x}, {ew, ev})(a);
  // a v = v diag(w), column by column
  auto y = T::dmatrix("y"), z = T::dvector("z");
  EXPECT_TRUE(allclose(matmul(a, e[1]), function({y, z}, y * z)(e[1], e[0]), 1e-12, 1e-12));
}

TEST(Linalg, SvdAndQrReconstruct) {
  const NDArray a = random_array({5, 3}, DType::Float64, -1, 1, 3);
  auto x = T::dmatrix("x");
  auto usv = nl::svd(x, false);
  auto outs = function({x}, usv)(a);
  auto u = T::dmatrix("u"), s = T::dvector("s"), vt = T::dmatrix("vt");
  auto rebuild = function({u, s, vt}, T::dot(u * s, vt));
  EXPECT_TRUE(allclose(rebuild(outs[0], outs[1], outs[2]), a, 1e-12, 1e-12));
  auto full = function({x}, nl::svd(x))(a);
  EXPECT_EQ(full[0].shape(), Shape({5, 5}));
  EXPECT_EQ(full[2].shape(), Shape({3, 3}));
  for (auto mode : {"reduced", "complete"}) {
    auto qr = function({x}, nl::qr(x, mode))(a);
    EXPECT_TRUE(allclose(matmul(qr[0], qr[1]), a, 1e-12, 1e-12)) << mode;
    EXPECT_TRUE(allclose(matmul(qr[0].transpose(), qr[0]), identity(qr[0].shape(1)), 1e-12, 1e-12));
  }
}

TEST(Linalg, PinvOfATallMatrixIsALeftInverse) {
  const NDArray a = random_array({5, 3}, DType::Float64, -1, 1, 4);
  auto x = T::dmatrix("x");
  const NDArray p = function({x}, nl::pinv(x))(a);
  EXPECT_EQ(p.shape(), Shape({3, 5}));
  EXPECT_TRUE(allclose(matmul(p, a), identity(3), 1e-12, 1e-12));
}

TEST(Linalg, CholeskyOfAKnownMatrix) {
  auto x = T::dmatrix("x");
  const NDArray a = array({{4.0, 2.0}, {2.0, 3.0}});
  EXPECT_ALLCLOSE(function({x}, sl::cholesky(x))(a), array({{2.0, 0.0}, {1.0, std::sqrt(2.0)}}));
  EXPECT_ALLCLOSE(function({x}, sl::cholesky(x, false))(a),
                  array({{2.0, 1.0}, {0.0, std::sqrt(2.0)}}));
  const NDArray s = spd(6, 5);
  const NDArray l = function({x}, sl::cholesky(x))(s);
  EXPECT_TRUE(allclose(matmul(l, l.transpose()), s, 1e-12, 1e-12));
}

TEST(Linalg, SolveEveryStructure) {
  auto a = T::dmatrix("a");
  auto b = T::dvector("b");
  const NDArray m = array({{3.0, 1.0}, {1.0, 2.0}});
  const NDArray rhs = array({9.0, 8.0});
  for (auto assume : {"gen", "sym", "pos"})
    EXPECT_ALLCLOSE(function({a, b}, sl::solve(a, b, assume))(m, rhs), array({2.0, 3.0}), 1e-12,
                    1e-12)
        << assume;
  // [[2, 0], [1, 4]] x = [2, 9]: x = [1, 2]; the upper triangle is not read.
  const NDArray lower = array({{2.0, 7.0}, {1.0, 4.0}});
  EXPECT_ALLCLOSE(function({a, b}, sl::solve_lower_triangular(a, b))(lower, array({2.0, 9.0})),
                  array({1.0, 2.0}));
  // A transposed (Fortran-order) matrix is read in place, with its upper triangle.
  EXPECT_ALLCLOSE(
      function({a, b}, sl::solve_upper_triangular(a, b))(lower.transpose(), array({2.0, 9.0})),
      array({(2.0 - 9.0 / 4) / 2, 9.0 / 4}));  // [[2, 1], [0, 4]] x = [2, 9]
  EXPECT_ALLCLOSE(function({a, b}, sl::solve_triangular(a, b, 1, true))(lower, array({4.0, 8.0})),
                  array({1.0, 2.0}));  // a^T x: [[2, 1], [0, 4]] x = [4, 8]
  auto bm = T::dmatrix("bm");
  const NDArray many = random_array({4, 3}, DType::Float64, -1, 1, 6);
  const NDArray sq = well_conditioned(4, 7);
  EXPECT_TRUE(
      allclose(matmul(sq, function({a, bm}, sl::solve(a, bm))(sq, many)), many, 1e-12, 1e-12));
}

TEST(Linalg, ExpmOfKnownMatrices) {
  auto x = T::dmatrix("x");
  auto f = function({x}, sl::expm(x));
  EXPECT_ALLCLOSE(f(array({{1.0, 0.0}, {0.0, 2.0}})),
                  array({{std::exp(1.0), 0.0}, {0.0, std::exp(2.0)}}), 1e-13, 1e-13);
  EXPECT_ALLCLOSE(f(array({{0.0, 1.0}, {0.0, 0.0}})), array({{1.0, 1.0}, {0.0, 1.0}}), 1e-14,
                  1e-14);
  // A rotation by 10 radians: 1-norm 10 needs scaling and squaring.
  const double t = 10;
  EXPECT_ALLCLOSE(f(array({{0.0, -t}, {t, 0.0}})),
                  array({{std::cos(t), -std::sin(t)}, {std::sin(t), std::cos(t)}}), 1e-12, 1e-12);
  auto xf = T::fmatrix("xf");
  EXPECT_ALLCLOSE(function({xf}, sl::expm(xf))(array({{0.0, 1.0}, {0.0, 0.0}}, DType::Float32)),
                  array({{1.0, 1.0}, {0.0, 1.0}}, DType::Float32));
}

TEST(Linalg, DiagTraceNormKron) {
  auto x = T::dmatrix("x");
  auto v = T::dvector("v");
  const NDArray m = array({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  EXPECT_ALLCLOSE(function({x}, nl::diag(x))(m), array({1.0, 5.0}));
  EXPECT_ALLCLOSE(function({x}, nl::diag(x, 1))(m), array({2.0, 6.0}));
  EXPECT_ALLCLOSE(function({x}, nl::diag(x, -1))(m), array({4.0}));
  EXPECT_ALLCLOSE(function({v}, nl::diag(v, 1))(array({1.0, 2.0})),
                  array({{0.0, 1.0, 0.0}, {0.0, 0.0, 2.0}, {0.0, 0.0, 0.0}}));
  EXPECT_ALLCLOSE(function({x}, nl::trace(x))(m), array(6.0));
  EXPECT_ALLCLOSE(function({x}, nl::norm(x))(m), array(std::sqrt(91.0)));
  EXPECT_ALLCLOSE(function({x}, nl::norm(x, 1))(m), array(9.0));
  EXPECT_ALLCLOSE(function({x}, nl::norm(x, "inf"))(m), array(15.0));
  EXPECT_ALLCLOSE(function({v}, nl::norm(v, 1))(array({3.0, -4.0})), array(7.0));
  EXPECT_ALLCLOSE(function({v}, nl::norm(v, 0))(array({3.0, 0.0})), array(1.0));
  // numpy.kron([[1, 2]], [[1, 10], [100, 1000]])
  EXPECT_ALLCLOSE(function({x}, sl::kron(x, constant(array({{1.0, 10.0}, {100.0, 1000.0}}))))(
                      array({{1.0, 2.0}})),
                  array({{1.0, 10.0, 2.0, 20.0}, {100.0, 1000.0, 200.0, 2000.0}}));
  EXPECT_ALLCLOSE(function({x}, nl::matrix_power(x, 3))(array({{1.0, 1.0}, {0.0, 1.0}})),
                  array({{1.0, 3.0}, {0.0, 1.0}}));
}

// ---- errors ----

TEST(Linalg, SingularMatrixIsALinAlgErrorNamingTheOp) {
  auto x = T::dmatrix("x");
  auto b = T::dvector("b");
  const NDArray singular = array({{1.0, 2.0}, {2.0, 4.0}});
  auto inv = function({x}, nl::matrix_inverse(x));
  EXPECT_TRUE(
      throws_with<LinAlgError>([&] { inv(singular); }, {"matrix_inverse: matrix is singular"}));
  auto solve = function({x, b}, sl::solve(x, b));
  EXPECT_TRUE(throws_with<LinAlgError>(
      [&] {
        solve(singular, array({1.0, 1.0}));
      },
      {"solve", "singular"}));
  auto chol = function({x}, sl::cholesky(x));
  EXPECT_TRUE(throws_with<LinAlgError>(
      [&] {
        chol(array({{1.0, 0.0}, {0.0, -1.0}}));
      },
      {"cholesky", "not positive definite"}));
}

TEST(Linalg, ShapeAndTypeErrors) {
  auto x = T::dmatrix("x");
  auto det = function({x}, nl::det(x));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        det(NDArray::zeros(DType::Float64, {2, 3}));
      },
      {"det: expects a square matrix", "(2, 3)"}));
  auto b = T::dvector("b");
  auto solve = function({x, b}, sl::solve(x, b));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        solve(identity(3), array({1.0, 2.0}));
      },
      {"solve", "(3, 3)", "(2,)"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { nl::matrix_inverse(T::dvector("v")); },
                                     {"matrix_inverse: expects a matrix"}));
  EXPECT_TRUE(
      throws_with<TypeError>([&] { sl::cholesky(T::zmatrix("z")); }, {"cholesky", "complex"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { sl::solve(x, b, "banded"); }, {"assume_a"}));
  auto [w, v] = nl::eig(x);
  auto eig = function({x}, w);
  EXPECT_TRUE(throws_with<ValueError>(
      [&] {
        eig(array({{0.0, -1.0}, {1.0, 0.0}}));
      },
      {"eig", "complex eigenvalues"}));
}

// ---- gradients ----

using testing::GradRow;
using testing::Point;

Var shifted(const Var& x, double by) {  // x + by * I, well conditioned for random x
  return x + constant(identity(3)) * by;
}

Var symmetric(const Var& x) { return (x + T::transpose(x)) * 0.5; }

TEST(LinalgGrad, MatchesFiniteDifferences) {
  using testing::check_rows;
  const Shape sq{3, 3};
  auto spd_of = [](const Var& x) {
    return T::dot(x, T::transpose(x)) + constant(identity(3)) * 3.0;
  };
  check_rows({
      {"matrix_inverse",
       [](const Vars& in) { return nl::matrix_inverse(shifted(in[0], 3)); },
       {Point{sq}}},
      {"det", [](const Vars& in) { return nl::det(shifted(in[0], 3)); }, {Point{sq}}},
      {"pinv", [](const Vars& in) { return nl::pinv(in[0]); }, {Point{{4, 3}, 1, 2}}},
      {"trace", [](const Vars& in) { return nl::trace(in[0]); }, {Point{{3, 4}}}},
      {"extract_diag", [](const Vars& in) { return nl::extract_diag(in[0], 1); }, {Point{{3, 4}}}},
      {"alloc_diag", [](const Vars& in) { return nl::alloc_diag(in[0], -1); }, {Point{{3}}}},
      {"eigh_w", [&](const Vars& in) { return nl::eigh(spd_of(in[0])).first; }, {Point{sq}}},
      {"eigh_v",
       [&](const Vars& in) { return T::sqr(nl::eigh(spd_of(in[0])).second); },
       {Point{sq}}},
      {"eigh_one_triangle",
       [&](const Vars& in) { return nl::eigh(shifted(in[0], 3), "U").first; },
       {Point{sq}}},
      {"cholesky", [&](const Vars& in) { return sl::cholesky(spd_of(in[0])); }, {Point{sq}}},
      {"cholesky_upper",
       [&](const Vars& in) { return sl::cholesky(spd_of(in[0]), false); },
       {Point{sq}}},
      {"cholesky_one_triangle",
       [](const Vars& in) { return sl::cholesky(shifted(in[0], 3)); },
       {Point{sq}}},
      {"solve",
       [](const Vars& in) { return sl::solve(shifted(in[0], 3), in[1]); },
       {Point{sq}, Point{{3, 2}}}},
      {"solve_sym",
       [](const Vars& in) { return sl::solve(shifted(in[0], 3), in[1], "sym", true); },
       {Point{sq}, Point{{3}}}},
      {"solve_triangular",
       [](const Vars& in) { return sl::solve_triangular(shifted(in[0], 3), in[1], 1, true); },
       {Point{sq}, Point{{3, 2}}}},
      {"expm", [](const Vars& in) { return sl::expm(in[0]); }, {Point{sq, -2, 2}}},
      {"norm", [](const Vars& in) { return nl::norm(in[0]); }, {Point{sq}}},
  });
}

TEST(LinalgGrad, Float32Inverse) {
  verify_grad([](const Vars& in) { return nl::matrix_inverse(in[0]); },
              {well_conditioned(3, 2, DType::Float32)});
}

}  // namespace
}  // namespace theon
