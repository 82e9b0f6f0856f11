// print.hpp: pp, debugprint and the Graphviz pictures as strings (python/theon/printing.py
// and python/theon/d3viz.py shape them into Theano's functions).
#include "common.hpp"
#include "theon/debugprint_order.hpp"

using namespace pybind11::literals;

namespace theon::python {

void bind_print(py::module_& m) {
  m.def("_pp", [](const Var& v) { return pp(v); });
  m.def("_debugprint", [](const Vars& outputs) { return debugprint(outputs); });
  // Theano's layout; `order` (a function's _toposort()) numbers the nodes.
  m.def(
      "_debugprint_theano",
      [](const Vars& outputs, const std::vector<std::shared_ptr<ApplyNode>>& order, int depth, bool print_type,
         const std::string& ids, bool stop_on_name, bool print_storage) {
        DebugPrintOptions o;
        o.depth = depth;
        o.print_type = print_type;
        o.ids = ids;
        o.stop_on_name = stop_on_name;
        o.print_storage = print_storage;
        std::vector<ApplyNode*> nodes;
        for (const auto& n : order) nodes.push_back(n.get());
        return debugprint(outputs, nodes, o);
      },
      "outputs"_a, "order"_a, "depth"_a, "print_type"_a, "ids"_a, "stop_on_name"_a, "print_storage"_a);
  // (DOT text, {fused node id: DOT text of its inner expression}).
  m.def(
      "_dot_graph",
      [](const Vars& outputs, bool compact, bool with_ids, bool high_contrast, size_t max_label_size,
         bool var_with_name_simple, const std::map<std::string, std::string>& colors) {
        DotOptions o;
        o.compact = compact;
        o.with_ids = with_ids;
        o.high_contrast = high_contrast;
        o.max_label_size = max_label_size;
        o.var_with_name_simple = var_with_name_simple;
        o.colors = colors;
        return std::make_pair(dot_graph(outputs, o), dot_fused_kernels(outputs, o));
      },
      "outputs"_a, "compact"_a, "with_ids"_a, "high_contrast"_a, "max_label_size"_a, "var_with_name_simple"_a,
      "colors"_a);
  m.def(
      "_render_graph",
      [](const std::string& dot_text, const std::string& format) {
        std::string out;
        {
          py::gil_scoped_release release;
          out = render_graph(dot_text, format);
        }
        return py::bytes(out);
      },
      "dot_text"_a, "format"_a);
  m.def("_write_graph_picture", &write_graph_picture, "dot_text"_a, "path"_a, "format"_a,
        py::call_guard<py::gil_scoped_release>());
}

}  // namespace theon::python
