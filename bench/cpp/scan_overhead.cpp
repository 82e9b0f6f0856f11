// scan's per-step overhead (issue 7): h[t] = tanh(W h[t-1] + x[t]) with 10 units for
// 1 000 steps, as one scan and as the same cell unrolled into a 1 000-step graph.
// Prints the median call time of each (11 runs of 20 calls) and their ratio; the
// PyTorch loop is bench/python/scan_torch.py. A second pair with the smallest body
// (h + x[t]) shows what the loop itself costs per step.
#include <theon/theon.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

namespace T = theon::tensor;
using theon::Var;

namespace {

constexpr int kSteps = 1000, kUnits = 10;

double median_us_per_call(const std::function<void()>& call) {
  for (int i = 0; i < 5; ++i) call();
  std::vector<double> runs;
  for (int repeat = 0; repeat < 11; ++repeat) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 20; ++i) call();
    std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
    runs.push_back(elapsed.count() / 20);
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

theon::NDArray uniform(std::mt19937& rng, theon::Shape shape, double scale) {
  std::uniform_real_distribution<double> dist(-scale, scale);
  std::vector<double> v(theon::shape_size(shape));
  for (double& e : v) e = dist(rng);
  return theon::array(v, shape);
}

}  // namespace

int main() {
  std::mt19937 rng(0);
  const theon::NDArray xv = uniform(rng, {kSteps, kUnits}, 1.0);
  const theon::NDArray wv = uniform(rng, {kUnits, kUnits}, 0.3);
  const theon::NDArray hv = uniform(rng, {kUnits}, 1.0);
  auto x = T::dmatrix("x");
  auto W = T::dmatrix("W");
  auto h0 = T::dvector("h0");

  auto start = std::chrono::steady_clock::now();
  auto r = theon::scan([&](std::span<const Var> a) { return T::tanh(T::dot(W, a[1]) + a[0]); }, {x}, {h0});
  auto looped = theon::function({x, W, h0}, T::index(r.output(), {-1}));
  looped(xv, wv, hv);  // the body compiles on the first call
  const double scan_compile = ms_since(start);

  start = std::chrono::steady_clock::now();
  Var h = h0;
  for (int t = 0; t < kSteps; ++t) h = T::tanh(T::dot(W, h) + T::index(x, {t}));
  auto unrolled = theon::function({x, W, h0}, h);
  unrolled(xv, wv, hv);
  const double unrolled_compile = ms_since(start);

  const theon::NDArray a = looped(xv, wv, hv), b = unrolled(xv, wv, hv);
  double diff = 0;
  for (int i = 0; i < kUnits; ++i) diff = std::max(diff, std::abs(a.at<double>({i}) - b.at<double>({i})));

  const double scan_us = median_us_per_call([&] { looped(xv, wv, hv); });
  const double unrolled_us = median_us_per_call([&] { unrolled(xv, wv, hv); });
  std::printf("scan_overhead: %d steps, %d units, float64 (max |scan - unrolled| = %.1e)\n", kSteps, kUnits, diff);
  std::printf("  scan      %9.1f us per call  %6.3f us per step  (compile %.1f ms)\n", scan_us, scan_us / kSteps,
              scan_compile);
  std::printf("  unrolled  %9.1f us per call  %6.3f us per step  (compile %.1f ms)\n", unrolled_us,
              unrolled_us / kSteps, unrolled_compile);
  std::printf("  scan / unrolled = %.2f\n", scan_us / unrolled_us);

  auto r2 = theon::scan([](std::span<const Var> a) { return a[1] + a[0]; }, {x}, {h0});
  auto small_loop = theon::function({x, h0}, T::index(r2.output(), {-1}));
  Var s = h0;
  for (int t = 0; t < kSteps; ++t) s = s + T::index(x, {t});
  auto small_unrolled = theon::function({x, h0}, s);
  const double small_scan_us = median_us_per_call([&] { small_loop(xv, hv); });
  const double small_unrolled_us = median_us_per_call([&] { small_unrolled(xv, hv); });
  std::printf("  body h + x[t]: scan %.3f us per step, unrolled %.3f us per step (ratio %.2f)\n",
              small_scan_us / kSteps, small_unrolled_us / kSteps, small_scan_us / small_unrolled_us);
}
