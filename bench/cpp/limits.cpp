// The physical limits the workloads are judged against, measured in the same run:
//  - memory bandwidth: STREAM-like copy and triad on one and two threads;
//  - math floor for W3/W4: hand-written loops over the same expressions with SLEEF's
//    widest vector functions for this CPU (AVX-512 where the compiler targets it), and
//    glibc's scalar functions for comparison;
//  - GEMM: the eight OpenBLAS products of one W5 training step (sgemm; dgemm for
//    reference). The driver runs this part under different OPENBLAS_CORETYPE and
//    OPENBLAS_NUM_THREADS settings, each in its own process.
//
//   theon_bench_limits --part bandwidth|math|gemm|all [--label L] [--repeats N]
#include <cblas.h>
#include <sleef.h>
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.hpp"

namespace {

int g_repeats = 9;

// Runs body(begin, end) over [0, n) split across `threads` threads.
template <class F>
void parallel_for(int64_t n, int threads, F&& body) {
  if (threads == 1) return body(int64_t{0}, n);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    // Chunks aligned to 64 elements keep every vector loop on whole cache lines.
    int64_t begin = (n * t / threads) & ~int64_t{63};
    int64_t end = t + 1 == threads ? n : (n * (t + 1) / threads) & ~int64_t{63};
    pool.emplace_back([&, begin, end] { body(begin, end); });
  }
  for (auto& th : pool) th.join();
}

// Buffers touched once, by the threads that will use them, before timing.
struct Buffer {
  explicit Buffer(int64_t n) : n(n) {
    data = static_cast<double*>(std::aligned_alloc(64, static_cast<size_t>(n) * 8));
    parallel_for(n, 2, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) data[i] = bench::hash_uniform_at(i, 99) * 4 - 2;
    });
  }
  ~Buffer() { std::free(data); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  int64_t n;
  double* data;
};

template <class F>
bench::Stats time_ms(F&& body) {
  body();  // warm-up
  return bench::time_per_call(g_repeats, 1, 1e3, body);
}

bench::Stats to_rate(bench::Stats ms, double units) {
  // units per ms -> per second, in GB/s or GFLOP/s when `units` is in G.
  bench::Stats r;
  r.repeats = ms.repeats;
  r.median = units / ms.median * 1e3;
  r.min = units / ms.max * 1e3;
  r.max = units / ms.min * 1e3;
  return r;
}

void bandwidth() {
  const int64_t n = 16 << 20;  // 128 MiB per array: far beyond any cache
  Buffer a(n), b(n), c(n);
  for (int threads : {1, 2}) {
    const std::string suffix = threads == 1 ? ".1t" : ".2t";
    auto copy = time_ms([&] {
      parallel_for(n, threads, [&](int64_t lo, int64_t hi) {
        double* __restrict dst = b.data;
        const double* __restrict src = a.data;
        for (int64_t i = lo; i < hi; ++i) dst[i] = src[i];
      });
    });
    bench::emit_value("bandwidth.copy" + suffix, "GB/s", to_rate(copy, n * 16 / 1e9),
                      "bytes read + written, 128 MiB arrays");
    auto triad = time_ms([&] {
      parallel_for(n, threads, [&](int64_t lo, int64_t hi) {
        double* __restrict dst = a.data;
        const double* __restrict x = b.data;
        const double* __restrict y = c.data;
        for (int64_t i = lo; i < hi; ++i) dst[i] = x[i] + 3.0 * y[i];
      });
    });
    bench::emit_value("bandwidth.triad" + suffix, "GB/s", to_rate(triad, n * 24 / 1e9),
                      "bytes read + written, 128 MiB arrays");
  }
}

// ---- math floors -------------------------------------------------------------------

#if defined(__AVX512F__)
constexpr int kLanes = 8;
using Vec = __m512d;
inline Vec load(const double* p) { return _mm512_load_pd(p); }
inline void store(double* p, Vec v) { _mm512_store_pd(p, v); }
inline Vec mul(Vec a, Vec b) { return _mm512_mul_pd(a, b); }
inline Vec add(Vec a, Vec b) { return _mm512_add_pd(a, b); }
inline Vec div(Vec a, Vec b) { return _mm512_div_pd(a, b); }
inline Vec splat(double v) { return _mm512_set1_pd(v); }
inline Vec vexp(Vec v) { return Sleef_expd8_u10avx512f(v); }
inline Vec vsin(Vec v) { return Sleef_sind8_u10avx512f(v); }
inline Sleef___m512d_2 vsincos(Vec v) { return Sleef_sincosd8_u10avx512f(v); }
const char* kMathIsa = "SLEEF AVX-512 (u10)";
#elif defined(__AVX2__)
constexpr int kLanes = 4;
using Vec = __m256d;
inline Vec load(const double* p) { return _mm256_load_pd(p); }
inline void store(double* p, Vec v) { _mm256_store_pd(p, v); }
inline Vec mul(Vec a, Vec b) { return _mm256_mul_pd(a, b); }
inline Vec add(Vec a, Vec b) { return _mm256_add_pd(a, b); }
inline Vec div(Vec a, Vec b) { return _mm256_div_pd(a, b); }
inline Vec splat(double v) { return _mm256_set1_pd(v); }
inline Vec vexp(Vec v) { return Sleef_expd4_u10avx2(v); }
inline Vec vsin(Vec v) { return Sleef_sind4_u10avx2(v); }
inline Sleef___m256d_2 vsincos(Vec v) { return Sleef_sincosd4_u10avx2(v); }
const char* kMathIsa = "SLEEF AVX2 (u10)";
#else
#error "the math floor needs AVX2 or AVX-512 (build with -march=native on x86-64)"
#endif

// The three kernels, vectorized over [lo, hi) (hi - lo a multiple of kLanes except at
// the very end, which the scalar tail handles).
__attribute__((noinline)) void logistic_vec(const double* x, double* y, int64_t lo, int64_t hi) {
  int64_t i = lo;
  for (; i + kLanes <= hi; i += kLanes)
    store(y + i, div(splat(1.0), add(splat(1.0), vexp(mul(splat(-1.0), load(x + i))))));
  for (; i < hi; ++i) y[i] = 1 / (1 + std::exp(-x[i]));
}

__attribute__((noinline)) void chain_vec(const double* x, double* y, int64_t lo, int64_t hi) {
  int64_t i = lo;
  for (; i + kLanes <= hi; i += kLanes) {
    Vec v = load(x + i);
    store(y + i, vexp(vsin(mul(v, v))));
  }
  for (; i < hi; ++i) y[i] = std::exp(std::sin(x[i] * x[i]));
}

__attribute__((noinline)) void chain_grad_vec(const double* x, double* y, double* g, int64_t lo, int64_t hi) {
  int64_t i = lo;
  for (; i + kLanes <= hi; i += kLanes) {
    Vec v = load(x + i);
    auto sc = vsincos(mul(v, v));
    Vec f = vexp(sc.x);
    store(y + i, f);
    store(g + i, mul(mul(f, sc.y), add(v, v)));  // d/dx exp(sin(x^2)) = f cos(x^2) 2x
  }
  for (; i < hi; ++i) {
    double s = x[i] * x[i];
    y[i] = std::exp(std::sin(s));
    g[i] = y[i] * std::cos(s) * 2 * x[i];
  }
}

void math() {
  const int64_t n3 = 4096 * 4096, n4 = 10'000'000;
  Buffer x(n3), y(n3), g(n3);
  for (int threads : {1, 2}) {
    const std::string suffix = threads == 1 ? ".1t" : ".2t";
    auto w3 = time_ms([&] {
      parallel_for(n3, threads, [&](int64_t lo, int64_t hi) { logistic_vec(x.data, y.data, lo, hi); });
    });
    bench::emit_value("math.W3" + suffix, "ms", w3, kMathIsa);
    auto fwd = time_ms([&] {
      parallel_for(n4, threads, [&](int64_t lo, int64_t hi) { chain_vec(x.data, y.data, lo, hi); });
    });
    bench::emit_value("math.W4.fwd" + suffix, "ms", fwd, kMathIsa);
    auto both = time_ms([&] {
      parallel_for(n4, threads,
                   [&](int64_t lo, int64_t hi) { chain_grad_vec(x.data, y.data, g.data, lo, hi); });
    });
    bench::emit_value("math.W4.fwd+grad" + suffix, "ms", both, kMathIsa);
  }
  // Sanity: the vector kernel agrees with glibc (a floor computed wrongly is no floor).
  double worst = 0;
  for (int64_t i = 0; i < n4; i += 9973) {
    double ref = std::exp(std::sin(x.data[i] * x.data[i]));
    worst = std::max(worst, std::abs(y.data[i] - ref) / std::abs(ref));
  }
  if (worst > 1e-13) {
    std::fprintf(stderr, "math floor kernel disagrees with glibc: relative error %g\n", worst);
    std::exit(1);
  }
  // glibc's scalar functions, as every peer uses them: 1/10 of W4, scaled up.
  const int64_t part = n4 / 10;
  auto scalar = time_ms([&] {
    double* __restrict out = y.data;
    const double* __restrict in = x.data;
    for (int64_t i = 0; i < part; ++i) out[i] = std::exp(std::sin(in[i] * in[i]));
  });
  for (double* v : {&scalar.median, &scalar.min, &scalar.max}) *v *= 10;
  bench::emit_value("math.W4.fwd.glibc_scalar.1t", "ms", scalar, "scalar glibc exp/sin");
}

// ---- GEMM ------------------------------------------------------------------------------

// One product C(m x n) = op(A) op(B) of the W5 step.
struct Gemm {
  bool trans_a, trans_b;
  int m, n, k;
};

// Forward X.W1, H1.W2, H2.W3; backward dW3 = H2^T G3, dH2 = G3 W3^T, dW2 = H1^T G2,
// dH1 = G2 W2^T, dW1 = X^T G1 (no dX: X is data).
const Gemm kW5[] = {{false, false, 256, 512, 784}, {false, false, 256, 512, 512},
                    {false, false, 256, 10, 512},  {true, false, 512, 10, 256},
                    {false, true, 256, 512, 10},   {true, false, 512, 512, 256},
                    {false, true, 256, 512, 512},  {true, false, 784, 512, 256}};

template <class Real, class F>
void gemm_step(const std::string& name, F&& gemm, const std::string& label) {
  double flops = 0;
  std::vector<std::vector<Real>> a, b, c;
  for (const auto& p : kW5) {
    flops += 2.0 * p.m * p.n * p.k;
    a.emplace_back(static_cast<size_t>(p.m) * p.k, Real(0.5));
    b.emplace_back(static_cast<size_t>(p.k) * p.n, Real(0.25));
    c.emplace_back(static_cast<size_t>(p.m) * p.n, Real(0));
  }
  auto run = [&] {
    for (size_t i = 0; i < std::size(kW5); ++i) {
      const auto& p = kW5[i];
      int lda = p.trans_a ? p.m : p.k, ldb = p.trans_b ? p.k : p.n;
      gemm(CblasRowMajor, p.trans_a ? CblasTrans : CblasNoTrans,
           p.trans_b ? CblasTrans : CblasNoTrans, p.m, p.n, p.k, Real(1), a[i].data(), lda,
           b[i].data(), ldb, Real(0), c[i].data(), p.n);
    }
  };
  for (int i = 0; i < 5; ++i) run();
  auto ms = bench::time_per_call(g_repeats, 10, 1e3, run);
  bench::emit_value(name + ".W5step." + label, "ms", ms, "the 8 products of one W5 step");
  bench::emit_value(name + ".W5step." + label + ".gflops", "GFLOP/s", to_rate(ms, flops / 1e9));
}

void gemm(const std::string& label) {
  gemm_step<float>("sgemm", cblas_sgemm, label);
  gemm_step<double>("dgemm", cblas_dgemm, label);
}

}  // namespace

int main(int argc, char** argv) {
  std::string part = "all", label = "default";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--part")) part = argv[i + 1];
    else if (!std::strcmp(argv[i], "--label")) label = argv[i + 1];
    else if (!std::strcmp(argv[i], "--repeats")) g_repeats = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--part bandwidth|math|gemm|all] [--label L] [--repeats N]\n",
                   argv[0]);
      return 2;
    }
  }
  if (part == "bandwidth" || part == "all") bandwidth();
  if (part == "math" || part == "all") math();
  if (part == "gemm" || part == "all") gemm(label);
}
