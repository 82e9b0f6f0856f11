// serialize.hpp for Python's pickle (python/theon/serialization.py): a variable's graph
// as bytes whose sources (inputs and shared variables) stay Python objects, so that
// pickle's memo keeps them one object across everything pickled together; and the
// C++ file format (theon.save_graph / theon.load_graph).
#include "common.hpp"
#include "py_op.hpp"
#include "theon/serialize.hpp"

namespace theon::python {

using namespace pybind11::literals;

namespace {

// Shared variables come back as SharedVariable objects, so that pickle saves their values.
py::list as_python_vars(const Vars& vars) {
  py::list out;
  for (const Var& v : vars) out.append(v.is_shared() ? py::cast(SharedVar(v)) : py::cast(v));
  return out;
}

// Ops defined in Python save as pickle.dumps of the op object (its class must be
// importable where the graph loads, as for any pickle) and their output types; loading
// makes the node again through theon.gof.op's label, as Apply(op, ...) does.
void register_python_op_codec() {
  register_op_codec(typeid(PyOp), OpCodec{
      "python_op",
      [](const Op& op, Writer& w) {
        py::gil_scoped_acquire gil;
        const auto& p = static_cast<const PyOp&>(op);
        w.str(py::module_::import("pickle").attr("dumps")(p.object(), 4).cast<std::string>());
        const std::vector<TensorType> types = op.make_types(saving_node_inputs());
        w.i64(static_cast<int64_t>(types.size()));
        for (const TensorType& t : types) w.type(t);
      },
      [](Reader& r, std::span<const Var> inputs) -> std::shared_ptr<const Op> {
        py::gil_scoped_acquire gil;
        const std::string data = r.str();
        py::object object = py::module_::import("pickle").attr("loads")(py::bytes(data));
        const int64_t n = r.i64();
        if (n < 0 || n > 100000) r.fail("a Python op has " + std::to_string(n) + " outputs");
        std::vector<TensorType> out_types;
        for (int64_t i = 0; i < n; ++i) out_types.push_back(r.type());
        std::vector<TensorType> in_types;
        for (const Var& v : inputs) in_types.push_back(v.type());
        auto label = py::module_::import("theon.gof.op").attr("_label")(object).cast<std::string>();
        return std::make_shared<PyOp>(std::move(object), std::move(label), std::move(in_types),
                                      std::move(out_types));
      },
      /*props_are_identity=*/true});
}

}  // namespace

void bind_serialize(py::module_& m) {
  register_python_op_codec();
  m.def("theon_version", [] { return std::string(theon_version()); });
  m.def("serialize_format_version", [] { return kSerializeFormatVersion; });

  // The SharedVariable view of a variable that is shared (None otherwise): a wrapper
  // reached through a graph (y.owner.inputs[0]) is a plain TensorVariable.
  m.def("_as_shared", [](const Var& v) -> py::object {
    return v.is_shared() ? py::cast(SharedVar(v)) : py::none();
  });
  m.def("_serialize_graph", [](const Vars& outputs) {
    Vars externals;
    std::string bytes = serialize(outputs, &externals);
    return py::make_tuple(py::bytes(bytes), as_python_vars(externals));
  });
  m.def("_deserialize_graph", [](const py::bytes& bytes, const Vars& externals) {
    const std::string_view data = bytes;
    LoadedGraph g = deserialize(data, externals, "pickled graph");
    return as_python_vars(g.outputs);
  });

  m.def("save_graph", [](const Vars& outputs, const std::string& path) { save(outputs, path); },
        "outputs"_a, "path"_a);
  // A file theon.save_graph or theon::save wrote: (outputs, the default update
  // expressions its shared variables need kept alive; see LoadedGraph).
  m.def("_load_graph", [](const std::string& path) {
    LoadedGraph g = load_graph(path);
    return py::make_tuple(as_python_vars(g.outputs), as_python_vars(g.keep_alive));
  }, "path"_a);
}

}  // namespace theon::python
