// The stabilize phase: each rule gives the expected graph (ops counted before fusion
// hides them), the values of the graph as built (mode NONE) wherever those are finite,
// and finite values (and gradients) where the graph as built overflows.
#include <algorithm>
#include <cmath>
#include <map>

#include "ops/nnet/logsumexp.hpp"
#include "ops/nnet/softmax.hpp"
#include "ops/nnet/softmax_crossentropy.hpp"
#include "rewrite/pattern.hpp"
#include "support/test_util.hpp"
#include "theon/fgraph.hpp"

namespace T = theon::tensor;
namespace nnet = theon::tensor::nnet;

namespace theon {
namespace {

using testing::allclose;
using testing::random_array;

FunctionOptions options(const std::string& mode, const std::string& excluding = "") {
  FunctionOptions o;
  o.mode = mode;
  o.optimizer_excluding = excluding;
  o.on_unused_input = "ignore";
  return o;
}

// FAST_RUN without the passes after stabilize that rename or merge nodes.
FunctionOptions structure(const std::string& excluding = "") {
  return options("FAST_RUN", "fusion:inplace" + (excluding.empty() ? "" : ":" + excluding));
}

// Op counts of the compiled graph, by track_key ("log1p", "softmax", "sum", ...).
struct Ops {
  std::map<std::string, int> counts;
  std::string list;
  int operator[](const std::string& key) const {
    auto it = counts.find(key);
    return it == counts.end() ? 0 : it->second;
  }
};

Ops ops_of(const Vars& inputs, const Vars& outputs, const std::string& excluding = "") {
  Function f = function(inputs, outputs, {}, structure(excluding));
  Ops ops;
  for (const ApplyNode* node : f.fgraph().toposort()) {
    const std::string key = rewrite::track_key(node->op());
    ++ops.counts[key];
    ops.list += key + " ";
  }
  return ops;
}

std::vector<NDArray> run(const Function& f, const std::vector<NDArray>& args) {
  std::vector<Arg> a(args.begin(), args.end());
  return f.call(a).vector();
}

std::vector<NDArray> run(const Vars& inputs, const Vars& outputs, const std::vector<NDArray>& args,
                         const FunctionOptions& o = options("FAST_RUN")) {
  return run(function(inputs, outputs, {}, o), args);
}

bool all_finite(const NDArray& a) {
  const NDArray d = a.astype(DType::Float64);
  for (int64_t i = 0; i < d.size(); ++i)
    if (!std::isfinite(d.data<double>()[i])) return false;
  return true;
}

// FAST_RUN gives what NONE gives (dtype, shape, values within rounding, NaN where NaN).
::testing::AssertionResult agrees_with_none(const Vars& inputs, const Var& output,
                                            const std::vector<NDArray>& args) {
  const NDArray got = run(inputs, {output}, args)[0];
  const NDArray want = run(inputs, {output}, args, options("NONE"))[0];
  const bool single = want.dtype() == DType::Float32;
  return allclose(got, want, single ? 1e-5 : 1e-10, single ? 1e-6 : 1e-12);
}

NDArray from_values(const Shape& shape, const std::vector<double>& values) {
  NDArray a = NDArray::empty(DType::Float64, shape);
  std::copy(values.begin(), values.end(), a.data<double>());
  return a;
}

NDArray f64(std::initializer_list<double> v) { return array(v); }
NDArray f64(std::initializer_list<std::initializer_list<double>> v) { return array(v); }

// ---- log1p, expm1 ----

TEST(Stabilize, LogOfOnePlusBecomesLog1p) {
  auto x = T::dvector("x");
  const Var y = T::log(1 + x);
  const Ops ops = ops_of({x}, {y});
  EXPECT_EQ(ops["log1p"], 1) << ops.list;
  EXPECT_EQ(ops["log"] + ops["add"], 0) << ops.list;
  EXPECT_TRUE(agrees_with_none({x}, y, {f64({0.5, -0.5, 3, -1, -2, NAN, INFINITY, -INFINITY})}));
  EXPECT_TRUE(agrees_with_none({x}, y, {NDArray::empty(DType::Float64, {0})}));
  // The stabilizer's doing: log(1 + 1e-20) rounds to log(1) = 0.
  EXPECT_EQ(run({x}, {y}, {f64({1e-20})})[0].at<double>({0}), 1e-20);
  EXPECT_EQ(run({x}, {y}, {f64({1e-20})}, options("NONE"))[0].at<double>({0}), 0.0);
  EXPECT_EQ(run({x}, {y}, {f64({1e-20})}, options("FAST_RUN", "log1p_from_log"))[0].at<double>({0}), 0.0);
}

TEST(Stabilize, Log1pOfSumsWithBroadcastingAndFloat32) {
  // log(c + 1 + r) over a column and a row: log1p(c + r) keeps the (3, 4) result.
  auto c = T::dcol("c");
  auto r = T::drow("r");
  const Var y = T::log(T::add(Vars{c, constant(array(1.0)), r}));
  const Ops ops = ops_of({c, r}, {y});
  EXPECT_EQ(ops["log1p"], 1) << ops.list;
  EXPECT_EQ(ops["log"], 0) << ops.list;
  EXPECT_TRUE(agrees_with_none({c, r}, y, {random_array({3, 1}, DType::Float64, -0.5, 1, 1),
                                           random_array({1, 4}, DType::Float64, -0.4, 1, 2)}));
  // log(1 - x) = log1p(-x); a 1 that is a whole row still gives log1p, filled to its shape.
  auto m = T::dmatrix("m");
  const Var ones_row = constant(NDArray::full(DType::Float64, {1, 4}, 1.0));
  for (const Var& z : {T::log(1 - m), T::log(ones_row + m)}) {
    const Ops o = ops_of({m}, {z});
    EXPECT_EQ(o["log1p"], 1) << o.list;
    EXPECT_EQ(o["log"], 0) << o.list;
    EXPECT_TRUE(agrees_with_none({m}, z, {random_array({3, 4}, DType::Float64, -0.9, 0.9, 3)}));
    EXPECT_TRUE(agrees_with_none({m}, z, {NDArray::empty(DType::Float64, {0, 4})}));
  }
  auto f = T::fvector("f");
  const Var yf = T::log(f + 1);
  EXPECT_EQ(ops_of({f}, {yf})["log1p"], 1);
  EXPECT_TRUE(agrees_with_none({f}, yf, {random_array({5}, DType::Float32, -0.5, 2, 4)}));
}

TEST(Stabilize, IntegerLogOfOnePlusKeepsItsWraparound) {
  // 1 + x in int32 wraps at the maximum: log1p(x) would not, so the rule declines.
  auto i = T::ivector("i");
  const Var y = T::log(1 + i);
  const Ops ops = ops_of({i}, {y});
  EXPECT_EQ(ops["log1p"], 0) << ops.list;
  EXPECT_EQ(ops["log"], 1) << ops.list;
  EXPECT_TRUE(agrees_with_none({i}, y, {array({0, 3, 2147483647, -1}, DType::Int32)}));
  // A float sum of an integer does get log1p, computed in the sum's dtype.
  const Var yf = T::log(1.5 - 0.5 + T::cast(i, DType::Float64));
  EXPECT_TRUE(agrees_with_none({i}, yf, {array({0, 3, 2147483647, 7}, DType::Int32)}));
}

TEST(Stabilize, ExpMinusOneBecomesExpm1) {
  auto x = T::dvector("x");
  for (const Var& y : {T::exp(x) - 1, T::exp(x) + (-1)}) {
    const Ops ops = ops_of({x}, {y});
    EXPECT_EQ(ops["expm1"], 1) << ops.list;
    EXPECT_EQ(ops["exp"] + ops["sub"] + ops["add"], 0) << ops.list;
    EXPECT_TRUE(agrees_with_none({x}, y, {f64({0.5, -0.5, 3, 0, NAN, INFINITY, -INFINITY, 800})}));
    EXPECT_TRUE(agrees_with_none({x}, y, {NDArray::empty(DType::Float64, {0})}));
    EXPECT_EQ(run({x}, {y}, {f64({1e-20})})[0].at<double>({0}), 1e-20);
    EXPECT_EQ(run({x}, {y}, {f64({1e-20})}, options("NONE"))[0].at<double>({0}), 0.0);
  }
  // exp of a column minus a whole row of ones: (3, 4), filled from the row.
  auto c = T::dcol("c");
  const Var yc = T::exp(c) - constant(NDArray::full(DType::Float64, {1, 4}, 1.0));
  EXPECT_EQ(ops_of({c}, {yc})["expm1"], 1);
  EXPECT_TRUE(agrees_with_none({c}, yc, {random_array({3, 1}, DType::Float64, -1, 1, 5)}));
  // Integer and float32 inputs keep NONE's dtype (float64 and float32).
  auto i = T::imatrix("i");
  const Var yi = T::exp(i) - 1;
  EXPECT_EQ(ops_of({i}, {yi})["expm1"], 1);
  EXPECT_TRUE(agrees_with_none({i}, yi, {array({{0, 1}, {-3, 5}}, DType::Int32)}));
  auto f = T::fmatrix("f");
  const Var yf = T::exp(f) - 1;
  EXPECT_TRUE(agrees_with_none({f}, yf, {random_array({2, 3}, DType::Float32, -3, 3, 6)}));
}

// ---- sigmoid and softplus ----

// log(sigmoid(x)) computed stably in double: -(max(-x, 0) + log1p(exp(-|x|))).
double log_sigmoid(double x) { return -(std::max(-x, 0.0) + std::log1p(std::exp(-std::abs(x)))); }

TEST(Stabilize, LogSigmoidBecomesSoftplus) {
  auto x = T::dvector("x");
  const Var one_minus = T::log(1 - T::sigmoid(x));
  struct Case {
    Var y;
    double sign;  // y = log_sigmoid(sign * x)
  };
  const std::vector<Case> cases = {{T::log(T::sigmoid(x)), 1},
                                   {one_minus, -1},
                                   {T::log1p(-T::sigmoid(x)), -1},
                                   {T::log(T::sigmoid(-x)), -1}};
  const NDArray wide = f64({-1000, -40, -1, 0, 2, 40, 1000});
  for (const Case& c : cases) {
    const Ops ops = ops_of({x}, {c.y});
    EXPECT_EQ(ops["softplus"], 1) << ops.list;
    EXPECT_EQ(ops["log"] + ops["log1p"] + ops["sigmoid"], 0) << ops.list;
    const NDArray got = run({x}, {c.y}, {wide})[0];
    ASSERT_TRUE(all_finite(got)) << got;
    for (int64_t k = 0; k < wide.size(); ++k)
      EXPECT_NEAR(got.at<double>({k}), log_sigmoid(c.sign * wide.at<double>({k})), 1e-12);
    EXPECT_FALSE(all_finite(run({x}, {c.y}, {wide}, options("NONE"))[0]));
    EXPECT_TRUE(agrees_with_none({x}, c.y, {random_array({6}, DType::Float64, -5, 5, 7)}));
    EXPECT_TRUE(agrees_with_none({x}, c.y, {f64({NAN, INFINITY, -INFINITY, 0})}));
    EXPECT_TRUE(agrees_with_none({x}, c.y, {NDArray::empty(DType::Float64, {0})}));
  }
  EXPECT_FALSE(all_finite(run({x}, {one_minus}, {wide}, options("FAST_RUN", "softplus_from_log_sigmoid"))[0]));
  // float32 and integer inputs keep their result dtype.
  auto f = T::fmatrix("f");
  const Var yf = T::log(T::sigmoid(f));
  EXPECT_TRUE(agrees_with_none({f}, yf, {random_array({2, 3}, DType::Float32, -5, 5, 8)}));
  EXPECT_TRUE(all_finite(run({f}, {yf}, {array({{-1000.f, 1000.f}}, DType::Float32)})[0]));
  auto i = T::ivector("i");
  const Var yi = T::log(1 - T::sigmoid(i));
  EXPECT_TRUE(agrees_with_none({i}, yi, {array({-3, 0, 5, -2147483647 - 1}, DType::Int32)}));
}

TEST(Stabilize, LogOnePlusExpBecomesSoftplus) {
  auto x = T::dvector("x");
  for (const Var& y : {T::log(1 + T::exp(x)), T::log1p(T::exp(x))}) {
    const Ops ops = ops_of({x}, {y});
    EXPECT_EQ(ops["softplus"], 1) << ops.list;
    EXPECT_EQ(ops["exp"], 0) << ops.list;
    const NDArray got = run({x}, {y}, {f64({1000, -1000})})[0];
    EXPECT_TRUE(allclose(got, f64({1000, 0})));
    EXPECT_TRUE(agrees_with_none({x}, y, {random_array({6}, DType::Float64, -5, 5, 9)}));
  }
}

TEST(Stabilize, HandWrittenLogisticBecomesSigmoid) {
  auto x = T::dmatrix("x");
  const Var y = 1 / (1 + T::exp(-x));
  const Ops ops = ops_of({x}, {y});
  EXPECT_EQ(ops["sigmoid"], 1) << ops.list;
  EXPECT_EQ(ops["exp"], 0) << ops.list;
  EXPECT_TRUE(agrees_with_none({x}, y, {f64({{-1000, -2, 0}, {1, 30, 1000}})}));
  EXPECT_TRUE(agrees_with_none({x}, y, {f64({{NAN, INFINITY, -INFINITY}})}));
}

// The seeds' cost: binary cross-entropy of a sigmoid, gradient taken before rewriting.
TEST(Stabilize, BinaryCrossentropyOfSigmoidAndItsGradientStayFinite) {
  auto z = T::dvector("z");
  auto t = T::dvector("t");
  const Var cost = T::sum(nnet::binary_crossentropy(T::sigmoid(z), t));
  const Var g = T::grad(cost, z);
  const Ops ops = ops_of({z, t}, {cost, g});
  EXPECT_EQ(ops["log"] + ops["true_div"], 0) << ops.list;
  const NDArray zs = f64({-1000, 1000, -1000, 1000, 0.5, -30});
  const NDArray ts = f64({0, 0, 1, 1, 1, 0.25});
  const std::vector<NDArray> out = run({z, t}, {cost, g}, {zs, ts});
  double want_cost = 0;
  std::vector<double> want_grad;
  for (int64_t k = 0; k < zs.size(); ++k) {
    const double zk = zs.at<double>({k}), tk = ts.at<double>({k});
    want_cost -= tk * log_sigmoid(zk) + (1 - tk) * log_sigmoid(-zk);
    want_grad.push_back(1 / (1 + std::exp(-zk)) - tk);  // d/dz = sigmoid(z) - t
  }
  EXPECT_NEAR(out[0].item<double>(), want_cost, 1e-9 * want_cost);
  EXPECT_TRUE(allclose(out[1], from_values({6}, want_grad), 1e-12, 1e-12));
  const std::vector<NDArray> none = run({z, t}, {cost, g}, {zs, ts}, options("NONE"));
  EXPECT_FALSE(all_finite(none[0]));
  EXPECT_FALSE(all_finite(none[1]));
  EXPECT_FALSE(all_finite(
      run({z, t}, {g}, {zs, ts}, options("FAST_RUN", "multiply_out_underflowing_division"))[0]));
  const std::vector<NDArray> small = {random_array({5}, DType::Float64, -4, 4, 10),
                                      random_array({5}, DType::Float64, 0, 1, 11)};
  EXPECT_TRUE(agrees_with_none({z, t}, cost, small));
  EXPECT_TRUE(agrees_with_none({z, t}, g, small));
  // float32
  auto zf = T::fvector("zf");
  auto tf = T::fvector("tf");
  const Var gf = T::grad(T::sum(nnet::binary_crossentropy(T::sigmoid(zf), tf)), zf);
  const NDArray got = run({zf, tf}, {gf}, {array({-1000.f, 1000.f, 0.f}), array({1.f, 1.f, 0.f})})[0];
  EXPECT_TRUE(allclose(got, array({-1.f, 0.f, 0.5f}), 1e-6, 1e-6));
}

// examples/cpp/seed_xnor.cpp writes its logistic by hand: 1 / (1 + exp(-(dot(x, w) + b))).
TEST(Stabilize, SeedXnorCostAndGradientStayFinite) {
  auto x = T::dmatrix("x");
  auto w = T::dvector("w");
  auto b = T::dscalar("b");
  auto a_hat = T::dvector("a_hat");
  const Var a = 1 / (1 + T::exp(-T::dot(x, w) - b));
  const Var cost = -T::sum(a_hat * T::log(a) + (1 - a_hat) * T::log(1 - a));
  const Var gw = T::grad(cost, w);
  const Var gb = T::grad(cost, b);
  const NDArray xs = f64({{1, 0}, {0, 1}, {1, 1}, {0, 0}});
  const NDArray ws = f64({1000, -1000});
  const NDArray targets = f64({0, 1, 1, 0});
  const std::vector<NDArray> out = run({x, w, b, a_hat}, {cost, gw, gb}, {xs, ws, array(0.0), targets});
  // z = [1000, -1000, 0, 0]; d cost / dz = sigmoid(z) - a_hat = [1, -1, -0.5, 0.5].
  EXPECT_NEAR(out[0].item<double>(), 2000 + 2 * std::log(2.0), 1e-9);
  EXPECT_TRUE(allclose(out[1], f64({0.5, -1.5}), 1e-12, 1e-12));
  EXPECT_NEAR(out[2].item<double>(), 0.0, 1e-12);
  const std::vector<NDArray> none =
      run({x, w, b, a_hat}, {cost, gw}, {xs, ws, array(0.0), targets}, options("NONE"));
  EXPECT_FALSE(all_finite(none[0]));
  EXPECT_FALSE(all_finite(none[1]));
}

// ---- softmax ----

TEST(Stabilize, ExpOverItsSumBecomesSoftmax) {
  auto a = T::dmatrix("a");
  const Var e = T::exp(a);
  struct Case {
    Var y;
    int axis;
  };
  const std::vector<Case> cases = {
      {e / T::sum(e, 1, true), 1},
      {e / T::sum(e, -1, true), 1},
      {e / T::dimshuffle(T::sum(e, 1), {0, 'x'}), 1},
      {e / T::sum(e, 0, true), 0},
      {e / T::dimshuffle(T::sum(e, 0), {'x', 0}), 0},
      {e * T::reciprocal(T::sum(e, 1, true)), 1},
      {T::exp(a) / T::sum(T::exp(a), 1, true), 1},  // two exp nodes that merge makes one
  };
  const std::vector<NDArray> inputs = {
      random_array({3, 4}, DType::Float64, -5, 5, 12),
      f64({{-INFINITY, 0, 1}, {NAN, 1, 2}, {-INFINITY, -INFINITY, -INFINITY}}),
      NDArray::empty(DType::Float64, {0, 3}),
      NDArray::empty(DType::Float64, {3, 0}),
  };
  for (const Case& c : cases) {
    Function f = function({a}, c.y, {}, structure());
    int n_softmax = 0;
    for (const ApplyNode* node : f.fgraph().toposort())
      if (auto* sm = dynamic_cast<const detail::Softmax*>(&node->op())) n_softmax += sm->axis() == c.axis;
    const Ops ops = ops_of({a}, {c.y});
    EXPECT_EQ(n_softmax, 1) << ops.list;
    EXPECT_EQ(ops["exp"] + ops["sum"] + ops["true_div"], 0) << ops.list;
    for (const NDArray& in : inputs) EXPECT_TRUE(agrees_with_none({a}, c.y, {in})) << in;
    EXPECT_TRUE(all_finite(run({a}, {c.y}, {f64({{-1000, 1000, 0}, {1000, 1000, 999}})})[0]));
  }
  // Other ranks and a vector over its total.
  auto v = T::dvector("v");
  const Var yv = T::exp(v) / T::sum(T::exp(v));
  EXPECT_EQ(ops_of({v}, {yv})["softmax"], 1);
  EXPECT_TRUE(agrees_with_none({v}, yv, {random_array({5}, DType::Float64, -3, 3, 13)}));
  auto t3 = T::dtensor3("t3");
  const Var y3 = T::exp(t3) / T::sum(T::exp(t3), 1, true);
  EXPECT_EQ(ops_of({t3}, {y3})["softmax"], 1);
  EXPECT_TRUE(agrees_with_none({t3}, y3, {random_array({2, 3, 4}, DType::Float64, -3, 3, 14)}));
  // Rows and columns (a broadcastable axis), integers and float32.
  auto r = T::drow("r");
  const Var yr = T::exp(r) / T::sum(T::exp(r), 1, true);
  EXPECT_EQ(ops_of({r}, {yr})["softmax"], 1);
  EXPECT_TRUE(agrees_with_none({r}, yr, {random_array({1, 4}, DType::Float64, -3, 3, 15)}));
  auto col = T::dcol("col");
  const Var yc = T::exp(col) / T::sum(T::exp(col), 1, true);
  EXPECT_TRUE(agrees_with_none({col}, yc, {random_array({3, 1}, DType::Float64, -3, 3, 16)}));
  auto i = T::imatrix("i");
  const Var yi = T::exp(i) / T::sum(T::exp(i), 1, true);
  EXPECT_EQ(ops_of({i}, {yi})["softmax"], 1);
  EXPECT_TRUE(agrees_with_none({i}, yi, {array({{0, 1, 2}, {-3, 5, 5}}, DType::Int32)}));
  auto f = T::fmatrix("f");
  const Var yf = T::exp(f) / T::sum(T::exp(f), 1, true);
  EXPECT_TRUE(agrees_with_none({f}, yf, {random_array({3, 4}, DType::Float32, -5, 5, 17)}));
}

TEST(Stabilize, RatiosThatAreNoSoftmaxStay) {
  auto a = T::dmatrix("a");
  auto b = T::dmatrix("b");
  const Var other = T::exp(a) / T::sum(T::exp(b), 1, true);        // another exp
  const Var total = T::exp(a) / T::sum(T::exp(a));                  // over all elements
  const Var wrong_axis = T::exp(a) / T::dimshuffle(T::sum(T::exp(a), 0), {0, 'x'});
  for (const Var& y : {other, total, wrong_axis}) {
    const Ops ops = ops_of({a, b}, {y});
    EXPECT_EQ(ops["softmax"], 0) << ops.list;
    const std::vector<NDArray> args = {random_array({3, 3}, DType::Float64, -2, 2, 18),
                                       random_array({3, 3}, DType::Float64, -2, 2, 19)};
    EXPECT_TRUE(agrees_with_none({a, b}, y, args));
  }
}

// A slice holding +inf: exp(inf) / inf is NaN there and x / inf = 0 elsewhere, while the
// max-shifted softmax gives NaN for the whole slice (inf - inf). Neither is the limit
// (1 at the inf); this documents the difference.
TEST(Stabilize, SoftmaxOfPlusInfinityIsNanForTheWholeSlice) {
  auto a = T::dmatrix("a");
  const Var y = T::exp(a) / T::sum(T::exp(a), 1, true);
  const NDArray in = f64({{INFINITY, 1, 2}});
  EXPECT_TRUE(allclose(run({a}, {y}, {in}, options("NONE"))[0], f64({{NAN, 0, 0}})));
  EXPECT_TRUE(allclose(run({a}, {y}, {in})[0], f64({{NAN, NAN, NAN}})));
}

// log_softmax(x) in double, row by row.
NDArray log_softmax_rows(const NDArray& x) {
  NDArray out = NDArray::empty(DType::Float64, x.shape());
  for (int64_t i = 0; i < x.shape(0); ++i) {
    double m = -INFINITY, total = 0;
    for (int64_t j = 0; j < x.shape(1); ++j) m = std::max(m, x.at<double>({i, j}));
    for (int64_t j = 0; j < x.shape(1); ++j) total += std::exp(x.at<double>({i, j}) - m);
    for (int64_t j = 0; j < x.shape(1); ++j)
      out.data<double>()[i * x.shape(1) + j] = x.at<double>({i, j}) - m - std::log(total);
  }
  return out;
}

// Workload W7: log(exp(x) / exp(x).sum(axis=1, keepdims=True)) on values near +-1000.
TEST(Stabilize, W7NaiveLogSoftmaxIsFiniteOnlyThroughTheStabilizer) {
  auto x = T::dmatrix("x");
  const Var y = T::log(T::exp(x) / T::sum(T::exp(x), 1, true));
  const NDArray xs = f64({{-1000, 1000, 0, 999}, {1000, 1000, -1000, 998}, {-1000, -999, -1001, -1000}});
  const Ops ops = ops_of({x}, {y});
  EXPECT_EQ(ops["log_softmax"], 1) << ops.list;
  EXPECT_EQ(ops.counts.size(), 1u) << ops.list;
  const NDArray got = run({x}, {y}, {xs})[0];
  EXPECT_TRUE(all_finite(got)) << got;
  EXPECT_TRUE(allclose(got, log_softmax_rows(xs), 1e-12, 1e-9));
  EXPECT_FALSE(all_finite(run({x}, {y}, {xs}, options("NONE"))[0]));
  EXPECT_FALSE(all_finite(run({x}, {y}, {xs}, options("FAST_RUN", "softmax_from_exp_ratio"))[0]));
  EXPECT_FALSE(all_finite(run({x}, {y}, {xs}, options("FAST_RUN", "log_softmax_from_log_softmax"))[0]));
  EXPECT_FALSE(all_finite(run({x}, {y}, {xs}, options("FAST_RUN", "stabilize"))[0]));
  // Its gradient, taken before rewriting: d sum(w * log_softmax(x)) = w - softmax(x) * sum(w).
  const Var w = constant(f64({{0, 1, 2, 3}}));
  const NDArray g = run({x}, {T::grad(T::sum(y * w), x)}, {xs})[0];
  const NDArray ls = log_softmax_rows(xs);
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 4; ++j)
      EXPECT_NEAR(g.at<double>({i, j}), j - std::exp(ls.at<double>({i, j})) * 6, 1e-9) << g;
}

TEST(Stabilize, LogOfSoftmaxBecomesLogSoftmaxWithAFiniteGradient) {
  auto x = T::dmatrix("x");
  for (int axis : {1, 0}) {
    const Var y = T::log(nnet::softmax(x, axis));
    const Ops ops = ops_of({x}, {y});
    EXPECT_EQ(ops["log_softmax"], 1) << ops.list;
    EXPECT_EQ(ops["log"] + ops["softmax"], 0) << ops.list;
    EXPECT_TRUE(agrees_with_none({x}, y, {random_array({3, 4}, DType::Float64, -3, 3, 20)}));
    EXPECT_TRUE(agrees_with_none({x}, y, {NDArray::empty(DType::Float64, {0, 4})}));
  }
  const Var y = T::log(nnet::softmax(x));
  const NDArray xs = f64({{-1000, 1000, 0}, {3, 1, 2}});
  EXPECT_TRUE(allclose(run({x}, {y}, {xs})[0], log_softmax_rows(xs), 1e-12, 1e-9));
  EXPECT_FALSE(all_finite(run({x}, {y}, {xs}, options("NONE"))[0]));
  // d sum(log_softmax(x)) / dx = 1 - 3 softmax(x)
  const NDArray g = run({x}, {T::grad(T::sum(y), x)}, {xs})[0];
  EXPECT_TRUE(allclose(g, f64({{1, -2, 1}, {1 - 3 * 0.66524096, 1 - 3 * 0.09003057, 1 - 3 * 0.24472847}}),
                       1e-7, 1e-7));
  auto f = T::fmatrix("f");
  const Var yf = T::log(nnet::softmax(f));
  EXPECT_TRUE(agrees_with_none({f}, yf, {random_array({2, 5}, DType::Float32, -3, 3, 21)}));
}

// ---- log-sum-exp ----

TEST(Stabilize, LogSumExpIsShiftedByTheMaximum) {
  auto x = T::dmatrix("x");
  const Var lse = T::log(T::sum(T::exp(x), 1));
  const Ops ops = ops_of({x}, {lse});
  EXPECT_EQ(ops["logsumexp"], 1) << ops.list;
  EXPECT_EQ(ops.counts.size(), 1u) << ops.list;
  const NDArray xs = f64({{-1000, 1000, 0}, {1000, 1000, 1}, {-1000, -1000, -2000},
                          {-INFINITY, -INFINITY, -INFINITY}, {INFINITY, 0, 1}, {NAN, 0, 1},
                          {-INFINITY, 2, 2}});
  const NDArray got = run({x}, {lse}, {xs})[0];
  const double l2 = std::log(2.0);
  EXPECT_TRUE(allclose(got, f64({1000, 1000 + l2, -1000 + l2, -INFINITY, INFINITY, NAN, 2 + l2}),
                       1e-12, 1e-12));
  EXPECT_FALSE(all_finite(run({x}, {lse}, {xs}, options("NONE"))[0].slice(0, {0, 3, 1})));
  EXPECT_FALSE(all_finite(run({x}, {lse}, {xs}, options("FAST_RUN", "logsumexp_from_log_sum_exp"))[0].slice(0, {0, 3, 1})));
  EXPECT_TRUE(agrees_with_none({x}, lse, {random_array({3, 4}, DType::Float64, -5, 5, 22)}));
  EXPECT_TRUE(agrees_with_none({x}, lse, {NDArray::empty(DType::Float64, {0, 4})}));
  EXPECT_TRUE(agrees_with_none({x}, lse, {NDArray::empty(DType::Float64, {3, 0})}));  // -inf
  // keepdims, every axis, float32, an integer input.
  const Var kept = T::log(T::sum(T::exp(x), 0, true));
  EXPECT_EQ(ops_of({x}, {kept})["logsumexp"], 1);
  EXPECT_TRUE(agrees_with_none({x}, kept, {random_array({3, 4}, DType::Float64, -5, 5, 23)}));
  const Var all = T::log(T::sum(T::exp(x)));
  EXPECT_TRUE(allclose(run({x}, {all}, {f64({{1000, 1000}, {-1000, 0}})})[0], array(1000 + l2), 1e-12));
  auto f = T::fmatrix("f");
  const Var lf = T::log(T::sum(T::exp(f), 1));
  EXPECT_TRUE(agrees_with_none({f}, lf, {random_array({3, 4}, DType::Float32, -5, 5, 24)}));
  EXPECT_TRUE(all_finite(run({f}, {lf}, {array({{100.f, 90.f}}, DType::Float32)})[0]));
  auto i = T::imatrix("i");
  const Var li = T::log(T::sum(T::exp(i), 1));
  EXPECT_TRUE(agrees_with_none({i}, li, {array({{0, 1}, {5, -3}}, DType::Int32)}));
  // Over two of three axes.
  auto t3 = T::dtensor3("t3");
  const Var l3 = T::log(T::sum(T::exp(t3), {0, 2}));
  EXPECT_EQ(ops_of({t3}, {l3})["logsumexp"], 1);
  EXPECT_TRUE(agrees_with_none({t3}, l3, {random_array({2, 3, 4}, DType::Float64, -5, 5, 29)}));
}

TEST(Stabilize, LogSumExpGradientIsTheSoftmax) {
  auto x = T::dmatrix("x");
  const Var g = T::grad(T::sum(T::log(T::sum(T::exp(x), 1))), x);
  const NDArray got = run({x}, {g}, {f64({{-1000, 1000, 0}, {1000, 1000, 1}})})[0];
  EXPECT_TRUE(allclose(got, f64({{0, 1, 0}, {0.5, 0.5, 0}}), 1e-12, 1e-12));
  EXPECT_FALSE(all_finite(run({x}, {g}, {f64({{-1000, 1000, 0}})}, options("NONE"))[0]));
  EXPECT_TRUE(agrees_with_none({x}, g, {random_array({3, 4}, DType::Float64, -3, 3, 25)}));
  // The op's own pullback (graphs built on the rewritten one): also the softmax.
  const Var lse = detail::logsumexp(x, {1}, false, Loc::current());
  const NDArray own = run({x}, {T::grad(T::sum(lse), x)}, {f64({{-1000, 1000, 0}, {1000, 1000, 1}})})[0];
  EXPECT_TRUE(allclose(own, f64({{0, 1, 0}, {0.5, 0.5, 0}}), 1e-12, 1e-12));
}

// ---- categorical cross-entropy of a softmax ----

NDArray labels_of(std::initializer_list<int64_t> v) { return array(v); }

TEST(Stabilize, CrossentropyOfSoftmaxBecomesOneFusedOp) {
  auto x = T::dmatrix("x");
  auto b = T::dvector("b");
  auto labels = T::lvector("labels");
  const Var loss = nnet::categorical_crossentropy(nnet::softmax(x + b), labels);
  const Ops ops = ops_of({x, b, labels}, {loss});
  EXPECT_EQ(ops["crossentropy_softmax_1hot"], 1) << ops.list;
  EXPECT_EQ(ops["softmax"] + ops["crossentropy_categorical_1hot"], 0) << ops.list;
  const NDArray bias = f64({0, 0.5, -0.5});
  EXPECT_TRUE(agrees_with_none({x, b, labels}, loss,
                               {random_array({4, 3}, DType::Float64, -3, 3, 26), bias, labels_of({0, 2, 1, 2})}));
  EXPECT_TRUE(agrees_with_none({x, b, labels}, loss,
                               {NDArray::empty(DType::Float64, {0, 3}), bias, NDArray::empty(DType::Int64, {0})}));
  EXPECT_TRUE(agrees_with_none(
      {x, b, labels}, loss,
      {f64({{-INFINITY, 0, 1}, {NAN, 0, 1}, {INFINITY, 0, 1}, {0, -INFINITY, 1}}), bias, labels_of({1, 0, 2, 1})}));
  // Logits of +-1000: -log(softmax) is log(0) there.
  const NDArray xs = f64({{-1000, 1000, 0}, {3, 1, 2}});
  const NDArray got = run({x, b, labels}, {loss}, {xs, f64({0, 0, 0}), labels_of({0, 2})})[0];
  const NDArray ls = log_softmax_rows(xs);
  EXPECT_TRUE(allclose(got, f64({-ls.at<double>({0, 0}), -ls.at<double>({1, 2})}), 1e-12, 1e-12));
  EXPECT_FALSE(all_finite(run({x, b, labels}, {loss}, {xs, f64({0, 0, 0}), labels_of({0, 2})}, options("NONE"))[0]));
  EXPECT_TRUE(testing::throws_with<IndexError>(
      [&] { run({x, b, labels}, {loss}, {xs, f64({0, 0, 0}), labels_of({0, 3})}); }, {"label 3"}));
  // float32 and int32 labels.
  auto f = T::fmatrix("f");
  auto l32 = T::ivector("l32");
  const Var lf = nnet::categorical_crossentropy(nnet::softmax(f), l32);
  EXPECT_EQ(ops_of({f, l32}, {lf})["crossentropy_softmax_1hot"], 1);
  EXPECT_TRUE(agrees_with_none({f, l32}, lf,
                               {random_array({3, 4}, DType::Float32, -3, 3, 27), array({3, 0, 1}, DType::Int32)}));
  // A softmax along the other axis is no row-wise cross-entropy.
  const Var by_column = nnet::categorical_crossentropy(nnet::softmax(x, 0), labels);
  EXPECT_EQ(ops_of({x, labels}, {by_column})["crossentropy_softmax_1hot"], 0);
}

// grad taken before rewriting: the crossentropy's and the softmax's pullbacks.
TEST(Stabilize, CrossentropyOfSoftmaxGradientStaysFinite) {
  auto x = T::dmatrix("x");
  auto labels = T::lvector("labels");
  const Var cost = T::sum(nnet::categorical_crossentropy(nnet::softmax(x), labels) * constant(f64({1, 2})));
  const Var g = T::grad(cost, x);
  const NDArray xs = f64({{-1000, 1000, 0}, {3, 1, 2}});
  const NDArray got = run({x, labels}, {g}, {xs, labels_of({0, 2})})[0];
  // (softmax(x) - onehot) * weight of the row
  const NDArray ls = log_softmax_rows(xs);
  std::vector<double> want;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      want.push_back((i + 1) * (std::exp(ls.at<double>({i, j})) - (j == (i == 0 ? 0 : 2))));
  EXPECT_TRUE(allclose(got, from_values({2, 3}, want), 1e-9, 1e-12));
  EXPECT_FALSE(all_finite(run({x, labels}, {g}, {xs, labels_of({0, 2})}, options("NONE"))[0]));
  EXPECT_TRUE(agrees_with_none({x, labels}, g,
                               {random_array({2, 3}, DType::Float64, -3, 3, 28), labels_of({2, 1})}));
}

// The fused op's own pullback, for graphs built after the rewrite (or through it).
TEST(Stabilize, FusedCrossentropyPullbackIsSoftmaxMinusOneHot) {
  auto x = T::dmatrix("x");
  auto labels = T::lvector("labels");
  const Var loss = detail::crossentropy_softmax_1hot(x, labels, Loc::current());
  const Var g = T::grad(T::sum(loss * constant(f64({1, 2}))), x);
  const NDArray xs = f64({{-1000, 1000, 0}, {3, 1, 2}});
  const std::vector<NDArray> out = run({x, labels}, {loss, g}, {xs, labels_of({0, 2})}, options("NONE"));
  const NDArray ls = log_softmax_rows(xs);
  EXPECT_TRUE(allclose(out[0], f64({-ls.at<double>({0, 0}), -ls.at<double>({1, 2})}), 1e-12, 1e-12));
  std::vector<double> want;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      want.push_back((i + 1) * (std::exp(ls.at<double>({i, j})) - (j == (i == 0 ? 0 : 2))));
  EXPECT_TRUE(allclose(out[1], from_values({2, 3}, want), 1e-9, 1e-12));
  EXPECT_TRUE(allclose(run({x, labels}, {loss}, {xs, labels_of({0, 2})})[0], out[0], 1e-12, 1e-12));
}

}  // namespace
}  // namespace theon
