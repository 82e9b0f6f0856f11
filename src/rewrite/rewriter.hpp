// The rewrite engine: local rewrites (one node -> replacements for its outputs), rules
// (a pattern and a builder), global rewrites (a pass over the whole graph), the
// database that files them by phase and tag, and the session that applies them to one
// function's graph.
//
// Rewrites never call FunctionGraph::replace themselves: they return replacements (or
// call RewriteSession::replace), and the session checks the types, copies the replaced
// variable's creation site onto the new nodes (so run-time errors still name the user's
// line), keeps the history and contains a rewrite that throws (see RewriteSession).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rewrite/pattern.hpp"
#include "theon/fgraph.hpp"

namespace theon::rewrite {

// Looks at one node; returns one replacement per output (an undefined Var keeps that
// output), or nullopt to decline.
struct LocalRewrite {
  std::string name;
  // track_key()s of the ops it looks at; empty: every node.
  std::vector<std::string> tracks;
  std::function<std::optional<Vars>(const ApplyNode& node, const FunctionGraph& fgraph)> apply;
};

// A local rewrite written as a pattern and the replacement of the pattern root's output.
struct Rule {
  std::string name;
  pat::Pattern pattern;
  std::function<std::optional<Var>(const pat::Match&)> build;

  LocalRewrite to_local() const;
};

class RewriteSession;

// A pass over the whole graph (merge, fusion, ...).
struct GlobalRewrite {
  std::string name;
  std::function<void(RewriteSession&)> run;
};

// Which rewrites run: those with a tag in `including` and none in `excluding`. A
// rewrite's tags include its name and its phase's name.
struct Selection {
  std::set<std::string, std::less<>> including;
  std::set<std::string, std::less<>> excluding;
  bool enables(const std::vector<std::string>& tags) const;
};

struct Applied {
  std::string rewrite;
  Var old_var;
  Var new_var;
};

struct SessionOptions {
  // Rethrow a rewrite's exception (the test suite) instead of skipping the rewrite with
  // one warning line (users).
  bool raise_errors = false;
  // Print each applied rewrite: "canonicalize/merge_adds: ((x + y) + x) -> ...".
  bool verbose = false;
  // At most this many replacements (the checking mode bisects over it).
  size_t budget = SIZE_MAX;
};

class RewriteSession {
 public:
  RewriteSession(FunctionGraph& fgraph, SessionOptions options);

  FunctionGraph& fgraph() { return fgraph_; }
  const SessionOptions& options() const { return options_; }

  // Replaces `old_var` everywhere by `new_var` on behalf of `rewrite`. InternalError if
  // the types disagree (the replacement must have old_var's dtype and rank, and be
  // broadcastable wherever old_var is). Returns false, changing nothing, when the
  // budget is spent or old_var is new_var.
  bool replace(const Var& old_var, const Var& new_var, std::string_view rewrite);
  // The same for every output of `node` (undefined entries are kept); all or nothing.
  bool replace_node(const ApplyNode& node, const Vars& replacements, std::string_view rewrite);

  // Runs one attempt of `rewrite` on `node`. An exception from it is a bug in the
  // rewrite: rethrown as InternalError when options().raise_errors, otherwise reported
  // once as a warning line and the rewrite is disabled for this session.
  std::optional<Vars> attempt(const LocalRewrite& rewrite, const ApplyNode& node);
  void run_global(const GlobalRewrite& rewrite);
  bool is_disabled(const std::string& rewrite) const { return disabled_.count(rewrite) > 0; }

  bool budget_spent() const { return history_size_ >= options_.budget; }
  // Every replacement made, in order (kept only when `keep_history` was asked).
  const std::vector<Applied>& history() const { return history_; }
  void keep_history() { keep_history_ = true; }
  size_t n_applied() const { return history_size_; }
  // The phase now running (prefix of verbose lines).
  void set_phase(std::string phase) { phase_ = std::move(phase); }

 private:
  void check_types(const Var& old_var, const Var& new_var, std::string_view rewrite) const;
  void stamp_fresh_nodes(const Var& old_var, const Var& new_var);
  void contain_error(const std::string& rewrite, const ApplyNode* node, const std::exception& e);

  FunctionGraph& fgraph_;
  SessionOptions options_;
  std::set<std::string, std::less<>> disabled_;
  std::vector<Applied> history_;
  size_t history_size_ = 0;
  bool keep_history_ = false;
  std::string phase_;
};

enum class WalkOrder { InputsToOutputs, OutputsToInputs };

// The rewrites, filed by phase. Phases run in the order of pipeline.cpp.
class RewriteDb {
 public:
  void add(const std::string& phase, LocalRewrite rewrite, std::vector<std::string> tags);
  void add(const std::string& phase, const std::vector<Rule>& rules, std::vector<std::string> tags);
  void add_global(const std::string& phase, GlobalRewrite rewrite, std::vector<std::string> tags);

  std::vector<const LocalRewrite*> locals(const std::string& phase, const Selection& s) const;
  std::vector<const GlobalRewrite*> globals(const std::string& phase, const Selection& s) const;

 private:
  template <class R>
  struct Entry {
    R rewrite;
    std::vector<std::string> tags;
  };
  std::map<std::string, std::vector<Entry<LocalRewrite>>, std::less<>> locals_;
  std::map<std::string, std::vector<Entry<GlobalRewrite>>, std::less<>> globals_;
};

// Applies `locals` until none applies any more, in passes over the graph in `order`.
// Each pass first folds constants (the `constant_fold` rewrite, when given) from inputs
// to outputs, then runs `locals`, then `merge` (when given). Stops with a warning (or an
// InternalError under raise_errors) if the graph still changes after many passes: a
// pair of rewrites undoing each other.
void equilibrium(RewriteSession& session, const std::vector<const LocalRewrite*>& locals,
                 WalkOrder order, const LocalRewrite* constant_fold, const GlobalRewrite* merge);

}  // namespace theon::rewrite
