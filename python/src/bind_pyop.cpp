// Python bindings for ops defined in Python (theano.Op subclasses, as_op): the node
// builder behind theano.Apply(op, inputs, outputs), and Apply.op answering the Python op
// object for such nodes. The Python side is python/theon/gof/op.py.
#include "common.hpp"
#include "py_op.hpp"

namespace theon::python {

using namespace pybind11::literals;

void bind_pyop(py::module_& m) {
  // A node of the Python op `op` on `inputs` with outputs of `out_types` (named by
  // `out_names` where not empty); `label` is the op's unique printed name.
  m.def("_pyop_apply", [](py::object op, std::string label, const Vars& inputs,
                          std::vector<TensorType> out_types, std::vector<std::string> out_names) {
    std::vector<TensorType> in_types;
    for (const Var& v : inputs) in_types.push_back(v.type());
    auto pyop = std::make_shared<PyOp>(std::move(op), std::move(label), std::move(in_types),
                                       std::move(out_types));
    Vars outs = make_apply(std::move(pyop), inputs, py_loc_skipping("make_node"));
    for (size_t i = 0; i < outs.size() && i < out_names.size(); ++i) {
      if (!out_names[i].empty()) outs[i].set_name(out_names[i]);
    }
    // Zero outputs is refused by make_apply's callers in Python (theon/gof/op.py).
    return const_cast<ApplyNode*>(outs.at(0).owner())->self.lock();
  }, "op"_a, "label"_a, "inputs"_a, "out_types"_a, "out_names"_a);

  // node.op: the Python object for Python ops (isinstance(node.op, DoubleOp)), the
  // C++ op otherwise.
  auto apply = py::reinterpret_borrow<py::class_<ApplyNode, std::shared_ptr<ApplyNode>>>(m.attr("Apply"));
  apply.def_property_readonly("op", [](const ApplyNode& n) -> py::object {
    if (const auto* p = dynamic_cast<const PyOp*>(n.op_ptr.get())) return p->object();
    return py::cast(std::const_pointer_cast<Op>(n.op_ptr));
  });
}

}  // namespace theon::python
