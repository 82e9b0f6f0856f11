// nnet.hpp is not there yet: T.nnet comes from python/theon/tensor/nnet.py, built from
// the element-wise ops. This binds the C++ versions once the header lands.
#include "common.hpp"

namespace theon::python {

void bind_nnet(py::module_&) {}

}  // namespace theon::python
