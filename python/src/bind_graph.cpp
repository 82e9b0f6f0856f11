// graph.hpp and clone.hpp: Apply nodes (var.owner, f.maker.fgraph.toposort()), their
// ops, and theon.clone.
#include "common.hpp"

namespace theon::python {

using namespace pybind11::literals;
py::class_<Var>& var_class();

namespace {

std::string op_str(const Op& op) {
  const std::string props = op.props();
  return props.empty() ? op.name() : op.name() + "{" + props + "}";
}

// Theano's style: the op, then its inputs by name, constant value or producer.
std::string input_str(const Var& in) {
  if (!in.name().empty()) return in.name();
  if (in.is_constant() && in.constant_value().size() <= 8) return to_string(in.constant_value());
  if (in.owner() != nullptr) return in.owner()->op().name() + "." + std::to_string(in.index());
  return "<" + in.type().str() + ">";
}

std::string apply_str(const ApplyNode& node) {
  std::string s = op_str(node.op()) + "(";
  for (size_t i = 0; i < node.inputs.size(); ++i) s += (i ? ", " : "") + input_str(node.inputs[i]);
  return s + ")";
}

}  // namespace

void bind_graph(py::module_& m) {
  // Ops are immutable and shared between nodes; Python holds them by shared_ptr.
  py::class_<Op, std::shared_ptr<Op>>(m, "Op")
      .def_property_readonly("name", &Op::name)
      .def_property_readonly("props", &Op::props)
      .def("__str__", [](const Op& op) { return op_str(op); })
      .def("__repr__", [](const Op& op) { return op_str(op); })
      .def("__eq__", [](const Op& a, py::handle b) { return py::isinstance<Op>(b) && a.equals(b.cast<const Op&>()); })
      .def("__hash__", [](const Op& op) { return py::hash(py::str(op_str(op))); });

  py::class_<ApplyNode, std::shared_ptr<ApplyNode>>(m, "Apply")
      .def_property_readonly("op", [](const ApplyNode& n) { return std::const_pointer_cast<Op>(n.op_ptr); })
      .def_property_readonly("inputs", [](const ApplyNode& n) { return n.inputs; })
      .def_property_readonly("outputs", [](const ApplyNode& n) { return n.output_vars(); })
      .def_property_readonly("nin", [](const ApplyNode& n) { return n.inputs.size(); })
      .def_property_readonly("nout", [](const ApplyNode& n) { return n.n_outputs(); })
      .def_property_readonly("out", [](const ApplyNode& n) { return n.output(0); })
      .def_property_readonly("loc", [](const ApplyNode& n) { return format_loc(n.loc); })
      .def("__str__", &apply_str)
      .def("__repr__", &apply_str)
      .def("__eq__", [](const ApplyNode& a, py::handle b) { return py::isinstance<ApplyNode>(b) && &a == &b.cast<const ApplyNode&>(); })
      .def("__hash__", [](const ApplyNode& n) { return reinterpret_cast<std::uintptr_t>(&n); });

  var_class().def_property_readonly("owner", [](const Var& v) -> std::shared_ptr<ApplyNode> {
    const ApplyNode* owner = v.owner();
    return owner ? const_cast<ApplyNode*>(owner)->self.lock() : nullptr;
  });

  // clone(output, replace): output a variable or a list; replace a dict or pairs.
  m.def("_clone", [](const Vars& outputs, const std::vector<std::pair<Var, Var>>& replace) {
    return clone(outputs, replace);
  });
}

}  // namespace theon::python
