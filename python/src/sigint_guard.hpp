// Ctrl-C during a call that runs without the GIL.
//
// Python's own SIGINT handler only sets a flag that the interpreter reads between
// bytecodes, which a long C++ call never reaches. While such a call runs in the main
// thread and Python's handler is the default one (raise KeyboardInterrupt), a guard puts
// a C handler in front of it that calls theon::interrupt_calls() and then Python's
// handler: the call stops at its next check point (theon/interrupt.hpp) and the
// binding raises KeyboardInterrupt. Installing costs two system calls, so only calls
// that release the GIL (long ones) take a guard.
#pragma once

#include "common.hpp"

namespace theon::python {

class SigintGuard {
 public:
  SigintGuard();  // with the GIL held
  ~SigintGuard();
  SigintGuard(const SigintGuard&) = delete;
  SigintGuard& operator=(const SigintGuard&) = delete;

 private:
  bool installed_ = false;
};

// After a call stopped with theon::Interrupted (GIL held): runs Python's pending signal
// handlers and throws what they raise, else KeyboardInterrupt.
[[noreturn]] void raise_keyboard_interrupt();

}  // namespace theon::python
