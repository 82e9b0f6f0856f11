// One lock for every shared variable's value slot: calls read the values at their start
// and replace them at their end, possibly in several threads at once, and an NDArray
// handle must not be copied while another thread replaces it.
//
// It is held only to copy or swap handles (a few nanoseconds): nothing that allocates,
// waits, or drops the last reference to an array (which may take Python's GIL) runs
// under it, so a spin lock serves.
#pragma once

#include <atomic>
#include <thread>

namespace theon::detail {

class SharedValuesLock {
 public:
  SharedValuesLock() {
    while (flag().test_and_set(std::memory_order_acquire))
      while (flag().test(std::memory_order_relaxed)) std::this_thread::yield();
  }
  ~SharedValuesLock() { flag().clear(std::memory_order_release); }
  SharedValuesLock(const SharedValuesLock&) = delete;
  SharedValuesLock& operator=(const SharedValuesLock&) = delete;

 private:
  static std::atomic_flag& flag() {
    static std::atomic_flag f;
    return f;
  }
};

}  // namespace theon::detail
