// scan_dedupe (phase scan, after scan_merge): a scan that reads the same outer variable
// through several placeholders, or computes the same result as several outputs, does it
// once. Registered by register_scan (scan_rewrites.cpp).
#pragma once

#include "rewrite/rewriter.hpp"

namespace theon::rewrite {

void run_scan_dedupe(RewriteSession& session);

}  // namespace theon::rewrite
