// subtensor.hpp: x[0], x[:, 1], x[::-1], x[i], x[ivec], x[None], x[..., 0], and
// set_subtensor / inc_subtensor.
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
  int consumed = 0;  // axes of x that the key names
  for (py::handle item : items)
    if (!item.is_none() && !item.is(py::ellipsis())) ++consumed;

  std::vector<IndexArg> entries;
  std::vector<int> new_axes;  // positions in the result of None entries
  int out_axis = 0;
  bool seen_ellipsis = false;
  for (py::handle item : items) {
    if (item.is_none()) {
      new_axes.push_back(out_axis++);
    } else if (item.is(py::ellipsis())) {
      THEON_CHECK_USER(!seen_ellipsis, IndexError) << "an index can only have one ellipsis (...)";
      seen_ellipsis = true;
      for (int d = consumed; d < x.ndim(); ++d, ++out_axis) entries.emplace_back(tensor::slice());
    } else if (PySlice_Check(item.ptr())) {
      entries.emplace_back(tensor::slice(bound(item.attr("start")), bound(item.attr("stop")), bound(item.attr("step"))));
      ++out_axis;
    } else {
      Var v = as_var(item, loc);
      THEON_CHECK_USER(!is_bool(v.dtype()), IndexError)
          << "boolean mask indexing is not supported; use T.switch or integer indices";
      if (v.ndim() > 0) ++out_axis;
      entries.emplace_back(VarArg(v, loc));
    }
  }
  Var out = tensor::index(VarArg(x, loc), std::move(entries));
  if (new_axes.empty()) return out;
  std::vector<DimEntry> pattern;
  int next = 0;
  const int total = out.ndim() + static_cast<int>(new_axes.size());
  for (int i = 0; i < total; ++i) {
    if (std::find(new_axes.begin(), new_axes.end(), i) != new_axes.end())
      pattern.emplace_back('x');
    else
      pattern.emplace_back(next++);
  }
  return tensor::dimshuffle(VarArg(out, loc), pattern);
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
