// The register function of each phase file; pipeline.cpp calls them once, in order.
#pragma once

#include "rewrite/rewriter.hpp"

namespace theon::rewrite {

void register_merge(RewriteDb& db);          // merge.cpp
void register_constant_fold(RewriteDb& db);  // constant_fold.cpp
void register_canonicalize(RewriteDb& db);   // canonicalize*.cpp
void register_stabilize(RewriteDb& db);      // stabilize.cpp
void register_specialize(RewriteDb& db);     // specialize.cpp
void register_blas(RewriteDb& db);           // blas.cpp (rules in the specialize phase)
void register_scan(RewriteDb& db);           // scan_rewrites.cpp
void register_fusion(RewriteDb& db);         // fusion.cpp
void register_pool(RewriteDb& db);           // pool_argmax.cpp (rules in the specialize phase)
void register_inc_subtensor_chain(RewriteDb& db);  // inc_subtensor_chain.cpp (specialize phase)

}  // namespace theon::rewrite
