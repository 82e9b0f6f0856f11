// Seed tutorial: one logistic neuron learns AND by full-batch gradient descent.
#include <theon/theon.hpp>
#include <fstream>
#include <iostream>
#include <random>
namespace T = theon::tensor;

int main() {
  std::mt19937 rng(2016);  // the seed used random(); we fix one for repeatability
  std::uniform_real_distribution<double> uniform(0.0, 1.0);

  auto x = T::dmatrix("x");
  auto w = theon::shared(theon::array({uniform(rng), uniform(rng)}), "w");
  auto b = theon::shared(1.0, "b");
  const double learning_rate = 0.01;
  auto a = 1 / (1 + T::exp(-(T::dot(x, w) + b)));
  auto a_hat = T::dvector("a_hat");  // the targets
  auto cost = -T::sum(a_hat * T::log(a) + (1 - a_hat) * T::log(1 - a));
  auto g = T::grad(cost, {w, b});
  auto train = theon::function({x, a_hat}, {a, cost},
                               {{w, w - learning_rate * g[0]}, {b, b - learning_rate * g[1]}});

  auto inputs = theon::array({{0, 0}, {0, 1}, {1, 0}, {1, 1}});
  auto outputs = theon::array({0, 0, 0, 1});
  std::ofstream csv("and_neuron_cost.csv");
  csv << "step,cost\n";
  theon::Result last;
  for (int iteration = 0; iteration < 30000; ++iteration) {
    last = train(inputs, outputs);
    if (iteration % 100 == 0) csv << iteration << "," << last[1] << "\n";
  }
  std::cout << "The outputs of the neuron are:\n";
  for (int i = 0; i < 4; ++i)
    std::printf("  x1=%d | x2=%d -> %.2f\n", static_cast<int>(inputs.at<int64_t>({i, 0})),
                static_cast<int>(inputs.at<int64_t>({i, 1})), last[0].at<double>({i}));
  std::cout << "final cost " << last[1] << "\n";
}
