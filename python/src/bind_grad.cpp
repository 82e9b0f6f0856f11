// grad.hpp: T.grad, jacobian, hessian, Lop, Rop, zero_grad, disconnected_grad,
// grad_clip, with Theano's argument conventions (a list wrt gives a list back).
#include "common.hpp"
#include "theon/verify_grad.hpp"

namespace theon::python {

using namespace pybind11::literals;

namespace {

bool is_single(py::handle wrt) { return py::isinstance<Var>(wrt); }

py::object var_or_none(const Var& v) { return v.defined() ? py::cast(v) : py::none(); }

py::object grad(py::handle cost, py::handle wrt, py::handle consider_constant, const std::string& disconnected_inputs,
                py::handle, py::handle known_grads, const std::string& return_disconnected, py::handle) {
  const Loc loc = py_loc();
  GradOptions options;
  if (!consider_constant.is_none()) options.consider_constant = as_vars(consider_constant);
  if (!known_grads.is_none()) {
    py::object items = py::isinstance<py::dict>(known_grads) ? known_grads.attr("items")()
                                                             : py::reinterpret_borrow<py::object>(known_grads);
    for (py::handle item : items) {
      auto pair = item.cast<py::sequence>();
      options.known_grads.emplace_back(as_var(pair[0], loc), as_var(pair[1], loc));
    }
  }
  options.disconnected_inputs = disconnected_inputs;
  // Theano spells "none" as 'None'.
  options.return_disconnected = return_disconnected == "None" ? "none" : return_disconnected;
  Var c = cost.is_none() ? Var() : as_var(cost, loc);
  Vars gs = tensor::grad(c, as_vars(wrt), options, loc);
  if (is_single(wrt)) return var_or_none(gs.at(0));
  py::list out;
  for (const Var& g : gs) out.append(var_or_none(g));
  return out;
}

// jacobian / hessian of one expression with respect to one variable or a list.
py::object per_wrt(Var (*f)(const Var&, const Var&, Loc), py::handle expr, py::handle wrt) {
  const Loc loc = py_loc();
  Var e = as_var(expr, loc);
  if (is_single(wrt)) return py::cast(f(e, wrt.cast<Var>(), loc));
  py::list out;
  for (const Var& w : as_vars(wrt)) out.append(f(e, w, loc));
  return out;
}

py::object lop_rop(Vars (*f)(const Vars&, const Vars&, const Vars&, Loc), py::handle fs, py::handle wrt,
                   py::handle points, bool result_per_f) {
  Vars out = f(as_vars(fs), as_vars(wrt), as_vars(points), py_loc());
  // Lop returns one result per wrt, Rop one per f; a single variable gives a single result.
  const bool single = is_single(result_per_f ? fs : wrt);
  if (single) return var_or_none(out.at(0));
  py::list list;
  for (const Var& v : out) list.append(var_or_none(v));
  return list;
}

// Theano's verify_grad(fun, pt, ...): fun takes one variable per point.
void verify(py::function fun, py::handle points, int n_tests, py::handle rng, py::handle eps, py::handle abs_tol,
            py::handle rel_tol, py::handle mode) {
  std::vector<NDArray> pts;
  for (py::handle p : points) pts.push_back(any_to_ndarray(p).copy());
  VerifyGradOptions options;
  options.n_tests = n_tests;
  if (!rng.is_none()) options.seed = rng.attr("randint")(1 << 30).cast<uint64_t>();
  if (!eps.is_none()) options.eps = eps.cast<double>();
  if (!abs_tol.is_none()) options.abs_tol = abs_tol.cast<double>();
  if (!rel_tol.is_none()) options.rel_tol = rel_tol.cast<double>();
  if (!mode.is_none()) options.mode = mode.cast<std::string>();
  verify_grad([&fun](const Vars& inputs) {
    py::tuple args(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) args[i] = py::cast(inputs[i]);
    return as_var(fun(*args));
  }, pts, options);
}

}  // namespace

void bind_grad(py::module_& m, py::module_& t) {
  for (py::module_* mod : {&m, &t}) {
    mod->def("grad", &grad, "cost"_a, "wrt"_a, "consider_constant"_a = py::none(),
             "disconnected_inputs"_a = "raise", "add_names"_a = true, "known_grads"_a = py::none(),
             "return_disconnected"_a = "zero", "null_gradients"_a = "raise");
    mod->def("jacobian", [](py::handle expression, py::handle wrt, py::handle, py::handle) {
      return per_wrt(&tensor::jacobian, expression, wrt);
    }, "expression"_a, "wrt"_a, "consider_constant"_a = py::none(), "disconnected_inputs"_a = "raise");
    mod->def("hessian", [](py::handle cost, py::handle wrt, py::handle, py::handle) {
      return per_wrt(&tensor::hessian, cost, wrt);
    }, "cost"_a, "wrt"_a, "consider_constant"_a = py::none(), "disconnected_inputs"_a = "raise");
    mod->def("Lop", [](py::handle f, py::handle wrt, py::handle points) {
      return lop_rop(&tensor::Lop, f, wrt, points, false);
    }, "f"_a, "wrt"_a, "eval_points"_a);
    mod->def("Rop", [](py::handle f, py::handle wrt, py::handle points) {
      return lop_rop(&tensor::Rop, f, wrt, points, true);
    }, "f"_a, "wrt"_a, "eval_points"_a);
    mod->def("verify_grad", &verify, "fun"_a, "pt"_a, "n_tests"_a = 2, "rng"_a = py::none(), "eps"_a = py::none(),
             "abs_tol"_a = py::none(), "rel_tol"_a = py::none(), "mode"_a = py::none());
    mod->def("zero_grad", [](VarArg x) { return tensor::zero_grad(x); }, "x"_a);
    mod->def("disconnected_grad", [](VarArg x) { return tensor::disconnected_grad(x); }, "x"_a);
    mod->def("grad_clip", [](VarArg x, double lo, double hi) { return tensor::grad_clip(x, lo, hi); }, "x"_a,
             "lower_bound"_a, "upper_bound"_a);
  }
}

}  // namespace theon::python
