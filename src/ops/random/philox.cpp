#include "ops/random/philox.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/parallel.hpp"
#include "ops/random/philox_fill.hpp"

namespace theon::detail::philox {

void group_words(const Position& at, uint32_t out[kGroupWords]) {
  for (int l = 0; l < kGroupBlocks; ++l) {
    const uint64_t block = at.block + static_cast<uint64_t>(l);
    const Words4 c{{static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32),
                    static_cast<uint32_t>(at.stream), static_cast<uint32_t>(at.stream >> 32)}};
    const Words4 r = philox4x32_10(c, static_cast<uint32_t>(at.key), static_cast<uint32_t>(at.key >> 32));
    for (int w = 0; w < 4; ++w) out[kGroupBlocks * w + l] = r.w[w];
  }
}

namespace {

float unit_float(uint32_t w) { return static_cast<float>(w >> 8) * 0x1p-24f; }
double unit_double(uint32_t lo, uint32_t hi) {
  return static_cast<double>(((static_cast<uint64_t>(hi) << 32) | lo) >> 11) * 0x1p-53;
}

// One group's values, in the layout philox.hpp describes. Box-Muller takes u1 in (0, 1]
// (one step above the uniform's [0, 1)) so that log(u1) is finite.
template <class T>
void group_values(Fill kind, const uint32_t* words, T* vals) {
  constexpr int B = kGroupBlocks;
  switch (kind) {
    case Fill::UniformF32:
      for (int r = 0; r < kGroupWords; ++r) vals[r] = static_cast<T>(unit_float(words[r]));
      return;
    case Fill::UniformF64:
      for (int j = 0; j < 2; ++j)
        for (int l = 0; l < B; ++l)
          vals[B * j + l] = static_cast<T>(unit_double(words[2 * B * j + l], words[2 * B * j + B + l]));
      return;
    case Fill::NormalF32:
      for (int j = 0; j < 2; ++j)
        for (int l = 0; l < B; ++l) {
          const float u1 = unit_float(words[2 * B * j + l]) + 0x1p-24f;
          const float u2 = unit_float(words[2 * B * j + B + l]);
          const float radius = std::sqrt(-2.0f * std::log(u1));
          const float angle = 2.0f * std::numbers::pi_v<float> * u2;
          vals[2 * B * j + l] = static_cast<T>(radius * std::cos(angle));
          vals[2 * B * j + B + l] = static_cast<T>(radius * std::sin(angle));
        }
      return;
    case Fill::NormalF64:
      for (int l = 0; l < B; ++l) {
        const double u1 = unit_double(words[l], words[B + l]) + 0x1p-53;
        const double u2 = unit_double(words[2 * B + l], words[3 * B + l]);
        const double radius = std::sqrt(-2.0 * std::log(u1));
        const double angle = 2.0 * std::numbers::pi * u2;
        vals[l] = static_cast<T>(radius * std::cos(angle));
        vals[B + l] = static_cast<T>(radius * std::sin(angle));
      }
      return;
  }
}

bool is_double(Fill kind) { return kind == Fill::UniformF64 || kind == Fill::NormalF64; }

template <class T>
void fill_scalar_typed(Fill kind, Position at, T* out, int64_t n) {
  const int64_t per = values_per_group(is_double(kind));
  uint32_t words[kGroupWords];
  T vals[kGroupWords];
  for (int64_t i = 0; i < n; i += per) {
    group_words(at, words);
    group_values(kind, words, vals);
    std::copy_n(vals, std::min(per, n - i), out + i);
    at.block += kGroupBlocks;
  }
}

// Below this many values a draw runs on the calling thread (a pool wake-up costs ~µs).
constexpr int64_t kParallelMin = int64_t{1} << 16;

void fill(Fill kind, const Position& at, void* out, int64_t n) {
  if (n <= 0) return;
  const bool dbl = is_double(kind);
  const int64_t per = values_per_group(dbl);
  const int64_t groups = (n + per - 1) / per;
  const int tasks = n < kParallelMin ? 1 : static_cast<int>(std::min<int64_t>(max_threads(), groups));
  const size_t item = dbl ? sizeof(double) : sizeof(float);
  // Task t takes a contiguous run of whole groups, so each value comes from the same
  // counter whatever the number of tasks.
  parallel_for(tasks, [&](int t) {
    const int64_t g0 = groups * t / tasks, g1 = groups * (t + 1) / tasks;
    const int64_t first = g0 * per, count = std::min(n, g1 * per) - first;
    if (count <= 0) return;
    Position p = at;
    p.block += static_cast<uint64_t>(g0) * kGroupBlocks;
    void* dst = static_cast<char*>(out) + static_cast<size_t>(first) * item;
    if (!fill_avx512(kind, p, dst, count)) fill_scalar(kind, p, dst, count);
  });
}

// One thread's share of a range: a partial first group through a scratch group, then
// whole groups written in place (the last one cut).
void range(Fill kind, const Position& at, int64_t first, void* out, int64_t n) {
  if (n <= 0) return;
  const bool dbl = is_double(kind);
  const int64_t per = values_per_group(dbl);
  const size_t item = dbl ? sizeof(double) : sizeof(float);
  auto run = [&](const Position& p, void* dst, int64_t count) {
    if (!fill_avx512(kind, p, dst, count)) fill_scalar(kind, p, dst, count);
  };
  Position p = at;
  p.block += static_cast<uint64_t>(first / per) * kGroupBlocks;
  const int64_t skip = first % per;
  char* dst = static_cast<char*>(out);
  if (skip) {
    alignas(64) char group[kGroupWords * sizeof(float)];
    run(p, group, per);
    const int64_t take = std::min(n, per - skip);
    std::copy_n(group + static_cast<size_t>(skip) * item, static_cast<size_t>(take) * item, dst);
    dst += static_cast<size_t>(take) * item;
    n -= take;
    p.block += kGroupBlocks;
  }
  if (n > 0) run(p, dst, n);
}

}  // namespace

void uniform_range(const Position& at, int64_t first, float* out, int64_t n) {
  range(Fill::UniformF32, at, first, out, n);
}
void uniform_range(const Position& at, int64_t first, double* out, int64_t n) {
  range(Fill::UniformF64, at, first, out, n);
}

void fill_scalar(Fill kind, const Position& at, void* out, int64_t n) {
  if (is_double(kind))
    fill_scalar_typed(kind, at, static_cast<double*>(out), n);
  else
    fill_scalar_typed(kind, at, static_cast<float*>(out), n);
}

void fill_uniform(const Position& at, float* out, int64_t n) { fill(Fill::UniformF32, at, out, n); }
void fill_uniform(const Position& at, double* out, int64_t n) { fill(Fill::UniformF64, at, out, n); }
void fill_normal(const Position& at, float* out, int64_t n) { fill(Fill::NormalF32, at, out, n); }
void fill_normal(const Position& at, double* out, int64_t n) { fill(Fill::NormalF64, at, out, n); }

}  // namespace theon::detail::philox
