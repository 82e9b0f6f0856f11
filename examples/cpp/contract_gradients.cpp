// The gradient issue's contract program: symbolic gradients, jacobian, hessian, and
// the logistic neuron learning AND.
#include <theon/theon.hpp>
#include <iostream>
namespace T = theon::tensor;
using theon::function;
using theon::shared;

int main() {
  auto x = T::dscalar("x");
  auto qy = T::grad(T::pow(x, 3), x);
  std::cout << theon::pp(qy) << "\n";
  std::cout << function({x}, qy)(4) << "\n";                                   // 48
  std::cout << function({x}, T::grad(T::exp(T::sin(T::pow(x, 2))), x))(15) << "\n";  // 4.347...

  auto v = T::dvector("v");
  std::cout << function({v}, T::jacobian(T::pow(v, 2), v))(theon::array({4.0, 4.0})) << "\n";  // [[8 0] [0 8]]
  std::cout << function({v}, T::hessian(T::sum(T::pow(v, 3)), v))(theon::array({1.0, 2.0})) << "\n";  // [[6 0] [0 12]]

  // the logistic neuron learning AND (the seed's second section)
  auto X = T::dmatrix("x");
  auto w = shared(theon::array({0.3, 0.6}), "w");
  auto b = shared(1.0, "b");
  auto a = 1 / (1 + T::exp(-(T::dot(X, w) + b)));
  auto a_hat = T::dvector("a_hat");
  auto cost = -T::sum(a_hat * T::log(a) + (1 - a_hat) * T::log(1 - a));
  auto g = T::grad(cost, {w, b});
  auto train = function({X, a_hat}, {a, cost},
                        {{w, w - 0.01 * g[0]}, {b, b - 0.01 * g[1]}});
  auto inputs = theon::array({{0, 0}, {0, 1}, {1, 0}, {1, 1}});
  auto targets = theon::array({0, 0, 0, 1});
  for (int i = 0; i < 30000; ++i) train(inputs, targets);
  std::cout << train(inputs, targets)[0] << "\n";   // close to [0 0 0 1]
}
