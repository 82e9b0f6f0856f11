// Python bindings for data-parallel training (theon/distributed.hpp);
// python/theon/distributed.py is the user-facing module. Filled in by issue 17's work.
#include "common.hpp"

namespace theon::python {

void bind_distributed(py::module_& m) { (void)m; }

}  // namespace theon::python
