// The leaves a saved graph reads, in an order that is the same when saved and when loaded.
#pragma once

#include <span>
#include <unordered_set>
#include <vector>

#include "theon/graph.hpp"

namespace theon::detail {

// The leaves (variables without an owner) of the graph of `roots` for which `keep(v)` is
// true, in the order an explicit-stack walk over inputs, leftmost first, reaches them.
// Ops with inner graphs (scan, jacobian_rows) name the outer variables they read by their
// position in this list.
template <class Keep>
Vars leaves_in_order(std::span<const Var> roots, Keep keep) {
  Vars found;
  std::unordered_set<const VariableNode*> seen;
  std::vector<Var> stack(roots.rbegin(), roots.rend());
  while (!stack.empty()) {
    Var v = stack.back();
    stack.pop_back();
    if (!seen.insert(v.get()).second) continue;
    if (v.owner() == nullptr) {
      if (keep(v)) found.push_back(v);
      continue;
    }
    const Vars& in = v.owner()->inputs;
    for (auto it = in.rbegin(); it != in.rend(); ++it) stack.push_back(*it);
  }
  return found;
}

}  // namespace theon::detail
