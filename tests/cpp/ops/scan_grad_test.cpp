// Gradients through scan (backpropagation through time): finite differences, the same
// computation unrolled, truncated gradients by hand, Rop and jacobian through a scan.
#include <cmath>

#include "support/test_util.hpp"
#include "theon/scan.hpp"

namespace theon {
namespace {

namespace T = tensor;
using testing::random_array;
using Args = std::span<const Var>;

Var cell(const Var& W, const Var& h, const Var& x) { return T::tanh(T::dot(W, h) + x); }

TEST(ScanGrad, RecurrentCellWithNonSequence) {
  verify_grad([](const Vars& in) {
    return scan([](Args a) { return cell(a[2], a[1], a[0]); }, {in[0]}, {in[2]}, {in[1]}).output();
  }, {random_array({5, 3}, DType::Float64, -1, 1, 1), random_array({3, 3}, DType::Float64, -1, 1, 2),
      random_array({3}, DType::Float64, -1, 1, 3)});
}

TEST(ScanGrad, SequenceAndOutputTaps) {
  verify_grad([](const Vars& in) {
    auto r = scan([](Args a) {
      // a = x[t-1], x[t+1], h[t-2], h[t-1], w
      return T::tanh(a[2] * a[4] - 0.3 * a[3] + a[0] * a[1]);
    }, {ScanSequence(in[0], {-1, 1})}, {ScanOutputInfo(in[1], {-2, -1})}, {in[2]});
    return r.output();
  }, {random_array({6, 2}, DType::Float64, -1, 1, 4), random_array({2, 2}, DType::Float64, -1, 1, 5),
      random_array({2}, DType::Float64, -1, 1, 6)});
}

TEST(ScanGrad, NonRecurrentOutputsAndGoBackwards) {
  verify_grad([](const Vars& in) {
    auto r = scan([](Args a) { return ScanStepResult{a[1] * a[2] + a[0], T::sin(a[0] * a[1])}; },
                  {in[0]}, {in[1], ScanOutputInfo()}, {in[2]}, {.go_backwards = true});
    return r.outputs[0] * 2 + r.outputs[1];
  }, {random_array({4, 3}, DType::Float64, -1, 1, 7), random_array({3}, DType::Float64, -1, 1, 8),
      random_array({3}, DType::Float64, -1, 1, 9)});
}

TEST(ScanGrad, Float32) {
  verify_grad([](const Vars& in) {
    return scan([](Args a) { return T::tanh(a[1] * a[2] + a[0]); }, {in[0]}, {in[1]}, {in[2]}).output();
  }, {random_array({4, 2}, DType::Float32, -1, 1, 10), random_array({2}, DType::Float32, -1, 1, 11),
      random_array({2}, DType::Float32, -1, 1, 12)});
}

TEST(ScanGrad, MatchesUnrolledGraphIncludingSharedWeights) {
  auto W = shared(random_array({3, 3}, DType::Float64, -0.5, 0.5, 13), "W");
  auto x = T::dmatrix("x");
  auto h0 = T::dvector("h0");
  const int n = 4;
  auto r = scan([&](Args a) { return cell(W, a[1], a[0]); }, {x}, {h0});
  Var cost_scan = T::sum(T::sqr(r.output()));
  Vars hs;
  Var h = h0;
  for (int t = 0; t < n; ++t) {
    h = cell(W, h, T::index(x, {t}));
    hs.push_back(T::sqr(h));
  }
  Var cost_unrolled = T::sum(T::add(hs));
  auto g1 = T::grad(cost_scan, {W, x, h0});
  auto g2 = T::grad(cost_unrolled, {W, x, h0});
  auto f = function({x, h0}, {g1[0], g1[1], g1[2], g2[0], g2[1], g2[2]});
  auto got = f(random_array({n, 3}, DType::Float64, -1, 1, 14), random_array({3}, DType::Float64, -1, 1, 15));
  for (int i = 0; i < 3; ++i) EXPECT_ALLCLOSE(got[i], got[3 + i], 1e-10, 1e-12) << "input " << i;
}

TEST(ScanGrad, TruncatedGradientMatchesHandComputedSum) {
  // h[t] = w h[t-1] + x[t]; cost = h[N-1]. Truncated to the last k steps, the backward
  // pass reaches x[t] and w only from steps t >= N-k, and h0 not at all (k < N).
  auto x = T::dvector("x");
  auto w = T::dscalar("w");
  auto h0 = T::dscalar("h0");
  const int n = 6, k = 3;
  auto r = scan([](Args a) { return a[2] * a[1] + a[0]; }, {x}, {h0}, {w}, {.truncate_gradient = k});
  Var cost = T::index(r.output(), {-1});
  auto g = T::grad(cost, {x, w, h0});
  auto f = function({x, w, h0}, {g[0], g[1], g[2]});
  NDArray xv = random_array({n}, DType::Float64, -1, 1, 16);
  const double wv = 0.7, h0v = 0.4;
  auto got = f(xv, wv, h0v);
  std::vector<double> hist{h0v};  // hist[t+1] = h[t]
  for (int t = 0; t < n; ++t) hist.push_back(wv * hist.back() + xv.at<double>({t}));
  std::vector<double> gx(n, 0.0);
  double gw = 0;
  for (int t = n - k; t < n; ++t) {
    const double gh = std::pow(wv, n - 1 - t);
    gx[t] = gh;
    gw += gh * hist[t];  // h[t-1]
  }
  EXPECT_ALLCLOSE(got[0], array(gx, {n}), 1e-12, 1e-12);
  EXPECT_ALLCLOSE(got[1], array(gw), 1e-12, 1e-12);
  EXPECT_ALLCLOSE(got[2], array(0.0));
  // With k >= N the truncation changes nothing: h0 gets w^N.
  auto r2 = scan([](Args a) { return a[2] * a[1] + a[0]; }, {x}, {h0}, {w}, {.truncate_gradient = 10});
  auto f2 = function({x, w, h0}, T::grad(T::index(r2.output(), {-1}), h0));
  EXPECT_ALLCLOSE(f2(xv, wv, h0v).array(), array(std::pow(wv, n)), 1e-12);
}

TEST(ScanGrad, ZeroStepsGiveInitialStateItsDirectGradientOnly) {
  auto x = T::dvector("x");
  auto h0 = T::dscalar("h0");
  auto r = scan([](Args a) { return a[0] * a[1]; }, {x}, {h0});
  Var cost = T::sum(r.output()) + 2 * h0;
  auto f = function({x, h0}, T::grad(cost, {x, h0}));
  auto got = f(NDArray::zeros(DType::Float64, {0}), 1.5);
  EXPECT_EQ(got[0].shape(), (Shape{0}));
  EXPECT_ALLCLOSE(got[1], array(2.0));
}

TEST(ScanGrad, RopMatchesUnrolled) {
  auto x = T::dmatrix("x");
  auto W = T::dmatrix("W");
  auto V = T::dmatrix("V");
  auto h0 = T::dvector("h0");
  auto r = scan([](Args a) { return cell(a[2], a[1], a[0]); }, {x}, {h0}, {W});
  Vars hs;
  Var h = h0;
  for (int t = 0; t < 3; ++t) {
    h = cell(W, h, T::index(x, {t}));
    hs.push_back(h);
  }
  Var unrolled = T::stack(hs);
  Var j1 = T::Rop({r.output()}, {W}, {V})[0];
  Var j2 = T::Rop({unrolled}, {W}, {V})[0];
  auto f = function({x, W, V, h0}, {j1, j2});
  auto got = f(random_array({3, 2}, DType::Float64, -1, 1, 17), random_array({2, 2}, DType::Float64, -1, 1, 18),
               random_array({2, 2}, DType::Float64, -1, 1, 19), random_array({2}, DType::Float64, -1, 1, 20));
  EXPECT_EQ(got[0].shape(), (Shape{3, 2}));
  EXPECT_ALLCLOSE(got[0], got[1], 1e-10, 1e-12);
}

TEST(ScanGrad, JacobianAndHessianThroughScan) {
  auto x = T::dvector("x");
  auto w = T::dscalar("w");
  // y = cumulative product of x scaled by w: y[t] = w * y[t-1] * x[t]
  auto r = scan([](Args a) { return a[2] * a[1] * a[0]; }, {x}, {T::ones_like(w)}, {w});
  auto J = T::jacobian(r.output(), x);
  auto H = T::hessian(T::sum(r.output()), w);
  auto f = function({x, w}, {J, H});
  auto got = f(array({2.0, 3.0}), 0.5);
  // y0 = w x0, y1 = w^2 x0 x1: dy0/dx = (w, 0), dy1/dx = (w^2 x1, w^2 x0)
  EXPECT_ALLCLOSE(got[0], array({{0.5, 0.0}, {0.75, 0.5}}));
  // d2/dw2 (w x0 + w^2 x0 x1) = 2 x0 x1
  EXPECT_ALLCLOSE(got[1], array(12.0));
}

}  // namespace
}  // namespace theon
