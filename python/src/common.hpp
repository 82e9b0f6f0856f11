// Shared pieces of the Python binding: NumPy conversion, Python source locations, the
// conversion of Python operands to variables, and one bind_<area> entry per header.
//
// Python values become graph operands as Theano makes them: a Variable is used as is;
// a Python bool, int, float or complex becomes a weak constant (it takes the other
// operand's dtype, `fvector * 2.0` stays float32); NumPy arrays, NumPy scalars and lists
// become constants of their NumPy dtype.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "theon/theon.hpp"

namespace py = pybind11;

namespace theon::python {

// ---- locations ----
// The Python caller's line as a Loc ("train.py:12 in <module>"), skipping frames inside
// the theon package itself; the binding's own line when no Python frame is running.
Loc py_loc();
// Directories whose frames py_loc skips (the package's own Python files).
void set_internal_paths(std::vector<std::string> prefixes);

// ---- NumPy ----
// The dtype a NumPy dtype maps to, if Theon has it.
std::optional<DType> dtype_from_numpy(const py::dtype& dt);
py::dtype numpy_dtype(DType dtype);
// DType from a string, a NumPy dtype or a NumPy scalar type (np.float32).
DType dtype_from_py(py::handle obj);
// A NumPy array as an NDArray. Without a copy when its dtype is Theon's, its byte order
// native and its strides multiples of the item size: the NDArray then borrows the
// NumPy memory and keeps the array alive. `copied` (if given) says which happened.
NDArray to_ndarray(const py::array& a, bool* copied = nullptr);
// Any array-like (nested lists, NumPy scalars): np.asarray first.
NDArray any_to_ndarray(py::handle obj, bool* copied = nullptr);
// An NDArray as a NumPy array viewing the same memory; the array keeps it alive. With
// copy_small, contiguous arrays of at most 64 bytes (0-d results) are copied instead:
// cheaper than the keep-alive object, and the function keeps reusing its buffer.
py::array to_numpy(NDArray a, bool copy_small = false);

// ---- variables ----
// `obj` as a variable (see the header comment); nullopt when it cannot be one.
std::optional<Var> try_as_var(py::handle obj, const Loc& loc);
// The same, raising TypeError for what cannot be one.
Var as_var(py::handle obj, const Loc& loc);
Var as_var(py::handle obj);
Vars as_vars(py::handle sequence);
// A Var from a Python Var or Python scalar/array, keeping the Python caller's line.
VarArg as_vararg(py::handle obj);

// Reduction axes from None, an int or a sequence of ints.
Axes axes_from_py(py::handle axis);
// A shape from a sequence of ints and int variables, or from one int vector variable.
ShapeArg shape_from_py(py::handle shape);

// ---- one per area ----
void bind_errors(py::module_& m);
void bind_array(py::module_& m);
void bind_config(py::module_& m);
void bind_tensor(py::module_& m, py::module_& t);
void bind_operators(py::module_& m);
void bind_reduce(py::module_& t);
void bind_shape(py::module_& m, py::module_& t);
void bind_subtensor(py::module_& m, py::module_& t);
void bind_blas(py::module_& t);
void bind_function(py::module_& m);
void bind_shared(py::module_& m);
void bind_graph(py::module_& m);
void bind_grad(py::module_& m, py::module_& t);
void bind_print(py::module_& m);
void bind_ifelse(py::module_& m);
void bind_nnet(py::module_& t);

}  // namespace theon::python

// A Var handle to a shared variable comes out as a SharedVariable (with get_value),
// whichever C++ path produced it. SharedVar adds no data to Var.
namespace pybind11 {
template <>
struct polymorphic_type_hook<theon::Var> {
  static const void* get(const theon::Var* src, const std::type_info*& type) {
    if (src != nullptr && src->defined() && src->is_shared()) type = &typeid(theon::SharedVar);
    return src;
  }
};
}  // namespace pybind11

// VarArg converts from any Python operand (see as_vararg), so ops bind directly:
//   t.def("exp", py::overload_cast<VarArg>(&theon::tensor::exp));
namespace pybind11::detail {
template <>
struct type_caster<theon::VarArg> {
  theon::VarArg value{theon::Var()};
  static constexpr auto name = const_name("TensorVariable");
  bool load(handle src, bool) {
    const theon::Loc loc = theon::python::py_loc();
    auto v = theon::python::try_as_var(src, loc);
    if (!v) return false;
    value = theon::VarArg(*v, loc);
    return true;
  }
  static handle cast(const theon::VarArg& v, return_value_policy p, handle parent) {
    return type_caster_base<theon::Var>::cast(v.var, p, parent);
  }
  operator theon::VarArg*() { return &value; }
  operator theon::VarArg&() { return value; }
  operator theon::VarArg&&() && { return std::move(value); }
  template <typename T>
  using cast_op_type = movable_cast_op_type<T>;
};
}  // namespace pybind11::detail
