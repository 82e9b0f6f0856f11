// W1's and W2's training functions (the seed XOR and XNOR networks), shared by the
// workload runner and the Google Benchmark micro-benchmarks. Initial values come from
// bench_util's hash, as in bench/python/bench_common.py.
#pragma once

#include <theon/theon.hpp>

#include "bench_util.hpp"

namespace bench {

using theon::NDArray;

inline NDArray doubles(const std::vector<double>& values, const theon::Shape& shape) {
  return theon::array(values, shape);
}

// W1: theta1 3x3 on [x, 1], theta2 4x1 on [h, 1], sigmoid, squared error, SGD lr 0.1.
struct XorNet {
  theon::SharedVar theta1, theta2;
  theon::Function step;  // step(x: dvector(2), y: double) -> cost
  NDArray samples[4] = {theon::array({0.0, 1.0}), theon::array({1.0, 0.0}),
                        theon::array({1.0, 1.0}), theon::array({0.0, 0.0})};
  double targets[4] = {1, 1, 0, 0};
};

inline XorNet build_xor() {
  namespace T = theon::tensor;
  XorNet n;
  auto x = T::dvector("x");
  auto y = T::dscalar("y");
  n.theta1 = theon::shared(doubles(hash_uniform(9, 1), {3, 3}), "theta1");
  n.theta2 = theon::shared(doubles(hash_uniform(4, 2), {4, 1}), "theta2");
  auto layer = [](const theon::Var& in, const theon::Var& theta) {
    auto with_bias = T::concatenate({in, theon::constant(theon::array({1.0}))});
    return T::sigmoid(T::dot(T::transpose(theta), with_bias));
  };
  auto cost = T::sqr(T::sum(layer(layer(x, n.theta1), n.theta2)) - y);
  n.step = theon::function({x, y}, cost,
                           {{n.theta1, n.theta1 - 0.1 * T::grad(cost, n.theta1)},
                            {n.theta2, n.theta2 - 0.1 * T::grad(cost, n.theta2)}});
  return n;
}

// W2: two hidden sigmoid units, full batch of 4, binary cross-entropy, lr 0.01.
struct XnorNet {
  theon::SharedVar w1, w2, w3, b1, b2;
  theon::Function step;  // step(inputs 4x2, targets 4) -> {a3, cost}
  NDArray inputs = theon::array({{0.0, 0.0}, {0.0, 1.0}, {1.0, 0.0}, {1.0, 1.0}});
  NDArray targets = theon::array({1.0, 0.0, 0.0, 1.0});
};

inline XnorNet build_xnor() {
  namespace T = theon::tensor;
  XnorNet n;
  auto X = T::dmatrix("x");
  n.w1 = theon::shared(doubles(hash_uniform(2, 3), {2}), "w1");
  n.w2 = theon::shared(doubles(hash_uniform(2, 4), {2}), "w2");
  n.w3 = theon::shared(doubles(hash_uniform(2, 5), {2}), "w3");
  n.b1 = theon::shared(1.0, "b1");
  n.b2 = theon::shared(1.0, "b2");
  auto a1 = 1 / (1 + T::exp(-T::dot(X, n.w1) - n.b1));
  auto a2 = 1 / (1 + T::exp(-T::dot(X, n.w2) - n.b1));
  auto a3 = 1 / (1 + T::exp(-T::dot(T::stack({a1, a2}, 1), n.w3) - n.b2));
  auto t = T::dvector("t");
  auto xent = -T::sum(t * T::log(a3) + (1 - t) * T::log(1 - a3));
  auto g = T::grad(xent, {n.w1, n.w2, n.w3, n.b1, n.b2});
  const double lr = 0.01;
  n.step = theon::function({X, t}, {a3, xent},
                           {{n.w1, n.w1 - lr * g[0]}, {n.w2, n.w2 - lr * g[1]},
                            {n.w3, n.w3 - lr * g[2]}, {n.b1, n.b1 - lr * g[3]},
                            {n.b2, n.b2 - lr * g[4]}});
  return n;
}

}  // namespace bench
