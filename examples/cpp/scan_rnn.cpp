// scan: a small recurrent network learns to echo its input from one step earlier.
// h[t] = tanh(x[t] Wx + h[t-1] Wh + b), y[t] = h[t] Wo; trained by backpropagation
// through time (the gradient of the scan is a scan running backwards). Writes the cost
// per training step to scan_rnn_cost.csv.
#include <theon/theon.hpp>
#include <fstream>
#include <iostream>
#include <random>
namespace T = theon::tensor;
using theon::Var;

theon::NDArray normal(std::mt19937& rng, theon::Shape shape, double scale) {
  std::normal_distribution<double> dist(0.0, scale);
  std::vector<double> values(theon::shape_size(shape));
  for (double& v : values) v = dist(rng);
  return theon::array(values, shape);
}

int main() {
  const int64_t steps = 20, batch = 16, hidden = 10;
  std::mt19937 rng(7);
  auto Wx = theon::shared(normal(rng, {1, hidden}, 0.5), "Wx");
  auto Wh = theon::shared(normal(rng, {hidden, hidden}, 0.2), "Wh");
  auto b = theon::shared(theon::NDArray::zeros(theon::DType::Float64, {hidden}), "b");
  auto Wo = theon::shared(normal(rng, {hidden, 1}, 0.5), "Wo");

  auto x = T::dtensor3("x");       // (steps, batch, 1)
  auto target = T::dtensor3("y");  // (steps, batch, 1): x one step earlier
  auto h0 = T::zeros({batch, hidden});
  auto h = theon::scan([&](std::span<const Var> a) { return T::tanh(T::dot(a[0], Wx) + T::dot(a[1], Wh) + b); },
                       {x}, {h0});
  auto y = T::dot(h.output(), Wo);
  auto cost = T::mean(T::sqr(y - target));
  theon::Vars params{Wx, Wh, b, Wo};
  auto grads = T::grad(cost, params);
  theon::Updates updates;
  for (size_t i = 0; i < params.size(); ++i)
    updates.push_back({theon::SharedVar(params[i]), params[i] - 0.3 * grads[i]});
  auto train = theon::function({x, target}, cost, updates);

  std::ofstream csv("scan_rnn_cost.csv");
  csv << "step,cost\n";
  double first = 0, last = 0;
  for (int step = 0; step < 300; ++step) {
    theon::NDArray xs = normal(rng, {steps, batch, 1}, 1.0);
    theon::NDArray ys = theon::NDArray::zeros(theon::DType::Float64, {steps, batch, 1});
    ys.slice(0, {1, steps, 1}).assign(xs.slice(0, {0, steps - 1, 1}));
    last = train(xs, ys).array().item<double>();
    if (step == 0) first = last;
    csv << step << "," << last << "\n";
    if (step % 50 == 0) std::cout << "step " << step << ": cost " << last << "\n";
  }
  std::cout << "cost " << first << " -> " << last << (last < first / 4 ? " (learned)" : " (NOT learned)") << "\n";
  return last < first / 4 ? 0 : 1;
}
