// Binds random streams (include/theon/random.hpp) as theon._theon.Streams, which the
// Python classes RandomStreams and MRG_RandomStreams wrap with Theano's signatures, and
// SharedVariable.default_update (Theano's attribute, kept by the C++ variable).
#include "common.hpp"
#include "theon/random.hpp"

namespace theon::python {

using namespace pybind11::literals;

namespace {

std::optional<DType> optional_dtype(py::handle d) {
  if (d.is_none()) return std::nullopt;
  return dtype_from_py(d);
}

}  // namespace

void bind_random(py::module_& m, py::module_& t) {
  (void)t;
  using random::Streams;
  py::class_<Streams>(m, "Streams")
      .def(py::init<int64_t>(), "seed"_a = 12345)
      .def("uniform", [](Streams& s, py::handle size, py::handle low, py::handle high, py::handle dtype) {
        return s.uniform(shape_from_py(size), as_vararg(low), as_vararg(high), optional_dtype(dtype), py_loc());
      }, "size"_a, "low"_a = 0.0, "high"_a = 1.0, "dtype"_a = py::none())
      .def("normal", [](Streams& s, py::handle size, py::handle avg, py::handle std, py::handle dtype) {
        return s.normal(shape_from_py(size), as_vararg(avg), as_vararg(std), optional_dtype(dtype), py_loc());
      }, "size"_a, "avg"_a = 0.0, "std"_a = 1.0, "dtype"_a = py::none())
      .def("binomial", [](Streams& s, py::handle size, py::handle n, py::handle p, py::handle dtype) {
        return s.binomial(shape_from_py(size), as_vararg(n), as_vararg(p), dtype_from_py(dtype), py_loc());
      }, "size"_a, "n"_a = 1, "p"_a = 0.5, "dtype"_a = "int64")
      .def("multinomial", [](Streams& s, py::handle pvals, py::handle n, py::handle dtype) {
        return s.multinomial(as_vararg(pvals), as_vararg(n), dtype_from_py(dtype), py_loc());
      }, "pvals"_a, "n"_a = 1, "dtype"_a = "int64")
      .def("choice", [](Streams& s, py::handle size, py::handle a, bool replace, py::handle p) {
        std::optional<Var> pv;
        if (!p.is_none()) pv = as_var(p, py_loc());
        return s.choice(shape_from_py(size), as_vararg(a), replace, pv, py_loc());
      }, "size"_a, "a"_a = 2, "replace"_a = true, "p"_a = py::none())
      .def("permutation", [](Streams& s, py::handle size, py::handle n) {
        return s.permutation(as_vararg(n), shape_from_py(size), py_loc());
      }, "size"_a, "n"_a = 1)
      .def("random_integers", [](Streams& s, py::handle size, py::handle low, py::handle high) {
        return s.random_integers(shape_from_py(size), as_vararg(low), as_vararg(high), py_loc());
      }, "size"_a, "low"_a = 0, "high"_a = 1)
      .def("shuffle_row_elements", [](Streams& s, py::handle x) {
        return s.shuffle_row_elements(as_vararg(x), py_loc());
      }, "input"_a)
      .def("seed", &Streams::seed, "seed"_a)
      .def_property_readonly("state_updates", [](const Streams& s) {
        py::list out;
        for (const auto& su : s.state_updates()) out.append(py::make_tuple(su.state, su.update));
        return out;
      });

  // Theano's SharedVariable.default_update: None when there is none.
  auto shared_class = py::reinterpret_borrow<py::class_<SharedVar, Var>>(m.attr("SharedVariable"));
  shared_class.def_property(
      "default_update",
      [](const SharedVar& s) -> py::object {
        Var v = s.default_update();
        return v.defined() ? py::cast(v) : py::none();
      },
      // The C++ variable holds the expression weakly (shared.hpp); the Python object keeps
      // it alive, so `s.default_update = s + 1` lasts as long as `s` does.
      [](py::handle self, py::handle value) {
        SharedVar& s = self.cast<SharedVar&>();
        py::dict keep = self.attr("__dict__");
        if (value.is_none()) {
          s.clear_default_update();
          if (keep.contains("_default_update_ref")) PyDict_DelItemString(keep.ptr(), "_default_update_ref");
          return;
        }
        Var v = as_var(value, py_loc());
        s.set_default_update(v);
        keep["_default_update_ref"] = py::cast(v);
      });
}

}  // namespace theon::python
