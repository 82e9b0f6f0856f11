// subtensor.hpp: x[0], x[:, 1], x[::-1], x[i], x[None], x[..., 0], x[ivec],
// x[arange(n), y], x[:, imatrix], x[x > 0] (NumPy's full indexing), and
// set_subtensor / inc_subtensor of any of them.
#include "common.hpp"

namespace theon::python {

using namespace pybind11::literals;
py::class_<Var>& var_class();

namespace {

std::optional<VarArg> bound(py::handle b) {
  if (b.is_none()) return std::nullopt;
  return as_vararg(b);
}

Var getitem(const Var& x, py::handle key) {
  const Loc loc = py_loc();
  py::tuple items = py::isinstance<py::tuple>(key) ? py::reinterpret_borrow<py::tuple>(key) : py::make_tuple(key);
  std::vector<IndexArg> entries;
  for (py::handle item : items) {
    if (item.is_none()) {
      entries.emplace_back(tensor::newaxis);
    } else if (item.is(py::ellipsis())) {
      entries.emplace_back(tensor::ellipsis);
    } else if (PySlice_Check(item.ptr())) {
      entries.emplace_back(tensor::slice(bound(item.attr("start")), bound(item.attr("stop")), bound(item.attr("step"))));
    } else {
      entries.emplace_back(VarArg(as_var(item, loc), loc));
    }
  }
  return tensor::index(VarArg(x, loc), std::move(entries));
}

}  // namespace

void bind_subtensor(py::module_&, py::module_& t) {
  auto& cls = var_class();
  cls.def("__getitem__", &getitem);
  cls.def("__setitem__", [](const Var&, py::handle, py::handle) {
    throw py::type_error(
        "TensorVariable does not support item assignment: use T.set_subtensor(x[...], value) "
        "or T.inc_subtensor");
  });
  t.def("set_subtensor", [](VarArg x, VarArg y, bool, bool) { return tensor::set_subtensor(x, y); },
        "x"_a, "y"_a, "inplace"_a = false, "tolerate_inplace_aliasing"_a = false);
  t.def("inc_subtensor", [](VarArg x, VarArg y, bool, bool) { return tensor::inc_subtensor(x, y); },
        "x"_a, "y"_a, "inplace"_a = false, "tolerate_inplace_aliasing"_a = false);
}

}  // namespace theon::python
