// W9 from C++: the classic Theano LSTM trained through scan (WORKLOADS.md), the same
// graph as bench/python/w9_theon.py. Per step z = x_t W + h U + b, columns sliced as
// [i | f | o | g]; loss = sum(h_T ** 2) / batch; SGD on W, U, b. Data, initial values
// and check values as bench/python/w9_common.py (bit-identical inputs).
#include "w9_lstm.hpp"

#include <cmath>
#include <theon/theon.hpp>
#include <vector>

#include "bench_util.hpp"
namespace T = theon::tensor;
namespace nnet = theon::tensor::nnet;
using theon::DType;
using theon::NDArray;
using theon::Var;

namespace bench {
namespace {

constexpr int64_t kSteps = 100, kBatch = 32, kIn = 128, kHidden = 256, kGates = 4 * kHidden;
constexpr int kCheckSteps = 3, kCalls = 3;
constexpr float kLearningRate = 0.5f;
constexpr uint64_t kXSeed = 50, kWSeed = 51, kUSeed = 52, kBSeed = 53;
const char* kImpl = "theon-cpp";

NDArray float32(const std::vector<double>& values, const theon::Shape& shape) {
  return theon::array(values, shape).astype(DType::Float32);
}

NDArray uniform_weights(int64_t rows, uint64_t seed) {
  const double limit = std::sqrt(6.0 / static_cast<double>(rows + kGates));
  return float32(hash_uniform(rows * kGates, seed, -limit, limit), {rows, kGates});
}

// The sum and the sum of squares of a parameter's change since `initial`.
void append_change(std::vector<double>& out, const NDArray& now, const NDArray& initial) {
  auto a = now.astype(DType::Float64).contiguous();
  auto b = initial.astype(DType::Float64).contiguous();
  double sum = 0, squares = 0;
  for (int64_t i = 0; i < a.size(); ++i) {
    double d = a.data<double>()[i] - b.data<double>()[i];
    sum += d;
    squares += d * d;
  }
  out.push_back(sum);
  out.push_back(squares);
}

}  // namespace

void run_w9(int repeats, double scale) {
  const std::vector<NDArray> initial = {uniform_weights(kIn, kWSeed),
                                        uniform_weights(kHidden, kUSeed),
                                        float32(hash_uniform(kGates, kBSeed, -0.1, 0.1), {kGates})};
  auto W = theon::shared(initial[0].copy(), "W");
  auto U = theon::shared(initial[1].copy(), "U");
  auto b = theon::shared(initial[2].copy(), "b");
  auto X = T::ftensor3("X");

  auto gate = [](const Var& z, int64_t n) {
    return T::index(z, {T::slice(), T::slice(n * kHidden, (n + 1) * kHidden)});
  };
  auto zeros = theon::constant(NDArray::zeros(DType::Float32, {kBatch, kHidden}));
  auto r = theon::scan(
      [&](std::span<const Var> a) -> theon::ScanStepResult {  // x_t, h, c, W, U, b
        auto z = T::dot(a[0], a[3]) + T::dot(a[1], a[4]) + a[5];
        auto i = nnet::sigmoid(gate(z, 0));
        auto f = nnet::sigmoid(gate(z, 1));
        auto o = nnet::sigmoid(gate(z, 2));
        auto g = T::tanh(gate(z, 3));
        auto c = f * a[2] + i * g;
        return {o * T::tanh(c), c};
      },
      {X}, {zeros, zeros}, {W, U, b});
  auto h_last = T::index(r.outputs[0], {-1});
  auto loss = T::sum(h_last * h_last) / static_cast<float>(kBatch);
  std::vector<theon::SharedVar> params = {W, U, b};
  auto grads = T::grad(loss, std::vector<Var>(params.begin(), params.end()));
  theon::Updates updates;
  for (size_t k = 0; k < params.size(); ++k)
    updates.push_back({params[k], params[k] - kLearningRate * grads[k]});
  auto step = theon::function({X}, loss, updates);

  auto data = float32(hash_uniform(kSteps * kBatch * kIn, kXSeed, -1, 1), {kSteps, kBatch, kIn});
  std::vector<double> losses;
  for (int k = 0; k < kCheckSteps; ++k) {
    losses.push_back(step(data).array().astype(DType::Float64).item<double>());
    if (k == 0) theon::wait_for_native_code();
  }
  std::vector<double> check = {losses.front(), losses.back()};
  for (size_t k = 0; k < params.size(); ++k)
    append_change(check, params[k].get_value(), initial[k]);
  emit_check("W9", kImpl, "step", check);
  int calls = std::max(1, static_cast<int>(kCalls * scale));
  emit_time("W9", kImpl, "step", "ms", time_per_call(repeats, calls, 1e3, [&] { step(data); }),
            calls);
}

}  // namespace bench
