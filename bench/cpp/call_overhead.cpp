// Per-call cost of compiled functions from C++: the scalar multiply of the foundation
// contract, the XOR per-sample training call (W1) and the XNOR full-batch step (W2).
// Prints the median over 7 repeats of the time per call, once native code is loaded.
#include <theon/theon.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>
namespace T = theon::tensor;

namespace {

double median_us_per_call(int calls, const std::function<void()>& body) {
  // Small functions become one native function at their third call: wait for it.
  for (int i = 0; i < 3; ++i) body();
  theon::wait_for_native_code();
  std::vector<double> runs;
  for (int repeat = 0; repeat < 7; ++repeat) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) body();
    std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
    runs.push_back(elapsed.count() / calls);
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

theon::Var layer(const theon::Var& x, const theon::Var& theta) {
  auto with_bias = T::concatenate({x, theon::constant(theon::array({1.0}))});
  return T::sigmoid(T::dot(T::transpose(theta), with_bias));
}

}  // namespace

int main() {
  auto a = T::dscalar("a"), b = T::dscalar("b");
  auto multiply = theon::function({a, b}, a * b);
  std::printf("scalar multiply f(1.5, 3): %.3f us/call\n",
              median_us_per_call(200000, [&] { multiply(1.5, 3); }));

  // W1: the XOR per-sample SGD step.
  auto x = T::dvector("x");
  auto y = T::dscalar("y");
  auto theta1 = theon::shared(theon::NDArray::full(theon::DType::Float64, {3, 3}, 0.5), "theta1");
  auto theta2 = theon::shared(theon::NDArray::full(theon::DType::Float64, {4, 1}, 0.5), "theta2");
  auto cost = T::sqr(T::sum(layer(layer(x, theta1), theta2)) - y);
  auto xor_step = theon::function({x, y}, cost,
                                  {{theta1, theta1 - 0.1 * T::grad(cost, theta1)},
                                   {theta2, theta2 - 0.1 * T::grad(cost, theta2)}});
  auto sample = theon::array({1.0, 0.0});
  std::printf("W1 xor-sgd training call:  %.3f us/call\n",
              median_us_per_call(20000, [&] { xor_step(sample, 1.0); }));

  // W2: the XNOR full-batch step.
  auto X = T::dmatrix("x");
  auto w1 = theon::shared(theon::array({0.1, 0.2}), "w1"), w2 = theon::shared(theon::array({0.3, 0.4}), "w2");
  auto w3 = theon::shared(theon::array({0.5, 0.6}), "w3");
  auto b1 = theon::shared(1.0, "b1"), b2 = theon::shared(1.0, "b2");
  auto a1 = 1 / (1 + T::exp(-T::dot(X, w1) - b1));
  auto a2 = 1 / (1 + T::exp(-T::dot(X, w2) - b1));
  auto a3 = 1 / (1 + T::exp(-T::dot(T::stack({a1, a2}, 1), w3) - b2));
  auto t = T::dvector("t");
  auto xent = -T::sum(t * T::log(a3) + (1 - t) * T::log(1 - a3));
  auto g = T::grad(xent, {w1, w2, w3, b1, b2});
  auto xnor_step = theon::function({X, t}, {a3, xent},
                                   {{w1, w1 - 0.01 * g[0]}, {w2, w2 - 0.01 * g[1]},
                                    {w3, w3 - 0.01 * g[2]}, {b1, b1 - 0.01 * g[3]},
                                    {b2, b2 - 0.01 * g[4]}});
  auto inputs = theon::array({{0.0, 0.0}, {0.0, 1.0}, {1.0, 0.0}, {1.0, 1.0}});
  auto targets = theon::array({1.0, 0.0, 0.0, 1.0});
  std::printf("W2 xnor-batch training step: %.3f us/step (%zu nodes)\n",
              median_us_per_call(5000, [&] { xnor_step(inputs, targets); }),
              xnor_step.fgraph().toposort().size());
}
