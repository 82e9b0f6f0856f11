// W3 and W4 (see /work/shared/WORKLOADS.md) with element-wise fusion off and on, in one
// process, so the fusion's share of the speed-up is measured on the same data:
//
//   theon_elemwise_bench [repeats]                       all on
//   THEON_FUSED_SIMD=0 theon_elemwise_bench              fused loops with scalar libm
//   OMP_NUM_THREADS=1 theon_elemwise_bench               one thread
//
// Prints one line per case: median, min and max milliseconds per call (call_into, so the
// output buffers are reused as in a training loop).
#include <theon/theon.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace T = theon::tensor;
using theon::NDArray;

namespace {

void report(const char* name, const char* variant, int repeats, const std::function<void()>& body) {
  for (int i = 0; i < 2; ++i) body();  // buffers allocated, pages touched
  std::vector<double> ms;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    body();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%-14s %-12s median %8.2f ms   min %8.2f   max %8.2f\n", name, variant, ms[ms.size() / 2],
              ms.front(), ms.back());
  std::fflush(stdout);
}

NDArray uniform(int64_t n, double lo, double hi, const theon::Shape& shape) {
  NDArray a = NDArray::empty(theon::DType::Float64, shape);
  auto* p = static_cast<double*>(a.raw());
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  for (int64_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    p[i] = lo + (hi - lo) * static_cast<double>(state >> 11) / 9007199254740992.0;
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 9;
  for (const char* variant : {"unfused", "fused"}) {
    theon::FunctionOptions options;
    if (std::string(variant) == "unfused") options.optimizer_excluding = "fusion";

    auto x3 = T::dmatrix("x");
    auto w3 = theon::function({x3}, {1 / (1 + T::exp(-x3))}, {}, options);
    const NDArray data3 = uniform(4096 * 4096, -8, 8, {4096, 4096});
    const theon::Arg args3[] = {data3};
    std::vector<NDArray> out3;
    report("W3", variant, repeats, [&] { w3.call_into(args3, out3); });

    auto x4 = T::dvector("x");
    auto y = T::exp(T::sin(T::sqr(x4)));
    auto fwd = theon::function({x4}, {y}, {}, options);
    auto both = theon::function({x4}, {y, T::grad(T::sum(y), x4)}, {}, options);
    const NDArray data4 = uniform(10'000'000, -2, 2, {10'000'000});
    const theon::Arg args4[] = {data4};
    std::vector<NDArray> out4, out4b;
    report("W4 fwd", variant, repeats, [&] { fwd.call_into(args4, out4); });
    report("W4 fwd+grad", variant, repeats, [&] { both.call_into(args4, out4b); });
  }
  return 0;
}
