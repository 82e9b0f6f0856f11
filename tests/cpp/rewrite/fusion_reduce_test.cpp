// fuse_reduce: which reductions of element-wise values become one FusedReduce node in
// FAST_RUN, and that the fused functions compute what the unfused interpreter (mode
// NONE) computes. The whole-graph native kernel is switched off here (the rewrite
// leaves graphs it could run alone), except in the test of that rule.
#include <cmath>
#include <limits>
#include <map>

#include "backend/cgen/graph_emitter.hpp"
#include "ops/fused_reduce.hpp"
#include "support/test_util.hpp"

namespace T = theon::tensor;

namespace theon {
namespace {

using testing::allclose;
using testing::random_array;

constexpr DType f32 = DType::Float32, f64 = DType::Float64;

class FuseReduceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_graph_ = config().cgen_graph;
    config().cgen_graph = false;
  }
  void TearDown() override { config().cgen_graph = saved_graph_; }

 private:
  bool saved_graph_ = true;
};

Function compiled(const Vars& in, const Vars& out, const std::string& mode = "FAST_RUN",
                  const std::string& excluding = "") {
  FunctionOptions options;
  options.mode = mode;
  options.optimizer_excluding = excluding;
  return function(in, out, {}, options);
}

std::map<std::string, int> ops_of(const Function& f) {
  std::map<std::string, int> count;
  for (const ApplyNode* node : f.fgraph().toposort()) ++count[node->op().name()];
  return count;
}

int fused_reductions(const Function& f) {
  int n = 0;
  for (const ApplyNode* node : f.fgraph().toposort())
    n += dynamic_cast<const detail::FusedReduce*>(&node->op()) != nullptr;
  return n;
}

// FAST_RUN has exactly one FusedReduce and no separate reduction or fused loop feeding
// it, and agrees with mode NONE on `args`.
void expect_fused(const Vars& in, const Var& out, const std::vector<NDArray>& args, double rtol) {
  auto fast = compiled(in, {out});
  auto none = compiled(in, {out}, "NONE");
  const auto ops = ops_of(fast);
  EXPECT_EQ(fused_reductions(fast), 1) << pp(fast);
  EXPECT_EQ(ops.count("sum") + ops.count("max") + ops.count("fused"), 0u) << pp(fast);
  std::vector<Arg> call(args.begin(), args.end());
  const NDArray got = fast.call(call)[0], want = none.call(call)[0];
  ASSERT_EQ(got.dtype(), want.dtype());
  ASSERT_EQ(got.shape(), want.shape());
  EXPECT_TRUE(allclose(got, want, rtol, rtol)) << to_string(got) << "\nvs\n" << to_string(want);
}

TEST_F(FuseReduceTest, SumOfExpOverSizes) {
  for (DType d : {f32, f64}) {
    for (int64_t n : {0, 1, 7, 257, 100003}) {
      SCOPED_TRACE(std::string(dtype_name(d)) + " n=" + std::to_string(n));
      auto x = T::tensor(d, {false}, "x");
      expect_fused({x}, T::sum(T::exp(x)), {random_array({n}, d, -3, 3, 1)}, d == f32 ? 1e-5 : 1e-12);
    }
  }
}

TEST_F(FuseReduceTest, RowSumsOfAProductMaxAbsAndMeanSquare) {
  for (DType d : {f32, f64}) {
    SCOPED_TRACE(dtype_name(d));
    const double tol = d == f32 ? 1e-5 : 1e-12;
    auto x = T::tensor(d, {false, false}, "x"), y = T::tensor(d, {false, false}, "y");
    const NDArray a = random_array({40, 257}, d, -1, 1, 2), b = random_array({40, 257}, d, -1, 1, 3);
    expect_fused({x, y}, T::sum(x * y, -1), {a, b}, tol);
    expect_fused({x, y}, T::sum(x * y, 1, true), {a, b}, tol);
    expect_fused({x}, T::max(T::abs(x)), {a}, 0);
    expect_fused({x}, T::max(T::abs(x), 1), {a.transpose()}, 0);
    // mean = sum / n: the division stays a separate scalar op after the fused sum.
    auto fast = compiled({x}, {T::mean(T::sqr(x))});
    EXPECT_EQ(fused_reductions(fast), 1) << pp(fast);
    EXPECT_TRUE(allclose(fast(a).array(), compiled({x}, {T::mean(T::sqr(x))}, "NONE")(a).array(), tol, tol));
    // A group of several ops, over all axes of a transposed input.
    expect_fused({x, y}, T::sum(T::exp(x) * T::tanh(y) + 1.0), {a.transpose(), b.transpose()}, tol);
  }
}

TEST_F(FuseReduceTest, NanAndInfinity) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  auto x = T::dvector("x");
  std::vector<double> values(1000, -0.25);
  values[3] = -inf;
  values[600] = nan;
  const NDArray v = detail::array_from_flat(f64, {1000}, values.data());
  expect_fused({x}, T::max(T::abs(x)), {v}, 0);
  EXPECT_TRUE(std::isnan(compiled({x}, {T::max(T::abs(x))})(v).array().item<double>()));
  values[600] = 0;
  const NDArray w = detail::array_from_flat(f64, {1000}, values.data());
  EXPECT_EQ(compiled({x}, {T::max(T::abs(x))})(w).array().item<double>(), inf);
  expect_fused({x}, T::sum(T::exp(-x)), {w}, 0);  // inf
}

// The element-wise value is also an output, or read by a second reduction: it must be
// computed anyway, so the reduction reads it.
TEST_F(FuseReduceTest, ValuesReadElsewhereAreNotFused) {
  auto x = T::dvector("x");
  auto e = T::exp(x);
  EXPECT_EQ(fused_reductions(compiled({x}, {T::sum(e), e})), 0);
  EXPECT_EQ(fused_reductions(compiled({x}, {T::sum(e), T::max(e)})), 0);
  // ... but a read of its shape alone is not a read of its value.
  EXPECT_EQ(fused_reductions(compiled({x}, {T::sum(e) + T::cast(T::shape_i(e, 0), f64)})), 1);
  auto m = T::dmatrix("m");
  EXPECT_EQ(fused_reductions(compiled({m}, {T::sum(T::exp(m), 0), T::exp(m) * 2.0})), 0);
  // Comparisons are not float operations: they reduce as before.
  EXPECT_EQ(fused_reductions(compiled({x}, {T::any(T::gt(x, 0.0))})), 0);
  // Complex data is left alone.
  auto z = T::zvector("z");
  EXPECT_EQ(fused_reductions(compiled({z}, {T::sum(z * z)})), 0);
}

TEST_F(FuseReduceTest, ExcludedByNameAndLeftToTheWholeGraphKernel) {
  auto x = T::dvector("x");
  auto y = T::sum(T::exp(x));
  EXPECT_EQ(fused_reductions(compiled({x}, {y}, "FAST_RUN", "fuse_reduce")), 0);
  EXPECT_EQ(ops_of(compiled({x}, {y}, "FAST_RUN", "fuse_reduce")).count("sum"), 1u);
  // The whole-graph kernel could run the function: it is fused only if that kernel can
  // still take every step.
  config().cgen_graph = true;
  if (!config().cxx.empty()) {
    auto f = compiled({x}, {y});
    bool all_emittable = true;
    for (const ApplyNode* node : f.fgraph().toposort())
      all_emittable = all_emittable && (node->op().view_of(0) >= 0 || detail::cgen::can_emit_step(*node));
    EXPECT_TRUE(fused_reductions(f) == 0 || all_emittable) << pp(f);
  }
}

}  // namespace
}  // namespace theon
