// Google Benchmark micro-benchmarks of the C++ call path: a scalar multiply (issue 6's
// "under 1 us from C++" for small graphs), W1's training call and W2's training step.
// bench/run_bench.py runs this with --benchmark_repetitions and --benchmark_format=json
// and reports them beside workloads.cpp's own timing loop, as a cross-check.
#include <benchmark/benchmark.h>

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

}  // namespace

BENCHMARK_MAIN();
