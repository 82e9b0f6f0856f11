// serialize.hpp for Python's pickle (python/theon/serialization.py): a variable's graph
// as bytes whose sources (inputs and shared variables) stay Python objects, so that
// pickle's memo keeps them one object across everything pickled together; and the
// C++ file format (theon.save_graph / theon.load_graph).
#include "common.hpp"
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

}  // namespace

void bind_serialize(py::module_& m) {
  m.def("theon_version", [] { return std::string(theon_version()); });
  m.def("serialize_format_version", [] { return kSerializeFormatVersion; });

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
