// Google Benchmark micro-benchmarks of the C++ call path: a scalar multiply (issue 6's
// "under 1 us from C++" for small graphs), W1's training call and W2's training step.
// bench/run_bench.py runs this with --benchmark_repetitions and --benchmark_format=json
// and reports them beside workloads.cpp's own timing loop, as a cross-check.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "seed_nets.hpp"
namespace T = theon::tensor;

namespace {

void call_scalar_multiply(benchmark::State& state) {
  auto a = T::dscalar("a"), b = T::dscalar("b");
  auto multiply = theon::function({a, b}, a * b);
  for (auto _ : state) benchmark::DoNotOptimize(multiply(1.5, 3));
}
BENCHMARK(call_scalar_multiply);

void W1_call(benchmark::State& state) {
  auto n = bench::build_xor();
  int k = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(n.step(n.samples[k], n.targets[k]));
    k = (k + 1) & 3;
  }
}
BENCHMARK(W1_call);

void W2_step(benchmark::State& state) {
  auto n = bench::build_xnor();
  for (auto _ : state) benchmark::DoNotOptimize(n.step(n.inputs, n.targets));
}
BENCHMARK(W2_step);

// sum(exp(x)) over 10M float64 (issue 6: a reduction fed by an element-wise op in one
// pass). Compare with THEON_FLAGS=optimizer_excluding=fuse_reduce; cgen_graph=0 as well,
// since fuse_reduce leaves graphs the whole-graph native kernel could take.
void sum_exp_10M(benchmark::State& state) {
  auto x = T::dvector("x");
  auto f = theon::function({x}, T::sum(T::exp(x)));
  std::vector<double> data(10'000'000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = std::sin(0.001 * static_cast<double>(i));
  const theon::NDArray values = theon::array(data, {static_cast<int64_t>(data.size())});
  for (auto _ : state) benchmark::DoNotOptimize(f(values));
}
BENCHMARK(sum_exp_10M)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
