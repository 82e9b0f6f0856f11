// Python operators on variables, with the reflected forms Python and NumPy scalars use
// (2 * x calls x.__rmul__). An operand that is not a variable, number or array gives
// NotImplemented, so Python raises its usual TypeError.
#include "common.hpp"

namespace theon::python {

py::class_<Var>& var_class();

namespace {

// x OP y and y OP x (reflected), with `self` at the line of the other operand's use.
#define THEON_PY_BINARY(PYNAME, RPYNAME, OP)                                                    \
  cls.def(PYNAME, [](const Var& a, VarArg b) { return VarArg(a, b.loc) OP b; }, py::is_operator()); \
  cls.def(RPYNAME, [](const Var& a, VarArg b) { return b OP VarArg(a, b.loc); }, py::is_operator());

#define THEON_PY_BINARY_FN(PYNAME, RPYNAME, FN)                                                 \
  cls.def(PYNAME, [](const Var& a, VarArg b) { return FN(VarArg(a, b.loc), b); }, py::is_operator()); \
  cls.def(RPYNAME, [](const Var& a, VarArg b) { return FN(b, VarArg(a, b.loc)); }, py::is_operator());

}  // namespace

void bind_operators(py::module_&) {
  auto& cls = var_class();
  THEON_PY_BINARY("__add__", "__radd__", +)
  THEON_PY_BINARY("__sub__", "__rsub__", -)
  THEON_PY_BINARY("__mul__", "__rmul__", *)
  THEON_PY_BINARY("__truediv__", "__rtruediv__", /)
  THEON_PY_BINARY("__mod__", "__rmod__", %)
  THEON_PY_BINARY("__and__", "__rand__", &)
  THEON_PY_BINARY("__or__", "__ror__", |)
  THEON_PY_BINARY("__xor__", "__rxor__", ^)
  THEON_PY_BINARY_FN("__floordiv__", "__rfloordiv__", tensor::floor_div)
  THEON_PY_BINARY_FN("__pow__", "__rpow__", tensor::pow)
  // Comparisons build graph nodes; a reflected < is the other operand's >.
  cls.def("__lt__", [](const Var& a, VarArg b) { return VarArg(a, b.loc) < b; }, py::is_operator());
  cls.def("__le__", [](const Var& a, VarArg b) { return VarArg(a, b.loc) <= b; }, py::is_operator());
  cls.def("__gt__", [](const Var& a, VarArg b) { return VarArg(a, b.loc) > b; }, py::is_operator());
  cls.def("__ge__", [](const Var& a, VarArg b) { return VarArg(a, b.loc) >= b; }, py::is_operator());
  cls.def("__neg__", [](const Var& a) { return -VarArg(a, py_loc()); });
  cls.def("__pos__", [](const Var& a) { return a; });
  cls.def("__abs__", [](const Var& a) { return tensor::abs(VarArg(a, py_loc())); });
  cls.def("__invert__", [](const Var& a) { return ~VarArg(a, py_loc()); });
}

#undef THEON_PY_BINARY
#undef THEON_PY_BINARY_FN

}  // namespace theon::python
