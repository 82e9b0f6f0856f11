// Seed tutorial: the minimal training loop. W learns to make sum(x * W) reach the target.
#include <theon/theon.hpp>
#include <fstream>
#include <iostream>
namespace T = theon::tensor;

int main() {
  auto x = T::dvector("x");
  auto target = T::dscalar("target");
  auto W = theon::shared(theon::array({0.2, 0.7}), "W");
  auto y = T::sum(x * W);
  auto cost = T::sqr(target - y);
  auto train = theon::function({x, target}, {y, cost}, {{W, W - 0.1 * T::grad(cost, W)}});

  std::ofstream csv("train_w_cost.csv");
  csv << "step,cost\n";
  for (int step = 0; step < 10; ++step) {
    auto out = train(theon::array({1.0, 1.0}), 20.0);
    std::cout << "call " << step + 1 << ": y = " << out[0] << "\n";
    csv << step << "," << out[1] << "\n";
  }
  std::cout << "W = " << W.get_value() << "\n";
}
