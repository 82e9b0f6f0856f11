// pp on graphs whose tree form is exponential (shared subexpressions) or very deep:
// the full text names long shared subexpressions once, and a cut text costs what it
// prints.
#include <chrono>

#include "support/test_util.hpp"

namespace T = theon::tensor;

namespace theon {
namespace {

// y = tanh(y) * y, `steps` times: as a tree, 2**steps copies of x.
Var doubling(const Var& x, int steps) {
  Var y = x;
  for (int i = 0; i < steps; ++i) y = T::tanh(y) * y;
  return y;
}

TEST(PpSharing, LongSharedSubexpressionsAreDefinedOnce) {
  auto x = T::dvector("x");
  EXPECT_EQ(pp(doubling(x, 2)), "(tanh((tanh(x) * x)) * (tanh(x) * x))");  // short: in place
  EXPECT_EQ(pp(doubling(x, 4)),
            "$1 = (tanh((tanh((tanh(x) * x)) * (tanh(x) * x))) * (tanh((tanh(x) * x)) * (tanh(x) * x)))\n"
            "(tanh($1) * $1)");
  const std::string text = pp(doubling(x, 40));
  EXPECT_LT(text.size(), 2000u) << text;
  // Each binding is defined before it is used, on a line of its own.
  EXPECT_EQ(text.find("$1 = "), 0u) << text;
  EXPECT_LT(text.find("$2 = "), text.find("$2)")) << text;
}

TEST(PpSharing, CutTextCostsItsLength) {
  auto x = T::dvector("x");
  const Var y = doubling(x, 2000);  // 2**2000 copies of x as a tree
  const auto start = std::chrono::steady_clock::now();
  const std::string cut = pp(y, 100);
  const std::string described = describe(y);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(cut.size(), 100u);
  EXPECT_EQ(cut.substr(97), "...");
  EXPECT_EQ(cut.substr(0, 10), "(tanh((tan") << cut;
  EXPECT_NE(described.find("...  float64 vector"), std::string::npos) << described;
  EXPECT_EQ(pp(T::exp(x), 100), "exp(x)");
  EXPECT_EQ(pp(x, 100), "x");
}

TEST(PpSharing, CutTextOfAnOpThatPrintsNothingBeforeItsInput) {
  auto m = T::dmatrix("m");
  Var y = m;
  for (int i = 0; i < 10; ++i) y = T::dimshuffle(y, {1, 0});  // prints "<input>.T"
  EXPECT_EQ(pp(y, 20), "m.T.T.T.T.T.T.T.T...");
  for (int i = 0; i < 100000; ++i) y = T::dimshuffle(y, {1, 0});
  // The text starts 100 000 levels down: the cut gives up rather than walk there.
  EXPECT_EQ(pp(y, 20), "...");
}

TEST(PpSharing, ErrorsAboutHugeExpressionsStaySmall) {
  auto x = T::dvector("x");
  const Var y = doubling(x, 40);
  // Before: describing the vector cost built 2**40 copies of x (MemoryError).
  EXPECT_TRUE(testing::throws_with<TypeError>([&] { T::grad(y, x); }, {"must be a scalar", "..."}));
}

TEST(PpSharing, DebugprintOfSharedGraphIsLinear) {
  auto x = T::dvector("x");
  const std::string tree = debugprint(doubling(x, 200));
  EXPECT_LT(tree.size(), 200u * 2000u);
}

}  // namespace
}  // namespace theon
