// theon::random::Streams: distributions (moments, Kolmogorov-Smirnov, frequencies), the
// state and its default update, reproducibility, dropout under grad, errors. Seeds are
// fixed, so every statistic below is one deterministic number; the bounds sit at about
// five standard errors, far from both a flake and a real bug (a wrong scale or offset
// moves them by hundreds).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "test_util.hpp"
#include "theon/theon.hpp"

namespace theon {
namespace {

namespace T = theon::tensor;
using random::Streams;
using testing::throws_with;

std::vector<double> values(const NDArray& a) {
  NDArray d = a.astype(DType::Float64).contiguous();
  return std::vector<double>(d.data<double>(), d.data<double>() + d.size());
}

NDArray eval(const Var& v) { return function({}, v)().array(); }

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}
double variance(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size());
}

// The Kolmogorov-Smirnov distance between the sample and a CDF, times sqrt(n): above
// ~1.95 the sample is unlikely at p = 0.001; a wrong distribution gives tens.
double ks_statistic(std::vector<double> v, const std::function<double(double)>& cdf) {
  std::sort(v.begin(), v.end());
  const double n = static_cast<double>(v.size());
  double d = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const double f = cdf(v[i]);
    d = std::max({d, std::abs(f - static_cast<double>(i) / n), std::abs(static_cast<double>(i + 1) / n - f)});
  }
  return d * std::sqrt(n);
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

TEST(RandomStreams, UniformMomentsAndKS) {
  Streams srng(1);
  for (DType d : {DType::Float32, DType::Float64}) {
    const NDArray a = eval(srng.uniform({200, 100}, 2.0, 5.0, d));
    EXPECT_EQ(a.dtype(), d);
    EXPECT_EQ(a.shape(), (Shape{200, 100}));
    const auto v = values(a);
    EXPECT_GE(*std::min_element(v.begin(), v.end()), 2.0);
    EXPECT_LT(*std::max_element(v.begin(), v.end()), 5.0);
    // mean 3.5, sd 3 / sqrt(12) = 0.866; 5 standard errors over 20000 values = 0.031
    EXPECT_NEAR(mean(v), 3.5, 0.031);
    EXPECT_NEAR(variance(v), 0.75, 0.03);
    EXPECT_LT(ks_statistic(v, [](double x) { return (x - 2.0) / 3.0; }), 1.95);
  }
}

TEST(RandomStreams, NormalMomentsAndKS) {
  Streams srng(2);
  for (DType d : {DType::Float32, DType::Float64}) {
    const auto v = values(eval(srng.normal({20001}, -1.0, 2.0, d)));  // odd: a partial group
    EXPECT_NEAR(mean(v), -1.0, 5 * 2.0 / std::sqrt(20001.0));
    EXPECT_NEAR(variance(v), 4.0, 5 * 4.0 * std::sqrt(2.0 / 20001.0));
    EXPECT_LT(ks_statistic(v, [](double x) { return normal_cdf((x + 1.0) / 2.0); }), 1.95);
  }
}

TEST(RandomStreams, BinomialFrequencies) {
  Streams srng(3);
  // n = 1: a mask in the requested dtype.
  const NDArray mask = eval(srng.binomial({100, 100}, 1, 0.3, DType::Float32));
  EXPECT_EQ(mask.dtype(), DType::Float32);
  const auto m = values(mask);
  for (double x : m) ASSERT_TRUE(x == 0 || x == 1);
  EXPECT_NEAR(mean(m), 0.3, 5 * std::sqrt(0.21 / 1e4));
  // n = 5: counts with the binomial's probabilities (a chi-square over the 6 outcomes; the
  // 0.999 quantile with 5 degrees of freedom is 20.5).
  const auto c = values(eval(srng.binomial({20000}, 5, 0.4)));
  std::vector<double> seen(6, 0);
  for (double x : c) seen.at(static_cast<size_t>(x)) += 1;
  double chi2 = 0;
  for (int k = 0; k <= 5; ++k) {
    const double p = std::tgamma(6) / (std::tgamma(k + 1) * std::tgamma(6 - k)) * std::pow(0.4, k) * std::pow(0.6, 5 - k);
    chi2 += std::pow(seen[k] - 20000 * p, 2) / (20000 * p);
  }
  EXPECT_LT(chi2, 20.5);
}

TEST(RandomStreams, BinomialBroadcastsAVectorOfP) {
  Streams srng(4);
  auto p = constant(array({0.0, 1.0, 0.5}));
  const NDArray a = eval(srng.binomial({4000, 3}, 1, p, DType::Int8));
  EXPECT_EQ(a.dtype(), DType::Int8);
  double ones[3] = {0, 0, 0};
  for (int64_t i = 0; i < 4000; ++i)
    for (int64_t j = 0; j < 3; ++j) ones[j] += a.at<double>({i, j});
  EXPECT_EQ(ones[0], 0);
  EXPECT_EQ(ones[1], 4000);
  EXPECT_NEAR(ones[2] / 4000, 0.5, 5 * 0.5 / std::sqrt(4000.0));
}

TEST(RandomStreams, MultinomialRowsCountTheirTrials) {
  Streams srng(5);
  auto pvals = constant(array({{0.2, 0.3, 0.5}, {1.0, 0.0, 0.0}}));
  const NDArray a = eval(srng.multinomial(pvals, 10000));
  EXPECT_EQ(a.dtype(), DType::Int64);
  EXPECT_EQ(a.at<int64_t>({1, 0}), 10000);
  EXPECT_EQ(a.at<int64_t>({0, 0}) + a.at<int64_t>({0, 1}) + a.at<int64_t>({0, 2}), 10000);
  const double sd = std::sqrt(10000 * 0.25);
  EXPECT_NEAR(a.at<double>({0, 0}), 2000, 5 * sd);
  EXPECT_NEAR(a.at<double>({0, 2}), 5000, 5 * sd);
}

TEST(RandomStreams, PermutationsChoicesAndIntegers) {
  Streams srng(6);
  const NDArray perm = eval(srng.permutation(50, std::vector<int64_t>{3}));
  EXPECT_EQ(perm.shape(), (Shape{3, 50}));
  for (int64_t r = 0; r < 3; ++r) {
    std::vector<int64_t> row;
    for (int64_t i = 0; i < 50; ++i) row.push_back(perm.at<int64_t>({r, i}));
    std::sort(row.begin(), row.end());
    for (int64_t i = 0; i < 50; ++i) ASSERT_EQ(row[static_cast<size_t>(i)], i);
  }
  const auto ints = values(eval(srng.random_integers({30000}, -2, 2)));
  std::vector<double> seen(5, 0);
  for (double x : ints) seen.at(static_cast<size_t>(x + 2)) += 1;
  for (double s : seen) EXPECT_NEAR(s, 6000, 5 * std::sqrt(30000 * 0.16));
  const auto distinct = values(eval(srng.choice({10}, 10, /*replace=*/false)));
  EXPECT_EQ(std::set<double>(distinct.begin(), distinct.end()).size(), 10u);
  const auto weighted = values(eval(srng.choice({10000}, 3, true, constant(array({0.1, 0.0, 0.9})))));
  EXPECT_EQ(std::count(weighted.begin(), weighted.end(), 1.0), 0);
  EXPECT_NEAR(std::count(weighted.begin(), weighted.end(), 2.0), 9000, 5 * 30);
}

TEST(RandomStreams, ShuffleRowElementsPermutesEachRow) {
  Streams srng(7);
  auto x = T::dmatrix("x");
  auto f = function({x}, srng.shuffle_row_elements(x));
  NDArray data = array({{1.0, 2.0, 3.0, 4.0}, {5.0, 6.0, 7.0, 8.0}});
  const NDArray got = f(data).array();
  for (int64_t r = 0; r < 2; ++r) {
    std::vector<double> row;
    for (int64_t i = 0; i < 4; ++i) row.push_back(got.at<double>({r, i}));
    std::sort(row.begin(), row.end());
    for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(row[static_cast<size_t>(i)], data.at<double>({r, i}));
  }
}

TEST(RandomStreams, DefaultUpdatesAdvanceTheState) {
  Streams srng(8);
  auto u = srng.uniform({5});
  auto f = function({}, u);
  const NDArray a = f().array(), b = f().array();
  EXPECT_FALSE(testing::allclose(a, b));
  // no_default_updates: the state stays, so each call draws the same values.
  FunctionOptions frozen;
  frozen.no_default_updates = true;
  auto g = function({}, u, {}, frozen);
  EXPECT_ALLCLOSE(g().array(), g().array());
  FunctionOptions listed;
  listed.no_default_updates_for = {srng.state_updates()[0].state};
  auto h = function({}, u, {}, listed);
  EXPECT_ALLCLOSE(h().array(), h().array());
}

TEST(RandomStreams, SavedStateReplays) {
  Streams srng(9);
  auto u = srng.normal({7});
  auto f = function({}, u);
  SharedVar state = srng.state_updates().at(0).state;
  const NDArray saved = state.get_value();
  const NDArray first = f().array();
  f();
  state.set_value(saved);
  EXPECT_ALLCLOSE(f().array(), first, 0, 0);
  // Same seed, same order of draws: the same values; seed() restarts the streams.
  Streams again(9);
  EXPECT_ALLCLOSE(eval(again.normal({7})), first, 0, 0);
  srng.seed(9);
  EXPECT_ALLCLOSE(f().array(), first, 0, 0);
  srng.seed(10);
  EXPECT_FALSE(testing::allclose(f().array(), first));
}

TEST(RandomStreams, DrawsOfOneStreamsAreIndependent) {
  Streams srng(11);
  const NDArray a = eval(srng.uniform({100}));
  const NDArray b = eval(srng.uniform({100}));
  EXPECT_FALSE(testing::allclose(a, b));
}

TEST(RandomStreams, SymbolicSize) {
  Streams srng(12);
  auto x = T::fmatrix("x");
  auto n = T::lscalar("n");
  auto f = function({x, n}, {srng.uniform(T::shape(x), 0.0, 1.0, DType::Float32), srng.normal({n, 2})});
  const Result r = f(NDArray::zeros(DType::Float32, {3, 4}), int64_t{5});
  EXPECT_EQ(r[0].shape(), (Shape{3, 4}));
  EXPECT_EQ(r[1].shape(), (Shape{5, 2}));
  EXPECT_EQ(r[1].dtype(), config().floatX);
  const Result empty = f(NDArray::zeros(DType::Float32, {0, 4}), int64_t{0});
  EXPECT_EQ(empty[0].size(), 0);
}

// Dropout in a training step: the gradient flows through x * mask (the mask has none),
// and each step draws a new mask.
TEST(RandomStreams, DropoutTrainingStep) {
  Streams srng(13);
  auto x = T::dmatrix("x");
  auto w = shared(NDArray::full(DType::Float64, {4, 3}, 0.5), "w");
  auto mask = srng.binomial(T::shape(x), 1, 0.5, DType::Float64);
  auto h = T::dot(x * mask / 0.5, w);
  auto cost = T::sum(h * h);
  auto gw = T::grad(cost, w);
  auto step = function({x}, {cost, gw}, {{w, w - 0.01 * gw}});
  const NDArray data = NDArray::full(DType::Float64, {8, 4}, 1.0);
  const Result r = step(data);
  EXPECT_TRUE(std::isfinite(r[0].item<double>()));
  EXPECT_GT(r[0].item<double>(), 0.0);
  const NDArray w_after = w.get_value();
  EXPECT_FALSE(testing::allclose(w_after, NDArray::full(DType::Float64, {4, 3}, 0.5)));
  const Result r2 = step(data);
  EXPECT_NE(r[0].item<double>(), r2[0].item<double>());  // a new mask
}

TEST(RandomStreams, DropoutGradientMatchesTheMask) {
  Streams srng(14);
  auto x = T::dvector("x");
  auto mask = srng.binomial(T::shape(x), 1, 0.5, DType::Float64);
  auto g = T::grad(T::sum(x * mask / 0.5), x);
  FunctionOptions frozen;
  frozen.no_default_updates = true;
  auto f = function({x}, {g, mask}, {}, frozen);
  const Result r = f(NDArray::full(DType::Float64, {64}, 3.0));
  const auto grad = values(r[0]), m = values(r[1]);
  for (size_t i = 0; i < m.size(); ++i) EXPECT_EQ(grad[i], m[i] / 0.5);
}

TEST(RandomStreams, Errors) {
  Streams srng(15);
  auto n = T::lscalar("n");
  auto f = function({n}, srng.uniform({n}));
  EXPECT_TRUE(throws_with<ValueError>([&] { f(int64_t{-3}); }, {"uniform", "negative length -3"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { srng.uniform({3}, 0.0, 1.0, DType::Int32); }, {"uniform", "int32"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { srng.normal({3}, 0.0, 1.0, DType::Bool); }, {"normal", "bool"}));
  auto p = T::dscalar("p");
  auto g = function({p}, srng.binomial({4}, 3, p));
  EXPECT_TRUE(throws_with<ValueError>([&] { g(1.5); }, {"binomial", "outside [0, 1]"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { eval(srng.choice({5}, 3, false)); }, {"choice", "without replacement"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { srng.multinomial(constant(array({0.5, 0.5}))); }, {"multinomial", "matrix"}));
  SharedVar state = srng.state_updates().at(0).state;
  EXPECT_TRUE(throws_with<TypeError>([&] { state.set_value(array({1.0, 2.0, 3.0})); }, {"float64"}));
  state.set_value(array({int64_t{1}, int64_t{2}}));
  EXPECT_TRUE(throws_with<TypeError>([&] { f(int64_t{3}); }, {"random state", "3 entries"}));
}

}  // namespace
}  // namespace theon
