// Python bindings of include/theon/bn.hpp (filled by the bn work of issue 14).
#include "common.hpp"

namespace theon::python {

void bind_bn(py::module_& /*m*/, py::module_& /*t*/) {}

}  // namespace theon::python
