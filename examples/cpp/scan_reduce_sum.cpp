// reduce: the sum of a sequence, one element per step; foldr for the reversed order.
#include <theon/theon.hpp>
#include <iostream>
namespace T = theon::tensor;

int main() {
  auto x = T::dvector("x");
  auto zero = theon::constant(theon::array(0.0));
  auto total = theon::reduce([](std::span<const theon::Var> a) { return a[1] + a[0]; }, {x}, {zero});
  // Digits read right to left: acc * 10 + x
  auto digits = theon::foldr([](std::span<const theon::Var> a) { return a[1] * 10 + a[0]; }, {x}, {zero});
  auto f = theon::function({x}, {total.output(), digits.output()});
  auto out = f(theon::array({1.0, 2.0, 3.0, 4.0}));
  std::cout << "sum " << out[0] << "\n";
  std::cout << "foldr digits " << out[1] << "\n";
}
