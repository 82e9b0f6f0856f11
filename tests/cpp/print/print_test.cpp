// pp and debugprint.
#include "support/test_util.hpp"

namespace T = theon::tensor;

namespace theon {
namespace {

TEST(Pp, InfixArithmeticAndCalls) {
  auto x = T::dscalar("x");
  EXPECT_EQ(pp(T::exp(T::sin(T::pow(x, 2)))), "exp(sin((x ** 2)))");
  auto a = T::dscalar("a"), b = T::dscalar("b");
  EXPECT_EQ(pp(a * b + 1), "((a * b) + 1)");
  EXPECT_EQ(pp(-a), "-a");
  EXPECT_EQ(pp(1.5 / a), "(1.5 / a)");
}

TEST(Pp, GradientOfCubeIsReadable) {
  auto x = T::dscalar("x");
  EXPECT_EQ(pp(T::grad(T::pow(x, 3), x)), "((fill((x ** 3), 1.0) * 3) * (x ** (3 - 1)))");
}

TEST(Pp, DotPlusBias) {
  auto x = T::dvector("x"), w = T::dvector("w");
  auto b = T::dscalar("b");
  EXPECT_EQ(pp(T::dot(x, w) + b), "(dot(x, w) + b)");
}

TEST(Pp, SharedSubexpressionsPrintInFull) {
  auto x = T::dscalar("x"), y = T::dscalar("y");
  auto s = x + y;
  EXPECT_EQ(pp(s + s), "((x + y) + (x + y))");
}

TEST(Debugprint, ShowsOpsTypesAndIdsOnce) {
  auto x = T::dmatrix("x");
  auto e = T::exp(x);
  std::string tree = debugprint(e * e);
  // mul [id A], exp [id B] listed under it, the second use refers to the same id.
  EXPECT_NE(tree.find("mul"), std::string::npos) << tree;
  EXPECT_NE(tree.find("[id A] float64 matrix"), std::string::npos) << tree;
  size_t first = tree.find("exp{");
  ASSERT_NE(first, std::string::npos) << tree;
  size_t second = tree.find("exp{", first + 1);
  ASSERT_NE(second, std::string::npos) << tree;
  EXPECT_EQ(tree.find("x [float64 matrix]"), tree.rfind("x [float64 matrix]")) << "x expanded twice:\n"
                                                                               << tree;
}

TEST(Debugprint, OfAFunctionShowsItsGraph) {
  auto a = T::dscalar("a"), b = T::dscalar("b");
  auto f = function({a, b}, a * b);
  std::string tree = debugprint(f);
  EXPECT_NE(tree.find("mul"), std::string::npos) << tree;
  EXPECT_NE(tree.find("a [float64 scalar]"), std::string::npos) << tree;
  EXPECT_EQ(pp(f), "(a * b)");
}

}  // namespace
}  // namespace theon
