// pp: infix rendering of expressions, as Theano's pp.
#include <sstream>
#include <unordered_map>

#include "theon/fgraph.hpp"
#include "theon/print.hpp"

namespace theon {
namespace {

std::string constant_text(const Var& v) {
  const NDArray& a = v.constant_value();
  if (a.size() <= 8) return to_string(a);
  return "TensorConstant{" + std::string(dtype_name(a.dtype())) + ", shape " + shape_str(a.shape()) + "}";
}

// Renders bottom-up with a memo, iteratively (deep graphs must not overflow the stack).
std::string render(const Var& root) {
  std::unordered_map<VariableNode*, std::string> text;
  std::vector<std::pair<Var, bool>> stack{{root, false}};
  while (!stack.empty()) {
    auto [v, expanded] = stack.back();
    stack.pop_back();
    if (text.count(v.get())) continue;
    const ApplyNode* owner = v.owner();
    if (!owner) {
      text[v.get()] = v.is_constant() ? constant_text(v) : (v.name().empty() ? "<" + v.type().str() + ">" : v.name());
      continue;
    }
    if (!expanded) {
      stack.push_back({v, true});
      for (const Var& in : owner->inputs)
        if (!text.count(in.get())) stack.push_back({in, false});
      continue;
    }
    std::vector<std::string> args;
    for (const Var& in : owner->inputs) args.push_back(text.at(in.get()));
    std::string s = owner->op().print(args);
    if (owner->n_outputs() > 1) s += "[" + std::to_string(v.index()) + "]";
    text[v.get()] = s;
  }
  return text.at(root.get());
}

}  // namespace

std::string pp(const Var& v) { return render(v); }

std::string pp(const Function& f) {
  std::string s;
  const Vars& outs = f.fgraph().outputs();
  for (size_t i = 0; i < outs.size(); ++i) s += (i ? "\n" : "") + render(outs[i]);
  return s;
}

}  // namespace theon
