// Seed tutorial: an XOR network with bias units, trained by per-sample SGD.
// Layers concatenate a bias input of 1 and multiply by theta^T, as in the seed. The
// weights start uniform in [0, 1) from std::mt19937 with seed 1 (or argv[1]).
#include <theon/theon.hpp>
#include <fstream>
#include <iostream>
#include <random>
namespace T = theon::tensor;

namespace {

theon::Var layer(const theon::Var& x, const theon::Var& theta) {
  auto with_bias = T::concatenate({x, theon::constant(theon::array({1.0}))});
  return T::sigmoid(T::dot(T::transpose(theta), with_bias));
}

theon::NDArray random_matrix(std::mt19937& rng, int rows, int cols) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<double> values(rows * cols);
  for (double& v : values) v = uniform(rng);
  return theon::array(values, {rows, cols});
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned seed = argc > 1 ? static_cast<unsigned>(std::stoul(argv[1])) : 1;
  std::mt19937 rng(seed);
  auto x = T::dvector("x");
  auto y = T::dscalar("y");
  auto theta1 = theon::shared(random_matrix(rng, 3, 3), "theta1");
  auto theta2 = theon::shared(random_matrix(rng, 4, 1), "theta2");
  const double alpha = 0.1;

  auto hidden = layer(x, theta1);
  auto out = T::sum(layer(hidden, theta2));
  auto cost_expr = T::sqr(out - y);
  auto cost = theon::function({x, y}, cost_expr,
                              {{theta1, theta1 - alpha * T::grad(cost_expr, theta1)},
                               {theta2, theta2 - alpha * T::grad(cost_expr, theta2)}});
  auto run_forward = theon::function({x}, out);

  const double inputs[4][2] = {{0, 1}, {1, 0}, {1, 1}, {0, 0}};
  const double expected[4] = {1, 1, 0, 0};
  std::ofstream csv("xor_cost.csv");
  csv << "step,cost\n";
  double current = 0;
  std::cout << "weights initialized with std::mt19937 seed " << seed << "\n";
  for (int epoch = 0; epoch < 10000; ++epoch) {
    for (int k = 0; k < 4; ++k)
      current = cost(theon::array({inputs[k][0], inputs[k][1]}), expected[k]).array().item<double>();
    if (epoch % 500 == 0) std::cout << "Cost: " << current << "\n";
    if (epoch % 10 == 0) csv << epoch << "," << current << "\n";
  }
  std::cout << "final cost " << current << "\n";
  for (int k = 0; k < 4; ++k)
    std::cout << "  " << inputs[k][0] << " xor " << inputs[k][1] << " -> "
              << run_forward(theon::array({inputs[k][0], inputs[k][1]})) << "\n";
}
