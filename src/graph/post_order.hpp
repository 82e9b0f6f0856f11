// The nodes above some variables, each after the nodes it reads from, found without
// recursion (graphs can be millions of nodes deep).
#pragma once

#include <unordered_set>
#include <utility>
#include <vector>

#include "theon/graph.hpp"

namespace theon::detail {

// The nodes that compute `roots`, inputs first; among a node's inputs the leftmost is
// visited first, so the order is the same on every run. `stop(v)` true: the producer of
// `v` and what lies above it are left out.
template <class Stop>
std::vector<ApplyNode*> nodes_in_post_order(const Vars& roots, Stop stop) {
  std::vector<ApplyNode*> order;
  std::unordered_set<const ApplyNode*> done;
  std::vector<std::pair<ApplyNode*, bool>> stack;  // (node, its inputs are already pushed)
  auto push = [&](const Var& v) {
    if (v.defined() && v.owner() && !done.count(v.owner()) && !stop(v))
      stack.push_back({const_cast<ApplyNode*>(v.owner()), false});
  };
  for (auto it = roots.rbegin(); it != roots.rend(); ++it) push(*it);
  while (!stack.empty()) {
    auto [node, expanded] = stack.back();
    stack.pop_back();
    if (done.count(node)) continue;
    if (!expanded) {
      stack.push_back({node, true});
      for (auto it = node->inputs.rbegin(); it != node->inputs.rend(); ++it) push(*it);
      continue;
    }
    done.insert(node);
    order.push_back(node);
  }
  return order;
}

inline std::vector<ApplyNode*> nodes_in_post_order(const Vars& roots) {
  return nodes_in_post_order(roots, [](const Var&) { return false; });
}

}  // namespace theon::detail
