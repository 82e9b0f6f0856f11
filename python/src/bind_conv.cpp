// Python bindings of include/theon/conv.hpp (filled by the conv work of issue 14).
#include "common.hpp"

namespace theon::python {

void bind_conv(py::module_& /*m*/, py::module_& /*t*/) {}

}  // namespace theon::python
