#include <iostream>
#include <unordered_map>

#include "rewrite/rewriter.hpp"

namespace theon::rewrite {
namespace {

// Passes before giving up on reaching a fixed point. Real graphs settle in a few; more
// means two rewrites keep undoing each other.
constexpr int kMaxPasses = 40;

// The first local rewrite that applies to `node`, applied. True if the graph changed.
bool rewrite_node(RewriteSession& session, const ApplyNode& node,
                  const std::vector<const LocalRewrite*>& candidates) {
  for (const LocalRewrite* r : candidates) {
    if (session.is_disabled(r->name)) continue;
    std::optional<Vars> replacement = session.attempt(*r, node);
    if (replacement && session.replace_node(node, *replacement, r->name)) return true;
  }
  return false;
}

}  // namespace

void equilibrium(RewriteSession& session, const std::vector<const LocalRewrite*>& locals,
                 WalkOrder order, const LocalRewrite* constant_fold, const GlobalRewrite* merge) {
  FunctionGraph& fgraph = session.fgraph();
  std::unordered_map<std::string, std::vector<const LocalRewrite*>> by_op;
  std::vector<const LocalRewrite*> everywhere;
  for (const LocalRewrite* r : locals) {
    if (r->tracks.empty()) everywhere.push_back(r);
    for (const std::string& key : r->tracks) by_op[key].push_back(r);
  }
  std::vector<const LocalRewrite*> fold;
  if (constant_fold) fold.push_back(constant_fold);
  std::vector<const LocalRewrite*> candidates;

  for (int pass = 0; pass < kMaxPasses; ++pass) {
    const size_t before = session.n_applied();
    if (!fold.empty())
      for (ApplyNode* node : fgraph.toposort())
        if (fgraph.contains(node)) rewrite_node(session, *node, fold);
    std::vector<ApplyNode*> nodes = locals.empty() ? std::vector<ApplyNode*>() : fgraph.toposort();
    if (order == WalkOrder::OutputsToInputs) std::reverse(nodes.begin(), nodes.end());
    for (ApplyNode* node : nodes) {
      if (!fgraph.contains(node)) continue;
      candidates.clear();
      if (auto it = by_op.find(track_key(node->op())); it != by_op.end())
        candidates = it->second;
      candidates.insert(candidates.end(), everywhere.begin(), everywhere.end());
      if (!candidates.empty()) rewrite_node(session, *node, candidates);
      if (session.budget_spent()) return;
    }
    // Nothing changed: nothing new to merge either, and the next pass would see the same.
    if (session.n_applied() == before) return;
    if (merge) session.run_global(*merge);
    if (session.budget_spent()) return;
  }
  std::string msg = "rewrites did not settle after " + std::to_string(kMaxPasses) +
                    " passes (two rewrites may undo each other; run with optimizer_verbose=1)";
  if (session.options().raise_errors) THEON_FAIL(InternalError) << msg;
  std::cerr << "theon warning: " << msg << "\n";
}

}  // namespace theon::rewrite
