// tensor.hpp: variables, TensorType, Theano's type constructors and the element-wise
// operations (one binding per row of scalar_ops.def).
#include <set>

#include "common.hpp"

namespace theon::python {

using namespace pybind11::literals;

namespace {

py::class_<Var>* g_var_class = nullptr;

// Theano's Python name for a C++ function name (switch_ -> switch, xor_ -> xor);
// and_/or_ keep the underscore because `and` and `or` are Python keywords.
std::string python_name(std::string_view cpp) {
  if (cpp == "switch_" || cpp == "xor_") return std::string(cpp.substr(0, cpp.size() - 1));
  return std::string(cpp);
}

// str() and repr() of a variable: its expression, cut to this length (the graph may be
// huge or deep; the whole text is pp()'s).
constexpr size_t kReprChars = 500;

std::string var_str(const Var& v) {
  if (!v.name().empty()) return v.name();
  if (v.is_constant()) return "TensorConstant{" + to_string(v.constant_value()) + "}";
  if (v.owner() != nullptr) return pp(v, kReprChars);
  std::string kind = v.type().str();
  return "<TensorType(" + kind.replace(kind.find(' '), 1, ", ") + ")>";
}

Var make_typed(DType dtype, const BroadcastPattern& pattern, py::handle name) {
  return tensor::tensor(dtype, pattern, name.is_none() ? std::string() : name.cast<std::string>(),
                        py_loc());
}

// Theano's plural constructors: dmatrices('x', 'y') -> [x, y]; dmatrices(3) -> three
// unnamed ones; one name alone gives one variable (not a list), as Theano does.
py::object make_plural(DType dtype, const BroadcastPattern& pattern, py::args names) {
  if (names.size() == 1 && py::isinstance<py::int_>(names[0]) && !py::isinstance<py::bool_>(names[0])) {
    const auto n = names[0].cast<ssize_t>();
    if (n == 1) return py::cast(make_typed(dtype, pattern, py::none()));
    py::list out;
    for (ssize_t i = 0; i < n; ++i) out.append(make_typed(dtype, pattern, py::none()));
    return out;
  }
  if (names.size() == 1) {
    py::object only = names[0];
    if (py::len(only) == 1) return py::cast(make_typed(dtype, pattern, only[py::int_(0)]));
    py::list out;
    for (py::handle name : only) out.append(make_typed(dtype, pattern, name));
    return out;
  }
  py::list out;
  for (py::handle name : names) out.append(make_typed(dtype, pattern, name));
  return out;
}

BroadcastPattern pattern_from_py(py::handle obj) {
  BroadcastPattern p;
  for (py::handle b : obj) p.push_back(b.cast<bool>());
  return p;
}

py::tuple pattern_to_py(const BroadcastPattern& p) {
  py::tuple t(p.size());
  for (size_t i = 0; i < p.size(); ++i) t[i] = py::bool_(p[i]);
  return t;
}

Var nary(Var (*f)(std::span<const Var>, Loc), py::args args) {
  Vars terms;
  for (py::handle a : args) terms.push_back(as_var(a));
  THEON_CHECK_USER(!terms.empty(), TypeError) << "needs at least one operand";
  return f(terms, py_loc());
}

}  // namespace

py::class_<Var>& var_class() { return *g_var_class; }

void bind_tensor(py::module_& m, py::module_& t) {
  g_var_class = new py::class_<Var>(m, "TensorVariable", py::dynamic_attr());
  auto& cls = *g_var_class;
  cls.def_property(
         "name", [](const Var& v) -> py::object { if (v.name().empty()) return py::none();
          return py::str(v.name()); },
         [](Var& v, py::handle name) { v.set_name(name.is_none() ? std::string() : name.cast<std::string>()); })
      .def_property_readonly("dtype", [](const Var& v) { return std::string(dtype_name(v.dtype())); })
      .def_property_readonly("ndim", &Var::ndim)
      .def_property_readonly("type", [](const Var& v) { return v.type(); })
      .def_property_readonly("broadcastable", [](const Var& v) { return pattern_to_py(v.broadcastable()); })
      .def_property_readonly("index", &Var::index)
      .def_property_readonly("loc", [](const Var& v) { return format_loc(v.loc()); })
      .def_property_readonly("data", [](const Var& v) -> py::object {
        if (!v.is_constant()) throw py::attribute_error("only constants have .data");
        return to_numpy(v.constant_value());
      })
      .def("is_constant", &Var::is_constant)
      .def("__str__", &var_str)
      .def("__repr__", &var_str)
      .def("__hash__", [](const Var& v) { return reinterpret_cast<std::uintptr_t>(v.get()); })
      // As in Theano, == is identity; use T.eq for the element-wise comparison.
      .def("__eq__", [](const Var& a, py::handle b) {
        return py::isinstance<Var>(b) && a.is(b.cast<const Var&>());
      })
      .def("__ne__", [](const Var& a, py::handle b) {
        return !(py::isinstance<Var>(b) && a.is(b.cast<const Var&>()));
      })
      // As in Theano, a variable is truthy (`if not W:` tests for None), except the
      // result of an order comparison, so that `a < b < c` (Python's `(a < b) and
      // (b < c)`) fails instead of silently meaning `b < c`.
      .def("__bool__", [](const Var& v) -> bool {
        static const std::set<std::string> comparisons = {"lt", "le", "gt", "ge"};
        if (v.owner() && comparisons.count(v.owner()->op().name()))
          throw py::type_error(
              "Variables do not support boolean operations: use T.and_, T.or_ or T.switch "
              "on symbolic conditions");
        return true;
      })
      .def("__iter__", [](const Var&) -> py::object {
        throw py::type_error("TensorVariable is symbolic: it cannot be iterated over");
      })
      .def("__len__", [](const Var&) -> size_t {
        throw py::type_error("TensorVariable has no len(); use x.shape[0]");
      })
      .def("astype", [](const Var& v, py::handle dtype) { return tensor::cast(VarArg(v, py_loc()), dtype_from_py(dtype)); })
      .def("copy", [](const Var& v, py::handle name) {
        Var out = tensor::identity(VarArg(v, py_loc()));
        if (!name.is_none()) out.set_name(name.cast<std::string>());
        return out;
      }, "name"_a = py::none())
      .def("clip", [](const Var& v, VarArg lo, VarArg hi) { return tensor::clip(VarArg(v, lo.loc), lo, hi); })
      .def("round", [](const Var& v) { return tensor::round(VarArg(v, py_loc())); })
      .def("conj", [](const Var& v) { return v; })
      .def("fill", [](const Var& v, VarArg value) { return tensor::fill(VarArg(v, value.loc), value); });
  // NumPy defers to our reflected operators instead of looping over the variable.
  cls.attr("__array_ufunc__") = py::none();
  cls.attr("__array_priority__") = 1000;

  py::class_<TensorType>(m, "TensorType")
      .def(py::init([](py::handle dtype, py::handle broadcastable) {
             return TensorType(dtype_from_py(dtype), pattern_from_py(broadcastable));
           }),
           "dtype"_a, "broadcastable"_a)
      .def("__call__", [](const TensorType& type, py::handle name) {
        return make_typed(type.dtype, type.broadcastable, name);
      }, "name"_a = py::none())
      .def("make_variable", [](const TensorType& type, py::handle name) {
        return make_typed(type.dtype, type.broadcastable, name);
      }, "name"_a = py::none())
      .def_property_readonly("dtype", [](const TensorType& ty) { return std::string(dtype_name(ty.dtype)); })
      .def_property_readonly("broadcastable", [](const TensorType& ty) { return pattern_to_py(ty.broadcastable); })
      .def_property_readonly("ndim", &TensorType::ndim)
      .def("filter", [](const TensorType& ty, py::handle value, bool strict, py::handle allow_downcast) {
        NDArray a = any_to_ndarray(value);
        if (strict) {
          THEON_CHECK_USER(a.dtype() == ty.dtype && a.ndim() == ty.ndim(), TypeError)
              << "filter: expected " << ty.str() << ", got " << dtype_name(a.dtype()) << " with "
              << a.ndim() << " dimensions";
        }
        return to_numpy(ty.filter(a, !allow_downcast.is_none() && allow_downcast.cast<bool>(), "filter"));
      }, "data"_a, "strict"_a = false, "allow_downcast"_a = py::none())
      .def("__eq__", [](const TensorType& a, py::handle b) {
        return py::isinstance<TensorType>(b) && a == b.cast<const TensorType&>();
      })
      .def("__hash__", [](const TensorType& ty) { return py::hash(py::str(ty.repr())); })
      .def("__repr__", &TensorType::repr)
      .def("__str__", &TensorType::str);

  // ---- Theano's constructors, from the C++ list (include/theon/tensor.hpp) ----
  // Typed ones (dmatrix, ivector, ...) are TensorType instances, as in Theano, so that
  // `x.type == T.dmatrix` holds; the untyped ones are functions reading config.floatX.
#define THEON_PY_TYPED(LETTER, DTYPE, KIND, PLURAL, PATTERN)                                   \
  t.attr(#LETTER #KIND) = TensorType(DType::DTYPE, PATTERN);                                   \
  t.def(#LETTER #PLURAL, [](py::args names) { return make_plural(DType::DTYPE, PATTERN, names); });
#define THEON_PY_KIND(KIND, PLURAL, NDIM, PATTERN)                                             \
  THEON_DTYPE_LETTERS(THEON_PY_TYPED, KIND, PLURAL, PATTERN)                                   \
  t.def(#KIND, [](py::handle name, py::handle dtype) {                                         \
    return make_typed(dtype_from_py(dtype), PATTERN, name);                                    \
  }, "name"_a = py::none(), "dtype"_a = py::none());                                           \
  t.def(#PLURAL, [](py::args names) { return make_plural(config().floatX, PATTERN, names); });
  THEON_TYPE_KINDS(THEON_PY_KIND)
#undef THEON_PY_KIND
#undef THEON_PY_TYPED
  t.def("tensor", [](py::handle dtype, py::handle broadcastable, py::handle name) {
    return make_typed(dtype_from_py(dtype), pattern_from_py(broadcastable), name);
  }, "dtype"_a = py::none(), "broadcastable"_a = py::tuple(), "name"_a = py::none());

  // ---- element-wise operations: one per row of scalar_ops.def ----
#define THEON_PY_ELEMWISE_0(F) t.def(python_name(#F).c_str(), [](py::args xs) { return nary(&tensor::F, xs); });
#define THEON_PY_ELEMWISE_1(F) t.def(python_name(#F).c_str(), py::overload_cast<VarArg>(&tensor::F), "a"_a);
#define THEON_PY_ELEMWISE_2(F) \
  t.def(python_name(#F).c_str(), py::overload_cast<VarArg, VarArg>(&tensor::F), "a"_a, "b"_a);
#define THEON_PY_ELEMWISE_3(F) \
  t.def(python_name(#F).c_str(), py::overload_cast<VarArg, VarArg, VarArg>(&tensor::F), "a"_a, "b"_a, "c"_a);
#define THEON_PY_ELEMWISE(NAME, FUNC, PRINT, ARITY, RULE, DOMAIN, MATH, GRAD) THEON_PY_ELEMWISE_##ARITY(FUNC)
  THEON_SCALAR_OPS(THEON_PY_ELEMWISE)
#undef THEON_PY_ELEMWISE
#undef THEON_PY_ELEMWISE_0
#undef THEON_PY_ELEMWISE_1
#undef THEON_PY_ELEMWISE_2
#undef THEON_PY_ELEMWISE_3

  t.def("cast", [](VarArg x, py::handle dtype) { return tensor::cast(x, dtype_from_py(dtype)); }, "x"_a, "dtype"_a);
  t.def("constant", [](py::handle value, py::handle name, py::handle ndim, py::handle dtype) {
    NDArray a = any_to_ndarray(value);
    if (!dtype.is_none()) a = a.astype(dtype_from_py(dtype));
    Var v = constant(a, name.is_none() ? std::string() : name.cast<std::string>(), py_loc());
    THEON_CHECK_USER(ndim.is_none() || ndim.cast<int>() == v.ndim(), ValueError)
        << "constant: value has " << v.ndim() << " dimensions, not " << ndim.cast<int>();
    return v;
  }, "x"_a, "name"_a = py::none(), "ndim"_a = py::none(), "dtype"_a = py::none());
  t.def("as_tensor_variable", [](py::handle x, py::handle name, py::handle ndim) {
    Var v = as_var(x);
    THEON_CHECK_USER(ndim.is_none() || ndim.cast<int>() == v.ndim(), ValueError)
        << "as_tensor_variable: " << describe(v) << " has " << v.ndim() << " dimensions, not "
        << ndim.cast<int>();
    if (!name.is_none() && v.is_constant()) v.set_name(name.cast<std::string>());
    return v;
  }, "x"_a, "name"_a = py::none(), "ndim"_a = py::none());
}

}  // namespace theon::python
