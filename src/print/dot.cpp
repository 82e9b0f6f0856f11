// dot_graph: a graph as Graphviz DOT text, in the manner of Theano's pydotprint.
//
// The graph is collected once (iteratively: no recursion on its depth) into a
// topological list of apply nodes and the source variables in the order first met;
// node ids follow that order ("n<k>" for apply node k, "v<k>" for variable box k), so
// dot_graph and dot_fused_kernels agree on them.
#include <algorithm>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "ops/fused.hpp"
#include "ops/fused_reduce.hpp"
#include "print/theano_names.hpp"
#include "theon/fgraph.hpp"
#include "theon/print.hpp"

namespace theon {
namespace {

// A DOT double-quoted string. Backslash and quote are escaped (a user's "\l" must not
// become a Graphviz line justification), a newline becomes dot's centred line break,
// other control characters become spaces.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.append(1, '\\').append(1, c);
    else if (c == '\n') out += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20) out += ' ';
    else out += c;
  }
  return out + "\"";
}

std::string cut(std::string text, size_t max_chars) {
  if (max_chars >= 3 && text.size() > max_chars) text = text.substr(0, max_chars - 3) + "...";
  return text;
}

// Apply nodes in topological order and the sources, from the outputs.
struct GraphView {
  std::vector<const ApplyNode*> nodes;
  Vars sources;
  Vars inputs;  // declared inputs (a Function's); empty for a list of outputs
  Vars outputs;
};

GraphView collect(const Vars& outputs) {
  GraphView g;
  g.outputs = outputs;
  std::unordered_set<const ApplyNode*> seen_nodes;
  std::unordered_set<const VariableNode*> seen_sources;
  // Post-order with an explicit stack: (variable, inputs pushed?).
  std::vector<std::pair<Var, bool>> stack;
  for (auto it = outputs.rbegin(); it != outputs.rend(); ++it) stack.push_back({*it, false});
  while (!stack.empty()) {
    auto [v, expanded] = stack.back();
    stack.pop_back();
    const ApplyNode* owner = v.owner();
    if (!owner) {
      if (seen_sources.insert(v.get()).second) g.sources.push_back(v);
      continue;
    }
    if (expanded) {
      if (seen_nodes.insert(owner).second) g.nodes.push_back(owner);
      continue;
    }
    if (seen_nodes.count(owner)) continue;
    stack.push_back({v, true});
    for (auto in = owner->inputs.rbegin(); in != owner->inputs.rend(); ++in)
      if (!in->owner() || !seen_nodes.count(in->owner())) stack.push_back({*in, false});
  }
  return g;
}

GraphView collect(const Function& f) {
  GraphView g;
  const FunctionGraph& fg = f.fgraph();
  for (ApplyNode* n : fg.toposort()) g.nodes.push_back(n);
  for (const Var& v : fg.variables())
    if (!v.owner()) g.sources.push_back(v);
  g.inputs = fg.inputs();
  g.outputs = fg.outputs();
  return g;
}

bool is_fused(const Op& op) {
  return dynamic_cast<const detail::FusedElemwise*>(&op) || dynamic_cast<const detail::FusedReduce*>(&op);
}

const detail::FusedProgram* program_of(const Op& op) {
  if (auto* e = dynamic_cast<const detail::FusedElemwise*>(&op)) return &e->program();
  if (auto* r = dynamic_cast<const detail::FusedReduce*>(&op)) return &r->program();
  return nullptr;
}

// The op's family in Theano's colour codes (its class names): colorCodes keys.
std::string op_family(const Op& op) {
  const std::string name = op.name();
  if (is_fused(op)) return "Fused";
  if (dynamic_cast<const detail::Elemwise*>(&op)) return "Elemwise";
  if (name.find("subtensor") != std::string::npos) return "Subtensor";
  if (name.rfind("alloc", 0) == 0) return "Alloc";
  if (name == "shape" || name.rfind("shape_", 0) == 0) return "Shape";
  if (name == "ifelse") return "IfElse";
  if (name == "scan") return "Scan";
  return "";
}

// Theano's default colour codes.
std::string family_color(const std::string& family) {
  static const std::map<std::string, std::string> codes = {
      {"Fused", "#FF7799"}, {"Elemwise", "#FFAABB"}, {"Subtensor", "#FFAAFF"}, {"Alloc", "#FFAA22"},
      {"Shape", "brown"},   {"IfElse", "magenta"},   {"Scan", "yellow"}};
  auto it = codes.find(family);
  return it == codes.end() ? "white" : it->second;
}

class DotWriter {
 public:
  DotWriter(GraphView g, const DotOptions& o) : g_(std::move(g)), o_(o) {
    for (size_t k = 0; k < g_.nodes.size(); ++k) node_id_[g_.nodes[k]] = static_cast<int>(k);
    for (const Var& v : g_.outputs) output_.insert(v.get());
    for (const ApplyNode* n : g_.nodes)
      for (const Var& in : n->inputs) read_.insert(in.get());
  }

  std::string graph() {
    out_ << "digraph G {\n  graph [rankdir=TB, fontname=\"Helvetica\"];\n"
         << "  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];\n";
    for (const Var& v : g_.sources) box(v);
    for (size_t k = 0; k < g_.nodes.size(); ++k) apply(*g_.nodes[k], static_cast<int>(k));
    for (const ApplyNode* n : g_.nodes)
      for (int i = 0; i < n->n_outputs(); ++i) {
        const Var v = n->output(i);
        if (shown_as_box(v)) {
          box(v);
          edge(detail::cat({"n", std::to_string(node_id_.at(n))}), box_id(v), type_label(-1, v));
        }
      }
    for (const ApplyNode* n : g_.nodes) {
      const bool numbered = n->inputs.size() > 1;
      for (size_t i = 0; i < n->inputs.size(); ++i) {
        const Var& in = n->inputs[i];
        edge(endpoint(in), detail::cat({"n", std::to_string(node_id_.at(n))}),
             type_label(numbered ? static_cast<int>(i) : -1, in));
      }
    }
    out_ << "}\n";
    return out_.str();
  }

  // The inner expression of each fused kernel, by node id.
  std::map<std::string, std::string> fused() {
    std::map<std::string, std::string> result;
    for (size_t k = 0; k < g_.nodes.size(); ++k)
      if (const detail::FusedProgram* p = program_of(g_.nodes[k]->op()))
        result[detail::cat({"n", std::to_string(k)})] = program_graph(*g_.nodes[k], *p);
    return result;
  }

  // The label a variable's readers show for it: its name, a constant's value, "i<k>".
  // A one-element constant is its value (2.0, not TensorConstant{[[2.0]]}).
  std::string short_name(const Var& v, int k) const {
    if (v.is_constant() && v.constant_value().size() == 1) {
      std::string s = to_string(v.constant_value());
      std::erase_if(s, [](char c) { return c == '[' || c == ']'; });
      return s;
    }
    std::string s = v.owner() ? v.name() : detail::source_label(v);
    return s.empty() ? detail::cat({"i", std::to_string(k)}) : s;
  }

 private:
  std::string kind(const Var& v) const {
    if (v.is_constant()) return "constant";
    if (v.is_shared()) return "shared";
    if (!v.owner()) return "input";
    if (output_.count(v.get())) return "output";
    if (!read_.count(v.get())) return "unused";
    return "intermediate";
  }

  std::string color(const std::string& key, const std::string& fallback) const {
    auto it = o_.colors.find(key);
    return it == o_.colors.end() ? fallback : it->second;
  }

  std::string kind_color(const std::string& k) const {
    static const std::map<std::string, std::string> defaults = {
        {"constant", "#C8E6A0"}, {"shared", "cyan"}, {"input", "limegreen"},
        {"output", "dodgerblue"}, {"unused", "grey"}, {"intermediate", "white"}};
    return color(k, defaults.at(k));
  }

  // Fill (high contrast) or outline colour.
  std::string paint(const std::string& c) const {
    return o_.high_contrast ? detail::cat({", style=filled, fillcolor=", quoted(c)})
                            : detail::cat({", color=", quoted(c), ", penwidth=2"});
  }

  bool shown_as_box(const Var& v) const {
    if (!v.owner()) return true;
    if (output_.count(v.get())) return true;
    if (!o_.compact) return true;
    return !v.name().empty();
  }

  std::string box_id(const Var& v) {
    auto [it, fresh] = box_id_.try_emplace(v.get(), static_cast<int>(box_id_.size()));
    return detail::cat({"v", std::to_string(it->second)});
  }

  std::string endpoint(const Var& v) {
    if (shown_as_box(v)) return box_id(v);
    return detail::cat({"n", std::to_string(node_id_.at(v.owner()))});
  }

  std::string type_label(int index, const Var& v) const {
    std::string label = detail::theano_type_str(v.type());
    return index >= 0 ? std::to_string(index) + " " + label : label;
  }

  void box(const Var& v) {
    if (!boxed_.insert(v.get()).second) return;
    const std::string id = box_id(v);
    const std::string k = kind(v);
    std::string label = v.owner() ? v.name() : detail::source_label(v);
    if (label.empty() || !o_.var_with_name_simple || v.is_constant()) {
      if (!v.is_constant()) label.append(label.empty() ? "" : " ").append(detail::theano_type_str(v.type()));
    }
    if (o_.with_ids) label.append(" id=").append(id.substr(1));
    out_ << "  " << id << " [id=" << quoted(id) << ", shape=box, label=" << quoted(cut(label, o_.max_label_size))
         << paint(kind_color(k));
    if (o_.tooltips) {
      std::string tip = k + " variable";
      if (!v.name().empty()) tip += detail::cat({" '", v.name(), "'"});
      tip += detail::cat({"\ntype: ", detail::theano_type_str(v.type())});
      if (v.is_constant()) tip += detail::cat({"\nvalue: ", detail::source_label(v)});
      if (v.is_shared()) tip += detail::cat({"\nshape: ", shape_str(v.shared_storage()->value.shape())});
      if (v.owner()) tip += detail::cat({"\noutput ", std::to_string(v.index()), " of ", v.owner()->op().name()});
      const std::string where = format_loc(v.loc());
      if (!where.empty()) tip += detail::cat({"\nmade at ", where});
      out_ << ", tooltip=" << quoted(tip);
    }
    out_ << ", class=" << quoted(detail::cat({"theon-", k})) << "];\n";
  }

  void apply(const ApplyNode& n, int k) {
    const Op& op = n.op();
    std::string label;
    if (is_fused(op)) {
      std::vector<std::string> args;
      for (size_t i = 0; i < n.inputs.size(); ++i) args.push_back(short_name(n.inputs[i], static_cast<int>(i)));
      label = op.print(args);
    } else {
      label = op.name();
      if (!op.props().empty()) label += detail::cat({"{", op.props(), "}"});
    }
    if (o_.with_ids) label = std::to_string(k) + " " + label;
    const std::string family = op_family(op);
    const std::string c = color(op.name(), color(family, color("apply", family_color(family))));
    const std::string id = detail::cat({"n", std::to_string(k)});
    const bool fused = is_fused(op);
    out_ << "  " << id << " [id=" << quoted(id) << ", shape=" << (fused ? "box" : "ellipse")
         << ", label=" << quoted(cut(label, o_.max_label_size));
    if (o_.high_contrast) out_ << ", style=" << quoted(fused ? "rounded,filled" : "filled") << ", fillcolor=" << quoted(c);
    else out_ << (fused ? ", style=rounded" : "") << ", color=" << quoted(c) << ", penwidth=2";
    if (o_.tooltips) {
      std::string tip = detail::cat({"op: ", op.name()});
      if (!op.props().empty()) tip += detail::cat({"\nprops: ", op.props()});
      tip += detail::cat({"\ntoposort index: ", std::to_string(k)});
      for (size_t i = 0; i < n.inputs.size(); ++i)
        tip += detail::cat({"\ninput ", std::to_string(i), ": ", detail::theano_type_str(n.inputs[i].type())});
      for (int i = 0; i < n.n_outputs(); ++i)
        tip += detail::cat({"\noutput ", std::to_string(i), ": ", detail::theano_type_str(n.outputs[i].type)});
      const std::string where = format_loc(n.loc);
      if (!where.empty()) tip += detail::cat({"\nmade at ", where});
      out_ << ", tooltip=" << quoted(tip);
    }
    out_ << ", class=" << quoted(is_fused(op) ? "theon-fused" : "theon-apply") << "];\n";
  }

  void edge(const std::string& from, const std::string& to, const std::string& label) {
    out_ << "  " << from << " -> " << to << " [label=" << quoted(label) << "];\n";
  }

  std::string program_graph(const ApplyNode& n, const detail::FusedProgram& p) const {
    std::ostringstream s;
    s << "digraph fused {\n  graph [rankdir=TB];\n  node [fontname=\"Helvetica\", fontsize=11];\n"
      << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
    const int n_in = p.n_inputs();
    for (int r = 0; r < n_in; ++r) {
      std::string label;
      if (r < p.n_operands()) label = short_name(n.inputs[r], r);
      else label = detail::cat({"uniform draw ", std::to_string(r - p.n_operands())});
      label.append(" ").append(dtype_name(p.input_dtypes[r]));
      s << "  r" << r << " [shape=box, label=" << quoted(cut(label, o_.max_label_size))
        << ", style=filled, fillcolor=" << quoted(kind_color("input")) << "];\n";
    }
    for (size_t i = 0; i < p.instrs.size(); ++i) {
      const auto& in = p.instrs[i];
      const detail::ScalarOpInfo& info = detail::scalar_op_info(in.op);
      std::string label = in.op == detail::ScalarOpId::Identity ? detail::cat({"cast{", dtype_name(in.out), "}"})
                                                                 : std::string(info.name);
      const int r = n_in + static_cast<int>(i);
      s << "  r" << r << " [shape=ellipse, label=" << quoted(label) << ", style=filled, fillcolor=\"#FFAABB\"];\n";
      for (size_t a = 0; a < in.args.size(); ++a)
        s << "  r" << in.args[a] << " -> r" << r << " [label="
          << quoted((in.args.size() > 1 ? std::to_string(a) + " " : "") + std::string(dtype_name(p.register_dtype(in.args[a]))))
          << "];\n";
    }
    for (size_t o = 0; o < p.outputs.size(); ++o) {
      s << "  out" << o << " [shape=box, label=" << quoted(detail::cat({"output ", std::to_string(o)}))
        << ", style=filled, fillcolor=" << quoted(kind_color("output")) << "];\n";
      s << "  r" << p.outputs[o] << " -> out" << o << " [label="
        << quoted(std::string(dtype_name(p.register_dtype(p.outputs[o])))) << "];\n";
    }
    s << "}\n";
    return s.str();
  }

  GraphView g_;
  const DotOptions& o_;
  std::ostringstream out_;
  std::unordered_map<const ApplyNode*, int> node_id_;
  std::unordered_map<const VariableNode*, int> box_id_;
  std::unordered_set<const VariableNode*> boxed_, output_, read_;
};

}  // namespace

std::string dot_graph(const std::vector<Var>& outputs, const DotOptions& options) {
  return DotWriter(collect(outputs), options).graph();
}
std::string dot_graph(const Function& f, const DotOptions& options) {
  return DotWriter(collect(f), options).graph();
}
std::map<std::string, std::string> dot_fused_kernels(const std::vector<Var>& outputs, const DotOptions& options) {
  return DotWriter(collect(outputs), options).fused();
}
std::map<std::string, std::string> dot_fused_kernels(const Function& f, const DotOptions& options) {
  return DotWriter(collect(f), options).fused();
}

}  // namespace theon
