// Test values (theon/test_value.hpp): computed while the graph is built, per mode; errors
// at the line that built the node; rewrites, compiling and clone never affected.
#include <string>
#include <vector>

#include "support/test_util.hpp"
#include "theon/clone.hpp"
#include "theon/scan.hpp"
#include "theon/test_value.hpp"

namespace theon {
namespace {

namespace T = tensor;
using testing::allclose;
using testing::random_array;
using testing::throws_with;

// Sets config().compute_test_value for one test and restores it (and the handlers).
class Mode {
 public:
  explicit Mode(const std::string& mode) : saved_(config().compute_test_value) {
    config().compute_test_value = mode;
  }
  ~Mode() {
    config().compute_test_value = saved_;
    set_test_value_warning_handler(nullptr);
    set_test_value_debug_hook(nullptr);
  }

 private:
  std::string saved_;
};

std::string here(int line) { return "test_value_test.cpp:" + std::to_string(line); }

TEST(TestValue, OffComputesNothing) {
  Mode mode("off");
  auto x = T::dmatrix("x");
  set_test_value(x, random_array({2, 3}));
  auto y = T::exp(x) + 1;
  EXPECT_TRUE(has_test_value(x));
  EXPECT_FALSE(has_test_value(y));
  EXPECT_FALSE(y.get()->test_value);
}

TEST(TestValue, ElemwiseDotReductionSubtensor) {
  Mode mode("raise");
  auto x = T::dmatrix("x");
  auto W = T::dmatrix("W");
  const NDArray xv = array({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}});
  const NDArray wv = array({{1.0, 0.0, 2.0}, {0.0, 1.0, -1.0}});
  set_test_value(x, xv);
  set_test_value(W, wv);
  auto h = T::dot(x, W);      // (3, 3)
  auto e = T::exp(h) * 2 - h;
  auto s = T::sum(h, 1);      // row sums
  auto r = T::index(h, {1});  // second row
  // numpy: h = x @ W = [[1,2,0],[3,4,2],[5,6,4]]; h.sum(1) = [3,9,15]
  EXPECT_ALLCLOSE(test_value(h), array({{1.0, 2.0, 0.0}, {3.0, 4.0, 2.0}, {5.0, 6.0, 4.0}}));
  EXPECT_ALLCLOSE(test_value(s), array({3.0, 9.0, 15.0}));
  EXPECT_ALLCLOSE(test_value(r), array({3.0, 4.0, 2.0}));
  EXPECT_NEAR(test_value(e).at<double>({0, 1}), 2 * std::exp(2.0) - 2, 1e-12);
}

TEST(TestValue, SharedAndConstantsCountAsValues) {
  Mode mode("raise");
  auto W = shared(array({{2.0, 0.0}, {0.0, 3.0}}), "W");
  auto v = T::dvector("v");
  set_test_value(v, array({1.0, 1.0}));
  auto y = T::dot(W, v) + constant(array({10.0, 20.0}));
  EXPECT_TRUE(has_test_value(W));
  EXPECT_ALLCLOSE(test_value(y), array({12.0, 23.0}));
}

TEST(TestValue, ShapeErrorRaisedAtTheBuildingLine) {
  Mode mode("raise");
  auto x = T::dmatrix("x");
  auto W = T::dmatrix("W");
  set_test_value(x, random_array({5, 10}));
  set_test_value(W, random_array({20, 3}));
  int line = 0;
  EXPECT_TRUE(throws_with<UserError>(
      [&] {
        line = __LINE__ + 1;
        T::dot(x, W);
      },
      {"dot", "computing test values", "(5, 10)", "(20, 3)", "float64"}));
  EXPECT_TRUE(throws_with<UserError>([&] { T::dot(x, W); }, {"test_value_test.cpp:"}));
  try {
    line = __LINE__ + 1;
    T::dot(x, W);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(here(line)), std::string::npos) << e.what();
  }
}

TEST(TestValue, RaiseNamesTheSourceWithoutValue) {
  Mode mode("raise");
  auto x = T::dmatrix("x");
  auto y = T::dmatrix("lonely");
  set_test_value(x, random_array({2, 2}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::add(x, y); },
                                      {"lonely", "add", "has no test value", "test_value_test.cpp:"}));
}

TEST(TestValue, PdbCallsTheHookThenRaises) {
  Mode mode("pdb");
  std::vector<std::string> seen;
  set_test_value_debug_hook([&](const std::string& m) { seen.push_back(m); });
  auto x = T::dvector("x");
  EXPECT_THROW(T::exp(x), ValueError);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_NE(seen[0].find("exp"), std::string::npos);
}

TEST(TestValue, IgnoreAndWarnSkipNodesWithoutValues) {
  auto x = T::dvector("x");
  {
    Mode mode("ignore");
    auto y = T::exp(x);
    EXPECT_FALSE(has_test_value(y));
  }
  Mode mode("warn");
  std::vector<std::string> warnings;
  set_test_value_warning_handler([&](const std::string& m) { warnings.push_back(m); });
  auto y = T::exp(x);
  auto z = T::log(y);  // y has no value since it was built: no second warning
  EXPECT_FALSE(has_test_value(z));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("exp"), std::string::npos);
  EXPECT_NE(warnings[0].find("x"), std::string::npos);
}

TEST(TestValue, SetTestValueChecksTheType) {
  auto x = T::dmatrix("x");
  EXPECT_TRUE(throws_with<TypeError>([&] { set_test_value(x, random_array({2, 2}, DType::Float32)); },
                                     {"x", "float32"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { set_test_value(x, random_array({4})); },
                                     {"x", "expected 2", "got 1"}));
  auto row = T::variable(TensorType(DType::Float64, {true, false}), "r");
  EXPECT_TRUE(throws_with<TypeError>([&] { set_test_value(row, random_array({3, 4})); },
                                     {"broadcastable", "(3, 4)"}));
  NDArray mine = array({1.0, 2.0});
  auto v = T::dvector("v");
  set_test_value(v, mine);
  mine.data<double>()[0] = 99;  // the test value is a copy
  EXPECT_EQ(test_value(v).at<double>({0}), 1.0);
  clear_test_value(v);
  EXPECT_FALSE(has_test_value(v));
  EXPECT_THROW(test_value(v), ValueError);
}

TEST(TestValue, ScanComputesTheLoopAndChecksItsBody) {
  Mode mode("raise");
  auto x = T::dvector("x");
  set_test_value(x, array({1.0, 2.0, 3.0, 4.0}));
  auto r = scan([](std::span<const Var> a) { return a[0] + a[1]; }, {x}, {constant(array(0.0))});
  EXPECT_ALLCLOSE(test_value(r.output()), array({1.0, 3.0, 6.0, 10.0}));

  // A bad product inside the step shows at the step's line, while scan builds the body.
  auto W = T::dmatrix("W");
  set_test_value(W, random_array({3, 3}));
  auto xs = T::dmatrix("xs");
  set_test_value(xs, random_array({5, 2}));
  int line = 0;
  try {
    scan(
        [&](std::span<const Var> a) {
          line = __LINE__ + 1;
          return T::dot(W, a[0]);
        },
        {xs});
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(here(line)), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("computing test values"), std::string::npos) << e.what();
  }
}

TEST(TestValue, ScanGradientGetsValuesToo) {
  Mode mode("raise");
  auto x = T::dmatrix("x");
  auto W = shared(array({{0.5, -0.25}, {0.125, 1.0}}), "W");
  const NDArray xv = array({{1.0, 2.0}, {0.5, -1.0}, {3.0, 0.0}});
  set_test_value(x, xv);
  auto h = scan([&](std::span<const Var> a) { return T::tanh(T::dot(a[0], W) + a[1]); }, {x},
                {constant(array({0.0, 0.0}))});
  auto g = T::grad(T::sum(h.output()), W);
  ASSERT_TRUE(has_test_value(g));
  Mode off("off");
  EXPECT_ALLCLOSE(test_value(g), function({x}, g)(xv).array());
}

TEST(TestValue, VerifyGradWorksInRaiseMode) {
  Mode mode("raise");
  // verify_grad's own inputs take the points as test values; its graph is its own.
  EXPECT_NO_THROW(verify_grad([](const Vars& in) { return T::sum(T::tanh(in[0]) * in[1]); },
                              {random_array({3, 2}), random_array({3, 2}, DType::Float64, -1, 1, 1)}));
}

TEST(TestValue, IfElseNeedsOnlyTheChosenBranch) {
  Mode mode("raise");
  auto c = T::lscalar("c");
  auto a = T::dvector("a");
  auto b = T::dvector("b");
  set_test_value(c, array(int64_t{1}));
  set_test_value(a, array({1.0, 2.0}));
  auto y = ifelse(c, a, b);  // b has no value, but the condition picks a
  EXPECT_ALLCLOSE(test_value(y), array({1.0, 2.0}));
}

TEST(TestValue, GradientAndCompiledFunctionAreUnaffected) {
  auto x = T::dmatrix("x");
  auto W = shared(array({{0.5, -1.0}, {2.0, 0.25}}), "W");
  const NDArray xv = array({{1.0, 2.0}, {-3.0, 0.5}});
  auto build = [&] {
    auto cost = T::sum(T::sqr(T::tanh(T::dot(x, W)) + T::log1p(T::exp(x))));
    return Vars{cost, T::grad(cost, W)};
  };
  const Vars off = [&] {
    Mode mode("off");
    return build();
  }();
  Mode mode("raise");
  set_test_value(x, xv);
  const Vars on = build();
  EXPECT_TRUE(has_test_value(on[0]));
  EXPECT_TRUE(has_test_value(on[1]));
  // Compiling runs every rewrite (nodes over sources with and without values), in raise mode.
  auto f_on = function({x}, on);
  auto f_off = function({x}, off);
  std::vector<Arg> args{xv};
  auto got = f_on.call(args);
  auto want = f_off.call(args);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_ALLCLOSE(got[i], want[i]);
    EXPECT_ALLCLOSE(test_value(on[i]), want[i]);
  }
}

TEST(TestValue, RewritesAndCloneOverSourcesWithoutValuesNeverRaise) {
  auto x = T::dvector("x");  // no test value
  Var y;
  {
    Mode mode("ignore");
    y = T::log(1 + T::exp(x)) * 2;
  }
  Mode mode("raise");
  auto f = function({x}, y);  // log1p/softplus rewrites build nodes over x
  EXPECT_NEAR(f.call(std::vector<Arg>{array({0.0})}).array().at<double>({0}), 2 * std::log(2.0), 1e-12);
  auto z = T::dvector("z");  // no value either
  EXPECT_NO_THROW(clone(y, {{x, z}}));
}

}  // namespace
}  // namespace theon
