// reduce.hpp: T.sum(x, axis=None, keepdims=False) and friends, and the same as methods
// (x.sum(axis=1)).
#include "common.hpp"

namespace theon::python {

using namespace pybind11::literals;
py::class_<Var>& var_class();

namespace {

using Reduction = Var (*)(VarArg, Axes, bool);

// T.sum(x, axis, dtype, keepdims, acc_dtype): `dtype` casts the input first, as the
// accumulation type; acc_dtype is accepted and ignored (Theon picks its accumulator).
py::cpp_function reduction(const char* name, Reduction f) {
  return py::cpp_function(
      [f](VarArg x, py::handle axis, py::handle dtype, bool keepdims, py::handle) {
        if (!dtype.is_none()) x = VarArg(tensor::cast(x, dtype_from_py(dtype)), x.loc);
        return f(x, axes_from_py(axis), keepdims);
      },
      py::name(name), py::arg("x"), py::arg("axis") = py::none(), py::arg("dtype") = py::none(),
      py::arg("keepdims") = false, py::arg("acc_dtype") = py::none());
}

// max/min/all/any take no dtype.
py::cpp_function plain_reduction(const char* name, Reduction f) {
  return py::cpp_function(
      [f](VarArg x, py::handle axis, bool keepdims) { return f(x, axes_from_py(axis), keepdims); },
      py::name(name), py::arg("x"), py::arg("axis") = py::none(), py::arg("keepdims") = false);
}

using Arg = Var (*)(VarArg, std::optional<int>, bool);

std::optional<int> single_axis(py::handle axis, const char* op) {
  if (axis.is_none()) return std::nullopt;
  if (py::isinstance<py::int_>(axis)) return axis.cast<int>();
  auto axes = axis.cast<std::vector<int>>();
  if (axes.size() != 1) throw py::value_error(std::string(op) + ": only one axis (or None) is supported");
  return axes[0];
}

py::cpp_function arg_reduction(Arg f, const char* name) {
  return py::cpp_function(
      [f, name](VarArg x, py::handle axis, bool keepdims) { return f(x, single_axis(axis, name), keepdims); },
      py::name(name), py::arg("x"), py::arg("axis") = py::none(), py::arg("keepdims") = false);
}

Var var_ddof(Reduction f, VarArg x, py::handle axis, int ddof, bool keepdims) {
  if (ddof != 0) throw py::value_error("var/std: only ddof=0 is supported (as Theano's default)");
  return f(x, axes_from_py(axis), keepdims);
}

}  // namespace

void bind_reduce(py::module_& t) {
  auto& cls = var_class();
  const std::pair<const char*, Reduction> with_dtype[] = {
      {"sum", &tensor::sum}, {"prod", &tensor::prod}, {"mean", &tensor::mean}};
  const std::pair<const char*, Reduction> plain[] = {
      {"max", &tensor::max}, {"min", &tensor::min}, {"all", &tensor::all}, {"any", &tensor::any}};
  for (const auto& [name, f] : with_dtype) {
    t.attr(name) = reduction(name, f);
    cls.attr(name) = py::cpp_function(
        [f = f](const Var& x, py::handle axis, py::handle dtype, bool keepdims, py::handle) {
          VarArg in(x, py_loc());
          if (!dtype.is_none()) in = VarArg(tensor::cast(in, dtype_from_py(dtype)), in.loc);
          return f(in, axes_from_py(axis), keepdims);
        },
        py::name(name), py::is_method(cls), py::arg("axis") = py::none(), py::arg("dtype") = py::none(),
        py::arg("keepdims") = false, py::arg("acc_dtype") = py::none());
  }
  for (const auto& [name, f] : plain) {
    t.attr(name) = plain_reduction(name, f);
    cls.attr(name) = py::cpp_function(
        [f = f](const Var& x, py::handle axis, bool keepdims) {
          return f(VarArg(x, py_loc()), axes_from_py(axis), keepdims);
        },
        py::name(name), py::is_method(cls), py::arg("axis") = py::none(), py::arg("keepdims") = false);
  }
  const std::pair<const char*, Reduction> spreads[] = {{"var", &tensor::var}, {"std", &tensor::std_}};
  for (const auto& [name, f] : spreads) {
    t.attr(name) = py::cpp_function(
        [f = f](VarArg x, py::handle axis, int ddof, bool keepdims) { return var_ddof(f, x, axis, ddof, keepdims); },
        py::name(name), py::arg("x"), py::arg("axis") = py::none(), py::arg("ddof") = 0, py::arg("keepdims") = false);
    cls.attr(name) = py::cpp_function(
        [f = f](const Var& x, py::handle axis, int ddof, bool keepdims) {
          return var_ddof(f, VarArg(x, py_loc()), axis, ddof, keepdims);
        },
        py::name(name), py::is_method(cls), py::arg("axis") = py::none(), py::arg("ddof") = 0, py::arg("keepdims") = false);
  }
  const std::pair<const char*, Arg> args[] = {{"argmax", &tensor::argmax}, {"argmin", &tensor::argmin}};
  for (const auto& [name, f] : args) {
    t.attr(name) = arg_reduction(f, name);
    cls.attr(name) = py::cpp_function(
        [f = f, name = name](const Var& x, py::handle axis, bool keepdims) {
          return f(VarArg(x, py_loc()), single_axis(axis, name), keepdims);
        },
        py::name(name), py::is_method(cls), py::arg("axis") = py::none(), py::arg("keepdims") = false);
  }
  t.def("max_and_argmax", [](VarArg x, py::handle axis, bool keepdims) {
    return py::make_tuple(tensor::max(x, axes_from_py(axis), keepdims),
                          tensor::argmax(x, single_axis(axis, "max_and_argmax"), keepdims));
  }, "a"_a, "axis"_a = py::none(), "keepdims"_a = false);
}

}  // namespace theon::python
