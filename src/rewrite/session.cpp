#include <iostream>
#include <unordered_set>

#include "rewrite/rewriter.hpp"
#include "theon/print.hpp"
#include "theon/test_value.hpp"

namespace theon::rewrite {
namespace {

// Expressions in messages are cut to this length: a rewrite may replace a huge graph.
constexpr size_t kShownChars = 300;

}  // namespace

LocalRewrite Rule::to_local() const {
  const std::string& root = pattern.root_op();
  THEON_ASSERT(!root.empty()) << "rule " << name << ": the pattern's root must be an op";
  return LocalRewrite{name, {root},
                      [pattern = pattern, build = build](const ApplyNode& node,
                                                         const FunctionGraph&) -> std::optional<Vars> {
                        if (node.n_outputs() != 1) return std::nullopt;
                        auto m = pattern.match(node.output(0));
                        if (!m) return std::nullopt;
                        std::optional<Var> out = build(*m);
                        if (!out) return std::nullopt;
                        return Vars{*out};
                      }};
}

bool Selection::enables(const std::vector<std::string>& tags) const {
  bool in = false;
  for (const std::string& t : tags) {
    if (excluding.count(t)) return false;
    in = in || including.count(t);
  }
  return in;
}

RewriteSession::RewriteSession(FunctionGraph& fgraph, SessionOptions options)
    : fgraph_(fgraph), options_(options) {}

void RewriteSession::check_types(const Var& old_var, const Var& new_var, std::string_view rewrite) const {
  THEON_ASSERT(new_var.defined()) << "rewrite " << rewrite << " returned an undefined variable";
  bool ok = old_var.dtype() == new_var.dtype() && old_var.ndim() == new_var.ndim();
  for (int d = 0; ok && d < old_var.ndim(); ++d)
    ok = !old_var.broadcastable()[d] || new_var.broadcastable()[d];
  THEON_ASSERT(ok) << "rewrite " << rewrite << " replaced " << old_var.type().str() << " "
                   << pp(old_var, kShownChars) << " by " << new_var.type().str() << " "
                   << pp(new_var, kShownChars);
}

// New nodes take the creation site of the variable they replace, so that a run-time
// error in them names the user's line rather than a line of the rewrite.
void RewriteSession::stamp_fresh_nodes(const Var& old_var, const Var& new_var) {
  const Loc& loc = old_var.loc();
  const Loc& node_loc = old_var.owner() ? old_var.owner()->loc : loc;
  if (new_var.owner() && !fgraph_.contains(new_var.owner()) && new_var.name().empty())
    new_var.get()->name = old_var.name();
  std::vector<ApplyNode*> stack;
  std::unordered_set<ApplyNode*> seen;
  if (new_var.owner()) stack.push_back(const_cast<ApplyNode*>(new_var.owner()));
  while (!stack.empty()) {
    ApplyNode* node = stack.back();
    stack.pop_back();
    if (fgraph_.contains(node) || !seen.insert(node).second) continue;
    node->loc = node_loc;
    for (VariableNode& out : node->outputs) out.loc = loc;
    for (const Var& in : node->inputs)
      if (in.owner()) stack.push_back(const_cast<ApplyNode*>(in.owner()));
  }
}

bool RewriteSession::replace(const Var& old_ref, const Var& new_ref, std::string_view rewrite) {
  const Var old_var = old_ref, new_var = new_ref;  // the arguments may alias graph outputs
  if (old_var.is(new_var) || budget_spent()) return false;
  check_types(old_var, new_var, rewrite);
  std::string before = options_.verbose ? pp(old_var, kShownChars) : std::string();
  stamp_fresh_nodes(old_var, new_var);
  fgraph_.replace(old_var, new_var, rewrite);
  ++history_size_;
  if (keep_history_) history_.push_back({std::string(rewrite), old_var, new_var});
  if (options_.verbose)
    std::cerr << phase_ << "/" << rewrite << ": " << before << " -> " << pp(new_var, kShownChars) << "\n";
  return true;
}

bool RewriteSession::replace_node(const ApplyNode& node, const Vars& replacements,
                                  std::string_view rewrite) {
  THEON_ASSERT(static_cast<int>(replacements.size()) == node.n_outputs())
      << "rewrite " << rewrite << " returned " << replacements.size() << " replacements for "
      << node.n_outputs() << " outputs of " << node.op().name();
  bool any = false;
  for (int i = 0; i < node.n_outputs(); ++i) {
    if (!replacements[i].defined()) continue;
    check_types(node.output(i), replacements[i], rewrite);
    any = any || !replacements[i].is(node.output(i));
  }
  if (!any || budget_spent()) return false;
  // Keep the outputs alive: the node leaves the graph with its first replaced output.
  Vars outputs = node.output_vars();
  bool changed = false;
  for (int i = 0; i < static_cast<int>(outputs.size()); ++i)
    if (replacements[i].defined() && fgraph_.n_clients(outputs[i]) > 0)
      changed = replace(outputs[i], replacements[i], rewrite) || changed;
  return changed;
}

void RewriteSession::contain_error(const std::string& rewrite, const ApplyNode* node,
                                   const std::exception& e) {
  std::string where = node ? " on " + node->op().name() : std::string();
  if (options_.raise_errors) {
    THEON_FAIL(InternalError) << "rewrite " << rewrite << where << " threw: " << e.what();
  }
  disabled_.insert(rewrite);
  // One line: the first line of the message.
  std::string what = e.what();
  what = what.substr(0, what.find('\n'));
  std::cerr << "theon warning: rewrite " << rewrite << " failed" << where << " and was skipped ("
            << what << ")\n";
}

std::optional<Vars> RewriteSession::attempt(const LocalRewrite& rewrite, const ApplyNode& node) {
  NoTestValues no_test_values;  // rewrites build over copies: never compute test values
  try {
    return rewrite.apply(node, fgraph_);
  } catch (const std::exception& e) {
    contain_error(rewrite.name, &node, e);
    return std::nullopt;
  }
}

void RewriteSession::run_global(const GlobalRewrite& rewrite) {
  if (is_disabled(rewrite.name)) return;
  NoTestValues no_test_values;
  try {
    rewrite.run(*this);
  } catch (const std::exception& e) {
    contain_error(rewrite.name, nullptr, e);
  }
}

}  // namespace theon::rewrite
