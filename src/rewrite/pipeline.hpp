// What runs when a function is compiled: the modes and the ordered list of phases.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "rewrite/rewriter.hpp"

namespace theon::rewrite {

// A function's mode, resolved from FunctionOptions and config().
struct ModeChoice {
  std::string name;     // "FAST_RUN", "FAST_COMPILE", "NONE" or "CHECK"
  bool optimize = true;  // false: the graph runs as built
  bool check = false;    // CHECK: compare every rewrite's result with the unoptimized graph
  Selection selection;
};

// `mode` is FAST_RUN, FAST_COMPILE, NONE (no rewrites) or CHECK (FAST_RUN, verified
// node by node on every call), any case; empty takes config().optimizer. `including`
// and `excluding` (tags separated by ':' or ',', added to config's) adjust the selection.
// ValueError for an unknown mode.
ModeChoice resolve_mode(const std::string& mode, const std::string& including = "",
                        const std::string& excluding = "");

// The process-wide rewrite database (filled on first use).
const RewriteDb& rewrite_db();

// Seconds each phase took, in run order (a phase that runs twice appears twice).
using PhaseTimes = std::vector<std::pair<std::string, double>>;

// Runs the pipeline's phases over `session`'s graph, in order. With `times` (profiling:
// FunctionOptions::profile), each phase's wall time is appended to it.
void optimize(RewriteSession& session, const Selection& selection, PhaseTimes* times = nullptr);

// Session options from config() (on_opt_error, optimizer_verbose).
SessionOptions session_options_from_config();

}  // namespace theon::rewrite
