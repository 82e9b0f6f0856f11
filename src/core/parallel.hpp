// A tiny pool for data-parallel loops (large element-wise kernels, reductions).
//
// parallel_for(n, body) runs body(0) .. body(n - 1), task 0 on the calling thread and the
// others on pool threads, and returns when all are done. Threads start on first use and
// sleep on a condition variable between calls, so small kernels that never ask for them
// pay nothing. A call made while another is running (from another thread, or from inside
// a task) runs its tasks one after another on the caller: nesting never deadlocks.
//
// The pool size is the number of hardware threads, or OMP_NUM_THREADS when set (the knob
// users of NumPy and PyTorch already know). Tasks must not throw.
#pragma once

#include <type_traits>

namespace theon::detail {

// How many threads a parallel loop may use (1 means: run serially).
int max_threads();

void parallel_for_raw(int n_tasks, void (*body)(void* context, int task), void* context);

template <class F>
void parallel_for(int n_tasks, F&& body) {
  using Body = std::remove_reference_t<F>;
  parallel_for_raw(
      n_tasks, [](void* context, int task) { (*static_cast<Body*>(context))(task); },
      const_cast<void*>(static_cast<const void*>(&body)));
}

}  // namespace theon::detail
