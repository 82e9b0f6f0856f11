// Seed tutorials: symbolic gradients evaluated at points.
#include <theon/theon.hpp>
#include <iostream>
namespace T = theon::tensor;

int main() {
  auto x = T::dscalar("x");
  auto cube_slope = T::grad(T::pow(x, 3), x);
  std::cout << "d/dx x**3            = " << theon::pp(cube_slope) << "\n";
  std::cout << "  at x = 4           = " << theon::function({x}, cube_slope)(4) << "\n";

  auto wave_slope = T::grad(T::exp(T::sin(T::pow(x, 2))), x);
  std::cout << "d/dx exp(sin(x**2)) at x = 15: " << theon::function({x}, wave_slope)(15) << "\n";

  // The gradient of the summed logistic function, element by element.
  auto m = T::dmatrix("m");
  auto logistic_sum = T::sum(1 / (1 + T::exp(-m)));
  auto dlogistic = theon::function({m}, T::grad(logistic_sum, m));
  std::cout << "gradient of sum(logistic(m)) at [[0, 1], [-1, -2]]:\n"
            << dlogistic(theon::array({{0, 1}, {-1, -2}})) << "\n";
}
