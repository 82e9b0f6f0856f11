// The NaN guard (theon::nan_guard): the first node producing NaN / Inf / big values
// raises NanGuardError naming the node and the user's line; integer outputs are skipped;
// a call that raises commits no update.
#include <cmath>
#include <limits>

#include "support/test_util.hpp"
#include "theon/debug.hpp"

namespace T = theon::tensor;
using theon::array;
using theon::function;
using theon::shared;
using theon::testing::throws_with;

namespace theon {
namespace {

FunctionOptions guarded(NanGuardOptions options = {}) {
  FunctionOptions o;
  o.observers.push_back(nan_guard(options));
  return o;
}

TEST(NanGuard, NanFromLogOfNegativeNamesTheNodeAndLine) {
  auto x = T::dvector("x");
  auto y = T::log(x);  // the line the message must name
  const int line = __LINE__ - 1;
  auto f = function({x}, {y * 2.0}, {}, guarded());
  EXPECT_ALLCLOSE(f(array({1.0, std::exp(1.0)}))[0], array({0.0, 2.0}));
  EXPECT_TRUE(throws_with<NanGuardError>([&] { f(array({1.0, -1.0})); },
                                         {"NaN", "log", "nan_guard_test.cpp:" + std::to_string(line),
                                          "float64 shape (2,)", "finite"}));
}

TEST(NanGuard, InfFromLogOfZero) {
  auto x = T::dvector("x");
  auto f = function({x}, {T::log(x) + 1.0}, {}, guarded());
  EXPECT_TRUE(throws_with<NanGuardError>([&] { f(array({0.0, 1.0})); }, {"Inf", "log"}));
  NanGuardOptions no_inf;
  no_inf.inf_is_error = false;
  no_inf.big_is_error = false;
  auto g = function({x}, {T::log(x) + 1.0}, {}, guarded(no_inf));
  const NDArray out = g(array({0.0, 1.0}))[0];
  EXPECT_TRUE(std::isinf(out.at<double>({0})));
}

TEST(NanGuard, BigValuesAboveTheanoThreshold) {
  auto x = T::fvector("x");
  auto f = function({x}, {x * 1e6f}, {}, guarded());
  EXPECT_NO_THROW(f(array({1000.0f})));  // 1e9 is not big
  EXPECT_TRUE(throws_with<NanGuardError>([&] { f(array({1.0f, 1e5f})); }, {"big value", "float32"}));
  NanGuardOptions no_big;
  no_big.big_is_error = false;
  auto g = function({x}, {x * 1e6f}, {}, guarded(no_big));
  EXPECT_NO_THROW(g(array({1e5f})));
}

TEST(NanGuard, GraphInputsAreChecked) {
  auto x = T::dvector("x");
  auto f = function({x}, {T::exp(x)}, {}, guarded());
  EXPECT_TRUE(throws_with<NanGuardError>([&] { f(array({std::nan(""), 1.0})); },
                                         {"NaN", "an input of the graph", "x"}));
}

TEST(NanGuard, IntegerOutputsAreIgnored) {
  auto i = T::lvector("i");
  auto f = function({i}, {i + int64_t{1}, i * int64_t{100000000000}}, {}, guarded());
  const NDArray out = f(array({int64_t{1000}}))[1];  // 1e14: big, but an integer
  EXPECT_EQ(out.at<int64_t>({0}), int64_t{100000000000000});
}

TEST(NanGuard, ARaisingCallCommitsNoUpdate) {
  auto x = T::dscalar("x");
  auto acc = shared(1.0, "acc");
  auto count = shared(0.0, "count");
  auto f = function({x}, {acc * x}, {{acc, T::log(acc * x)}, {count, count + 1.0}}, guarded());
  f(1.0);  // acc = log(1) = 0
  EXPECT_EQ(acc.get_value().item<double>(), 0.0);
  EXPECT_EQ(count.get_value().item<double>(), 1.0);
  EXPECT_THROW(f(2.0), NanGuardError);  // log(0) = -inf in the update
  EXPECT_EQ(acc.get_value().item<double>(), 0.0);
  EXPECT_EQ(count.get_value().item<double>(), 1.0);
}

TEST(NanGuard, ScanFindsEachKindOnAnyStrides) {
  NDArray a = array({{1.0, 2.0}, {3.0, 4.0}});
  EXPECT_FALSE(scan_non_finite(a).nan);
  NDArray b = array({{1.0, std::nan("")}, {std::numeric_limits<double>::infinity(), 2e10}});
  const NonFinite all = scan_non_finite(b);
  EXPECT_TRUE(all.nan && all.inf && all.big);
  const NonFinite column0 = scan_non_finite(b.transpose().index(0, 0));  // (1, inf): strided
  EXPECT_TRUE(!column0.nan && column0.inf && column0.big);
  EXPECT_FALSE(scan_non_finite(array({int64_t{1} << 40})).big);
}

}  // namespace
}  // namespace theon
