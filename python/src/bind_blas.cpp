// blas.hpp: dot, outer, tensordot, batched_dot; x.dot(y) and x @ y.
#include "common.hpp"

namespace theon::python {

using namespace pybind11::literals;
py::class_<Var>& var_class();

void bind_blas(py::module_& t) {
  auto& cls = var_class();
  cls.def("dot", [](const Var& a, VarArg b) { return tensor::dot(VarArg(a, b.loc), b); });
  cls.def("__matmul__", [](const Var& a, VarArg b) { return tensor::dot(VarArg(a, b.loc), b); }, py::is_operator());
  cls.def("__rmatmul__", [](const Var& a, VarArg b) { return tensor::dot(b, VarArg(a, b.loc)); }, py::is_operator());

  t.def("dot", [](VarArg a, VarArg b) { return tensor::dot(a, b); }, "a"_a, "b"_a);
  t.def("outer", [](VarArg a, VarArg b) { return tensor::outer(a, b); }, "x"_a, "y"_a);
  t.def("batched_dot", [](VarArg a, VarArg b) { return tensor::batched_dot(a, b); }, "a"_a, "b"_a);
  // axes: an int (the last n of a with the first n of b) or two lists of axes.
  t.def("tensordot", [](VarArg a, VarArg b, py::handle axes) {
    if (py::isinstance<py::int_>(axes)) return tensor::tensordot(a, b, axes.cast<int>());
    auto pair = axes.cast<std::vector<py::object>>();
    if (pair.size() != 2) throw py::value_error("tensordot: axes must be an int or a pair of axis lists");
    auto side = [](const py::object& o) {
      return py::isinstance<py::int_>(o) ? std::vector<int>{o.cast<int>()} : o.cast<std::vector<int>>();
    };
    return tensor::tensordot(a, b, {side(pair[0]), side(pair[1])});
  }, "a"_a, "b"_a, "axes"_a = 2);
}

}  // namespace theon::python
