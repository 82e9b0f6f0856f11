#include "theon/clone.hpp"

#include <unordered_map>

#include "ops/op_util.hpp"
#include "theon/test_value.hpp"

namespace theon {

Vars clone(const Vars& outputs, const std::vector<std::pair<Var, Var>>& replace) {
  // As Theano's clone, which remakes nodes without running them: no test values.
  NoTestValues no_test_values;
  std::unordered_map<VariableNode*, Var> mapped;
  for (const auto& [from, to] : replace) {
    THEON_CHECK_USER(from.dtype() == to.dtype() && from.ndim() == to.ndim(), TypeError)
        << "clone: cannot replace " << describe(from) << " by " << describe(to);
    mapped[from.get()] = to;
  }
  // Post-order walk; a node is rebuilt only when one of its inputs changed.
  std::vector<std::pair<Var, bool>> stack;
  for (const Var& out : outputs) stack.push_back({out, false});
  while (!stack.empty()) {
    auto [v, expanded] = stack.back();
    stack.pop_back();
    if (mapped.count(v.get())) continue;
    const ApplyNode* owner = v.owner();
    if (!owner) {
      mapped[v.get()] = v;
      continue;
    }
    if (!expanded) {
      stack.push_back({v, true});
      for (const Var& in : owner->inputs)
        if (!mapped.count(in.get())) stack.push_back({in, false});
      continue;
    }
    Vars inputs;
    bool changed = false;
    for (const Var& in : owner->inputs) {
      inputs.push_back(mapped.at(in.get()));
      changed = changed || !inputs.back().is(in);
    }
    if (!changed) {
      for (int i = 0; i < owner->n_outputs(); ++i) mapped[const_cast<VariableNode*>(&owner->outputs[i])] = owner->output(i);
      continue;
    }
    Vars outs = make_apply(owner->op_ptr, std::move(inputs), owner->loc);
    for (int i = 0; i < owner->n_outputs(); ++i) {
      outs[i].set_name(owner->outputs[i].name);
      mapped[const_cast<VariableNode*>(&owner->outputs[i])] = outs[i];
    }
  }
  Vars result;
  for (const Var& out : outputs) result.push_back(mapped.at(out.get()));
  return result;
}

Var clone(const Var& output, const std::vector<std::pair<Var, Var>>& replace) {
  return clone(Vars{output}, replace)[0];
}

}  // namespace theon
