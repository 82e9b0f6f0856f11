// Test helper: the Scan ops of a compiled function's graph, in run order.
#pragma once

#include <vector>

#include "ops/scan/scan_op.hpp"
#include "theon/fgraph.hpp"
#include "theon/function.hpp"

namespace theon::testing {

inline std::vector<const detail::Scan*> scans(const Function& f) {
  std::vector<const detail::Scan*> out;
  for (const ApplyNode* node : f.fgraph().toposort())
    if (auto* s = detail::scan_of(node)) out.push_back(s);
  return out;
}

}  // namespace theon::testing
