// How compile time (graph copy + rewrites + interpreter setup) grows with graph size:
// a deep chain and a wide sum of n element-wise nodes, for n = 100, 1 000, 10 000, in
// FAST_RUN and FAST_COMPILE. Prints the median of 5 compiles in milliseconds.
#include <theon/theon.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace T = theon::tensor;

namespace {

double median_ms(const std::function<void()>& body) {
  std::vector<double> runs;
  for (int repeat = 0; repeat < 5; ++repeat) {
    auto start = std::chrono::steady_clock::now();
    body();
    std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
    runs.push_back(elapsed.count());
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

// x -> sin(x) * 1.5 + x -> ...: every node reads the one before (about n nodes).
theon::Var deep_chain(const theon::Var& x, int n) {
  theon::Var v = x;
  for (int i = 0; i < n / 3; ++i) v = T::sin(v) * 1.5 + x;
  return v;
}

// exp(x * c_0) + exp(x * c_1) + ...: n independent terms summed left to right.
theon::Var wide_sum(const theon::Var& x, int n) {
  theon::Var v = T::exp(x * 0.0);
  for (int i = 1; i < n / 3; ++i) v = v + T::exp(x * static_cast<double>(i));
  return v;
}

}  // namespace

int main() {
  auto x = T::dvector("x");
  std::printf("%-6s %-10s %8s %14s %14s\n", "graph", "n", "nodes", "fast_run ms", "fast_compile ms");
  for (const char* kind : {"chain", "sum"}) {
    for (int n : {100, 1000, 10000}) {
      theon::Var out = std::string(kind) == "chain" ? deep_chain(x, n) : wide_sum(x, n);
      size_t nodes = 0;
      double fast_run = median_ms([&] {
        auto f = theon::function({x}, out);
        nodes = f.fgraph().toposort().size();
      });
      double fast_compile = median_ms([&] { theon::function({x}, out, {}, {.mode = "FAST_COMPILE"}); });
      std::printf("%-6s %-10d %8zu %14.2f %14.2f\n", kind, n, nodes, fast_run, fast_compile);
    }
  }
}
