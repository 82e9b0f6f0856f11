// The lock that lets one call of a function run at a time. Uncontended it is one
// compare-and-swap and one exchange (std::mutex costs about three times that through
// pthreads, which is measurable on a sub-microsecond call); waiters sleep on the atomic
// (a futex on Linux), as a call may run for seconds.
#pragma once

#include <atomic>

namespace theon::detail {

class CallLock {
 public:
  bool try_lock() {
    int expected = kFree;
    return state_.compare_exchange_strong(expected, kHeld, std::memory_order_acquire, std::memory_order_relaxed);
  }
  void lock() {
    if (try_lock()) return;
    // Mark the lock contended, then sleep until the holder lets go.
    while (state_.exchange(kContended, std::memory_order_acquire) != kFree) state_.wait(kContended);
  }
  void unlock() {
    if (state_.exchange(kFree, std::memory_order_release) == kContended) state_.notify_all();
  }

 private:
  static constexpr int kFree = 0, kHeld = 1, kContended = 2;
  std::atomic<int> state_{kFree};
};

}  // namespace theon::detail
