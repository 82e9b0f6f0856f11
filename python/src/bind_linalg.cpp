// Binds nlinalg and slinalg (include/theon/linalg.hpp).
#include "common.hpp"

namespace theon::python {

void bind_linalg(py::module_& m, py::module_& t) {
  (void)m;
  (void)t;
}

}  // namespace theon::python
