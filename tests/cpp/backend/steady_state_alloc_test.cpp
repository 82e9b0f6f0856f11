// The steady-state call of a small compiled function allocates nothing: buffers are
// reused across calls (issue 6, item 5). Counted by replacing the global operator new of
// this test binary; every array buffer is made through make_shared<Buffer>, so a new
// array shows up here too.
#include <atomic>
#include <cstdlib>
#include <new>

#include "backend/cgen_support.hpp"
#include "compile/graph_kernel.hpp"
#include "theon/theon.hpp"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// The nothrow form too (std::stable_sort's buffer uses it): left to the runtime, its
// memory would come from another allocator than the free() below (AddressSanitizer
// reports the mismatch).
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace theon::testing {
namespace {

namespace T = tensor;

class SteadyStateAllocTest : public CgenTest {};

// Allocations made by `calls` calls of `body`.
template <class F>
long allocations_in(int calls, F body) {
  g_allocations = 0;
  g_counting = true;
  for (int i = 0; i < calls; ++i) body();
  g_counting = false;
  return g_allocations.load();
}

TEST_F(SteadyStateAllocTest, ASmallTrainingStepAllocatesNothing) {
  auto x = T::dvector("x");
  auto y = T::dscalar("y");
  auto w = shared(array({0.5, -0.5, 0.25}), "w");
  auto b = shared(0.1, "b");
  auto p = T::sigmoid(T::dot(x, w) + b);
  auto cost = T::sqr(p - y);
  auto step = function({x, y}, cost, {{w, w - 0.1 * T::grad(cost, w)}, {b, b - 0.1 * T::grad(cost, b)}});
  const NDArray sample = array({1.0, 0.0, 1.0});
  const Arg args[] = {Arg(sample), Arg(1.0)};
  std::vector<NDArray> out;
  for (int i = 0; i < detail::kCallsBeforePlan; ++i) step.call_into(args, out);
  detail::cgen::wait_for_native_kernels();
  const auto native_before = detail::native_graph_calls();
  step.call_into(args, out);  // settles the buffers handed back by the updates
  EXPECT_EQ(allocations_in(100, [&] { step.call_into(args, out); }), 0);
  EXPECT_EQ(detail::native_graph_calls(), native_before + 101);
  // The training happened: the cost went down.
  const double cost_now = out[0].item<double>();
  for (int i = 0; i < 200; ++i) step.call_into(args, out);
  EXPECT_LT(out[0].item<double>(), cost_now);
}

TEST_F(SteadyStateAllocTest, TheInterpreterReusesLargeOutputBuffers) {
  auto x = T::dmatrix("x");
  auto f = function({x}, 1.0 / (1.0 + T::exp(-x)));
  const NDArray m = random_array({300, 300}, DType::Float64, -1, 1, 3);
  const Arg args[] = {Arg(m)};
  std::vector<NDArray> out;
  // Past the call at which small graphs are planned (this one is too large for that).
  for (int i = 0; i < detail::kCallsBeforePlan; ++i) f.call_into(args, out);
  const void* first = out[0].raw();
  f.call_into(args, out);
  EXPECT_EQ(out[0].raw(), first);  // written in place of the previous result
  EXPECT_EQ(allocations_in(10, [&] { f.call_into(args, out); }), 0);
  // A result the caller keeps is never overwritten.
  const NDArray kept = out[0];
  const NDArray before = kept.copy();
  f.call_into(std::span<const Arg>(args), out);
  EXPECT_NE(out[0].raw(), kept.raw());
  EXPECT_ALLCLOSE(kept, before, 0, 0);
}

}  // namespace
}  // namespace theon::testing
