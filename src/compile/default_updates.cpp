#include "compile/default_updates.hpp"

#include <unordered_set>

namespace theon::detail {

Updates with_default_updates(const Vars& roots, const Updates& updates, const Vars& skip) {
  Updates all = updates;
  std::unordered_set<VariableNode*> seen, named;
  for (const Update& u : updates) named.insert(u.var.get());
  for (const Var& v : skip) named.insert(v.get());
  std::vector<Var> stack(roots.begin(), roots.end());
  for (const Update& u : updates) stack.push_back(u.value);
  while (!stack.empty()) {
    Var v = stack.back();
    stack.pop_back();
    if (!v.defined() || !seen.insert(v.get()).second) continue;
    if (v.owner()) {
      for (const Var& in : v.owner()->inputs) stack.push_back(in);
      continue;
    }
    if (!v.is_shared() || named.count(v.get())) continue;
    const SharedVar shared(v);
    Var next = shared.default_update();
    if (!next.defined()) continue;
    named.insert(v.get());
    all.push_back({shared, next});
    stack.push_back(next);
  }
  return all;
}

}  // namespace theon::detail
