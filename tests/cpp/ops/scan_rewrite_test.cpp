// The scan rewrites change the graph's structure and keep its values.
#include "ops/scan/scan_op.hpp"
#include "support/scan_test_util.hpp"
#include "support/test_util.hpp"
#include "theon/scan.hpp"

namespace theon {
namespace {

namespace T = tensor;
using testing::random_array;
using testing::scans;
using Args = std::span<const Var>;

// Names of the ops in a scan's body.
std::vector<std::string> body_ops(const detail::Scan& scan) {
  FunctionGraph g(scan.spec().inner_inputs, scan.spec().inner_outputs);
  std::vector<std::string> names;
  for (const ApplyNode* node : g.toposort()) names.push_back(node->op().name());
  return names;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The optimized function and the unoptimized one agree.
void expect_same_values(const Vars& in, const Vars& out, const std::vector<NDArray>& args) {
  auto fast = function(in, out);
  auto plain = function(in, out, {}, {.mode = "NONE"});
  std::vector<Arg> a(args.begin(), args.end());
  auto x = fast.call(a), y = plain.call(a);
  for (size_t i = 0; i < out.size(); ++i) EXPECT_ALLCLOSE(x[i], y[i], 1e-12, 1e-12) << "output " << i;
}

TEST(ScanRewrite, InvariantWorkMovesOutOfTheLoop) {
  auto x = T::dmatrix("x");
  auto W = T::dmatrix("W");
  auto h0 = T::dvector("h0");
  // exp(W) * 2 reads only the non-sequence W: it should run once, before the loop.
  auto r = scan([](Args a) { return T::tanh(T::dot(T::exp(a[2]) * 2, a[1]) + a[0]); }, {x}, {h0}, {W});
  auto f = function({x, W, h0}, r.output());
  auto found = scans(f);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_FALSE(contains(body_ops(*found[0]), "exp"));
  // The loop now reads a computed non-sequence (exp(W) * 2, possibly fused) instead of W.
  for (const ApplyNode* node : f.fgraph().toposort()) {
    if (!detail::scan_of(node)) continue;
    const auto& spec = detail::scan_of(node)->spec();
    ASSERT_EQ(spec.n_non_seqs, 1);
    EXPECT_NE(node->inputs[spec.non_seq_input(0)].owner(), nullptr);
  }
  expect_same_values({x, W, h0}, {r.output()},
                     {random_array({4, 3}, DType::Float64, -1, 1, 1), random_array({3, 3}, DType::Float64, -1, 1, 2),
                      random_array({3}, DType::Float64, -1, 1, 3)});
  // Excluding the rewrite keeps exp inside.
  auto g = function({x, W, h0}, r.output(), {}, {.optimizer_excluding = "scan_hoist_invariant"});
  EXPECT_TRUE(contains(body_ops(*scans(g)[0]), "exp"));
}

TEST(ScanRewrite, LastStepOnlyKeepsOneRow) {
  auto x = T::dmatrix("x");
  auto h0 = T::dvector("h0");
  auto r = scan([](Args a) { return T::tanh(a[1] + a[0]); }, {x}, {h0});
  Var last = T::index(r.output(), {-1});
  auto f = function({x, h0}, last);
  auto found = scans(f);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->spec().store[0], 1);
  expect_same_values({x, h0}, {last, T::index(r.output(), {-2})},
                     {random_array({6, 3}, DType::Float64, -1, 1, 4), random_array({3}, DType::Float64, -1, 1, 5)});
  // Reading the whole sequence keeps every row.
  auto g = function({x, h0}, {last, r.output()});
  EXPECT_EQ(scans(g)[0]->spec().store[0], 0);
  // Two last rows, and a non-recurrent output.
  auto m = map([](Args a) { return a[0] * 2; }, {x});
  auto h = function({x}, T::index(m.output(), {-2}));
  EXPECT_EQ(scans(h)[0]->spec().store[0], 2);
  EXPECT_ALLCLOSE(h(array({{1.0}, {2.0}, {3.0}})).array(), array({4.0}));
}

TEST(ScanRewrite, GradientAccumulatorsKeepOneRow) {
  // An element-wise weight: its gradient is summed in the loop (a product's is formed
  // after it, tests/cpp/ops/scan_grad_sums_test.cpp).
  auto x = T::dmatrix("x");
  auto W = T::dvector("W");
  auto h0 = T::dvector("h0");
  auto r = scan([](Args a) { return T::tanh(a[2] * a[1] + a[0]); }, {x}, {h0}, {W});
  auto gW = T::grad(T::sum(r.output()), W);
  auto f = function({x, W, h0}, gW);
  bool trimmed = false;
  for (const auto* s : scans(f))
    for (int64_t st : s->spec().store) trimmed = trimmed || st == 1;
  EXPECT_TRUE(trimmed);
  expect_same_values({x, W, h0}, {gW},
                     {random_array({5, 2}, DType::Float64, -1, 1, 6), random_array({2}, DType::Float64, -1, 1, 7),
                      random_array({2}, DType::Float64, -1, 1, 8)});
}

TEST(ScanRewrite, ScansOverTheSameSequenceMerge) {
  auto x = T::dvector("x");
  auto doubled = map([](Args a) { return a[0] * 2; }, {x});
  auto sums = scan([](Args a) { return a[0] + a[1]; }, {x}, {constant(array(0.0))});
  Vars outs{doubled.output(), sums.output()};
  auto f = function({x}, outs);
  EXPECT_EQ(scans(f).size(), 1u);
  auto got = f(array({1.0, 2.0, 3.0}));
  EXPECT_ALLCLOSE(got[0], array({2.0, 4.0, 6.0}));
  EXPECT_ALLCLOSE(got[1], array({1.0, 3.0, 6.0}));
  // A scan of the same length reading the other's result cannot merge with it.
  auto after = map([&](Args a) { return a[0] + T::sum(doubled.output()); }, {x});
  auto g = function({x}, {doubled.output(), after.output()});
  EXPECT_EQ(scans(g).size(), 2u);
  EXPECT_ALLCLOSE(g(array({1.0, 2.0}))[1], array({7.0, 8.0}));
}

}  // namespace
}  // namespace theon
