// merge and constant folding, through compiled functions (FAST_COMPILE runs only these).
#include "ops/elemwise.hpp"
#include "support/test_util.hpp"

namespace theon {
namespace {

namespace T = tensor;

size_t count_ops(const Function& f, std::string_view name) {
  size_t n = 0;
  for (const ApplyNode* node : f.fgraph().toposort()) n += node->op().name() == name;
  return n;
}

TEST(Merge, AProductBuiltTwiceIsComputedOnce) {
  auto x = T::dmatrix("x");
  auto y = T::dmatrix("y");
  auto f = function({x, y}, {x * y, x * y}, {}, {.mode = "FAST_COMPILE"});
  EXPECT_EQ(count_ops(f, "mul"), 1u);
  EXPECT_TRUE(f.fgraph().outputs()[0].is(f.fgraph().outputs()[1]));
  auto a = testing::random_array({2, 3}), b = testing::random_array({2, 3}, DType::Float64, -1, 1, 7);
  auto r = f(a, b);
  EXPECT_ALLCLOSE(r[0], r[1]);
}

TEST(Merge, TheSeedsSumOfSumsComputesXPlusYOnce) {
  auto x = T::dscalar("x");
  auto y = T::dscalar("y");
  auto f = function({x, y}, (x + y) + (x + y), {}, {.mode = "FAST_COMPILE"});
  EXPECT_EQ(count_ops(f, "add"), 2u);  // x + y, then the outer sum
  EXPECT_DOUBLE_EQ(f(1.5, 2.0).array().item<double>(), 7.0);
}

TEST(Merge, WholeIdenticalSubgraphsAndEqualConstantsCollapse) {
  auto x = T::dvector("x");
  auto a = T::exp(T::sin(x) * 2.0) + constant(NDArray::full(DType::Float64, {3}, 4.0));
  auto b = T::exp(T::sin(x) * 2.0) + constant(NDArray::full(DType::Float64, {3}, 4.0));
  auto f = function({x}, a - b, {}, {.mode = "FAST_COMPILE"});
  EXPECT_EQ(count_ops(f, "exp"), 1u);
  EXPECT_EQ(count_ops(f, "sin"), 1u);
  EXPECT_EQ(count_ops(f, "add"), 1u);
  auto sub = f.fgraph().outputs()[0].owner();
  EXPECT_TRUE(sub->inputs[0].is(sub->inputs[1]));
}

TEST(Merge, DifferentOpsOrOperandsStayApart) {
  auto x = T::dvector("x");
  auto y = T::dvector("y");
  auto f = function({x, y}, {x - y, y - x, T::sum(x), T::max(x)}, {}, {.mode = "FAST_COMPILE"});
  EXPECT_EQ(count_ops(f, "sub"), 2u);
  EXPECT_EQ(count_ops(f, "sum"), 1u);
  EXPECT_EQ(count_ops(f, "max"), 1u);
  auto g = function({x}, {T::cast(x, DType::Float32), T::cast(x, DType::Int32)}, {}, {.mode = "FAST_COMPILE"});
  EXPECT_EQ(g.fgraph().toposort().size(), 2u);
}

TEST(ConstantFolding, ConstantSubgraphsAreComputedWhenCompiling) {
  auto x = T::dvector("x");
  auto c = T::exp(constant(NDArray::scalar(0.0))) * 3;  // 3.0
  auto f = function({x}, x * c, {}, {.mode = "FAST_COMPILE"});
  const auto nodes = f.fgraph().toposort();
  ASSERT_EQ(nodes.size(), 1u);
  const Var folded = nodes[0]->inputs[1];
  ASSERT_TRUE(folded.is_constant());
  EXPECT_DOUBLE_EQ(folded.constant_value().item<double>(), 3.0);
  EXPECT_ALLCLOSE(f(array({1.0, 2.0})).array(), array({3.0, 6.0}));
}

TEST(ConstantFolding, KeepsTypesExactlyIncludingIntegers) {
  auto i = T::ivector("i");
  auto c = constant(array({2, 3}).astype(DType::Int32)) * constant(NDArray::scalar(int32_t(4)));
  auto f = function({i}, i + c, {}, {.mode = "FAST_COMPILE"});
  const Var folded = f.fgraph().toposort().at(0)->inputs[1];
  ASSERT_TRUE(folded.is_constant());
  EXPECT_EQ(folded.dtype(), DType::Int32);
  auto r = f(array({1, 1}).astype(DType::Int32)).array();
  EXPECT_EQ(r.dtype(), DType::Int32);
  EXPECT_EQ(r.at<int32_t>({1}), 13);
}

TEST(ConstantFolding, LargeResultsStayUnfolded) {
  auto x = T::dmatrix("x");
  // A 1000 x 1000 alloc of a scalar: folding it would keep 8 MB alive for nothing.
  auto big = T::alloc(constant(NDArray::scalar(1.0)), {1000, 1000});
  auto f = function({x}, x + big, {}, {.mode = "FAST_COMPILE"});
  EXPECT_EQ(count_ops(f, "alloc"), 1u);
  auto row = constant(NDArray::full(DType::Float64, {1, 1000}, 1.0));
  auto col = constant(NDArray::full(DType::Float64, {1000, 1}, 2.0));
  auto g = function({x}, x + (row + col), {}, {.mode = "FAST_COMPILE"});
  EXPECT_EQ(count_ops(g, "add"), 2u);
}

TEST(ConstantFolding, AnErrorInAConstantNodeIsRaisedWhenRunning) {
  auto x = T::dvector("x");
  auto bad = constant(array({1.0, 2.0})) + constant(array({1.0, 2.0, 3.0}).slice(0, {0, 2, 1}));
  auto f = function({x}, x * T::sum(bad), {}, {.mode = "FAST_COMPILE"});
  EXPECT_DOUBLE_EQ(f(array({1.0})).array().at<double>({0}), 6.0);
}

TEST(Modes, NoneKeepsTheGraphAsBuilt) {
  auto x = T::dscalar("x");
  auto f = function({x}, (x + 1) * (x + 1), {}, {.mode = "NONE"});
  EXPECT_EQ(count_ops(f, "add"), 2u);
}

TEST(Modes, ExcludingMergeByTagKeepsDuplicates) {
  auto x = T::dscalar("x");
  auto f = function({x}, (x + 1) * (x + 1), {}, {.mode = "FAST_COMPILE", .optimizer_excluding = "merge"});
  EXPECT_EQ(count_ops(f, "add"), 2u);
}

}  // namespace
}  // namespace theon
