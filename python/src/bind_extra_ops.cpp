// Binds extra_ops, sorting and the rest of the everyday tensor API (include/theon/extra_ops.hpp),
// with Theano's argument names and defaults, and the matching variable methods (x.sort(),
// x.cumsum(), x.repeat(...)). python/theon/tensor/extra_ops.py arranges them as Theano's
// theano.tensor.extra_ops.
#include "common.hpp"
#include "theon/extra_ops.hpp"

namespace theon::python {

using namespace pybind11::literals;
py::class_<Var>& var_class();

namespace {

std::optional<VarArg> optional_operand(py::handle obj) {
  if (obj.is_none()) return std::nullopt;
  return as_vararg(obj);
}

std::optional<DType> optional_dtype(py::handle dtype) {
  if (dtype.is_none()) return std::nullopt;
  return dtype_from_py(dtype);
}

char order_from_py(const std::string& order, const char* op) {
  THEON_CHECK_USER(order == "C" || order == "F", ValueError)
      << op << ": order must be 'C' or 'F', got '" << order << "'";
  return order[0];
}

// Theano's kind and order arguments: every kind gives the same stable sort; structured
// arrays (order) do not exist here.
void check_sort_args(const char* op, const std::string& kind, py::handle order) {
  THEON_CHECK_USER(kind == "quicksort" || kind == "mergesort" || kind == "heapsort" || kind == "stable",
                   ValueError)
      << op << ": unknown kind '" << kind << "' (quicksort, mergesort, heapsort or stable)";
  THEON_CHECK_USER(order.is_none(), ValueError)
      << op << ": order (fields of structured arrays) is not supported";
}

Var sort(VarArg a, std::optional<int> axis, const std::string& kind, py::handle order) {
  check_sort_args("sort", kind, order);
  return tensor::sort(a, axis);
}

Var argsort(VarArg a, std::optional<int> axis, const std::string& kind, py::handle order) {
  check_sort_args("argsort", kind, order);
  return tensor::argsort(a, axis);
}

// A scalar reps or shape is a one-entry list, as in NumPy.
ShapeArg shape_list(py::handle s) {
  if (py::isinstance<Var>(s) && s.cast<Var>().ndim() == 0)
    return ShapeArg({VarArg(s.cast<Var>(), py_loc())}, py_loc());
  return shape_from_py(s);
}

py::tuple as_tuple(const std::vector<Var>& vars) {
  py::tuple t(vars.size());
  for (size_t i = 0; i < vars.size(); ++i) t[i] = py::cast(vars[i]);
  return t;
}

}  // namespace

void bind_extra_ops(py::module_& m, py::module_& t) {
  (void)m;
  t.def("cumsum", [](VarArg x, std::optional<int> axis) { return tensor::cumsum(x, axis); }, "x"_a,
        "axis"_a = py::none());
  t.def("cumprod", [](VarArg x, std::optional<int> axis) { return tensor::cumprod(x, axis); }, "x"_a,
        "axis"_a = py::none());
  t.def("diff", [](VarArg x, int n, int axis) { return tensor::diff(x, n, axis); }, "x"_a, "n"_a = 1,
        "axis"_a = -1);
  t.def("repeat", [](VarArg x, VarArg repeats, std::optional<int> axis) {
    return tensor::repeat(x, repeats, axis);
  }, "x"_a, "repeats"_a, "axis"_a = py::none());
  t.def("tile", [](VarArg x, py::handle reps, std::optional<int> ndim) {
    return tensor::tile(x, shape_list(reps), ndim);
  }, "x"_a, "reps"_a, "ndim"_a = py::none());
  t.def("roll", [](VarArg x, VarArg shift, std::optional<int> axis) { return tensor::roll(x, shift, axis); },
        "x"_a, "shift"_a, "axis"_a = py::none());
  t.def("sort", &sort, "a"_a, "axis"_a = -1, "kind"_a = "quicksort", "order"_a = py::none());
  t.def("argsort", &argsort, "a"_a, "axis"_a = -1, "kind"_a = "quicksort", "order"_a = py::none());
  t.def("searchsorted", [](VarArg x, VarArg v, const std::string& side, py::handle sorter) {
    return tensor::searchsorted(x, v, side, optional_operand(sorter));
  }, "x"_a, "v"_a, "side"_a = "left", "sorter"_a = py::none());
  t.def("specify_shape", [](VarArg x, py::handle shape) {
    // Theano's None for a length left unchecked.
    if (!py::isinstance<Var>(shape)) {
      py::list entries;
      for (py::handle d : shape) entries.append(d.is_none() ? py::int_(-1) : py::reinterpret_borrow<py::object>(d));
      return tensor::specify_shape(x, shape_from_py(entries));
    }
    return tensor::specify_shape(x, shape_from_py(shape));
  }, "x"_a, "shape"_a);
  t.def("fill_diagonal", [](VarArg a, VarArg val) { return tensor::fill_diagonal(a, val); }, "a"_a, "val"_a);
  t.def("fill_diagonal_offset", [](VarArg a, VarArg val, VarArg offset) {
    return tensor::fill_diagonal_offset(a, val, offset);
  }, "a"_a, "val"_a, "offset"_a);
  t.def("to_one_hot", [](VarArg y, VarArg nb_class, py::handle dtype) {
    return tensor::to_one_hot(y, nb_class, optional_dtype(dtype));
  }, "y"_a, "nb_class"_a, "dtype"_a = py::none());
  // assert_nonneg: Theano's opt-in check; negative values always raise ValueError here.
  t.def("bincount", [](VarArg x, py::handle weights, py::handle minlength, bool) {
    return tensor::bincount(x, optional_operand(weights), optional_operand(minlength));
  }, "x"_a, "weights"_a = py::none(), "minlength"_a = py::none(), "assert_nonneg"_a = false);
  t.def("unravel_index", [](VarArg indices, py::handle dims, const std::string& order) {
    return as_tuple(tensor::unravel_index(indices, shape_list(dims), order_from_py(order, "unravel_index")));
  }, "indices"_a, "dims"_a, "order"_a = "C");
  t.def("ravel_multi_index", [](py::handle multi_index, py::handle dims, const std::string& mode,
                                const std::string& order) {
    return tensor::ravel_multi_index(as_vars(multi_index), shape_list(dims), mode,
                                     order_from_py(order, "ravel_multi_index"), py_loc());
  }, "multi_index"_a, "dims"_a, "mode"_a = "raise", "order"_a = "C");
  t.def("nonzero", [](VarArg a, bool return_matrix) -> py::object {
    auto rows = tensor::nonzero(a);
    if (return_matrix) return py::cast(tensor::stack(rows, 0, a.loc));
    return as_tuple(rows);
  }, "a"_a, "return_matrix"_a = false);
  t.def("flatnonzero", [](VarArg a) { return tensor::flatnonzero(a); }, "a"_a);
  t.def("nonzero_values", [](VarArg a) { return tensor::nonzero_values(a); }, "a"_a);
  t.def("compress", [](VarArg condition, VarArg x, std::optional<int> axis) {
    return tensor::compress(condition, x, axis);
  }, "condition"_a, "x"_a, "axis"_a = py::none());
  t.def("bartlett", [](VarArg M) { return tensor::bartlett(M); }, "M"_a);

  // Theano's variable methods of the same operations.
  var_class()
      .def("sort", [](const Var& x, std::optional<int> axis, const std::string& kind, py::handle order) {
        return sort(VarArg(x, py_loc()), axis, kind, order);
      }, "axis"_a = -1, "kind"_a = "quicksort", "order"_a = py::none())
      .def("argsort", [](const Var& x, std::optional<int> axis, const std::string& kind, py::handle order) {
        return argsort(VarArg(x, py_loc()), axis, kind, order);
      }, "axis"_a = -1, "kind"_a = "quicksort", "order"_a = py::none())
      .def("cumsum", [](const Var& x, std::optional<int> axis) { return tensor::cumsum(VarArg(x, py_loc()), axis); },
           "axis"_a = py::none())
      .def("cumprod", [](const Var& x, std::optional<int> axis) { return tensor::cumprod(VarArg(x, py_loc()), axis); },
           "axis"_a = py::none())
      .def("repeat", [](const Var& x, VarArg repeats, std::optional<int> axis) {
        return tensor::repeat(VarArg(x, py_loc()), repeats, axis);
      }, "repeats"_a, "axis"_a = py::none())
      .def("nonzero", [](const Var& x, bool return_matrix) -> py::object {
        auto rows = tensor::nonzero(VarArg(x, py_loc()));
        if (return_matrix) return py::cast(tensor::stack(rows, 0, py_loc()));
        return as_tuple(rows);
      }, "return_matrix"_a = false)
      .def("nonzero_values", [](const Var& x) { return tensor::nonzero_values(VarArg(x, py_loc())); })
      .def("compress", [](const Var& x, VarArg condition, std::optional<int> axis) {
        return tensor::compress(condition, VarArg(x, py_loc()), axis);
      }, "condition"_a, "axis"_a = py::none());
}

}  // namespace theon::python
