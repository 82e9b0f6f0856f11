// scan: evaluating a polynomial from its coefficient vector, sum_i c[i] * x**i.
#include <theon/theon.hpp>
#include <iostream>
namespace T = theon::tensor;

int main() {
  auto coefficients = T::dvector("coefficients");
  auto x = T::dscalar("x");
  // One term per step: the sequences are the coefficients and their powers 0, 1, 2...
  auto components = theon::scan(
      [](std::span<const theon::Var> a) { return a[0] * T::pow(a[2], a[1]); },
      {coefficients, T::arange(10000)}, {}, {x});
  auto polynomial = theon::function({coefficients, x}, T::sum(components.output()));
  // 1 + 0 x + 2 x^2 at x = 3
  std::cout << polynomial(theon::array({1.0, 0.0, 2.0}), 3.0) << "\n";
  std::cout << "expected " << 1.0 + 0.0 * 3 + 2.0 * 9 << "\n";
}
