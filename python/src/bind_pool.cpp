// Python bindings of include/theon/pool.hpp (filled by the pool work of issue 14).
#include "common.hpp"

namespace theon::python {

void bind_pool(py::module_& /*m*/, py::module_& /*t*/) {}

}  // namespace theon::python
