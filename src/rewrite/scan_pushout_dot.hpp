// scan_pushout_dot (phase scan, after scan_merge and before scan_dedupe, which makes a
// product pushed out of one loop twice one sequence): a product of a sequence's row and
// a non-sequence in a scan's body, dot(x_t, W), becomes one product before the loop,
// dot(X, W), whose rows the body reads as a new sequence. Registered by register_scan
// (scan_rewrites.cpp).
#pragma once

#include "rewrite/rewriter.hpp"

namespace theon::rewrite {

void run_scan_pushout_dot(RewriteSession& session);

}  // namespace theon::rewrite
