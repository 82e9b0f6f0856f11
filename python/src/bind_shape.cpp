// shape_ops.hpp: shapes, reshape, dimshuffle, transpose, joining and splitting, and
// arrays made from a shape; the matching variable methods (x.shape, x.T, x.reshape...).
#include "common.hpp"

namespace theon::python {

using namespace pybind11::literals;
py::class_<Var>& var_class();

namespace {

std::vector<DimEntry> pattern_from(py::handle items) {
  std::vector<DimEntry> pattern;
  for (py::handle e : items) {
    if (py::isinstance<py::str>(e)) {
      const auto s = e.cast<std::string>();
      if (s != "x") throw py::value_error("dimshuffle: entries are axes or 'x', got '" + s + "'");
      pattern.emplace_back('x');
    } else {
      pattern.emplace_back(e.cast<int>());
    }
  }
  return pattern;
}

// Accepts f(a, b, c) and f((a, b, c)), as Theano's dimshuffle and reshape do.
py::object one_or_many(py::args args) {
  if (args.size() == 1 && (py::isinstance<py::tuple>(args[0]) || py::isinstance<py::list>(args[0])))
    return args[0];
  return args;
}

std::optional<DType> optional_dtype(py::handle dtype) {
  if (dtype.is_none()) return std::nullopt;
  return dtype_from_py(dtype);
}

std::vector<int> int_list(py::args args) {
  std::vector<int> out;
  for (py::handle a : one_or_many(args)) out.push_back(a.cast<int>());
  return out;
}

Var reshape_checked(VarArg x, py::handle shape, py::handle ndim) {
  Var out = tensor::reshape(x, shape_from_py(shape));
  THEON_CHECK_USER(ndim.is_none() || ndim.cast<int>() == out.ndim(), ValueError)
      << "reshape: the shape gives " << out.ndim() << " dimensions, not ndim=" << ndim.cast<int>();
  return out;
}

// Drops the broadcastable (length-1) axes, or the given ones.
Var squeeze(VarArg x, py::handle axis) {
  std::vector<DimEntry> pattern;
  std::vector<int> drop;
  if (!axis.is_none()) drop = axes_from_py(axis).resolve(x.var.ndim(), "squeeze");
  for (int d = 0; d < x.var.ndim(); ++d) {
    const bool dropped = axis.is_none() ? x.var.broadcastable()[d]
                                        : std::find(drop.begin(), drop.end(), d) != drop.end();
    if (!dropped) pattern.emplace_back(d);
  }
  return tensor::dimshuffle(x, pattern);
}

Var swapaxes(VarArg x, int a, int b) {
  std::vector<int> axes(x.var.ndim());
  for (int d = 0; d < x.var.ndim(); ++d) axes[d] = d;
  a = normalize_axis(a, x.var.ndim(), "swapaxes");
  b = normalize_axis(b, x.var.ndim(), "swapaxes");
  std::swap(axes[a], axes[b]);
  return tensor::transpose(x, axes);
}

}  // namespace

void bind_shape(py::module_&, py::module_& t) {
  auto& cls = var_class();
  cls.def_property_readonly("shape", [](const Var& x) { return tensor::shape(VarArg(x, py_loc())); })
      .def_property_readonly("size", [](const Var& x) { return tensor::prod(tensor::shape(VarArg(x, py_loc()))); })
      .def_property_readonly("T", [](const Var& x) { return tensor::transpose(VarArg(x, py_loc())); })
      .def("transpose", [](const Var& x, py::args axes) {
        if (axes.size() == 0 || (axes.size() == 1 && axes[0].is_none()))
          return tensor::transpose(VarArg(x, py_loc()));
        return tensor::transpose(VarArg(x, py_loc()), int_list(axes));
      })
      .def("dimshuffle", [](const Var& x, py::args pattern) {
        return tensor::dimshuffle(VarArg(x, py_loc()), pattern_from(one_or_many(pattern)));
      })
      .def("reshape", [](const Var& x, py::args shape, py::kwargs kw) {
        py::object ndim = kw.contains("ndim") ? py::object(kw["ndim"]) : py::object(py::none());
        py::object s = shape.size() == 1 ? py::object(shape[0]) : py::object(shape);
        return reshape_checked(VarArg(x, py_loc()), s, ndim);
      })
      .def("flatten", [](const Var& x, int ndim) { return tensor::flatten(VarArg(x, py_loc()), ndim); },
           "ndim"_a = 1)
      .def("ravel", [](const Var& x) { return tensor::flatten(VarArg(x, py_loc()), 1); })
      .def("squeeze", [](const Var& x, py::handle axis) { return squeeze(VarArg(x, py_loc()), axis); },
           "axis"_a = py::none())
      .def("swapaxes", [](const Var& x, int a, int b) { return swapaxes(VarArg(x, py_loc()), a, b); })
      .def("zeros_like", [](const Var& x, py::handle dtype) {
        return tensor::zeros_like(VarArg(x, py_loc()), optional_dtype(dtype));
      }, "dtype"_a = py::none())
      .def("ones_like", [](const Var& x, py::handle dtype) {
        return tensor::ones_like(VarArg(x, py_loc()), optional_dtype(dtype));
      }, "dtype"_a = py::none());

  t.def("shape", [](VarArg x) { return tensor::shape(x); }, "x"_a);
  t.def("shape_i", [](VarArg x, int i) { return tensor::shape_i(x, i); }, "x"_a, "i"_a);
  t.def("reshape", &reshape_checked, "x"_a, "newshape"_a, "ndim"_a = py::none());
  t.def("flatten", [](VarArg x, int ndim, py::handle outdim) {
    return tensor::flatten(x, outdim.is_none() ? ndim : outdim.cast<int>());
  }, "x"_a, "ndim"_a = 1, "outdim"_a = py::none());
  t.def("dimshuffle", [](VarArg x, py::args pattern) {
    return tensor::dimshuffle(x, pattern_from(one_or_many(pattern)));
  });
  t.def("transpose", [](VarArg x, py::handle axes) {
    if (axes.is_none()) return tensor::transpose(x);
    return tensor::transpose(x, axes.cast<std::vector<int>>());
  }, "x"_a, "axes"_a = py::none());
  t.def("squeeze", &squeeze, "x"_a, "axis"_a = py::none());
  t.def("swapaxes", &swapaxes, "x"_a, "axis1"_a, "axis2"_a);
  t.def("concatenate", [](py::handle xs, int axis) { return tensor::concatenate(as_vars(xs), axis, py_loc()); },
        "tensor_list"_a, "axis"_a = 0);
  t.def("join", [](int axis, py::args xs) {
    py::object items = xs.size() == 1 && !py::isinstance<Var>(xs[0]) ? py::object(xs[0]) : py::object(xs);
    return tensor::join(axis, as_vars(items), py_loc());
  });
  t.def("stack", [](py::args xs, py::kwargs kw) {
    const int axis = kw.contains("axis") ? kw["axis"].cast<int>() : 0;
    // stack([a, b], axis) and Theano's older stack(a, b, c).
    if (xs.size() >= 1 && !py::isinstance<Var>(xs[0]) && py::isinstance<py::sequence>(xs[0])) {
      const int ax = xs.size() == 2 ? xs[1].cast<int>() : axis;
      return tensor::stack(as_vars(xs[0]), ax, py_loc());
    }
    return tensor::stack(as_vars(xs), axis, py_loc());
  });
  t.def("split", [](VarArg x, py::handle sizes, py::handle n_splits, int axis) {
    auto parts = tensor::split(x, shape_from_py(sizes), axis);
    THEON_CHECK_USER(n_splits.is_none() || n_splits.cast<size_t>() == parts.size(), ValueError)
        << "split: " << parts.size() << " sizes given for n_splits=" << n_splits.cast<size_t>();
    return parts;
  }, "x"_a, "splits_size"_a, "n_splits"_a = py::none(), "axis"_a = 0);
  t.def("alloc", [](VarArg value, py::args shape) { return tensor::alloc(value, shape_from_py(one_or_many(shape))); });
  t.def("zeros", [](py::handle shape, py::handle dtype) {
    return tensor::zeros(shape_from_py(shape), optional_dtype(dtype));
  }, "shape"_a, "dtype"_a = py::none());
  t.def("ones", [](py::handle shape, py::handle dtype) {
    return tensor::ones(shape_from_py(shape), optional_dtype(dtype));
  }, "shape"_a, "dtype"_a = py::none());
  t.def("zeros_like", [](VarArg x, py::handle dtype) { return tensor::zeros_like(x, optional_dtype(dtype)); },
        "model"_a, "dtype"_a = py::none());
  t.def("ones_like", [](VarArg x, py::handle dtype) { return tensor::ones_like(x, optional_dtype(dtype)); },
        "model"_a, "dtype"_a = py::none());
  t.def("arange", [](VarArg start, py::handle stop, VarArg step, py::handle dtype) {
    if (stop.is_none()) {
      if (dtype.is_none() && step.var.is_constant() && step.var.constant_value().item<double>() == 1)
        return tensor::arange(start);
      return tensor::arange(VarArg(0, start.loc), start, step, optional_dtype(dtype));
    }
    return tensor::arange(start, as_vararg(stop), step, optional_dtype(dtype));
  }, "start"_a, "stop"_a = py::none(), "step"_a = 1, "dtype"_a = py::none());
  t.def("addbroadcast", [](VarArg x, py::args axes) { return tensor::addbroadcast(x, int_list(axes)); });
  t.def("unbroadcast", [](VarArg x, py::args axes) { return tensor::unbroadcast(x, int_list(axes)); });
  t.def("patternbroadcast", [](VarArg x, py::handle pattern) {
    BroadcastPattern p;
    for (py::handle b : pattern) p.push_back(b.cast<bool>());
    return tensor::patternbroadcast(x, p);
  }, "x"_a, "broadcastable"_a);
}

}  // namespace theon::python
