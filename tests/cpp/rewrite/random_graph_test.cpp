// Many random expression graphs, each compiled with every rewrite (FAST_RUN) and with
// none (NONE): the results must agree on random inputs.
#include <random>

#include "compile/check_mode.hpp"
#include "support/test_util.hpp"

namespace theon {
namespace {

namespace T = tensor;

// Builds a random graph over float inputs of mixed broadcast patterns.
class FloatGraphBuilder {
 public:
  explicit FloatGraphBuilder(unsigned seed) : rng_(seed) {}

  Var build(const Vars& inputs, int n_ops) {
    pool_ = inputs;
    for (int i = 0; i < n_ops; ++i) pool_.push_back(random_op());
    // The output mixes the last few values, so that most of the graph is used.
    Var out = pool_.back();
    for (int i = 2; i <= 3 && i <= static_cast<int>(pool_.size()); ++i) out = out + pool_[pool_.size() - i];
    return out;
  }

 private:
  const Var& pick() { return pool_[std::uniform_int_distribution<size_t>(0, pool_.size() - 1)(rng_)]; }
  double small_constant() {
    static const double kValues[] = {0.0, 1.0, -1.0, 2.0, 0.5, 3.0, -2.0};
    return kValues[std::uniform_int_distribution<int>(0, 6)(rng_)];
  }
  int choice(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  Var random_op() {
    const Var a = pick();
    const Var b = pick();
    const double k = small_constant();
    switch (choice(24)) {
      case 0: return a + b;
      case 1: return a - b;
      case 2: return a * b;
      case 3: return a / (T::sqr(b) + 1);
      case 4: return -a;
      case 5: return a + k;
      case 6: return a * k;
      case 7: return k - a;
      case 8: return T::exp(T::tanh(a));
      case 9: return T::log(T::sqr(a) + 1);
      case 10: return T::log1p(T::sqr(a));
      case 11: return T::sin(a);
      case 12: return T::sigmoid(a);
      case 13: return T::pow(a, k);
      case 14: return T::pow(T::abs(a) + 0.5, 0.5);
      case 15: return T::maximum(a, b);
      case 16: return T::fill(b, a);
      case 17: return (a + b) - a;
      case 18: return a * b / (T::sqr(a) + 1);
      case 19: return T::log(1 - T::sigmoid(a));
      case 20: return T::exp(T::tanh(a)) - 1;
      case 21: return T::cast(T::cast(a, DType::Float64), DType::Float64);
      case 22: return a.ndim() > 0 ? T::sum(a, {-1}, /*keepdims=*/true) + b : a + b;
      default: return T::switch_(a > b, a, b * 2);
    }
  }

  std::mt19937 rng_;
  Vars pool_;
};

TEST(RandomGraphs, FastRunAgreesWithNoRewritesOnFloatGraphs) {
  auto x = T::dmatrix("x");
  auto r = T::drow("r");
  auto c = T::dcol("c");
  auto s = T::dscalar("s");
  const NDArray xv = testing::random_array({3, 4}, DType::Float64, -2, 2, 1);
  const NDArray rv = testing::random_array({1, 4}, DType::Float64, -2, 2, 2);
  const NDArray cv = testing::random_array({3, 1}, DType::Float64, -2, 2, 3);
  const NDArray sv = NDArray::scalar(0.75);
  for (unsigned seed = 0; seed < 150; ++seed) {
    FloatGraphBuilder builder(seed);
    Var out = builder.build({x, r, c, s}, 12);
    auto reference = function({x, r, c, s}, out, {}, {.on_unused_input = "ignore", .mode = "NONE"});
    auto optimized = function({x, r, c, s}, out, {}, {.on_unused_input = "ignore"});
    const NDArray want = reference(xv, rv, cv, sv).array();
    const NDArray got = optimized(xv, rv, cv, sv).array();
    std::string why;
    ASSERT_TRUE(detail::values_agree(want, got, why))
        << "seed " << seed << ": " << why << "\n  graph:     " << pp(out)
        << "\n  optimized: " << pp(optimized.fgraph().outputs()[0]);
    EXPECT_EQ(want.dtype(), got.dtype());
  }
}

TEST(RandomGraphs, FastRunAgreesWithNoRewritesOnIntegerGraphs) {
  auto i = T::imatrix("i");
  auto j = T::irow("j");
  const NDArray iv = array({{3, -2, 5}, {0, 7, -1}}).astype(DType::Int32);
  const NDArray jv = array({{1, 2, -3}}).astype(DType::Int32);
  std::mt19937 rng(5);
  for (int trial = 0; trial < 60; ++trial) {
    Vars pool{i, j};
    for (int k = 0; k < 10; ++k) {
      const Var a = pool[rng() % pool.size()];
      const Var b = pool[rng() % pool.size()];
      const int c = static_cast<int>(rng() % 4) - 1;
      switch (rng() % 8) {
        case 0: pool.push_back(a + b); break;
        case 1: pool.push_back(a - b); break;
        case 2: pool.push_back(a * b); break;
        case 3: pool.push_back(a * c); break;
        case 4: pool.push_back(a + c); break;
        case 5: pool.push_back(-a); break;
        case 6: pool.push_back((a + b) - b); break;
        default: pool.push_back(T::pow(a, 2) - T::sqr(b)); break;
      }
    }
    Var out = pool.back() + pool[pool.size() - 2];
    auto reference = function({i, j}, out, {}, {.on_unused_input = "ignore", .mode = "NONE"});
    auto optimized = function({i, j}, out, {}, {.on_unused_input = "ignore"});
    const NDArray want = reference(iv, jv).array();
    const NDArray got = optimized(iv, jv).array();
    std::string why;
    ASSERT_EQ(want.dtype(), got.dtype()) << pp(out);
    ASSERT_TRUE(detail::values_agree(want, got, why)) << "trial " << trial << ": " << why << "\n  " << pp(out);
  }
}

}  // namespace
}  // namespace theon
