// Theon's C++ runners for the workloads W1-W10 of /work/shared/WORKLOADS.md (see
// docs/benchmarks.md). Each prints JSON lines: timings, and check values that
// bench/run_bench.py compares with NumPy's hand-written results on the same data.
//
//   theon_bench_workloads --workload W3 [--repeats 7] [--scale 1]
//
// --scale multiplies the number of calls timed per repeat (W1, W2, W5).
#include <theon/theon.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <span>
#include <string>

#include "bench_util.hpp"
#include "seed_nets.hpp"
#include "w10_epoch.hpp"
#include "w9_lstm.hpp"
namespace T = theon::tensor;
namespace nnet = theon::tensor::nnet;
using bench::emit_check;
using bench::emit_time;
using bench::time_per_call;
using theon::DType;
using theon::NDArray;

namespace {

const char* kImpl = "theon-cpp";

struct Options {
  int repeats = 7;
  double scale = 1;
};

NDArray from_doubles(const std::vector<double>& values, const theon::Shape& shape,
                     DType dtype = DType::Float64) {
  auto a = theon::array(values, shape);
  return dtype == DType::Float64 ? a : a.astype(dtype);
}

std::vector<double> to_doubles(const NDArray& a) {
  auto flat = a.astype(DType::Float64).contiguous();
  const double* p = flat.data<double>();
  return std::vector<double>(p, p + flat.size());
}

// Sum, sum of squares and eight samples: enough to catch a wrong kernel.
void append_summary(std::vector<double>& out, const NDArray& a) {
  auto v = to_doubles(a);
  double sum = 0, sumsq = 0;
  for (double x : v) {
    sum += x;
    sumsq += x * x;
  }
  out.push_back(sum);
  out.push_back(sumsq);
  for (int64_t i : bench::sample_positions(static_cast<int64_t>(v.size()))) out.push_back(v[i]);
}

double scalar_of(const NDArray& a) { return a.astype(DType::Float64).item<double>(); }

// A few calls before checking and timing: buffers get allocated, and native kernels
// (compiled in the background, or loaded from the cache the driver primed) take over;
// the check then covers the code that is timed.
void warm_up(const theon::Function& f, std::span<const theon::Arg> args, std::vector<NDArray>& out) {
  for (int i = 0; i < 3; ++i) f.call_into(args, out);
  theon::wait_for_native_code();
  f.call_into(args, out);
}

int scaled(int calls, const Options& o) { return std::max(1, static_cast<int>(calls * o.scale)); }

// ---- W1, W2, W6: the seed networks -----------------------------------------------------

void run_w1(const Options& o) {
  auto n = bench::build_xor();
  // The first 1000 calls from the fixed start are both warm-up and the check.
  theon::Result last;
  for (int i = 0; i < 1000; ++i) {
    last = n.step(n.samples[i % 4], n.targets[i % 4]);
    if (i == 3) theon::wait_for_native_code();  // planned at call 3: the check covers it
  }
  auto check = to_doubles(n.theta1.get_value());
  auto t2 = to_doubles(n.theta2.get_value());
  check.insert(check.end(), t2.begin(), t2.end());
  check.push_back(scalar_of(last.array()));
  emit_check("W1", kImpl, "train", check);

  int calls = scaled(4000, o);
  int k = 0;
  auto s = time_per_call(o.repeats, calls, 1e6, [&] {
    n.step(n.samples[k], n.targets[k]);
    k = (k + 1) & 3;
  });
  emit_time("W1", kImpl, "call", "us", s, calls);
}

void run_w2(const Options& o) {
  auto n = bench::build_xnor();
  theon::Result last;
  for (int i = 0; i < 1000; ++i) {
    last = n.step(n.inputs, n.targets);
    if (i == 3) theon::wait_for_native_code();  // planned at call 3: the check covers it
  }
  std::vector<double> check;
  for (auto* w : {&n.w1, &n.w2, &n.w3}) {
    auto v = to_doubles(w->get_value());
    check.insert(check.end(), v.begin(), v.end());
  }
  check.push_back(scalar_of(n.b1.get_value()));
  check.push_back(scalar_of(n.b2.get_value()));
  check.push_back(scalar_of(last[1]));
  emit_check("W2", kImpl, "train", check);

  int calls = scaled(3000, o);
  auto s = time_per_call(o.repeats, calls, 1e6, [&] { n.step(n.inputs, n.targets); });
  emit_time("W2", kImpl, "step", "us", s, calls);
}

// W6 from C++: build and compile W2's training function in a fresh process; the driver
// runs this twice with the same THEON_CACHE_DIR (cold, then warm).
void run_w6(const Options&) {
  auto start = std::chrono::steady_clock::now();
  auto n = bench::build_xnor();
  double compile_ms = bench::seconds_since(start) * 1e3;
  auto call_start = std::chrono::steady_clock::now();
  n.step(n.inputs, n.targets);
  double first_call_ms = bench::seconds_since(call_start) * 1e3;
  emit_time("W6", kImpl, "build+compile", "ms", bench::summarize({compile_ms}));
  emit_time("W6", kImpl, "first call", "ms", bench::summarize({first_call_ms}));
}

// ---- W3, W4: large element-wise graphs ------------------------------------------------

void run_w3(const Options& o) {
  auto x = T::dmatrix("x");
  auto f = theon::function({x}, 1 / (1 + T::exp(-x)));
  auto data = from_doubles(bench::hash_uniform(4096 * 4096, 6, -8, 8), {4096, 4096});
  std::vector<NDArray> out;
  const theon::Arg args[] = {data};
  warm_up(f, args, out);
  std::vector<double> check;
  append_summary(check, out[0]);
  emit_check("W3", kImpl, "fwd", check);
  // call_into lets Theon reuse the output buffer, as a training loop would.
  auto s = time_per_call(o.repeats, 1, 1e3, [&] { f.call_into(args, out); });
  emit_time("W3", kImpl, "fwd", "ms", s);
}

void run_w4(const Options& o) {
  auto x = T::dvector("x");
  auto y = T::exp(T::sin(T::sqr(x)));
  auto fwd = theon::function({x}, y);
  auto both = theon::function({x}, {y, T::grad(T::sum(y), x)});
  auto data = from_doubles(bench::hash_uniform(10'000'000, 7, -2, 2), {10'000'000});
  const theon::Arg args[] = {data};
  std::vector<NDArray> out;
  warm_up(fwd, args, out);
  std::vector<double> check;
  append_summary(check, out[0]);
  emit_check("W4", kImpl, "fwd", check);
  emit_time("W4", kImpl, "fwd", "ms",
            time_per_call(o.repeats, 1, 1e3, [&] { fwd.call_into(args, out); }));

  std::vector<NDArray> out2;
  warm_up(both, args, out2);
  check.clear();
  append_summary(check, out2[0]);
  append_summary(check, out2[1]);
  emit_check("W4", kImpl, "fwd+grad", check);
  emit_time("W4", kImpl, "fwd+grad", "ms",
            time_per_call(o.repeats, 1, 1e3, [&] { both.call_into(args, out2); }));
}

// ---- W5: MLP training step, float32 ----------------------------------------------------

NDArray glorot(int64_t fan_in, int64_t fan_out, uint64_t seed) {
  double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return from_doubles(bench::hash_uniform(fan_in * fan_out, seed, -limit, limit),
                      {fan_in, fan_out}, DType::Float32);
}

void run_w5(const Options& o) {
  const int64_t batch = 256;
  auto X = T::fmatrix("X");
  auto labels = T::lvector("labels");
  auto W1 = theon::shared(glorot(784, 512, 10), "W1");
  auto W2 = theon::shared(glorot(512, 512, 11), "W2");
  auto W3 = theon::shared(glorot(512, 10, 12), "W3");
  auto b1 = theon::shared(NDArray::zeros(DType::Float32, {512}), "b1");
  auto b2 = theon::shared(NDArray::zeros(DType::Float32, {512}), "b2");
  auto b3 = theon::shared(NDArray::zeros(DType::Float32, {10}), "b3");
  auto h1 = nnet::relu(T::dot(X, W1) + b1);
  auto h2 = nnet::relu(T::dot(h1, W2) + b2);
  auto p = nnet::softmax(T::dot(h2, W3) + b3);
  auto loss = T::mean(nnet::categorical_crossentropy(p, labels));
  std::vector<theon::SharedVar> params = {W1, b1, W2, b2, W3, b3};
  auto grads = T::grad(loss, std::vector<theon::Var>(params.begin(), params.end()));
  theon::Updates updates;
  // The learning rate as a float32 constant keeps the parameters float32.
  auto lr = theon::constant(theon::array(0.01f));
  for (size_t i = 0; i < params.size(); ++i)
    updates.push_back({params[i], params[i] - lr * grads[i]});
  auto step = theon::function({X, labels}, loss, updates);

  auto data = from_doubles(bench::hash_uniform(batch * 784, 8), {batch, 784}, DType::Float32);
  std::vector<int64_t> label_values(batch);
  auto u = bench::hash_uniform(batch, 9);
  for (int64_t i = 0; i < batch; ++i) label_values[i] = static_cast<int64_t>(std::floor(u[i] * 10));
  auto y = theon::array(label_values, {batch});

  double first = scalar_of(step(data, y).array()), tenth = first;
  for (int i = 1; i < 10; ++i) tenth = scalar_of(step(data, y).array());
  double sum_w3 = 0, sum_w2 = 0;
  for (double v : to_doubles(W3.get_value())) sum_w3 += v;
  for (double v : to_doubles(W2.get_value())) sum_w2 += v;
  emit_check("W5", kImpl, "train", {first, tenth, sum_w3, sum_w2});

  int calls = scaled(20, o);
  emit_time("W5", kImpl, "step", "ms",
            time_per_call(o.repeats, calls, 1e3, [&] { step(data, y); }), calls);
}

// ---- W8: one LeNet-5 SGD step, float32 --------------------------------------------------

// Uniform in +-sqrt(6 / (fan_in + fan_out)), as bench_common.w8_data.
NDArray uniform_weights(const theon::Shape& shape, double fan_in, double fan_out, uint64_t seed) {
  const double limit = std::sqrt(6.0 / (fan_in + fan_out));
  int64_t size = 1;
  for (int64_t d : shape) size *= d;
  return from_doubles(bench::hash_uniform(size, seed, -limit, limit), shape, DType::Float32);
}

void run_w8(const Options& o) {
  const int64_t batch = 128;
  auto X = T::ftensor4("X");
  auto labels = T::lvector("labels");
  auto W0 = theon::shared(uniform_weights({20, 1, 5, 5}, 25, 20 * 25 / 4.0, 32), "W0");
  auto W1 = theon::shared(uniform_weights({50, 20, 5, 5}, 500, 50 * 25 / 4.0, 33), "W1");
  auto W2 = theon::shared(uniform_weights({800, 500}, 800, 500, 34), "W2");
  auto W3 = theon::shared(uniform_weights({500, 10}, 500, 10, 35), "W3");
  auto b0 = theon::shared(NDArray::zeros(DType::Float32, {20}), "b0");
  auto b1 = theon::shared(NDArray::zeros(DType::Float32, {50}), "b1");
  auto b2 = theon::shared(NDArray::zeros(DType::Float32, {500}), "b2");
  auto b3 = theon::shared(NDArray::zeros(DType::Float32, {10}), "b3");
  auto block = [](const theon::Var& in, const theon::Var& w, const theon::Var& b) {
    auto pooled = theon::tensor::signal::pool_2d(nnet::conv2d(in, w), {2, 2}, true);
    return T::tanh(pooled + T::dimshuffle(b, {'x', 0, 'x', 'x'}));
  };
  auto h1 = block(block(X, W0, b0), W1, b1);
  auto h2 = T::tanh(T::dot(T::flatten(h1, 2), W2) + b2);
  auto p = nnet::softmax(T::dot(h2, W3) + b3);
  auto loss = T::mean(nnet::categorical_crossentropy(p, labels));
  std::vector<theon::SharedVar> params = {W0, b0, W1, b1, W2, b2, W3, b3};
  auto grads = T::grad(loss, std::vector<theon::Var>(params.begin(), params.end()));
  theon::Updates updates;
  auto lr = theon::constant(theon::array(0.01f));
  for (size_t i = 0; i < params.size(); ++i)
    updates.push_back({params[i], params[i] - lr * grads[i]});
  auto step = theon::function({X, labels}, loss, updates);

  auto data = from_doubles(bench::hash_uniform(batch * 28 * 28, 30), {batch, 1, 28, 28},
                           DType::Float32);
  std::vector<int64_t> label_values(batch);
  auto u = bench::hash_uniform(batch, 31);
  for (int64_t i = 0; i < batch; ++i) label_values[i] = static_cast<int64_t>(std::floor(u[i] * 10));
  auto y = theon::array(label_values, {batch});

  const int check_steps = 5;
  double first = scalar_of(step(data, y).array()), last = first;
  for (int i = 1; i < check_steps; ++i) last = scalar_of(step(data, y).array());
  std::vector<double> check = {first, last};
  for (const auto& w : {W0, W1, W3}) {
    double sum = 0;
    for (double v : to_doubles(w.get_value())) sum += v;
    check.push_back(sum);
  }
  emit_check("W8", kImpl, "step", check);
  theon::wait_for_native_code();
  int calls = scaled(5, o);
  emit_time("W8", kImpl, "step", "ms",
            time_per_call(o.repeats, calls, 1e3, [&] { step(data, y); }), calls);
}

// ---- W7: the naive log-softmax ----------------------------------------------------------

void run_w7(const Options& o) {
  auto x = T::dmatrix("x");
  auto e = T::exp(x);
  auto f = theon::function({x}, T::log(e / T::sum(e, {1}, true)));
  auto data = from_doubles(bench::hash_uniform(1000 * 1000, 13, -1000, 1000), {1000, 1000});
  const theon::Arg args[] = {data};
  std::vector<NDArray> out;
  warm_up(f, args, out);
  auto v = to_doubles(out[0]);
  double nonfinite = 0;
  for (double z : v) nonfinite += std::isfinite(z) ? 0 : 1;
  std::vector<double> check = {nonfinite};
  append_summary(check, out[0]);
  emit_check("W7", kImpl, "naive", check);
  emit_time("W7", kImpl, "naive", "ms",
            time_per_call(o.repeats, 1, 1e3, [&] { f.call_into(args, out); }));
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string workload = "all";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--workload")) workload = argv[i + 1];
    else if (!std::strcmp(argv[i], "--repeats")) o.repeats = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--scale")) o.scale = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--workload W1..W10|all] [--repeats N] [--scale S]\n", argv[0]);
      return 2;
    }
  }
  const std::map<std::string, std::function<void(const Options&)>> runners = {
      {"W1", run_w1}, {"W2", run_w2}, {"W3", run_w3}, {"W4", run_w4},
      {"W5", run_w5}, {"W6", run_w6}, {"W7", run_w7}, {"W8", run_w8},
      {"W9", [](const Options& opt) { bench::run_w9(opt.repeats, opt.scale); }},
      {"W10", [](const Options& opt) { bench::run_w10(opt.repeats, opt.scale); }}};
  for (auto& c : workload) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (workload == "ALL") {
    for (const auto& [name, run] : runners)
      if (name != "W6") {
        run(o);
        bench::emit_blas(name, kImpl);
      }
    return 0;
  }
  auto it = runners.find(workload);
  if (it == runners.end()) {
    std::fprintf(stderr, "unknown workload %s\n", workload.c_str());
    return 2;
  }
  it->second(o);
  bench::emit_blas(workload, kImpl);
}
