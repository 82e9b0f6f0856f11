// error.hpp: C++ exceptions as Python ones, with the core's messages. TypeError,
// IndexError and MemoryError map to Python's; ShapeError to theon.ShapeError, a ValueError; an
// InternalError (a Theon bug) to theon.InternalError, a RuntimeError; verify_grad's
// GradientError to theon.GradientError, a ValueError.
#include "common.hpp"
#include "theon/verify_grad.hpp"

namespace theon::python {

void bind_errors(py::module_& m) {
  static PyObject* shape_error = PyErr_NewException("theon.ShapeError", PyExc_ValueError, nullptr);
  static PyObject* internal_error = PyErr_NewException("theon.InternalError", PyExc_RuntimeError, nullptr);
  m.attr("ShapeError") = py::reinterpret_borrow<py::object>(shape_error);
  m.attr("InternalError") = py::reinterpret_borrow<py::object>(internal_error);
  // verify_grad's failure, with the worst element's numbers as attributes.
  static PyObject* gradient_error = PyErr_NewException("theon.GradientError", PyExc_ValueError, nullptr);
  m.attr("GradientError") = py::reinterpret_borrow<py::object>(gradient_error);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const theon::GradientError& e) {
      py::object error = py::reinterpret_borrow<py::object>(gradient_error)(e.what());
      error.attr("input") = e.input;
      error.attr("index") = py::tuple(py::cast(e.index));
      error.attr("analytic") = e.analytic;
      error.attr("numeric") = e.numeric;
      error.attr("abs_err") = e.abs_error;
      error.attr("rel_err") = e.rel_error;
      PyErr_SetObject(gradient_error, error.ptr());
    } catch (const theon::TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const theon::ShapeError& e) {
      PyErr_SetString(shape_error, e.what());
    } catch (const theon::ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const theon::IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const theon::MemoryError& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    } catch (const theon::InternalError& e) {
      PyErr_SetString(internal_error, e.what());
    } catch (const theon::UserError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
}

}  // namespace theon::python
