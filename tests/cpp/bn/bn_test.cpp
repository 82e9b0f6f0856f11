// Batch normalization against a float64 reference written here with plain loops: both
// axes modes and explicit axes, ranks 2 to 5, float32 and float64, parameters of full or
// low rank, strided inputs, running averages, gradients (first and second order), the
// threaded path, the test and element-wise forms, and errors.
#include "theon/bn.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "grad/grad_check.hpp"
#include "test_util.hpp"

namespace T = theon::tensor;
namespace bn = theon::tensor::nnet::bn;
using theon::testing::allclose;
using theon::testing::random_array;
using theon::testing::throws_with;

namespace theon {
namespace {

// The channel of each element of a C-contiguous array of `shape`: its index over the
// kept axes, row-major.
std::vector<int64_t> channel_of(const Shape& shape, const std::vector<int>& axes) {
  std::vector<bool> normalized(shape.size(), false);
  for (int a : axes) normalized[static_cast<size_t>(a)] = true;
  std::vector<int64_t> channel(static_cast<size_t>(shape_size(shape)));
  for (int64_t i = 0; i < static_cast<int64_t>(channel.size()); ++i) {
    int64_t rest = i, c = 0, step = 1;
    for (size_t d = shape.size(); d-- > 0;) {
      const int64_t index = rest % shape[d];
      rest /= shape[d];
      if (!normalized[d]) {
        c += index * step;
        step *= shape[d];
      }
    }
    channel[static_cast<size_t>(i)] = c;
  }
  return channel;
}

struct Reference {
  NDArray out, mean, invstd, var;  // var: biased
  int64_t m = 0;
};

// NumPy's x.mean(axes, keepdims=True), x.var(...), and the normalized output, in float64.
Reference reference(const NDArray& x_any, const std::vector<int>& axes, const NDArray& gamma_any,
                    const NDArray& beta_any, double epsilon) {
  const NDArray x = x_any.astype(DType::Float64).copy();
  const NDArray gamma = gamma_any.astype(DType::Float64).copy();
  const NDArray beta = beta_any.astype(DType::Float64).copy();
  Shape stats = x.shape();
  for (int a : axes) stats[a] = 1;
  const int64_t channels = shape_size(stats);
  const std::vector<int64_t> channel = channel_of(x.shape(), axes);
  std::vector<double> sum(channels, 0.0), sq(channels, 0.0);
  std::vector<int64_t> count(channels, 0);
  const double* xp = x.data<double>();
  for (size_t i = 0; i < channel.size(); ++i) {
    sum[channel[i]] += xp[i];
    ++count[channel[i]];
  }
  Reference r;
  r.m = channels ? count[0] : 0;
  r.mean = NDArray::zeros(DType::Float64, stats);
  r.var = NDArray::zeros(DType::Float64, stats);
  r.invstd = NDArray::zeros(DType::Float64, stats);
  for (int64_t c = 0; c < channels; ++c) r.mean.data<double>()[c] = sum[c] / count[c];
  for (size_t i = 0; i < channel.size(); ++i) {
    const double d = xp[i] - r.mean.data<double>()[channel[i]];
    sq[channel[i]] += d * d;
  }
  for (int64_t c = 0; c < channels; ++c) {
    r.var.data<double>()[c] = sq[c] / count[c];
    r.invstd.data<double>()[c] = 1 / std::sqrt(sq[c] / count[c] + epsilon);
  }
  r.out = NDArray::zeros(DType::Float64, x.shape());
  for (size_t i = 0; i < channel.size(); ++i) {
    const int64_t c = channel[i];
    r.out.data<double>()[i] =
        (xp[i] - r.mean.data<double>()[c]) * r.invstd.data<double>()[c] * gamma.data<double>()[c] +
        beta.data<double>()[c];
  }
  return r;
}

NDArray as(const NDArray& a, DType dtype) { return a.astype(dtype); }

NDArray permuted(const NDArray& a, std::vector<int> axes) { return a.transpose(axes); }

struct Case {
  std::string name;
  Shape shape;
  bn::NormAxes mode;
  std::vector<int> axes;  // what mode resolves to
};

std::vector<Case> cases() {
  return {
      {"matrix per-activation", {7, 5}, "per-activation", {0}},
      {"matrix spatial", {6, 3}, "spatial", {0}},
      {"tensor4 spatial", {3, 4, 5, 6}, "spatial", {0, 2, 3}},
      {"tensor4 per-activation", {4, 3, 2, 5}, "per-activation", {0}},
      {"tensor5 spatial", {2, 3, 3, 4, 5}, "spatial", {0, 2, 3, 4}},
      {"tensor3 axes (0, 2)", {4, 3, 5}, bn::NormAxes({2, 0}), {0, 2}},
      {"tensor3 axes (1,)", {4, 3, 5}, bn::NormAxes({1}), {1}},
      {"tensor4 all axes", {2, 3, 4, 5}, bn::NormAxes({0, 1, 2, 3}), {0, 1, 2, 3}},
      {"tensor4 length-1 axes", {5, 1, 3, 1}, "spatial", {0, 2, 3}},
      {"odd rows", {3, 5, 17, 3}, "spatial", {0, 2, 3}},
  };
}

TEST(BatchNormTrain, MatchesReferenceForEachAxesModeRankAndDtype) {
  for (const DType dtype : {DType::Float64, DType::Float32}) {
    const double tol = dtype == DType::Float64 ? 1e-10 : 2e-5;
    for (const Case& c : cases()) {
      SCOPED_TRACE(c.name + " " + std::string(dtype_name(dtype)));
      Shape stats = c.shape;
      for (int a : c.axes) stats[a] = 1;
      const NDArray xv = as(random_array(c.shape, DType::Float64, -2, 3, 1), dtype);
      const NDArray gv = as(random_array(stats, DType::Float64, 0.5, 1.5, 2), dtype);
      const NDArray bv = as(random_array(stats, DType::Float64, -1, 1, 3), dtype);
      const BroadcastPattern none(c.shape.size(), false);
      auto x = T::tensor(dtype, none, "x");
      auto g = T::tensor(dtype, none, "gamma");
      auto b = T::tensor(dtype, none, "beta");
      const auto r = bn::batch_normalization_train(x, g, b, c.mode, 1e-3);
      const Result got = function({x, g, b}, r.as_tuple())(xv, gv, bv);
      const Reference want = reference(xv, c.axes, gv, bv, 1e-3);
      ASSERT_EQ(got.size(), 3u);
      EXPECT_EQ(got[0].dtype(), dtype);
      EXPECT_TRUE(allclose(got[0], as(want.out, dtype), tol, tol));
      EXPECT_TRUE(allclose(got[1], as(want.mean, dtype), tol, tol));
      EXPECT_TRUE(allclose(got[2], as(want.invstd, dtype), tol, tol));
    }
  }
}

TEST(BatchNormTrain, LowRankParametersGiveLowRankStatistics) {
  auto x = T::dtensor4("x");
  auto g = T::dvector("gamma");
  auto b = T::dvector("beta");
  const auto r = bn::batch_normalization_train(x, g, b, "spatial");
  EXPECT_EQ(r.mean.ndim(), 1);
  EXPECT_EQ(r.invstd.ndim(), 1);
  const NDArray xv = random_array({4, 3, 2, 5}, DType::Float64, -1, 2, 4);
  const NDArray gv = random_array({3}, DType::Float64, 0.5, 1.5, 5);
  const NDArray bv = random_array({3}, DType::Float64, -1, 1, 6);
  const Result got = function({x, g, b}, r.as_tuple())(xv, gv, bv);
  const Reference want =
      reference(xv, {0, 2, 3}, gv.reshape({1, 3, 1, 1}), bv.reshape({1, 3, 1, 1}), 1e-4);
  EXPECT_ALLCLOSE(got[0], want.out, 1e-10, 1e-10);
  EXPECT_ALLCLOSE(got[1], want.mean.reshape({3}), 1e-10, 1e-10);
  EXPECT_ALLCLOSE(got[2], want.invstd.reshape({3}), 1e-10, 1e-10);
  // Per-activation on a 4-d input keeps three axes: the parameters are 3-d.
  auto g3 = T::dtensor3("g3");
  auto b3 = T::dtensor3("b3");
  const auto p = bn::batch_normalization_train(x, g3, b3, "per-activation");
  EXPECT_EQ(p.mean.ndim(), 3);
}

TEST(BatchNormTrain, StridedInputsMatchContiguousOnes) {
  // A transposed tensor4 (strides that merge no axes) and a matrix read column-wise.
  auto x = T::dtensor4("x");
  auto g = T::dvector("gamma");
  auto b = T::dvector("beta");
  const auto r = bn::batch_normalization_train(x, g, b, "spatial");
  const Function f = function({x, g, b}, r.as_tuple());
  const NDArray base = random_array({5, 6, 3, 4}, DType::Float64, -1, 1, 7);
  const NDArray strided = permuted(base, {2, 0, 3, 1});  // shape (3, 5, 4, 6)
  const NDArray gv = random_array({5}, DType::Float64, 0.5, 1.5, 8);
  const NDArray bv = random_array({5}, DType::Float64, -1, 1, 9);
  const Result a = f(strided, gv, bv);
  const Result c = f(strided.copy(), gv, bv);
  for (size_t i = 0; i < 3; ++i) EXPECT_ALLCLOSE(a[i], c[i], 1e-12, 1e-12);
  const Reference want =
      reference(strided, {0, 2, 3}, gv.reshape({1, 5, 1, 1}), bv.reshape({1, 5, 1, 1}), 1e-4);
  EXPECT_ALLCLOSE(a[0], want.out, 1e-10, 1e-10);

  auto m = T::fmatrix("m");
  auto gf = T::fvector("gf");
  auto bf = T::fvector("bf");
  const auto rm = bn::batch_normalization_train(m, gf, bf);
  const NDArray mv = random_array({9, 33}, DType::Float32, -1, 1, 10).transpose();  // (33, 9)
  const NDArray gmv = random_array({9}, DType::Float32, 0.5, 1.5, 11);
  const NDArray bmv = random_array({9}, DType::Float32, -1, 1, 12);
  const Result got = function({m, gf, bf}, rm.as_tuple())(mv, gmv, bmv);
  const Reference wm = reference(mv, {0}, gmv.reshape({1, 9}), bmv.reshape({1, 9}), 1e-4);
  EXPECT_ALLCLOSE(got[0], as(wm.out, DType::Float32), 2e-5, 2e-5);
}

TEST(BatchNormTrain, LargeInputsUseThreadsAndStayAccurate) {
  // Above the threading threshold, with a mean far from 0 (the shifted sums keep the
  // variance exact where E[x^2] - E[x]^2 would cancel).
  for (const DType dtype : {DType::Float32, DType::Float64}) {
    auto x = T::tensor(dtype, {false, false, false, false}, "x");
    auto g = T::tensor(dtype, {false}, "g");
    auto b = T::tensor(dtype, {false}, "b");
    const auto r = bn::batch_normalization_train(x, g, b, "spatial");
    NDArray xv = random_array({16, 8, 20, 20}, DType::Float64, -1, 1, 13);
    for (int64_t i = 0; i < xv.size(); ++i) xv.data<double>()[i] += 1000;
    xv = as(xv, dtype);
    const NDArray gv = as(random_array({8}, DType::Float64, 0.5, 1.5, 14), dtype);
    const NDArray bv = as(random_array({8}, DType::Float64, -1, 1, 15), dtype);
    const Result got = function({x, g, b}, r.as_tuple())(xv, gv, bv);
    const Reference want =
        reference(xv, {0, 2, 3}, gv.reshape({1, 8, 1, 1}), bv.reshape({1, 8, 1, 1}), 1e-4);
    const double tol = dtype == DType::Float64 ? 1e-9 : 1e-3;
    EXPECT_ALLCLOSE(got[0], as(want.out, dtype), tol, tol);
    EXPECT_ALLCLOSE(got[2], as(want.invstd.reshape({8}), dtype), tol, tol);
  }
}

TEST(BatchNormTrain, RunningAveragesUseTheUnbiasedVariance) {
  auto x = T::dtensor4("x");
  auto g = T::dvector("g");
  auto b = T::dvector("b");
  const NDArray xv = random_array({4, 3, 2, 2}, DType::Float64, -1, 2, 16);
  const NDArray gv = NDArray::full(DType::Float64, {3}, 1.0);
  const NDArray bv = NDArray::zeros(DType::Float64, {3});
  auto running_mean = shared(NDArray::zeros(DType::Float64, {3}), "running_mean");
  auto running_var = shared(NDArray::full(DType::Float64, {3}, 1.0), "running_var");
  const auto r =
      bn::batch_normalization_train(x, g, b, "spatial", 1e-4, 0.25, running_mean, running_var);
  ASSERT_EQ(r.as_tuple().size(), 5u);
  // The way Theano programs keep them: as updates of shared variables.
  const Function f = function(
      {x, g, b}, r.out, {{running_mean, r.new_running_mean}, {running_var, r.new_running_var}});
  f(xv, gv, bv);
  f(xv, gv, bv);
  const Reference want =
      reference(xv, {0, 2, 3}, gv.reshape({1, 3, 1, 1}), bv.reshape({1, 3, 1, 1}), 1e-4);
  const double m = 16, unbiased = m / (m - 1);
  NDArray mean_after = NDArray::zeros(DType::Float64, {3}),
          var_after = NDArray::zeros(DType::Float64, {3});
  for (int c = 0; c < 3; ++c) {
    double rm = 0, rv = 1;
    for (int step = 0; step < 2; ++step) {
      rm = rm * 0.75 + want.mean.data<double>()[c] * 0.25;
      rv = rv * 0.75 + want.var.data<double>()[c] * unbiased * 0.25;
    }
    mean_after.data<double>()[c] = rm;
    var_after.data<double>()[c] = rv;
  }
  EXPECT_ALLCLOSE(running_mean.get_value(), mean_after, 1e-12, 1e-12);
  EXPECT_ALLCLOSE(running_var.get_value(), var_after, 1e-12, 1e-12);
}

TEST(BatchNormTrain, GradientsMatchFiniteDifferences) {
  using testing::GradRow;
  using testing::Point;
  const std::vector<GradRow> rows = {
      {"matrix per-activation: x, gamma, beta",
       [](const Vars& v) { return bn::batch_normalization_train(v[0], v[1], v[2]).out; },
       {Point{{5, 3}}, Point{{3}, 0.5, 1.5}, Point{{3}}}},
      {"tensor4 spatial: x, gamma, beta",
       [](const Vars& v) { return bn::batch_normalization_train(v[0], v[1], v[2], "spatial").out; },
       {Point{{3, 2, 2, 3}}, Point{{2}, 0.5, 1.5}, Point{{2}}}},
      {"tensor3 axes (0, 2), full-rank parameters",
       [](const Vars& v) {
         return bn::batch_normalization_train(v[0], v[1], v[2], bn::NormAxes({0, 2})).out;
       },
       {Point{{3, 2, 4}}, Point{{1, 2, 1}, 0.5, 1.5}, Point{{1, 2, 1}}}},
      {"tensor5 spatial",
       [](const Vars& v) { return bn::batch_normalization_train(v[0], v[1], v[2], "spatial").out; },
       {Point{{2, 2, 2, 2, 3}}, Point{{2}, 0.5, 1.5}, Point{{2}}}},
      {"mean and invstd outputs",
       [](const Vars& v) {
         const auto r = bn::batch_normalization_train(v[0], v[1], v[2], "spatial");
         return r.mean * 2 + r.invstd;
       },
       {Point{{3, 2, 3}}, Point{{2}, 0.5, 1.5}, Point{{2}}}},
      {"all outputs, running averages included",
       [](const Vars& v) {
         const auto r =
             bn::batch_normalization_train(v[0], v[1], v[2], "spatial", 1e-3, 0.3, v[3], v[4]);
         return T::sum(r.out * r.out * T::dimshuffle(r.invstd, {'x', 0, 'x'})) +
                T::sum(r.new_running_mean * 3) + T::sum(r.new_running_var * r.mean);
       },
       {Point{{3, 2, 3}}, Point{{2}, 0.5, 1.5}, Point{{2}}, Point{{2}}, Point{{2}, 0.5, 1.5}}},
  };
  testing::check_rows(rows);
}

TEST(BatchNormTrain, SecondOrderGradientsMatchFiniteDifferences) {
  using testing::GradRow;
  using testing::Point;
  const std::vector<GradRow> rows = {
      {"d/dx of sum(dcost/dx)",
       [](const Vars& v) {
         const auto r = bn::batch_normalization_train(v[0], v[1], v[2], "spatial");
         const Var cost = T::sum(r.out * r.out * r.out);
         return T::grad(cost, v[0]);
       },
       {Point{{3, 2, 3}}, Point{{2}, 0.5, 1.5}, Point{{2}}}},
      {"d/dgamma of the gradient of gamma",
       [](const Vars& v) {
         const auto r = bn::batch_normalization_train(v[0], v[1], v[2]);
         return T::grad(T::sum(T::sqr(r.out)), v[1]);
       },
       {Point{{4, 3}}, Point{{3}, 0.5, 1.5}, Point{{3}}}},
  };
  testing::check_rows(rows);
}

TEST(BatchNormTrain, GradientMatchesTheGraphItReplaces) {
  // The gradient op against the gradient of the same forward written with mean and var.
  auto x = T::ftensor4("x");
  auto g = T::fvector("g");
  auto b = T::fvector("b");
  auto w = T::ftensor4("w");
  const auto r = bn::batch_normalization_train(x, g, b, "spatial");
  const Var cost = T::sum(r.out * w);
  const Var gs = T::dimshuffle(g, {'x', 0, 'x', 'x'}), bs = T::dimshuffle(b, {'x', 0, 'x', 'x'});
  const Var mean = T::mean(x, {0, 2, 3}, true);
  const Var var = T::var(x, {0, 2, 3}, true);
  const Var plain = (x - mean) * gs / T::sqrt(var + 1e-4) + bs;
  const Var plain_cost = T::sum(plain * w);
  const Function f = function({x, g, b, w}, T::grad(cost, {x, g, b}));
  const Function p = function({x, g, b, w}, T::grad(plain_cost, {x, g, b}));
  const NDArray xv = random_array({8, 4, 9, 9}, DType::Float32, -1, 2, 20);
  const NDArray gv = random_array({4}, DType::Float32, 0.5, 1.5, 21);
  const NDArray bv = random_array({4}, DType::Float32, -1, 1, 22);
  const NDArray wv = random_array({8, 4, 9, 9}, DType::Float32, -1, 1, 23);
  const Result got = f(xv, gv, bv, wv);
  const Result want = p(xv, gv, bv, wv);
  for (size_t i = 0; i < 3; ++i) EXPECT_ALLCLOSE(got[i], want[i], 1e-3, 1e-4);
  // Strided dy and x (the scalar loops) give the same.
  const NDArray xt = permuted(permuted(xv, {0, 1, 3, 2}).copy(), {0, 1, 3, 2});
  const Result strided = f(xt, gv, bv, permuted(permuted(wv, {0, 1, 3, 2}).copy(), {0, 1, 3, 2}));
  for (size_t i = 0; i < 3; ++i) EXPECT_ALLCLOSE(strided[i], got[i], 1e-5, 1e-5);
}

TEST(BatchNormTest, MatchesReferenceAndFusesToOneLoop) {
  auto x = T::dtensor4("x");
  auto g = T::dvector("g");
  auto b = T::dvector("b");
  auto mu = T::dvector("mu");
  auto var = T::dvector("var");
  const Var out = bn::batch_normalization_test(x, g, b, mu, var, "spatial", 1e-3);
  const Function f = function({x, g, b, mu, var}, out);
  const NDArray xv = random_array({2, 3, 4, 5}, DType::Float64, -1, 1, 30);
  const NDArray gv = random_array({3}, DType::Float64, 0.5, 1.5, 31);
  const NDArray bv = random_array({3}, DType::Float64, -1, 1, 32);
  const NDArray mv = random_array({3}, DType::Float64, -1, 1, 33);
  const NDArray vv = random_array({3}, DType::Float64, 0.5, 2, 34);
  NDArray want = NDArray::zeros(DType::Float64, xv.shape());
  const std::vector<int64_t> channel = channel_of(xv.shape(), {0, 2, 3});
  const NDArray xc = xv.copy();
  for (size_t i = 0; i < channel.size(); ++i) {
    const int64_t c = channel[i];
    want.data<double>()[i] = (xc.data<double>()[i] - mv.data<double>()[c]) * gv.data<double>()[c] /
                                 std::sqrt(vv.data<double>()[c] + 1e-3) +
                             bv.data<double>()[c];
  }
  EXPECT_ALLCLOSE(f(xv, gv, bv, mv, vv), want, 1e-12, 1e-12);
  // One loop reads x: exactly one node of the compiled graph has x as an input.
  int readers = 0;
  for (const ApplyNode* node : f.fgraph().toposort())
    for (const Var& in : node->inputs)
      if (in.is(f.fgraph().inputs()[0])) ++readers;
  EXPECT_EQ(readers, 1);
  testing::check_rows(
      {{"test form: x, gamma, beta, mean, var",
        [](const Vars& v) { return bn::batch_normalization_test(v[0], v[1], v[2], v[3], v[4]); },
        {testing::Point{{4, 3}}, testing::Point{{3}, 0.5, 1.5}, testing::Point{{3}},
         testing::Point{{3}}, testing::Point{{3}, 0.5, 2}}}});
}

TEST(BatchNormElementwise, LowMemAndHighMemAgreeWithNumpy) {
  auto x = T::dmatrix("x");
  auto g = T::dvector("g");
  auto b = T::dvector("b");
  auto mu = T::dvector("mu");
  auto sd = T::dvector("sd");
  const NDArray xv = array({{1.0, 2.0}, {3.0, -4.0}});
  const NDArray gv = array({2.0, 0.5}), bv = array({0.1, -0.2}), mv = array({1.5, -1.0}),
                sv = array({0.5, 4.0});
  // (x - mu) / sd * g + b
  const NDArray want = array({{-2.0 + 0.1, 0.375 - 0.2}, {6.0 + 0.1, -0.375 - 0.2}});
  for (const char* mode : {"low_mem", "high_mem"}) {
    SCOPED_TRACE(mode);
    const Function f = function({x, g, b, mu, sd}, bn::batch_normalization(x, g, b, mu, sd, mode));
    EXPECT_ALLCLOSE(f(xv, gv, bv, mv, sv), want, 1e-12, 1e-12);
  }
  EXPECT_TRUE(throws_with<ValueError>([&] { bn::batch_normalization(x, g, b, mu, sd, "fast"); },
                                      {"batch_normalization", "low_mem", "fast"}));
}

TEST(BatchNormTrain, ErrorsNameTheOpAndTheShapes) {
  auto x = T::dmatrix("x");
  auto g = T::dvector("g");
  auto b = T::dvector("b");
  const auto r = bn::batch_normalization_train(x, g, b);
  const Function f = function({x, g, b}, r.as_tuple());
  const NDArray gv = NDArray::full(DType::Float64, {3}, 1.0),
                bv = NDArray::zeros(DType::Float64, {3});
  EXPECT_TRUE(throws_with<ValueError>(
      [&] {
        f(NDArray::zeros(DType::Float64, {0, 3}), gv, bv);
      },
      {"batch_normalization_train", "(0, 3)", "empty"}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        f(NDArray::zeros(DType::Float64, {2, 4}), gv, bv);
      },
      {"batch_normalization_train", "gamma", "(1, 4)"}));
  auto rm = T::dvector("rm");
  auto rv = T::dvector("rv");
  const auto running = bn::batch_normalization_train(x, g, b, "per-activation", 1e-4, 0.1, rm, rv);
  const Function fr = function({x, g, b, rm, rv}, running.as_tuple());
  EXPECT_TRUE(throws_with<ValueError>(
      [&] {
        fr(NDArray::zeros(DType::Float64, {1, 3}), gv, bv, bv, gv);
      },
      {"at least 2 values"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { bn::batch_normalization_train(x, g, b, "channel"); },
                                      {"invalid axes", "channel"}));
  EXPECT_TRUE(throws_with<ValueError>(
      [&] {
        bn::batch_normalization_train(x, g, b, bn::NormAxes({0, 2}));
      },
      {"axes", "[0, 2)"}));
  EXPECT_TRUE(throws_with<ValueError>(
      [&] { bn::batch_normalization_train(x, g, b, bn::NormAxes(std::vector<int>{})); },
      {"at least one"}));
  EXPECT_TRUE(throws_with<ValueError>(
      [&] { bn::batch_normalization_train(x, g, T::dmatrix("b2")); }, {"beta", "kept axis"}));
  EXPECT_TRUE(throws_with<ValueError>(
      [&] { bn::batch_normalization_train(x, g, b, "per-activation", 1e-4, 0.1, rm); },
      {"running_mean and running_var"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { bn::batch_normalization_train(T::imatrix("i"), g, b); },
                                     {"batch_normalization_train"}));
  // Parameters of another float dtype take the input's.
  EXPECT_EQ(bn::batch_normalization_train(T::fmatrix("f"), g, b).mean.dtype(), DType::Float32);
}

}  // namespace
}  // namespace theon
