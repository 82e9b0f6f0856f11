#include "sigint_guard.hpp"

#include <csignal>

namespace theon::python {
namespace {

#ifndef _WIN32
struct sigaction python_handler;  // the handler ours runs after its own work

extern "C" void on_sigint(int sig, siginfo_t* info, void* context) {
  theon::interrupt_calls();
  if (python_handler.sa_flags & SA_SIGINFO) {
    python_handler.sa_sigaction(sig, info, context);
  } else if (python_handler.sa_handler != SIG_DFL && python_handler.sa_handler != SIG_IGN) {
    python_handler.sa_handler(sig);
  }
}

bool is_ours(const struct sigaction& a) {
  return (a.sa_flags & SA_SIGINFO) && a.sa_sigaction == on_sigint;
}
#endif

// Python runs signal handlers, and lets them be changed, in the main thread only.
bool wants_guard() {
  static const unsigned long main_ident =
      py::module_::import("threading").attr("main_thread")().attr("ident").cast<unsigned long>();
  if (PyThread_get_thread_ident() != main_ident) return false;
  static PyObject* signal_module = py::module_::import("signal").release().ptr();
  py::module_ signal = py::reinterpret_borrow<py::module_>(signal_module);
  py::object current = signal.attr("getsignal")(signal.attr("SIGINT"));
  return current.is(signal.attr("default_int_handler"));
}

}  // namespace

SigintGuard::SigintGuard() {
#ifndef _WIN32
  if (!wants_guard()) return;
  struct sigaction ours {};
  ours.sa_sigaction = on_sigint;
  ours.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&ours.sa_mask);
  struct sigaction previous {};
  if (sigaction(SIGINT, nullptr, &previous) != 0 || is_ours(previous)) return;
  python_handler = previous;
  installed_ = sigaction(SIGINT, &ours, nullptr) == 0;
#endif
}

SigintGuard::~SigintGuard() {
#ifndef _WIN32
  if (installed_) sigaction(SIGINT, &python_handler, nullptr);
#endif
}

void raise_keyboard_interrupt() {
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  PyErr_SetString(PyExc_KeyboardInterrupt, "function call interrupted");
  throw py::error_already_set();
}

}  // namespace theon::python
