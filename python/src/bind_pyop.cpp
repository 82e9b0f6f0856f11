// Python bindings for ops defined in Python (theano.Op subclasses, as_op).
#include "common.hpp"

namespace theon::python {

void bind_pyop(py::module_& /*m*/) {}

}  // namespace theon::python
