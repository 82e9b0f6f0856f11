// The seeds' networks: symbolic gradients against backpropagation written out by hand.
#include <cmath>

#include "support/test_util.hpp"

namespace T = theon::tensor;
using theon::array;
using theon::function;

namespace theon {
namespace {

double sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

TEST(SeedNetworks, AndNeuronCrossEntropyGradient) {
  auto X = T::dmatrix("x");
  auto w = T::dvector("w");
  auto b = T::dscalar("b");
  auto t = T::dvector("t");
  auto a = 1 / (1 + T::exp(-(T::dot(X, w) + b)));
  auto cost = -T::sum(t * T::log(a) + (1 - t) * T::log(1 - a));
  auto g = T::grad(cost, {w, b});
  auto f = function({X, w, b, t}, g);

  const double xs[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  const double ts[4] = {0, 0, 0, 1};
  const double wv[2] = {0.3, 0.6}, bv = 1.0;
  // d cost / d z_i = a_i - t_i for the logistic neuron with cross-entropy.
  double dw[2] = {0, 0}, db = 0;
  for (int i = 0; i < 4; ++i) {
    double delta = sigmoid(xs[i][0] * wv[0] + xs[i][1] * wv[1] + bv) - ts[i];
    dw[0] += delta * xs[i][0];
    dw[1] += delta * xs[i][1];
    db += delta;
  }
  auto out = f(array({{0.0, 0.0}, {0.0, 1.0}, {1.0, 0.0}, {1.0, 1.0}}), array({0.3, 0.6}), 1.0,
               array({0.0, 0.0, 0.0, 1.0}));
  EXPECT_ALLCLOSE(out[0], array({dw[0], dw[1]}), 1e-12);
  EXPECT_NEAR(out[1].item<double>(), db, 1e-12);
}

TEST(SeedNetworks, XnorTwoLayerGradient) {
  auto X = T::dmatrix("x");
  auto [w1, w2, w3] = T::dvectors("w1", "w2", "w3");
  auto [b1, b2] = T::dscalars("b1", "b2");
  auto t = T::dvector("t");
  auto a1 = 1 / (1 + T::exp(-T::dot(X, w1) - b1));
  auto a2 = 1 / (1 + T::exp(-T::dot(X, w2) - b1));
  auto a3 = 1 / (1 + T::exp(-T::dot(T::stack({a1, a2}, 1), w3) - b2));
  auto cost = -T::sum(t * T::log(a3) + (1 - t) * T::log(1 - a3));
  auto f = function({X, w1, w2, w3, b1, b2, t}, T::grad(cost, {w1, w2, w3, b1, b2}));

  const double xs[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  const double ts[4] = {1, 0, 0, 1};
  const double W1[2] = {0.1, 0.4}, W2[2] = {-0.3, 0.2}, W3[2] = {0.5, -0.7}, B1 = 0.3, B2 = -0.2;
  double g1[2] = {0, 0}, g2[2] = {0, 0}, g3[2] = {0, 0}, gb1 = 0, gb2 = 0;
  for (int i = 0; i < 4; ++i) {
    double h1 = sigmoid(xs[i][0] * W1[0] + xs[i][1] * W1[1] + B1);
    double h2 = sigmoid(xs[i][0] * W2[0] + xs[i][1] * W2[1] + B1);
    double o = sigmoid(h1 * W3[0] + h2 * W3[1] + B2);
    double d3 = o - ts[i];
    double d1 = d3 * W3[0] * h1 * (1 - h1), d2 = d3 * W3[1] * h2 * (1 - h2);
    for (int k = 0; k < 2; ++k) {
      g1[k] += d1 * xs[i][k];
      g2[k] += d2 * xs[i][k];
    }
    g3[0] += d3 * h1;
    g3[1] += d3 * h2;
    gb1 += d1 + d2;
    gb2 += d3;
  }
  auto out = f(array({{0.0, 0.0}, {0.0, 1.0}, {1.0, 0.0}, {1.0, 1.0}}), array({W1[0], W1[1]}),
               array({W2[0], W2[1]}), array({W3[0], W3[1]}), B1, B2, array({1.0, 0.0, 0.0, 1.0}));
  EXPECT_ALLCLOSE(out[0], array({g1[0], g1[1]}), 1e-12);
  EXPECT_ALLCLOSE(out[1], array({g2[0], g2[1]}), 1e-12);
  EXPECT_ALLCLOSE(out[2], array({g3[0], g3[1]}), 1e-12);
  EXPECT_NEAR(out[3].item<double>(), gb1, 1e-12);
  EXPECT_NEAR(out[4].item<double>(), gb2, 1e-12);
}

TEST(SeedNetworks, XorLayerWithBiasUnitsGradient) {
  auto x = T::dvector("x");
  auto y = T::dscalar("y");
  auto theta1 = T::dmatrix("theta1"), theta2 = T::dmatrix("theta2");
  auto layer = [](const Var& in, const Var& theta) {
    return T::sigmoid(T::dot(T::transpose(theta), T::concatenate({in, constant(array({1.0}))})));
  };
  auto out = T::sum(layer(layer(x, theta1), theta2));
  auto cost = T::sqr(out - y);
  auto f = function({x, y, theta1, theta2}, T::grad(cost, {theta1, theta2}));

  const double t1[3][3] = {{0.1, -0.2, 0.3}, {0.4, 0.5, -0.6}, {-0.7, 0.8, 0.9}};
  const double t2[4] = {0.2, -0.4, 0.6, 0.1};
  const double in[3] = {1, 0, 1};  // x plus the bias unit
  const double target = 1;
  double h[4] = {0, 0, 0, 1};
  for (int j = 0; j < 3; ++j) {
    double z = 0;
    for (int i = 0; i < 3; ++i) z += t1[i][j] * in[i];
    h[j] = sigmoid(z);
  }
  double zo = 0;
  for (int j = 0; j < 4; ++j) zo += t2[j] * h[j];
  double o = sigmoid(zo);
  double d_o = 2 * (o - target) * o * (1 - o);
  std::vector<double> g2(4), g1(9);
  for (int j = 0; j < 4; ++j) g2[j] = d_o * h[j];
  for (int j = 0; j < 3; ++j) {
    double dh = d_o * t2[j] * h[j] * (1 - h[j]);
    for (int i = 0; i < 3; ++i) g1[i * 3 + j] = dh * in[i];
  }
  std::vector<double> t1_flat;
  for (auto& row : t1) t1_flat.insert(t1_flat.end(), row, row + 3);
  auto grads = f(array({1.0, 0.0}), target, theon::array(t1_flat, {3, 3}),
                 theon::array(std::vector<double>(t2, t2 + 4), {4, 1}));
  EXPECT_ALLCLOSE(grads[0], theon::array(g1, {3, 3}), 1e-12);
  EXPECT_ALLCLOSE(grads[1], theon::array(g2, {4, 1}), 1e-12);
}

}  // namespace
}  // namespace theon
