// Python bindings for the debugging modes: NanGuardMode, MonitorMode, printing.Print.
#include "common.hpp"

namespace theon::python {

void bind_debug(py::module_& /*m*/) {}

}  // namespace theon::python
