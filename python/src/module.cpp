// The extension module theon._theon. Each bind_<area>.cpp binds one public header;
// python/theon/ arranges the names as Theano's modules (theon.tensor, theon.ifelse...).
#include "common.hpp"

namespace theon::python {
void bind_scan(py::module_& m);                        // bind_scan.cpp
void bind_random(py::module_& m, py::module_& t);     // bind_random.cpp
void bind_extra_ops(py::module_& m, py::module_& t);  // bind_extra_ops.cpp
void bind_linalg(py::module_& m, py::module_& t);     // bind_linalg.cpp
void bind_conv(py::module_& m, py::module_& t);       // bind_conv.cpp
void bind_pool(py::module_& m, py::module_& t);       // bind_pool.cpp
void bind_bn(py::module_& m, py::module_& t);         // bind_bn.cpp
void bind_debug(py::module_& m);                       // bind_debug.cpp
void bind_profile(py::module_& m);                     // bind_profile.cpp
void bind_serialize(py::module_& m);                   // bind_serialize.cpp
void bind_pyop(py::module_& m);                        // bind_pyop.cpp
void bind_test_value(py::module_& m);                  // bind_test_value.cpp
void bind_distributed(py::module_& m);                 // bind_distributed.cpp
}

PYBIND11_MODULE(_theon, m) {
  using namespace theon::python;
  m.doc() = "Theon's C++ core; import theon instead.";
  py::module_ t = m.def_submodule("tensor", "Theano's theano.tensor names");
  bind_errors(m);
  bind_array(m);
  bind_config(m);
  bind_tensor(m, t);
  bind_operators(m);
  bind_reduce(t);
  bind_shape(m, t);
  bind_subtensor(m, t);
  bind_blas(t);
  bind_graph(m);
  bind_shared(m);
  bind_function(m);
  bind_grad(m, t);
  bind_print(m);
  bind_ifelse(m);
  bind_nnet(t);
  bind_scan(m);
  bind_random(m, t);
  bind_extra_ops(m, t);
  bind_linalg(m, t);
  bind_conv(m, t);
  bind_pool(m, t);
  bind_bn(m, t);
  bind_debug(m);
  bind_profile(m);
  bind_serialize(m);
  bind_pyop(m);
  bind_test_value(m);
  bind_distributed(m);
  m.def("_set_internal_paths", &set_internal_paths);
}
