// W10's floor: the OpenBLAS sgemm calls of one W10 training step alone, with the step's
// shapes (batch 20, 784-500-10), timed back to back; times 2 500 this is "the sum of
// the epoch's GEMM time" that issue 16 compares the epoch with. The driver runs it with
// the same environment as the workload runners (OPENBLAS_CORETYPE unset), so the floor
// uses the core every runner uses; it prints that core.
//
//   theon_bench_w10_gemm [--label 1t] [--repeats N]
#include <cstdlib>
#include <cstring>
#include <string>

#include "w10_gemm.hpp"

namespace {

constexpr int kCallsPerEpoch = 2500;

}  // namespace

int main(int argc, char** argv) {
  std::string label = "1t";
  int repeats = 9;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--label")) label = argv[i + 1];
    else if (!std::strcmp(argv[i], "--repeats")) repeats = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--label L] [--repeats N]\n", argv[0]);
      return 2;
    }
  }
  bench::W10Gemm gemm;
  const double flops = gemm.flops();
  auto step = [&] { gemm.step(); };
  for (int i = 0; i < 50; ++i) step();  // warm-up: OpenBLAS's buffers, caches
  const int calls = 200;
  auto per_step = bench::time_per_call(repeats, calls, 1e3, step);
  const std::string core = bench::blas_core_name();
  bench::emit_value("sgemm.W10step." + label, "ms", per_step,
                    "the 5 sgemm calls of one W10 step, OpenBLAS core " + core);
  auto epoch = per_step;
  for (double* v : {&epoch.median, &epoch.min, &epoch.max, &epoch.cpu_median}) *v *= kCallsPerEpoch;
  bench::emit_value("sgemm.W10epoch." + label, "ms", epoch, "2 500 x sgemm.W10step");
  bench::Stats rate = per_step;
  rate.median = flops / 1e6 / per_step.median;
  rate.min = flops / 1e6 / per_step.max;
  rate.max = flops / 1e6 / per_step.min;
  bench::emit_value("sgemm.W10step." + label + ".gflops", "GFLOP/s", rate,
                    std::to_string(flops / 1e6).substr(0, 5) + " MFLOP per step");
  // Each product alone: where the floor's time goes (k = 20 products are thin).
  for (size_t i = 0; i < bench::W10Gemm::kCount; ++i) {
    for (int w = 0; w < 50; ++w) gemm.product(i);
    auto us = bench::time_per_call(repeats, calls, 1e6, [&] { gemm.product(i); });
    bench::emit_value(std::string("sgemm.W10.") + bench::W10Gemm::kStep[i].name + "." + label, "us", us);
  }
}
