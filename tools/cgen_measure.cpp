// Measures the native tier (docs/cache.md, "Measurements"): cold compile of one kernel,
// header-free against <cmath>; a warm load from the cache; steady-state speed and
// accuracy of exp(sin(x * x)) over 10M float64, native against the interpreter.
//   g++ -O2 -std=c++20 -Iinclude -Isrc tools/cgen_measure.cpp -L$BUILD -ltheon \
//       -Wl,-rpath,$BUILD -o /tmp/cgen_measure && /tmp/cgen_measure
// It uses a temporary THEON_CACHE_DIR.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <sys/resource.h>

#include "backend/cgen/cgen.hpp"
#include "ops/elemwise.hpp"
#include "theon/cache.hpp"
#include "theon/config.hpp"
#include "theon/theon.hpp"

namespace theon::detail {
extern const char* const kCgenScalarMath;
}

using namespace theon;
using namespace theon::detail;
using Clock = std::chrono::steady_clock;

static double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}
// CPU seconds (user + system) of finished child processes: the compiler's own cost,
// which on a loaded machine says more than the wall time.
static double children_cpu_ms() {
  rusage u {};
  ::getrusage(RUSAGE_CHILDREN, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}
static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main() {
  char tmpl[] = "/tmp/theon-measure-XXXXXX";
  const std::string root = ::mkdtemp(tmpl);
  ::setenv("THEON_CACHE_DIR", (root + "/cache").c_str(), 1);
  FusedProgram p;
  p.input_dtypes = {DType::Float64};
  p.instrs = {{ScalarOpId::Mul, DType::Float64, DType::Float64, {0, 0}},
              {ScalarOpId::Sin, DType::Float64, DType::Float64, {1}},
              {ScalarOpId::Exp, DType::Float64, DType::Float64, {2}}};
  p.outputs = {3};

  // Cold: request -> native code ready, on an empty cache (the compile dominates).
  std::vector<double> cold, cold_compile, cold_cpu, warm, warm_load;
  FusedRowFn fn = nullptr;
  for (int rep = 0; rep < 3; ++rep) {
    clear_cache();
    cgen::reset_native_kernels_for_testing();
    auto t = Clock::now();
    const double cpu0 = children_cpu_ms();
    auto kernel = request_native_kernel(p);
    const double request_ms = ms_since(t);
    cgen::wait_for_native_kernels();
    cold.push_back(ms_since(t));
    cold_cpu.push_back(children_cpu_ms() - cpu0);
    cold_compile.push_back(cgen::native_stats().compile_ms);
    if (rep == 0) std::printf("request_native_kernel returns in %.3f ms\n", request_ms);
    cgen::reset_native_kernels_for_testing();
    t = Clock::now();
    kernel = request_native_kernel(p);
    cgen::wait_for_native_kernels();
    warm.push_back(ms_since(t));
    warm_load.push_back(cgen::native_stats().load_ms);
    fn = kernel->fn();
  }
  std::printf("cold (header-free prelude): %.0f ms to ready, %.0f ms compile+link, %.0f ms compiler CPU\n",
              median(cold), median(cold_compile), median(cold_cpu));
  std::printf("warm (cache hit): %.2f ms to ready, %.2f ms verify+dlopen\n", median(warm),
              median(warm_load));

  // The same kernel including <cmath>, <complex> and <type_traits> (scalar_math.hpp as is).
  std::string why;
  auto tc = cgen::find_toolchain(config().cxx, &why);
  if (tc) {
    const std::string src = root + "/with_cmath.cpp";
    std::ofstream(src) << kCgenScalarMath << "\nnamespace k = theon::k;\n" << cgen::emit_kernel(p);
    std::vector<double> times, cpu;
    for (int rep = 0; rep < 3; ++rep) {
      auto t = Clock::now();
      const double cpu0 = children_cpu_ms();
      const std::string err = cgen::compile_shared_object(*tc, src, root + "/with_cmath.so");
      times.push_back(ms_since(t));
      cpu.push_back(children_cpu_ms() - cpu0);
      if (!err.empty()) std::printf("with <cmath>: %s\n", err.c_str());
    }
    std::printf("cold with <cmath>/<complex>: %.0f ms compile+link, %.0f ms compiler CPU\n",
                median(times), median(cpu));
    std::printf("vector math: %s\n", tc->vector_math ? "SLEEF gnuabi (u10)" : "none (scalar libm)");
  }

  // Steady state on 10M float64.
  const int64_t n = 10'000'000;
  NDArray x = NDArray::empty(DType::Float64, {n}), y = NDArray::empty(DType::Float64, {n});
  std::mt19937 gen(1);
  std::uniform_real_distribution<double> dist(-3, 3);
  for (int64_t i = 0; i < n; ++i) x.data<double>()[i] = dist(gen);
  const void* in[] = {x.raw()};
  void* out[] = {y.raw()};
  const int64_t step[] = {1};
  std::vector<double> native_ms, interp_ms, scalar_ms;
  NDArray a, b, c;
  Elemwise mul(ScalarOpId::Mul, DType::Float64, DType::Float64),
      sin_op(ScalarOpId::Sin, DType::Float64, DType::Float64),
      exp_op(ScalarOpId::Exp, DType::Float64, DType::Float64);
  TensorType vt = TensorType::of_rank(DType::Float64, 1);
  const TensorType* t1[] = {&vt};
  const TensorType* t2[] = {&vt, &vt};
  std::vector<double> z(n);
  for (int rep = 0; rep < 5; ++rep) {
    auto t = Clock::now();
    fn(n, in, step, out, step);
    native_ms.push_back(ms_since(t));
    t = Clock::now();
    const NDArray* xx[] = {&x, &x};
    run_elemwise(mul, xx, t2, a, nullptr);
    const NDArray* aa[] = {&a};
    run_elemwise(sin_op, aa, t1, b, nullptr);
    const NDArray* bb[] = {&b};
    run_elemwise(exp_op, bb, t1, c, nullptr);
    interp_ms.push_back(ms_since(t));
    t = Clock::now();
    const double* xp = x.data<double>();
    for (int64_t i = 0; i < n; ++i) z[i] = std::exp(std::sin(xp[i] * xp[i]));
    scalar_ms.push_back(ms_since(t));
  }
  std::printf("exp(sin(x*x)), 10M float64: native %.1f ms, interpreter (3 element-wise ops) %.1f ms, "
              "scalar glibc loop %.1f ms\n",
              median(native_ms), median(interp_ms), median(scalar_ms));

  // Through a compiled function: the fused op interpreted (no compiler) against native.
  {
    Var v = tensor::dvector("x");
    auto timed = [&](const std::string& cxx, bool arithmetic = false) {
      config().cxx = cxx;
      cgen::reset_native_kernels_for_testing();
      Function f = function({v}, {arithmetic ? (v * 2 + v * v * 3 - v / 7) * v + 1
                                             : tensor::exp(tensor::sin(v * v))});
      f(x);
      cgen::wait_for_native_kernels();
      std::vector<double> times;
      for (int rep = 0; rep < 5; ++rep) {
        auto t = Clock::now();
        f(x);
        times.push_back(ms_since(t));
      }
      return median(times);
    };
    const std::string cxx = config().cxx;
    const double interpreted = timed("");
    const double native = timed(cxx);
    std::printf("function(exp(sin(x*x))), 10M float64, thread pool: fused interpreter %.1f ms, "
                "native %.1f ms\n", interpreted, native);
    const double interpreted_arith = timed("", true);
    const double native_arith = timed(cxx, true);
    std::printf("function((x*2 + x*x*3 - x/7)*x + 1), 10M float64: fused interpreter %.1f ms, "
                "native %.1f ms\n", interpreted_arith, native_arith);
    config().cxx = cxx;
  }

  // Accuracy against long double, in units of the last place of the double result.
  double max_ulp = 0, max_ulp_glibc = 0;
  for (int64_t i = 0; i < n; i += 7) {
    const double xi = x.data<double>()[i];
    const long double ref = expl(sinl(static_cast<long double>(xi * xi)));
    const double ulp = std::nextafter(static_cast<double>(ref), INFINITY) - static_cast<double>(ref);
    max_ulp = std::max(max_ulp, static_cast<double>(std::fabs(y.data<double>()[i] - ref) / ulp));
    max_ulp_glibc = std::max(max_ulp_glibc, static_cast<double>(std::fabs(z[i] - ref) / ulp));
  }
  std::printf("max error vs long double: native %.2f ulp, scalar glibc %.2f ulp\n", max_ulp,
              max_ulp_glibc);
  std::filesystem::remove_all(root);
  return 0;
}
