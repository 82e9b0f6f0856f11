// W10 from C++: one epoch of the classic minibatch loop (WORKLOADS.md). The data set
// lives in shared variables, the compiled step takes the minibatch index, and givens
// replace x and y by rows [index * 20, (index + 1) * 20) of the shared data, as
// bench/python/w10_theon.py does from Python. Data, initial values and check values as
// bench/python/w10_common.py (bit-identical inputs).
//
// Between the timed epochs it times the same number of steps of the step's sgemm calls
// alone (w10_gemm.hpp), so that the epoch and its GEMM sum see the same load of the
// shared machine: their ratio is issue 16's figure.
#include <theon/theon.hpp>

#include <cmath>
#include <vector>

#include "bench_util.hpp"
#include "w10_epoch.hpp"
#include "w10_gemm.hpp"
namespace T = theon::tensor;
namespace nnet = theon::tensor::nnet;
using theon::DType;
using theon::NDArray;

namespace bench {
namespace {

constexpr int64_t kSamples = 50'000, kIn = 784, kHidden = 500, kOut = 10, kBatch = 20;
constexpr int kCalls = static_cast<int>(kSamples / kBatch);
constexpr int kLastCalls = 100;
constexpr uint64_t kXSeed = 40, kW1Seed = 41, kW2Seed = 42;
const char* kImpl = "theon-cpp";

// Pixels from the hash in float32; the label is floor(10 * the first pixel's float64 value).
void make_data(NDArray& x, NDArray& y) {
  x = NDArray::empty(DType::Float32, {kSamples, kIn});
  y = NDArray::empty(DType::Int32, {kSamples});
  float* px = x.data<float>();
  int32_t* py = y.data<int32_t>();
  for (int64_t r = 0; r < kSamples; ++r) {
    for (int64_t c = 0; c < kIn; ++c)
      px[r * kIn + c] = static_cast<float>(hash_uniform_at(static_cast<uint64_t>(r * kIn + c), kXSeed));
    py[r] = static_cast<int32_t>(std::floor(hash_uniform_at(static_cast<uint64_t>(r * kIn), kXSeed) * 10));
  }
}

NDArray uniform_weights(int64_t fan_in, int64_t fan_out, uint64_t seed) {
  const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  auto w = NDArray::empty(DType::Float32, {fan_in, fan_out});
  float* p = w.data<float>();
  for (int64_t i = 0; i < fan_in * fan_out; ++i)
    p[i] = static_cast<float>(-limit + 2 * limit * hash_uniform_at(static_cast<uint64_t>(i), seed));
  return w;
}

double sum(const NDArray& a, bool squares = false, bool absolute = false) {
  auto d = a.astype(DType::Float64).contiguous();
  const double* p = d.data<double>();
  double s = 0;
  for (int64_t i = 0; i < d.size(); ++i) s += squares ? p[i] * p[i] : absolute ? std::abs(p[i]) : p[i];
  return s;
}

}  // namespace

void run_w10(int repeats, double scale) {
  NDArray data_x, data_y;
  make_data(data_x, data_y);
  auto train_x = theon::shared(data_x, "train_x", /*borrow=*/true);
  auto train_y = theon::shared(data_y, "train_y", /*borrow=*/true);
  auto W1 = theon::shared(uniform_weights(kIn, kHidden, kW1Seed), "W1");
  auto b1 = theon::shared(NDArray::zeros(DType::Float32, {kHidden}), "b1");
  auto W2 = theon::shared(uniform_weights(kHidden, kOut, kW2Seed), "W2");
  auto b2 = theon::shared(NDArray::zeros(DType::Float32, {kOut}), "b2");

  auto index = T::lscalar("index");
  auto x = T::fmatrix("x");
  auto y = T::ivector("y");
  auto hidden = T::tanh(T::dot(x, W1) + b1);
  auto p = nnet::softmax(T::dot(hidden, W2) + b2);
  auto n = T::index(T::shape(y), {0});
  auto cost = -T::mean(T::index(T::log(p), {T::arange(n), y}));
  std::vector<theon::SharedVar> params = {W1, b1, W2, b2};
  auto grads = T::grad(cost, std::vector<theon::Var>(params.begin(), params.end()));
  theon::Updates updates;
  auto lr = theon::constant(theon::array(0.01f));  // float32: the parameters stay float32
  for (size_t i = 0; i < params.size(); ++i) updates.push_back({params[i], params[i] - lr * grads[i]});
  theon::FunctionOptions options;
  auto rows = T::slice(index * kBatch, (index + 1) * kBatch);
  options.givens = {{x, T::index(train_x, {rows})}, {y, T::index(train_y, {rows})}};
  auto step = theon::function({index}, cost, updates, options);

  // The check epoch from the fixed start (also the warm-up).
  std::vector<double> losses;
  for (int i = 0; i < kCalls; ++i) {
    losses.push_back(step(static_cast<int64_t>(i)).array().astype(DType::Float64).item<double>());
    if (i == 3) theon::wait_for_native_code();
  }
  double last = 0, all = 0;
  for (int i = 0; i < kCalls; ++i) (i >= kCalls - kLastCalls ? last : all) += losses[i];
  all += last;
  emit_check("W10", kImpl, "epoch",
             {losses[0], last / kLastCalls, all / kCalls, sum(W2.get_value()),
              sum(W2.get_value(), false, true), sum(b1.get_value()), sum(b2.get_value()),
              sum(W1.get_value(), true)});

  const int calls = std::max(1, static_cast<int>(kCalls * scale));
  int64_t k = 0;
  W10Gemm gemm;
  for (int i = 0; i < 50; ++i) gemm.step();
  std::vector<double> epoch, epoch_cpu, gemm_sum, gemm_cpu;
  for (int r = 0; r < repeats; ++r) {
    auto e = time_per_call(1, calls, 1e3 * kCalls, [&] {
      step(k);
      k = (k + 1) % kCalls;
    });
    auto g = time_per_call(1, calls, 1e3 * kCalls, [&] { gemm.step(); });
    epoch.push_back(e.median);
    epoch_cpu.push_back(e.cpu_median);
    gemm_sum.push_back(g.median);
    gemm_cpu.push_back(g.cpu_median);
  }
  auto e = summarize(epoch);
  e.cpu_median = summarize(epoch_cpu).median;
  emit_time("W10", kImpl, "epoch", "ms", e, calls);
  auto g = summarize(gemm_sum);
  emit_value("sgemm.W10epoch.interleaved.1t", "ms", g,
             "the 5 sgemm calls of one step x 2 500, timed between Theon C++'s epochs, OpenBLAS core " +
                 std::string(blas_core_name()));
  g.median = summarize(gemm_cpu).median;
  g.min = g.max = g.median;
  emit_value("sgemm.W10epoch.interleaved.1t.cpu", "ms", g, "the same, CPU time (median)");
}

}  // namespace bench
