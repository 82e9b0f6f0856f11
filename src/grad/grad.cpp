// The reverse-mode driver: walks the graph from the cost back to the wrt variables,
// asking each node's op for its pullback. The rules themselves live with the ops.
#include "theon/grad.hpp"

#include <algorithm>
#include <iostream>
#include <unordered_map>
#include <unordered_set>

#include "grad/symbolic_zero.hpp"
#include "ops/op_util.hpp"
#include "theon/shape_ops.hpp"
#include "theon/test_value.hpp"

namespace theon::tensor {
namespace {

using NodeSet = std::unordered_set<const ApplyNode*>;

// Nodes between the sources and `roots`, inputs first.
std::vector<const ApplyNode*> ancestors_in_order(const Vars& roots) {
  std::vector<const ApplyNode*> order;
  NodeSet done;
  std::vector<std::pair<const ApplyNode*, bool>> stack;
  for (const Var& r : roots)
    if (r.owner()) stack.push_back({r.owner(), false});
  while (!stack.empty()) {
    auto [node, expanded] = stack.back();
    stack.pop_back();
    if (done.count(node)) continue;
    if (!expanded) {
      stack.push_back({node, true});
      for (const Var& in : node->inputs)
        if (in.owner() && !done.count(in.owner())) stack.push_back({in.owner(), false});
      continue;
    }
    done.insert(node);
    order.push_back(node);
  }
  return order;
}

// Makes a gradient fit its variable's type: same dtype, and no broadcastable dimension
// the variable lacks... nor lacking one the variable has.
Var fit_to(const Var& g, const Var& v) {
  Var out = g.dtype() == v.dtype() ? g : cast(g, v.dtype());
  std::vector<int> widen, narrow;
  for (int d = 0; d < v.ndim(); ++d) {
    if (out.broadcastable()[d] && !v.broadcastable()[d]) widen.push_back(d);
    if (!out.broadcastable()[d] && v.broadcastable()[d]) narrow.push_back(d);
  }
  if (!widen.empty()) out = unbroadcast(out, widen);
  if (!narrow.empty()) out = addbroadcast(out, narrow);
  return out;
}

}  // namespace

Vars grad(const Var& cost, const Vars& wrt, const GradOptions& options, Loc loc) {
  if (options.known_grads.empty() || cost.defined()) {
    THEON_CHECK_USER(cost.defined(), ValueError) << "grad: the cost is undefined";
    THEON_CHECK_USER(cost.ndim() == 0, TypeError)
        << "grad: the cost must be a scalar, got " << describe(cost)
        << " (sum or average it first, or use jacobian)";
  }
  for (const Var& w : wrt) {
    THEON_CHECK_USER(w.defined(), ValueError) << "grad: an undefined variable in wrt";
    THEON_CHECK_USER(!w.is_constant(), TypeError)
        << "grad: cannot differentiate with respect to a constant: " << describe(w);
  }
  const std::string& policy = options.disconnected_inputs;
  THEON_CHECK_USER(policy == "raise" || policy == "warn" || policy == "ignore", ValueError)
      << "grad: disconnected_inputs must be raise, warn or ignore, got '" << policy << "'";
  THEON_CHECK_USER(options.return_disconnected == "zero" || options.return_disconnected == "none",
                   ValueError)
      << "grad: return_disconnected must be zero or none";

  Vars roots;
  if (cost.defined()) roots.push_back(cost);
  for (const auto& [v, g] : options.known_grads) roots.push_back(v);
  const auto order = ancestors_in_order(roots);

  // Which variables depend on a wrt variable (only those need gradients).
  std::unordered_set<VariableNode*> blocked;
  for (const Var& c : options.consider_constant) blocked.insert(c.get());
  std::unordered_set<VariableNode*> depends;
  for (const Var& w : wrt) depends.insert(w.get());
  for (const ApplyNode* node : order) {
    bool any = false;
    for (const Var& in : node->inputs) any = any || (depends.count(in.get()) && !blocked.count(in.get()));
    if (!any) continue;
    for (int i = 0; i < node->n_outputs(); ++i) depends.insert(node->output(i).get());
  }

  // Accumulated gradient terms per variable. A term known to be zero (is_symbolic_zero:
  // the gradient of floor division, round, a comparison, ...) is not accumulated: its
  // variable is only marked `reached`, so that what it flows to counts as connected (and
  // gets zeros) while no node of its backward pass is built.
  std::unordered_map<VariableNode*, Vars> terms;
  std::unordered_map<VariableNode*, Var> zero_terms;  // one zero per variable reached
  auto add_term = [&](const Var& v, const Var& g) {
    if (detail::is_symbolic_zero(g)) {
      zero_terms.try_emplace(v.get(), g);
    } else {
      terms[v.get()].push_back(g);
    }
  };
  if (cost.defined() && depends.count(cost.get())) {
    // d cost / d cost: ones shaped like the cost (prints as Theano's fill(cost, 1.0)).
    terms[cost.get()].push_back(second(cost, VarArg(1.0, loc)));
  }
  for (const auto& [v, g] : options.known_grads) add_term(v, g);
  auto total = [&](const Var& v) -> Var {
    auto it = terms.find(v.get());
    if (it == terms.end() || it->second.empty()) return Var();
    Var sum_of = add(it->second, loc);
    return fit_to(sum_of, v);
  };
  auto is_needed = [&](const Var& in) {
    return depends.count(in.get()) && !blocked.count(in.get());
  };

  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const ApplyNode* node = *it;
    bool needed = false;
    for (const Var& in : node->inputs) needed = needed || is_needed(in);
    if (!needed) continue;
    Vars gouts(node->n_outputs());
    bool any = false, any_zero = false, all_discrete = true;
    for (int i = 0; i < node->n_outputs(); ++i) {
      Var out = node->output(i);
      all_discrete = all_discrete && is_discrete(out.dtype());
      if (blocked.count(out.get())) continue;
      gouts[i] = total(out);
      any = any || gouts[i].defined();
      any_zero = any_zero || (!gouts[i].defined() && zero_terms.count(out.get()));
    }
    if (!any && !any_zero) continue;
    if (!any && !all_discrete) {
      // Only zero gradients reach this node: its inputs get zero gradients too, and it is
      // never pulled back (nothing of its backward pass is built).
      for (const Var& in : node->inputs)
        if (is_needed(in)) zero_terms.try_emplace(in.get(), Var());
      continue;
    }
    // Nodes with discrete outputs (shape, argmax, comparisons) pass only zeros back
    // and build nothing large: they are still asked, since their pullback says which
    // inputs are connected (a shape is not).
    if (!any)
      for (int i = 0; i < node->n_outputs(); ++i)
        if (auto z = zero_terms.find(node->output(i).get()); z != zero_terms.end())
          gouts[i] = z->second.defined() ? fit_to(z->second, node->output(i))
                                         : zeros_like(node->output(i));
    if (!std::any_of(gouts.begin(), gouts.end(), [](const Var& g) { return g.defined(); })) {
      for (const Var& in : node->inputs)
        if (is_needed(in)) zero_terms.try_emplace(in.get(), Var());
      continue;
    }
    Vars gins = node->op().pullback(*node, gouts);
    // A pullback may build its gradients without test values (scan's): compute them when
    // everything they come from has one, so that the walk stays within the new nodes.
    if (any && detail::test_values_active() && node->outputs[0].test_value &&
        std::all_of(gouts.begin(), gouts.end(), [](const Var& g) { return !g.defined() || has_test_value(g); }))
      detail::fill_test_values(gins);
    THEON_ASSERT(gins.size() == node->inputs.size())
        << node->op().name() << " returned " << gins.size() << " gradients for "
        << node->inputs.size() << " inputs";
    for (size_t k = 0; k < gins.size(); ++k) {
      const Var& in = node->inputs[k];
      if (!is_needed(in)) continue;
      // An input reached through an output whose gradient is zero (passed to the pullback
      // as no gradient) is connected, whatever the pullback did without it.
      if (!gins[k].defined()) {
        if (any && any_zero) zero_terms.try_emplace(in.get(), Var());
        continue;
      }
      THEON_ASSERT(gins[k].ndim() == in.ndim())
          << node->op().name() << ": gradient of input " << k << " has rank " << gins[k].ndim()
          << ", the input " << in.ndim();
      if (any) {
        add_term(in, gins[k]);
      } else {
        zero_terms.try_emplace(in.get(), gins[k]);  // zeros in, zeros out
      }
    }
  }

  Vars result;
  for (const Var& w : wrt) {
    Var g = total(w);
    const bool reached = g.defined() || zero_terms.count(w.get());
    if (reached && is_discrete(w.dtype())) g = zeros_like(w, config().floatX);
    if (reached && !g.defined())
      g = zeros_like(w, is_inexact(w.dtype()) ? w.dtype() : config().floatX);
    if (!g.defined()) {
      std::string msg = "grad: the cost does not depend on " + describe(w);
      THEON_CHECK_USER(policy != "raise", ValueError)
          << msg << " (pass disconnected_inputs = \"ignore\" or \"warn\" to allow it)";
      if (policy == "warn") std::cerr << "theon warning: " << msg << "\n";
      if (options.return_disconnected == "zero")
        g = zeros_like(w, is_inexact(w.dtype()) ? w.dtype() : config().floatX);
    }
    result.push_back(g);
  }
  return result;
}

Var grad(const Var& cost, const Var& wrt, const GradOptions& options, Loc loc) {
  return grad(cost, Vars{wrt}, options, loc)[0];
}

}  // namespace theon::tensor
