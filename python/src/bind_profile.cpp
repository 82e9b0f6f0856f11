// Python bindings for profiling: function(profile=True).
#include "common.hpp"

namespace theon::python {

void bind_profile(py::module_& /*m*/) {}

}  // namespace theon::python
