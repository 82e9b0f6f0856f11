// Binds random streams (include/theon/random.hpp).
#include "common.hpp"

namespace theon::python {

void bind_random(py::module_& m, py::module_& t) {
  (void)m;
  (void)t;
}

}  // namespace theon::python
