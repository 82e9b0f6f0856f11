// Shared by the C++ benchmark programs: the deterministic input data (bit-identical to
// bench/python/bench_common.py, so C++ and Python runners compute the same thing and
// their results can be checked against NumPy's), a repeat-and-median timer, and the
// JSON-lines output that bench/run_bench.py reads.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <dlfcn.h>
#include <ctime>
#include <string>
#include <vector>

namespace bench {

// Uniform values in [0, 1): an integer hash of (index, seed), exact in both languages
// (NumPy uses the same uint64 arithmetic), so no random-number library has to agree.
inline double hash_uniform_at(uint64_t i, uint64_t seed) {
  uint64_t h = (i * 2654435761ULL + seed * 40503ULL + 1ULL) & 0xffffffffULL;
  h ^= h >> 15;
  h = (h * 2246822519ULL) & 0xffffffffULL;
  h ^= h >> 13;
  h = (h * 3266489917ULL) & 0xffffffffULL;
  h ^= h >> 16;
  return static_cast<double>(h) / 4294967296.0;
}

// `n` values lo + (hi - lo) * u, u from hash_uniform_at.
inline std::vector<double> hash_uniform(int64_t n, uint64_t seed, double lo = 0, double hi = 1) {
  std::vector<double> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[i] = lo + (hi - lo) * hash_uniform_at(i, seed);
  return out;
}

struct Stats {
  double median = 0, min = 0, max = 0;
  int repeats = 0;
  // The process's CPU time per call (all threads), median over repeats; negative when not
  // measured. On a busy shared machine it is steadier than wall time.
  double cpu_median = -1;
};

inline Stats summarize(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  Stats s;
  s.repeats = static_cast<int>(values.size());
  size_t n = values.size();
  s.median = n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  s.min = values.front();
  s.max = values.back();
  return s;
}

// Runs `body` `calls` times per repeat and returns the time per call in `scale` units
// per second (1e6: microseconds, 1e3: milliseconds), one value per repeat.
inline double process_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

template <class F>
Stats time_per_call(int repeats, int calls, double scale, F&& body) {
  std::vector<double> runs, cpu;
  for (int r = 0; r < repeats; ++r) {
    double cpu_start = process_cpu_seconds();
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) body();
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    cpu.push_back((process_cpu_seconds() - cpu_start) * scale / calls);
    runs.push_back(elapsed.count() * scale / calls);
  }
  Stats s = summarize(runs);
  s.cpu_median = summarize(cpu).median;
  return s;
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// {"kind": "time", ...}: one timing, in `unit` per call.
inline void emit_time(const std::string& workload, const std::string& impl,
                      const std::string& variant, const std::string& unit, const Stats& s,
                      int calls = 1) {
  std::printf(
      "{\"kind\": \"time\", \"workload\": \"%s\", \"impl\": \"%s\", \"variant\": \"%s\", "
      "\"unit\": \"%s\", \"median\": %.6g, \"min\": %.6g, \"max\": %.6g, \"repeats\": %d, "
      "\"calls\": %d, \"cpu_median\": %.6g}\n",
      workload.c_str(), impl.c_str(), variant.c_str(), unit.c_str(), s.median, s.min, s.max,
      s.repeats, calls, s.cpu_median);
  std::fflush(stdout);
}

// {"kind": "check", ...}: numbers the driver compares with NumPy's for the same
// workload and variant.
// The OpenBLAS core this process runs (openblas_get_corename, found at run time: the
// benchmark does not link OpenBLAS itself), reported as the Python runners report theirs.
// The OpenBLAS core this process runs (openblas_get_corename), or "not OpenBLAS".
inline const char* blas_core_name() {
  using CoreName = char* (*)();
  auto name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return name ? name() : "not OpenBLAS";
}

inline void emit_blas(const std::string& workload, const std::string& impl) {
  std::printf("{\"kind\": \"blas\", \"workload\": \"%s\", \"impl\": \"%s\", "
              "\"cores\": {\"libtheon\": \"%s\"}}\n",
              workload.c_str(), impl.c_str(), blas_core_name());
  std::fflush(stdout);
}

inline void emit_check(const std::string& workload, const std::string& impl,
                       const std::string& variant, const std::vector<double>& values) {
  std::string list;
  for (double v : values) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s%.17g", list.empty() ? "" : ", ", v);
    list += buf;
  }
  // JSON has no NaN or Infinity: the driver's parser accepts Python's spelling.
  std::printf(
      "{\"kind\": \"check\", \"workload\": \"%s\", \"impl\": \"%s\", \"variant\": \"%s\", "
      "\"values\": [%s]}\n",
      workload.c_str(), impl.c_str(), variant.c_str(), list.c_str());
  std::fflush(stdout);
}

// {"kind": "value", ...}: a single measured quantity (bandwidth, GFLOP/s, a floor).
inline void emit_value(const std::string& name, const std::string& unit, const Stats& s,
                       const std::string& note = "") {
  std::printf(
      "{\"kind\": \"value\", \"name\": \"%s\", \"unit\": \"%s\", \"median\": %.6g, "
      "\"min\": %.6g, \"max\": %.6g, \"repeats\": %d, \"note\": \"%s\"}\n",
      name.c_str(), unit.c_str(), s.median, s.min, s.max, s.repeats, note.c_str());
  std::fflush(stdout);
}

// Fixed sample positions for checks: spread over the whole array.
inline std::vector<int64_t> sample_positions(int64_t n) {
  std::vector<int64_t> out;
  for (int k = 0; k < 8; ++k) out.push_back((n - 1) * k / 7);
  return out;
}

}  // namespace bench
