// linalg.hpp: nlinalg and slinalg, bound into the submodules theon._theon.tensor._nlinalg
// and _slinalg (python/theon/tensor/nlinalg.py and slinalg.py give them Theano's
// names); LinAlgError becomes theon.LinAlgError, a subclass of both
// numpy.linalg.LinAlgError (what Theano programs catch) and ValueError.
#include "common.hpp"
#include "theon/linalg.hpp"

namespace theon::python {

using namespace pybind11::literals;

namespace {

namespace nl = tensor::nlinalg;
namespace sl = tensor::slinalg;

// None, a number (numpy.inf included) or one of "fro", "nuc", "inf", "-inf".
nl::NormOrder norm_order(py::handle ord) {
  if (ord.is_none()) return {};
  if (py::isinstance<py::str>(ord)) return {ord.cast<std::string>()};
  return {ord.cast<double>()};
}

py::tuple as_tuple(const std::vector<Var>& vars) {
  py::tuple out(vars.size());
  for (size_t i = 0; i < vars.size(); ++i) out[i] = py::cast(vars[i]);
  return out;
}

void bind_linalg_error(py::module_& m) {
  py::object numpy_error = py::module_::import("numpy.linalg").attr("LinAlgError");
  py::tuple bases = py::make_tuple(numpy_error, py::handle(PyExc_ValueError));
  static PyObject* linalg_error = PyErr_NewException("theon.LinAlgError", bases.ptr(), nullptr);
  m.attr("LinAlgError") = py::reinterpret_borrow<py::object>(linalg_error);
  // Registered after bind_errors' translator, so tried before it.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const theon::LinAlgError& e) {
      PyErr_SetString(linalg_error, e.what());
    }
  });
}

void bind_nlinalg(py::module_ n) {
  n.def(
      "matrix_inverse", [](VarArg x) { return nl::matrix_inverse(x); }, "x"_a);
  n.def(
      "det", [](VarArg x) { return nl::det(x); }, "x"_a);
  n.def(
      "eig",
      [](VarArg x) {
        auto [w, v] = nl::eig(x);
        return py::make_tuple(w, v);
      },
      "x"_a);
  n.def(
      "eigh",
      [](VarArg x, const std::string& uplo) {
        auto [w, v] = nl::eigh(x, uplo);
        return py::make_tuple(w, v);
      },
      "a"_a, "UPLO"_a = "L");
  n.def(
      "svd",
      [](VarArg x, bool full, bool uv) -> py::object {
        auto outs = nl::svd(x, full, uv);
        if (!uv) return py::cast(outs[0]);
        return as_tuple(outs);
      },
      "a"_a, "full_matrices"_a = true, "compute_uv"_a = true);
  n.def(
      "pinv", [](VarArg x) { return nl::pinv(x); }, "x"_a);
  n.def(
      "qr",
      [](VarArg x, const std::string& mode) -> py::object {
        auto outs = nl::qr(x, mode);
        if (outs.size() == 1) return py::cast(outs[0]);
        return as_tuple(outs);
      },
      "a"_a, "mode"_a = "reduced");
  n.def(
      "trace", [](VarArg x) { return nl::trace(x); }, "X"_a);
  n.def(
      "diag", [](VarArg x, int k) { return nl::diag(x, k); }, "x"_a, "k"_a = 0);
  n.def(
      "diagonal",
      [](VarArg x, int offset, int axis1, int axis2) {
        return nl::diagonal(x, offset, axis1, axis2);
      },
      "a"_a, "offset"_a = 0, "axis1"_a = 0, "axis2"_a = 1);
  n.def(
      "extract_diag", [](VarArg x, int offset) { return nl::extract_diag(x, offset); }, "x"_a,
      "offset"_a = 0);
  n.def(
      "alloc_diag", [](VarArg x, int offset) { return nl::alloc_diag(x, offset); }, "x"_a,
      "offset"_a = 0);
  n.def(
      "norm", [](VarArg x, py::handle ord) { return nl::norm(x, norm_order(ord)); }, "x"_a,
      "ord"_a = py::none());
  n.def("matrix_dot", [](py::args args) {
    std::vector<Var> matrices;
    for (py::handle a : args) matrices.push_back(as_var(a));
    return nl::matrix_dot(matrices, py_loc());
  });
  n.def(
      "matrix_power", [](VarArg m, int n) { return nl::matrix_power(m, n); }, "M"_a, "n"_a);
}

void bind_slinalg(py::module_ s) {
  s.def(
      "cholesky", [](VarArg x, bool lower) { return sl::cholesky(x, lower); }, "x"_a,
      "lower"_a = true);
  s.def(
      "solve",
      [](VarArg a, VarArg b, const std::string& assume_a, bool lower) {
        return sl::solve(a, b, assume_a, lower);
      },
      "a"_a, "b"_a, "assume_a"_a = "gen", "lower"_a = false);
  s.def(
      "solve_triangular",
      [](VarArg a, VarArg b, int trans, bool lower, bool unit) {
        return sl::solve_triangular(a, b, trans, lower, unit);
      },
      "a"_a, "b"_a, "trans"_a = 0, "lower"_a = false, "unit_diagonal"_a = false);
  s.def(
      "solve_lower_triangular", [](VarArg a, VarArg b) { return sl::solve_lower_triangular(a, b); },
      "a"_a, "b"_a);
  s.def(
      "solve_upper_triangular", [](VarArg a, VarArg b) { return sl::solve_upper_triangular(a, b); },
      "a"_a, "b"_a);
  s.def(
      "solve_symmetric", [](VarArg a, VarArg b) { return sl::solve_symmetric(a, b); }, "a"_a,
      "b"_a);
  s.def(
      "expm", [](VarArg a) { return sl::expm(a); }, "A"_a);
  s.def(
      "eigvalsh", [](VarArg a, bool lower) { return sl::eigvalsh(a, lower); }, "a"_a,
      "lower"_a = true);
  s.def(
      "kron", [](VarArg a, VarArg b) { return sl::kron(a, b); }, "a"_a, "b"_a);
}

}  // namespace

void bind_linalg(py::module_& m, py::module_& t) {
  bind_linalg_error(m);
  // Underscored, so that theon.tensor's star import does not shadow the Python modules.
  bind_nlinalg(t.def_submodule("_nlinalg", "Theano's theano.tensor.nlinalg"));
  bind_slinalg(t.def_submodule("_slinalg", "Theano's theano.tensor.slinalg"));
}

}  // namespace theon::python
