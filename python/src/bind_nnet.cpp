// nnet.hpp: T.nnet's operations, bound into the submodule theon._theon.tensor.nnet
// (python/theon/tensor/nnet.py re-exports them under Theano's names).
#include "common.hpp"
#include "theon/nnet.hpp"

namespace theon::python {

using namespace pybind11::literals;

void bind_nnet(py::module_& t) {
  namespace nnet = tensor::nnet;
  py::module_ n = t.def_submodule("nnet", "Theano's theano.tensor.nnet");
  n.def("sigmoid", [](VarArg x) { return nnet::sigmoid(x); }, "x"_a);
  n.def("softplus", [](VarArg x) { return nnet::softplus(x); }, "x"_a);
  n.def("relu", [](VarArg x, double alpha) { return nnet::relu(x, alpha); }, "x"_a, "alpha"_a = 0.0);
  n.def("elu", [](VarArg x, double alpha) { return nnet::elu(x, alpha); }, "x"_a, "alpha"_a = 1.0);
  n.def("softmax", [](VarArg x, int axis) { return nnet::softmax(x, axis); }, "c"_a, "axis"_a = -1);
  n.def("log_softmax", [](VarArg x, int axis) { return nnet::log_softmax(x, axis); }, "c"_a, "axis"_a = -1);
  n.def("binary_crossentropy", [](VarArg output, VarArg target) { return nnet::binary_crossentropy(output, target); },
        "output"_a, "target"_a);
  n.def("sigmoid_binary_crossentropy",
        [](VarArg logits, VarArg target) { return nnet::sigmoid_binary_crossentropy(logits, target); }, "output"_a,
        "target"_a);
  n.def("categorical_crossentropy",
        [](VarArg coding, VarArg truth) { return nnet::categorical_crossentropy(coding, truth); }, "coding_dist"_a,
        "true_dist"_a);
}

}  // namespace theon::python
