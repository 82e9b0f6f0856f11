// Python bindings for pickling: graphs, shared variables and functions.
#include "common.hpp"

namespace theon::python {

void bind_serialize(py::module_& /*m*/) {}

}  // namespace theon::python
