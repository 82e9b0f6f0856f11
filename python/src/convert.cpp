// Python operands as graph variables, and Python axes/shapes as the C++ argument types.
#include <climits>
#include <limits>
#include <utility>

#include "common.hpp"

namespace theon::python {
namespace {

bool is_numpy_scalar(py::handle obj) {
  static PyObject* generic = py::object(py::module_::import("numpy").attr("generic")).release().ptr();
  return PyObject_IsInstance(obj.ptr(), generic) == 1;
}

// A ShapeArg from a runtime list: ShapeArg takes an initializer_list, whose length is
// fixed at compile time, so expand one call per length.
template <size_t... I>
ShapeArg shape_of(const std::vector<VarArg>& d, const Loc& loc, std::index_sequence<I...>) {
  return ShapeArg({d[I]...}, loc);
}
template <size_t N = 0>
ShapeArg shape_from_entries(const std::vector<VarArg>& d, const Loc& loc) {
  if constexpr (N > 32) {
    THEON_FAIL(ValueError) << "shapes of more than 32 dimensions are not supported";
  } else {
    if (d.size() == N) return shape_of(d, loc, std::make_index_sequence<N>{});
    return shape_from_entries<N + 1>(d, loc);
  }
}

// A Python or NumPy integer as int64: TypeError when it is not an integer, OverflowError
// when it does not fit, each naming `what` and the value (rather than pybind11's "Unable
// to cast Python instance to C++ type").
int64_t int64_from_py(py::handle obj, const char* what) {
  py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(obj.ptr()));
  if (!index) {
    PyErr_Clear();
    throw py::type_error(std::string(what) + " must be an integer or a symbolic integer scalar, got " +
                         py::repr(obj).cast<std::string>());
  }
  int overflow = 0;
  const long long n = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
  if (overflow != 0) {
    const std::string text = py::str(index).cast<std::string>();
    PyErr_Format(PyExc_OverflowError, "the %s %s does not fit in int64", what, text.c_str());
    throw py::error_already_set();
  }
  return static_cast<int64_t>(n);
}

int axis_from_py(py::handle obj) {
  const int64_t axis = int64_from_py(obj, "axis");
  THEON_CHECK_USER(axis >= INT_MIN && axis <= INT_MAX, ValueError) << "axis " << axis << " is out of range";
  return static_cast<int>(axis);
}

}  // namespace

std::optional<Var> try_as_var(py::handle obj, const Loc& loc) {
  if (py::isinstance<Var>(obj)) return obj.cast<Var>();
  PyObject* p = obj.ptr();
  // Python numbers are weak constants (Theano's autocasting of literals).
  if (PyBool_Check(p)) return weak_constant(array(p == Py_True), loc);
  if (PyLong_Check(p)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(p, &overflow);
    if (overflow == 0) return weak_constant(array(static_cast<int64_t>(v)), loc);
    return weak_constant(array(PyLong_AsDouble(p)), loc);
  }
  if (PyFloat_Check(p)) return weak_constant(array(PyFloat_AS_DOUBLE(p)), loc);
  if (PyComplex_Check(p)) {
    return weak_constant(array(complex128(PyComplex_RealAsDouble(p), PyComplex_ImagAsDouble(p))), loc);
  }
  // Arrays, NumPy scalars and (nested) lists of numbers are constants of their dtype.
  if (py::isinstance<py::array>(obj) || is_numpy_scalar(obj) || PyList_Check(p) || PyTuple_Check(p)) {
    try {
      py::array a = py::module_::import("numpy").attr("asarray")(obj);
      if (!dtype_from_numpy(a.dtype()) && a.dtype().kind() == 'O') return std::nullopt;
      return constant(to_ndarray(a), "", loc);
    } catch (const py::error_already_set&) {
      return std::nullopt;
    } catch (const TypeError&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

Var as_var(py::handle obj, const Loc& loc) {
  auto v = try_as_var(obj, loc);
  if (!v) {
    throw py::type_error("cannot use " + py::repr(obj).cast<std::string>() + " (of type " +
                         py::str(py::type::of(obj).attr("__name__")).cast<std::string>() +
                         ") as a Theon variable");
  }
  return *v;
}

Var as_var(py::handle obj) { return as_var(obj, py_loc()); }

Vars as_vars(py::handle sequence) {
  Vars out;
  if (py::isinstance<Var>(sequence)) {
    out.push_back(sequence.cast<Var>());
    return out;
  }
  const Loc loc = py_loc();
  for (py::handle item : sequence) out.push_back(as_var(item, loc));
  return out;
}

VarArg as_vararg(py::handle obj) {
  const Loc loc = py_loc();
  return VarArg(as_var(obj, loc), loc);
}

Axes axes_from_py(py::handle axis) {
  if (axis.is_none()) return Axes();
  if (py::isinstance<py::int_>(axis) || is_numpy_scalar(axis)) return Axes(axis_from_py(axis));
  std::vector<int> axes;
  for (py::handle a : axis) axes.push_back(axis_from_py(a));
  return Axes(std::move(axes));
}

ShapeArg shape_from_py(py::handle shape) {
  const Loc loc = py_loc();
  if (py::isinstance<Var>(shape)) return ShapeArg(shape.cast<Var>(), loc);
  if (py::isinstance<py::int_>(shape)) return ShapeArg(std::vector<int64_t>{int64_from_py(shape, "shape entry")}, loc);
  std::vector<VarArg> entries;
  bool all_ints = true;
  std::vector<int64_t> ints;
  for (py::handle d : shape) {
    if (py::isinstance<Var>(d)) {
      all_ints = false;
      entries.emplace_back(d.cast<Var>(), loc);
    } else {
      const int64_t n = int64_from_py(d, "shape entry");
      ints.push_back(n);
      entries.emplace_back(weak_constant(array(n), loc), loc);
    }
  }
  if (all_ints) return ShapeArg(ints, loc);
  return shape_from_entries(entries, loc);
}

}  // namespace theon::python
