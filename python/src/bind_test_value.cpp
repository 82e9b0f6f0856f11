// Python bindings for test values (config.compute_test_value).
#include "common.hpp"

namespace theon::python {

void bind_test_value(py::module_& /*m*/) {}

}  // namespace theon::python
