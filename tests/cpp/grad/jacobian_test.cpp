// jacobian, hessian, Lop and Rop against hand-derived values.
#include "support/test_util.hpp"

namespace T = theon::tensor;
using theon::array;
using theon::function;

namespace theon {
namespace {

TEST(Jacobian, OfElementwiseSquareIsDiagonal) {
  auto v = T::dvector("v");
  auto f = function({v}, T::jacobian(T::pow(v, 2), v));
  EXPECT_ALLCLOSE(f(array({4.0, 4.0})), array({{8.0, 0.0}, {0.0, 8.0}}));
  EXPECT_ALLCLOSE(f(array({1.0, 2.0, 3.0})),
                  array({{2.0, 0.0, 0.0}, {0.0, 4.0, 0.0}, {0.0, 0.0, 6.0}}));
}

TEST(Jacobian, OfMatrixVectorProductIsTheMatrix) {
  auto A = T::dmatrix("A");
  auto x = T::dvector("x");
  auto f = function({A, x}, T::jacobian(T::dot(A, x), x));
  NDArray a = array({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  EXPECT_ALLCLOSE(f(a, array({1.0, 1.0, 1.0})), a);
}

TEST(Jacobian, OfMatrixExpressionHasBothShapes) {
  auto x = T::dvector("x");
  auto outer = T::outer(x, x);  // d(x_i x_j)/dx_k = delta_ik x_j + x_i delta_jk
  auto f = function({x}, T::jacobian(outer, x));
  NDArray j = f(array({1.0, 2.0}));
  ASSERT_EQ(j.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(j.at<double>({0, 0, 0}), 2.0);
  EXPECT_EQ(j.at<double>({0, 1, 0}), 2.0);
  EXPECT_EQ(j.at<double>({0, 1, 1}), 1.0);
  EXPECT_EQ(j.at<double>({1, 1, 1}), 4.0);
}

TEST(Jacobian, OfEmptyExpressionIsEmpty) {
  auto v = T::dvector("v");
  auto f = function({v}, T::jacobian(v * 2, v));
  EXPECT_EQ(f(NDArray::zeros(DType::Float64, {0})).array().shape(), (Shape{0, 0}));
}

TEST(Hessian, OfSumOfCubes) {
  auto v = T::dvector("v");
  auto f = function({v}, T::hessian(T::sum(T::pow(v, 3)), v));
  EXPECT_ALLCLOSE(f(array({1.0, 2.0})), array({{6.0, 0.0}, {0.0, 12.0}}));
}

TEST(Hessian, OfQuadraticFormIsSymmetrizedMatrix) {
  auto x = T::dvector("x");
  auto A = T::dmatrix("A");
  auto f = function({x, A}, T::hessian(T::dot(x, T::dot(A, x)), x));
  NDArray a = array({{1.0, 2.0}, {3.0, 4.0}});
  EXPECT_ALLCLOSE(f(array({0.5, -1.0}), a), array({{2.0, 5.0}, {5.0, 8.0}}));
}

TEST(Hessian, RejectsNonScalarCost) {
  auto v = T::dvector("v");
  EXPECT_THROW(T::hessian(v * 2, v), TypeError);
}

TEST(Lop, IsTheVectorJacobianProduct) {
  auto A = T::dmatrix("A");
  auto x = T::dvector("x");
  auto u = T::dvector("u");
  // u^T A does not depend on x.
  auto f = function({A, x, u}, T::Lop({T::dot(A, x)}, {x}, {u})[0], {}, {.on_unused_input = "ignore"});
  EXPECT_ALLCLOSE(f(array({{1.0, 2.0}, {3.0, 4.0}}), array({1.0, 1.0}), array({1.0, 10.0})),
                  array({31.0, 42.0}));
}

TEST(Rop, IsTheJacobianVectorProduct) {
  auto A = T::dmatrix("A");
  auto x = T::dvector("x");
  auto v = T::dvector("v");
  auto f = function({A, x, v}, T::Rop({T::dot(A, x)}, {x}, {v})[0]);
  // A v
  EXPECT_ALLCLOSE(f(array({{1.0, 2.0}, {3.0, 4.0}}), array({5.0, 6.0}), array({1.0, 10.0})),
                  array({21.0, 43.0}));
}

TEST(Rop, OfNonlinearFunction) {
  auto x = T::dvector("x");
  auto v = T::dvector("v");
  auto f = function({x, v}, T::Rop({T::exp(x) * x}, {x}, {v})[0]);
  // d/dx (x e^x) = (1 + x) e^x, times v
  NDArray xs = array({0.0, 1.0});
  NDArray got = f(xs, array({2.0, 3.0}));
  EXPECT_ALLCLOSE(got, array({2.0, 2.0 * std::exp(1.0) * 3.0}));
}

}  // namespace
}  // namespace theon
