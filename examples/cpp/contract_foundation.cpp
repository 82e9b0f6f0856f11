// The foundation issue's contract program: the first steps of the seed tutorials.
#include <theon/theon.hpp>
#include <iostream>
namespace T = theon::tensor;
using theon::function;
using theon::shared;

int main() {
  auto a = T::dscalar("a");
  auto b = T::dscalar("b");
  auto f = function({a, b}, a * b);
  std::cout << f(1.5, 3) << "\n";                        // 4.5

  auto x = T::iscalar("x");
  auto sh = shared(0, "sh");
  auto acc = function({x}, T::pow(sh, 2), {{sh, sh + x}});
  std::cout << acc(1) << " " << acc(2) << " " << acc(3) << "\n";   // 0 1 9
  std::cout << sh.get_value() << "\n";                   // 6

  auto [p, q] = T::dmatrices("p", "q");
  auto diff = p - q;
  auto g = function({p, q}, {diff, T::abs(diff), T::sqr(diff)});
  auto outs = g(theon::array({{1, 1}, {1, 1}}), theon::array({{0, 1}, {2, 3}}));
  std::cout << outs[0] << "\n" << outs[1] << "\n" << outs[2] << "\n";
  // [[ 1  0] [-1 -2]]   [[1 0] [1 2]]   [[1 0] [1 4]]   (as float64)

  auto m = T::dmatrix("m");
  auto logistic = function({m}, 1 / (1 + T::exp(-m)));
  std::cout << logistic(theon::array({{0, 1}, {-1, -2}})) << "\n";
  // [[0.5 0.73105858] [0.26894142 0.11920292]]

  auto xv = T::dvector("x");
  auto w = T::dvector("w");
  auto bias = T::dscalar("b");
  auto z = T::dot(xv, w) + bias;
  auto neuron = function({xv, w, bias}, theon::ifelse(T::lt(z, 0), 0, 1));
  for (auto in : {theon::array({0.0, 0.0}), theon::array({0.0, 1.0}),
                  theon::array({1.0, 0.0}), theon::array({1.0, 1.0})})
    std::cout << neuron(in, theon::array({1.0, 1.0}), -1.5) << " ";  // 0 0 0 1
  std::cout << "\n" << theon::pp(z) << "\n";
}
