// Seed tutorial: a two-layer network (two hidden sigmoid units) learns XNOR.
#include <theon/theon.hpp>
#include <fstream>
#include <iostream>
#include <random>
namespace T = theon::tensor;

int main() {
  std::mt19937 rng(7);  // fixed for repeatability (the seed used random())
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  auto random_pair = [&] { return theon::array({uniform(rng), uniform(rng)}); };

  auto x = T::dmatrix("x");
  auto w1 = theon::shared(random_pair(), "w1");
  auto w2 = theon::shared(random_pair(), "w2");
  auto w3 = theon::shared(random_pair(), "w3");
  auto b1 = theon::shared(1.0, "b1");
  auto b2 = theon::shared(1.0, "b2");
  const double learning_rate = 0.01;

  auto a1 = 1 / (1 + T::exp(-T::dot(x, w1) - b1));
  auto a2 = 1 / (1 + T::exp(-T::dot(x, w2) - b1));
  auto x2 = T::stack({a1, a2}, /*axis=*/1);
  auto a3 = 1 / (1 + T::exp(-T::dot(x2, w3) - b2));

  auto a_hat = T::dvector("a_hat");
  auto cost = -T::sum(a_hat * T::log(a3) + (1 - a_hat) * T::log(1 - a3));
  auto g = T::grad(cost, {w1, w2, w3, b1, b2});
  auto train = theon::function({x, a_hat}, {a3, cost},
                               {{w1, w1 - learning_rate * g[0]},
                                {w2, w2 - learning_rate * g[1]},
                                {w3, w3 - learning_rate * g[2]},
                                {b1, b1 - learning_rate * g[3]},
                                {b2, b2 - learning_rate * g[4]}});

  auto inputs = theon::array({{0, 0}, {0, 1}, {1, 0}, {1, 1}});
  auto outputs = theon::array({1, 0, 0, 1});
  std::ofstream csv("xnor_cost.csv");
  csv << "step,cost\n";
  theon::Result last;
  for (int iteration = 0; iteration < 30000; ++iteration) {
    last = train(inputs, outputs);
    if (iteration % 100 == 0) csv << iteration << "," << last[1] << "\n";
  }
  std::cout << "The outputs of the XNOR network are:\n";
  for (int i = 0; i < 4; ++i)
    std::printf("  x1=%d | x2=%d -> %.2f\n", static_cast<int>(inputs.at<int64_t>({i, 0})),
                static_cast<int>(inputs.at<int64_t>({i, 1})), last[0].at<double>({i}));
  std::cout << "final cost " << last[1] << "\n";
}
