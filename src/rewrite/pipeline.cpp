#include "rewrite/pipeline.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "rewrite/phases.hpp"
#include "theon/config.hpp"

namespace theon::rewrite {
namespace {

void add_tags(std::set<std::string, std::less<>>& into, const std::string& list) {
  std::string tag;
  for (char c : list + ":") {
    if (c == ':' || c == ',') {
      if (!tag.empty()) into.insert(tag);
      tag.clear();
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      tag += c;
    }
  }
}

RewriteDb build_db() {
  RewriteDb db;
  register_merge(db);
  register_constant_fold(db);
  register_canonicalize(db);
  register_stabilize(db);
  register_specialize(db);
  register_blas(db);
  register_scan(db);
  register_fusion(db);
  register_pool(db);
  register_inc_subtensor_chain(db);
  return db;
}

const LocalRewrite* first_or_null(const std::vector<const LocalRewrite*>& v) {
  return v.empty() ? nullptr : v.front();
}
const GlobalRewrite* first_or_null(const std::vector<const GlobalRewrite*>& v) {
  return v.empty() ? nullptr : v.front();
}

}  // namespace

ModeChoice resolve_mode(const std::string& mode, const std::string& including,
                        const std::string& excluding) {
  std::string m = mode;
  if (m.empty()) m = config().optimizer;
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::toupper(c); });
  ModeChoice choice;
  if (m == "FAST_RUN") {
    choice.selection.including = {"fast_run"};
  } else if (m == "FAST_COMPILE") {
    choice.selection.including = {"fast_compile"};
  } else if (m == "NONE") {
    choice.optimize = false;
  } else if (m == "CHECK" || m == "DEBUGMODE") {
    m = "CHECK";
    choice.check = true;
    choice.selection.including = {"fast_run"};
  } else {
    THEON_FAIL(ValueError) << "function: unknown mode '" << mode
                           << "' (use FAST_RUN, FAST_COMPILE, NONE or CHECK)";
  }
  choice.name = m;
  add_tags(choice.selection.including, config().optimizer_including);
  add_tags(choice.selection.including, including);
  add_tags(choice.selection.excluding, config().optimizer_excluding);
  add_tags(choice.selection.excluding, excluding);
  return choice;
}

const RewriteDb& rewrite_db() {
  static const RewriteDb db = build_db();
  return db;
}

SessionOptions session_options_from_config() {
  SessionOptions o;
  o.raise_errors = config().on_opt_error == "raise";
  o.verbose = config().optimizer_verbose;
  return o;
}

// The pipeline, top to bottom. Each equilibrium phase also folds constants and merges
// after every pass, so that its rules see canonical inputs.
void optimize(RewriteSession& session, const Selection& selection, PhaseTimes* times) {
  const RewriteDb& db = rewrite_db();
  const GlobalRewrite* merge = first_or_null(db.globals("merge", selection));
  const LocalRewrite* fold = first_or_null(db.locals("constant_fold", selection));
  using Clock = std::chrono::steady_clock;
  auto timed = [&](const std::string& phase, auto&& run) {
    session.set_phase(phase);
    if (!times) return run();
    const auto start = Clock::now();
    run();
    times->emplace_back(phase, std::chrono::duration<double>(Clock::now() - start).count());
  };
  auto run_globals = [&](const std::string& phase) {
    timed(phase, [&] {
      for (const GlobalRewrite* g : db.globals(phase, selection)) session.run_global(*g);
    });
  };
  auto run_equilibrium = [&](const std::string& phase, WalkOrder order) {
    timed(phase, [&] { equilibrium(session, db.locals(phase, selection), order, fold, merge); });
  };

  run_globals("merge");
  run_globals("scan");  // loops: hoist invariants, merge, keep only the rows read
  // Algebra: outputs first, so an n-ary sum or product is gathered whole from its top.
  run_equilibrium("canonicalize", WalkOrder::OutputsToInputs);
  run_equilibrium("stabilize", WalkOrder::InputsToOutputs);
  run_equilibrium("specialize", WalkOrder::InputsToOutputs);
  run_globals("fusion");
  run_globals("blas");
  run_globals("inplace");
  run_globals("merge");
}

}  // namespace theon::rewrite
