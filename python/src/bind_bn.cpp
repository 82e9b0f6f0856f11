// bn.hpp: batch normalization, bound into theon._theon.tensor.nnet.bn
// (python/theon/tensor/nnet/bn.py gives it Theano's module path and signatures).
#include "common.hpp"
#include "theon/bn.hpp"

namespace theon::python {

using namespace pybind11::literals;

namespace {

namespace bn = tensor::nnet::bn;

// 'per-activation', 'spatial', or a sequence of ints (a tuple, a list, a NumPy array).
bn::NormAxes axes_from(py::handle axes) {
  if (py::isinstance<py::str>(axes)) return bn::NormAxes(axes.cast<std::string>());
  if (py::isinstance<py::sequence>(axes) || py::isinstance<py::array>(axes)) {
    std::vector<int> list;
    for (py::handle a : py::iter(axes))
      list.push_back(py::reinterpret_borrow<py::object>(a).attr("__index__")().cast<int>());
    return bn::NormAxes(std::move(list));
  }
  throw py::value_error("invalid axes: " + py::str(axes).cast<std::string>() +
                        " (expected 'per-activation', 'spatial' or a tuple of axes)");
}

std::optional<Var> optional_var(py::handle obj) {
  if (obj.is_none()) return std::nullopt;
  return as_var(obj);
}

}  // namespace

void bind_bn(py::module_& /*m*/, py::module_& t) {
  py::module_ nnet = t.attr("nnet").cast<py::module_>();
  py::module_ b = nnet.def_submodule("bn", "Theano's theano.tensor.nnet.bn");
  b.def(
      "batch_normalization_train",
      [](VarArg inputs, VarArg gamma, VarArg beta, py::handle axes, double epsilon,
         double running_average_factor, py::handle running_mean, py::handle running_var) {
        const auto r = bn::batch_normalization_train(
            inputs, gamma, beta, axes_from(axes), epsilon, running_average_factor,
            optional_var(running_mean), optional_var(running_var));
        py::tuple out(r.as_tuple().size());
        const std::vector<Var> tuple = r.as_tuple();
        for (size_t i = 0; i < tuple.size(); ++i) out[i] = py::cast(tuple[i]);
        return out;
      },
      "inputs"_a, "gamma"_a, "beta"_a, "axes"_a = "per-activation", "epsilon"_a = 1e-4,
      "running_average_factor"_a = 0.1, "running_mean"_a = py::none(),
      "running_var"_a = py::none());
  b.def(
      "batch_normalization_test",
      [](VarArg inputs, VarArg gamma, VarArg beta, VarArg mean, VarArg var, py::handle axes,
         double epsilon) {
        return bn::batch_normalization_test(inputs, gamma, beta, mean, var, axes_from(axes),
                                            epsilon);
      },
      "inputs"_a, "gamma"_a, "beta"_a, "mean"_a, "var"_a, "axes"_a = "per-activation",
      "epsilon"_a = 1e-4);
  b.def(
      "batch_normalization",
      [](VarArg inputs, VarArg gamma, VarArg beta, VarArg mean, VarArg std, std::string mode) {
        return bn::batch_normalization(inputs, gamma, beta, mean, std, mode);
      },
      "inputs"_a, "gamma"_a, "beta"_a, "mean"_a, "std"_a, "mode"_a = "low_mem");
}

}  // namespace theon::python
