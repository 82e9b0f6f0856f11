// Python bindings for test values (theon/test_value.hpp). python/theon/test_values.py
// converts values as Theano's TensorType.filter does and gives `x.tag.test_value`.
#include "common.hpp"
#include "theon/test_value.hpp"

namespace theon::python {

void bind_test_value(py::module_& m) {
  m.def("_get_test_value", [](const Var& v) -> py::object {
    if (!has_test_value(v)) return py::none();
    return to_numpy(test_value(v));
  });
  m.def("_set_test_value", [](const Var& v, const py::array& value) { set_test_value(v, to_ndarray(value)); });
  m.def("_clear_test_value", &clear_test_value);
  m.def("_has_test_value", &has_test_value);
  // Warnings ('warn') go to Python's warnings module; 'pdb' calls the package's hook.
  // Both run where the graph is built, with the GIL held by the Python caller.
  set_test_value_warning_handler([](const std::string& message) {
    py::gil_scoped_acquire gil;
    py::module_::import("theon.test_values").attr("_warn")(message);
  });
  set_test_value_debug_hook([](const std::string& message) {
    py::gil_scoped_acquire gil;
    py::module_::import("theon.test_values").attr("_debug_hook")(message);
  });
}

}  // namespace theon::python
