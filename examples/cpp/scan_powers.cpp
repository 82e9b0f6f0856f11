// scan: A**k by repeated multiplication (Theano's scan tutorial, first example).
#include <theon/theon.hpp>
#include <iostream>
namespace T = theon::tensor;

int main() {
  auto A = T::dvector("A");
  auto k = T::lscalar("k");
  // Each step multiplies the previous result by A; the loop runs k times.
  auto result = theon::scan([&](std::span<const theon::Var> a) { return a[0] * A; }, {},
                            {T::ones_like(A)}, {A}, {.n_steps = k});
  // Only the last power is used: the save-memory rewrite keeps one row, not k.
  auto power = theon::function({A, k}, T::index(result.output(), {-1}));
  std::cout << power(theon::array({0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0}), 2) << "\n";
}
