// debugprint: the graph as an indented tree, one line per variable, with node ids so
// that shared subexpressions show once and are referred to afterwards.
#include <sstream>
#include <unordered_map>

#include "theon/fgraph.hpp"
#include "theon/print.hpp"

namespace theon {
namespace {

class TreePrinter {
 public:
  std::string print(const Vars& roots) {
    for (const Var& r : roots) line(r, 0);
    return out_.str();
  }

 private:
  void line(const Var& root, int root_depth) {
    std::vector<std::pair<Var, int>> stack{{root, root_depth}};
    while (!stack.empty()) {
      auto [v, depth] = stack.back();
      stack.pop_back();
      out_ << std::string(depth * 2, ' ') << (depth ? "|" : "");
      const ApplyNode* owner = v.owner();
      if (!owner) {
        if (v.is_constant()) out_ << "TensorConstant{" << to_string(v.constant_value()) << "}";
        else out_ << (v.name().empty() ? "<unnamed>" : v.name());
        out_ << " [" << v.type().str() << "]" << (v.is_shared() ? " (shared)" : "") << "\n";
        continue;
      }
      auto [it, fresh] = ids_.try_emplace(owner, static_cast<int>(ids_.size()));
      out_ << owner->op().name();
      if (!owner->op().props().empty()) out_ << "{" << owner->op().props() << "}";
      if (owner->n_outputs() > 1) out_ << "." << v.index();
      out_ << " [id " << id_text(it->second) << "] " << v.type().str();
      if (!v.name().empty()) out_ << " '" << v.name() << "'";
      out_ << "\n";
      if (!fresh) continue;  // already expanded above
      for (auto in = owner->inputs.rbegin(); in != owner->inputs.rend(); ++in)
        stack.push_back({*in, depth + 1});
    }
  }
  static std::string id_text(int id) {
    std::string s;
    do {
      s.insert(s.begin(), static_cast<char>('A' + id % 26));
      id = id / 26 - 1;
    } while (id >= 0);
    return s;
  }

  std::ostringstream out_;
  std::unordered_map<const ApplyNode*, int> ids_;
};

}  // namespace

std::string debugprint(const Var& v) { return TreePrinter().print({v}); }
std::string debugprint(const std::vector<Var>& outputs) { return TreePrinter().print(outputs); }
std::string debugprint(const Function& f) { return TreePrinter().print(f.fgraph().outputs()); }

}  // namespace theon
