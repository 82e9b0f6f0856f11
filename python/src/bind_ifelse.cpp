// ifelse.hpp: theon.ifelse.ifelse(cond, then, else); lists of branches give lists.
#include "common.hpp"

namespace theon::python {

using namespace pybind11::literals;

void bind_ifelse(py::module_& m) {
  m.def("ifelse", [](VarArg cond, py::handle then_branch, py::handle else_branch, py::handle name) -> py::object {
    if (py::isinstance<py::list>(then_branch) || py::isinstance<py::tuple>(then_branch)) {
      Vars outs = ifelse(cond, as_vars(then_branch), as_vars(else_branch));
      return py::cast(outs);
    }
    Var out = ifelse(cond, as_vararg(then_branch), as_vararg(else_branch));
    if (!name.is_none()) out.set_name(name.cast<std::string>());
    return py::cast(out);
  }, "condition"_a, "then_branch"_a, "else_branch"_a, "name"_a = py::none());
}

}  // namespace theon::python
