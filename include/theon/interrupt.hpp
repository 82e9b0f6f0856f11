// Stopping running calls (Ctrl-C).
//
// interrupt_calls() makes every function call running at that moment stop at its next
// check point, between two nodes or between two scan steps, by throwing
// theon::Interrupted. The call then commits no update: shared variables keep the values
// they had before it. Calls that start afterwards are not affected.
//
//   std::thread t([&] { try { f(big); } catch (const theon::Interrupted&) { ... } });
//   theon::interrupt_calls();
//
// It is async-signal-safe (one lock-free atomic increment), so a SIGINT handler may
// call it; the Python binding does so while a call runs without the GIL. A single node
// (one large matrix product) is not interrupted: the call stops after it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "theon/error.hpp"

namespace theon {

THEON_DECLARE_ERROR(Interrupted, Error);

void interrupt_calls() noexcept;

namespace detail {

// Counts interrupt_calls(); a call remembers the count it started under.
extern std::atomic<uint64_t> interrupt_count;
static_assert(std::atomic<uint64_t>::is_always_lock_free, "interrupt_calls must be async-signal-safe");

// The outermost call running on this thread (set by CompiledFunction::call).
struct RunningCall {
  RunningCall() = default;  // not registered: a stand-in
  RunningCall(void (*on_long)(void*), void* context);
  ~RunningCall();
  RunningCall(const RunningCall&) = delete;
  RunningCall& operator=(const RunningCall&) = delete;

  uint64_t epoch = 0;
  int countdown = 0;  // check points until the next look at the clock
  // Called once, from a check point, when the call has run for about a millisecond
  // (a binding lets go of Python's GIL there).
  void (*on_long)(void*) = nullptr;
  void* context = nullptr;
  std::chrono::steady_clock::time_point first_tick;
  bool outermost = false;
  void tick();
};

// The running call of this thread, or a stand-in that never interrupts.
RunningCall& running_call();

[[noreturn]] void throw_interrupted();

// Check points, made once per run (of the interpreter, of a scan) and called between
// nodes or steps: one relaxed atomic load and a decrement when nothing happened.
class CheckPoint {
 public:
  CheckPoint() : call_(running_call()) {}
  void operator()() {
    if (interrupt_count.load(std::memory_order_relaxed) != call_.epoch) [[unlikely]]
      throw_interrupted();
    if (--call_.countdown <= 0) [[unlikely]]
      call_.tick();
  }

 private:
  RunningCall& call_;
};

}  // namespace detail
}  // namespace theon
