// shared.hpp: theon.shared(value, name, borrow) and get_value / set_value. With
// borrow=True a NumPy value is used in place (no copy), and get_value(borrow=True)
// returns a NumPy array viewing the stored value.
#include "common.hpp"

namespace theon::python {

using namespace pybind11::literals;

namespace {

SharedVar make_shared(py::handle value, py::handle name, bool borrow, py::handle broadcastable) {
  const Loc loc = py_loc();
  const std::string n = name.is_none() ? std::string() : name.cast<std::string>();
  PyObject* p = value.ptr();
  NDArray a;
  bool copied = true;
  // Python numbers: int64, float64, bool or complex128 0-d values, as in Theano.
  if (PyBool_Check(p)) {
    a = array(p == Py_True);
  } else if (PyLong_Check(p)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(p, &overflow);
    if (overflow != 0) {
      // NumPy would make an object array; Theon, like Theano, has no such dtype.
      const std::string text = py::str(value).cast<std::string>();
      PyErr_Format(PyExc_OverflowError, "shared: the integer %s does not fit in int64", text.c_str());
      throw py::error_already_set();
    }
    if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
    a = array(static_cast<int64_t>(v));
  } else if (PyFloat_Check(p)) {
    a = array(PyFloat_AsDouble(p));
  } else if (py::isinstance<Var>(value)) {
    throw py::type_error("shared: the value must be an array or a number, not a symbolic variable");
  } else {
    a = any_to_ndarray(value, &copied);
  }
  // A value we converted ourselves is private already: no second copy.
  const bool use_in_place = (borrow && !copied) || copied;
  if (!broadcastable.is_none()) {
    BroadcastPattern pattern;
    for (py::handle b : broadcastable) pattern.push_back(b.cast<bool>());
    return shared(a, n, pattern, use_in_place, loc);
  }
  return shared(a, n, use_in_place, loc);
}

}  // namespace

void bind_shared(py::module_& m) {
  py::class_<SharedVar, Var>(m, "SharedVariable", py::dynamic_attr())
      .def("get_value", [](const SharedVar& s, bool borrow, bool) { return to_numpy(s.get_value(borrow)); },
           "borrow"_a = false, "return_internal_type"_a = false)
      .def("set_value", [](SharedVar& s, py::handle value, bool borrow) {
        bool copied = true;
        NDArray a = any_to_ndarray(value, &copied);
        s.set_value(a, borrow || copied);
      }, "value"_a, "borrow"_a = false)
      .def_property_readonly("value", [](const SharedVar& s) { return to_numpy(s.get_value(false)); });

  m.def("shared", &make_shared, "value"_a, "name"_a = py::none(), "borrow"_a = false,
        "broadcastable"_a = py::none());
}

}  // namespace theon::python
