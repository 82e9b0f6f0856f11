#include "core/parallel.hpp"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace theon::detail {
namespace {

// Set while this thread runs a task or waits for one: a nested call runs serially
// (try_lock on the mutex the thread itself holds would be undefined).
thread_local bool in_parallel_loop = false;

int configured_threads() {
  if (const char* env = std::getenv("OMP_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return std::min(n, 64);
  }
  return std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 64);
}

class Pool {
 public:
  explicit Pool(int n_threads) : owner_pid_(getpid()) {
    for (int i = 1; i < n_threads; ++i) std::thread([this] { work(); }).detach();
  }

  // False when the pool is busy or this process is a fork of the one that made it
  // (the threads did not survive the fork): the caller runs the tasks itself.
  bool run(int n_tasks, void (*body)(void*, int), void* context) {
    std::unique_lock call(call_mutex_, std::try_to_lock);
    if (!call.owns_lock() || getpid() != owner_pid_) return false;
    {
      std::lock_guard lock(mutex_);
      body_ = body;
      context_ = context;
      n_tasks_ = n_tasks;
      next_ = 1;
      pending_ = n_tasks - 1;
      ++generation_;
    }
    wake_.notify_all();
    body(context, 0);
    std::unique_lock lock(mutex_);
    // Tasks nobody has claimed yet run here rather than wait for a sleeping thread.
    while (next_ < n_tasks_) {
      const int task = next_++;
      lock.unlock();
      body(context, task);
      lock.lock();
      --pending_;
    }
    done_.wait(lock, [this] { return pending_ == 0; });
    return true;
  }

 private:
  void work() {
    uint64_t seen = 0;
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [&] { return generation_ != seen; });
      seen = generation_;
      while (next_ < n_tasks_) {
        const int task = next_++;
        lock.unlock();
        in_parallel_loop = true;
        body_(context_, task);
        in_parallel_loop = false;
        lock.lock();
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  const pid_t owner_pid_;
  std::mutex call_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  uint64_t generation_ = 0;
  void (*body_)(void*, int) = nullptr;
  void* context_ = nullptr;
  int n_tasks_ = 0;
  int next_ = 0;
  int pending_ = 0;
};

// Never destroyed: its threads may still be waiting when static destructors run.
Pool& pool() {
  static Pool* p = new Pool(max_threads());
  return *p;
}

}  // namespace

int max_threads() {
  static const int n = configured_threads();
  return n;
}

void parallel_for_raw(int n_tasks, void (*body)(void*, int), void* context) {
  if (n_tasks <= 0) return;
  if (n_tasks > 1 && max_threads() > 1 && !in_parallel_loop) {
    in_parallel_loop = true;
    const bool ran = pool().run(n_tasks, body, context);
    in_parallel_loop = false;
    if (ran) return;
  }
  for (int task = 0; task < n_tasks; ++task) body(context, task);
}

}  // namespace theon::detail
