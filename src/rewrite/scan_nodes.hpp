// Runs a per-loop rewrite on every Scan node of the graph, in run order, skipping nodes
// an earlier rewrite of the pass replaced, and stopping when the session's budget is spent.
#pragma once

#include <vector>

#include "ops/scan/scan_op.hpp"
#include "rewrite/rewriter.hpp"

namespace theon::rewrite {

template <class Rewrite>
void for_each_scan(RewriteSession& session, Rewrite rewrite) {
  std::vector<const ApplyNode*> scans;
  for (const ApplyNode* node : session.fgraph().toposort())
    if (detail::scan_of(node)) scans.push_back(node);
  for (const ApplyNode* node : scans) {
    if (session.budget_spent()) return;
    if (session.fgraph().contains(node)) rewrite(session, *node);
  }
}

}  // namespace theon::rewrite
