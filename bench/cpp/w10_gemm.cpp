// W10's floor: the OpenBLAS sgemm calls of one W10 training step alone, with the step's
// shapes (batch 20, 784-500-10), timed back to back; times 2 500 this is "the sum of
// the epoch's GEMM time" that issue 16 compares the epoch with. The driver runs it with
// the same environment as the workload runners (OPENBLAS_CORETYPE unset), so the floor
// uses the core every runner uses; it prints that core.
//
//   theon_bench_w10_gemm [--label 1t] [--repeats N]
#include <cblas.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.hpp"

namespace {

// C(m x n) = op(A) op(B), row-major, beta 0.
struct Product {
  const char* name;
  bool trans_a, trans_b;
  int m, n, k;
};

// Forward x.W1 and h.W2; backward dW2 = h^T d2, dh = d2 W2^T, dW1 = x^T dz1 (no dx).
const Product kStep[] = {{"x.W1", false, false, 20, 500, 784},
                         {"h.W2", false, false, 20, 10, 500},
                         {"h^T.d2", true, false, 500, 10, 20},
                         {"d2.W2^T", false, true, 20, 500, 10},
                         {"x^T.dz1", true, false, 784, 500, 20}};
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
  const size_t count = std::size(kStep);
  std::vector<std::vector<float>> a(count), b(count), c(count);
  double flops = 0;
  for (size_t i = 0; i < count; ++i) {
    const auto& p = kStep[i];
    flops += 2.0 * p.m * p.n * p.k;
    a[i].resize(static_cast<size_t>(p.m) * p.k);
    b[i].resize(static_cast<size_t>(p.k) * p.n);
    c[i].assign(static_cast<size_t>(p.m) * p.n, 0.0f);
    for (size_t j = 0; j < a[i].size(); ++j) a[i][j] = static_cast<float>(bench::hash_uniform_at(j, 50 + i));
    for (size_t j = 0; j < b[i].size(); ++j) b[i][j] = static_cast<float>(bench::hash_uniform_at(j, 60 + i) - 0.5);
  }
  auto product = [&](size_t i) {
    const auto& p = kStep[i];
    cblas_sgemm(CblasRowMajor, p.trans_a ? CblasTrans : CblasNoTrans,
                p.trans_b ? CblasTrans : CblasNoTrans, p.m, p.n, p.k, 1.0f, a[i].data(),
                p.trans_a ? p.m : p.k, b[i].data(), p.trans_b ? p.k : p.n, 0.0f, c[i].data(), p.n);
  };
  auto step = [&] {
    for (size_t i = 0; i < count; ++i) product(i);
  };
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
  for (size_t i = 0; i < count; ++i) {
    for (int w = 0; w < 50; ++w) product(i);
    auto us = bench::time_per_call(repeats, calls, 1e6, [&] { product(i); });
    bench::emit_value(std::string("sgemm.W10.") + kStep[i].name + "." + label, "us", us);
  }
}
