// scan_prune (phase scan, after scan_dedupe): a scan's stacked outputs that nothing
// reads are not computed, and the sequences and non-sequences the remaining body no
// longer reads are dropped. Registered by register_scan (scan_rewrites.cpp).
#pragma once

#include "rewrite/rewriter.hpp"

namespace theon::rewrite {

void run_scan_prune(RewriteSession& session);

}  // namespace theon::rewrite
