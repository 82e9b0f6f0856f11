#include "theon/interrupt.hpp"

namespace theon {
namespace detail {

std::atomic<uint64_t> interrupt_count{0};

namespace {

// Check points between two looks at the clock: a clock read costs about what a few
// small nodes do.
constexpr int kTickEvery = 64;
constexpr auto kLongCall = std::chrono::milliseconds(1);

// The default TLS model: initial-exec would be cheaper, but the Python module loads this
// library with dlopen, where glibc may have no static TLS space left for it.
thread_local RunningCall* current = nullptr;

}  // namespace

RunningCall::RunningCall(void (*long_hook)(void*), void* hook_context)
    : epoch(interrupt_count.load(std::memory_order_relaxed)), countdown(kTickEvery), on_long(long_hook),
      context(hook_context), outermost(current == nullptr) {
  if (outermost) current = this;
}

RunningCall::~RunningCall() {
  if (outermost) current = nullptr;
}

void RunningCall::tick() {
  countdown = kTickEvery;
  if (!on_long) return;
  const auto now = std::chrono::steady_clock::now();
  if (first_tick == std::chrono::steady_clock::time_point()) {
    first_tick = now;
  } else if (now - first_tick >= kLongCall) {
    auto hook = on_long;
    on_long = nullptr;
    hook(context);
  }
}

RunningCall& running_call() {
  if (current) return *current;
  // No call runs (an op evaluated directly, constant folding): nothing interrupts it.
  thread_local RunningCall idle;
  idle.epoch = interrupt_count.load(std::memory_order_relaxed);
  idle.countdown = 1 << 30;
  return idle;
}

void throw_interrupted() { throw Interrupted("function call interrupted"); }

}  // namespace detail

void interrupt_calls() noexcept { detail::interrupt_count.fetch_add(1, std::memory_order_relaxed); }

}  // namespace theon
