// is_rewrite_name: whether optimizer_including / excluding would select anything by a name.
#include "rewrite/pipeline.hpp"
#include "rewrite/rewriter.hpp"
#include "theon/debug.hpp"

namespace theon {

bool is_rewrite_name(const std::string& name) {
  // Every phase of the pipeline (rewrite/pipeline.cpp); a name selects something when a
  // rewrite of some phase carries it as its name or one of its tags.
  static const char* const kPhases[] = {"merge",    "constant_fold", "scan",  "canonicalize", "stabilize",
                                        "specialize", "fusion",      "blas",  "inplace"};
  rewrite::Selection selection;
  selection.including = {name};
  const rewrite::RewriteDb& db = rewrite::rewrite_db();
  for (const char* phase : kPhases)
    if (!db.locals(phase, selection).empty() || !db.globals(phase, selection).empty()) return true;
  return false;
}

}  // namespace theon
