#include "theon/fgraph.hpp"

#include "graph/post_order.hpp"
#include "ops/op_util.hpp"

namespace theon {
namespace {

// A copy of `node` reading `inputs`, with outputs of the same types, names and places.
std::shared_ptr<ApplyNode> clone_node(const ApplyNode& node, Vars inputs) {
  auto copy = std::make_shared<ApplyNode>();
  copy->op_ptr = node.op_ptr;
  copy->inputs = std::move(inputs);
  copy->loc = node.loc;
  copy->outputs.resize(node.outputs.size());
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    VariableNode& out = copy->outputs[i];
    out.type = node.outputs[i].type;
    out.name = node.outputs[i].name;
    out.loc = node.outputs[i].loc;
    out.owner = copy.get();
    out.index = static_cast<int>(i);
  }
  copy->self = copy;
  return copy;
}

}  // namespace

FunctionGraph::FunctionGraph(const Vars& inputs, const Vars& outputs,
                             const std::vector<std::pair<Var, Var>>& givens) {
  std::unordered_map<VariableNode*, Var> copies;  // original -> copy
  std::unordered_map<VariableNode*, Var> substitute;
  for (const auto& [from, to] : givens) {
    THEON_CHECK_USER(from.defined() && to.defined(), ValueError) << "givens: undefined variable";
    THEON_CHECK_USER(from.ndim() == to.ndim() && from.dtype() == to.dtype(), TypeError)
        << "givens: cannot replace " << describe(from) << " by " << describe(to)
        << " (the dtype and number of dimensions must match)";
    substitute[from.get()] = to;
  }
  for (const Var& in : inputs) {
    THEON_CHECK_USER(!in.is_constant(), TypeError)
        << "function: a constant cannot be an input: " << describe(in);
    THEON_CHECK_USER(!copies.count(in.get()), ValueError)
        << "function: input " << describe(in) << " is given twice";
    // A source input is used as it is; an intermediate variable is cut into a new source.
    Var copy = in.owner() ? make_variable(in.type(), in.name(), in.loc()) : in;
    copies[in.get()] = copy;
    inputs_.push_back(copy);
  }

  // Iterative post-order copy (deep graphs must not overflow the stack).
  auto copy_of = [&](const Var& root) -> Var {
    std::vector<std::pair<Var, bool>> stack{{root, false}};
    while (!stack.empty()) {
      auto [v, expanded] = stack.back();
      stack.pop_back();
      if (copies.count(v.get())) continue;
      if (auto it = substitute.find(v.get()); it != substitute.end() && !it->second.is(v)) {
        if (!expanded) {
          stack.push_back({v, true});
          stack.push_back({it->second, false});
        } else {
          copies[v.get()] = copies.at(it->second.get());
        }
        continue;
      }
      const ApplyNode* owner = v.owner();
      if (!owner) {
        THEON_CHECK_USER(v.is_constant() || v.is_shared(), ValueError)
            << "function: the outputs depend on " << describe(v)
            << ", which is not among the inputs (add it to the inputs, or to givens)";
        copies[v.get()] = v;
        continue;
      }
      if (!expanded) {
        stack.push_back({v, true});
        for (const Var& in : owner->inputs)
          if (!copies.count(in.get())) stack.push_back({in, false});
        continue;
      }
      Vars new_inputs;
      for (const Var& in : owner->inputs) new_inputs.push_back(copies.at(in.get()));
      auto node = clone_node(*owner, std::move(new_inputs));
      for (int i = 0; i < owner->n_outputs(); ++i) {
        VariableNode* original = const_cast<VariableNode*>(&owner->outputs[i]);
        copies[original] = node->output(i);
      }
      owned_.push_back(node);
    }
    return copies.at(root.get());
  };

  for (const Var& out : outputs) {
    THEON_CHECK_USER(out.defined(), ValueError) << "function: an output is undefined";
    outputs_.push_back(copy_of(out));
  }
  for (const Var& out : outputs_) import_var(out);
  output_slots_.resize(outputs_.size());
  for (size_t i = 0; i < outputs_.size(); ++i) add_client(outputs_[i], {nullptr, static_cast<int>(i)});
}

void FunctionGraph::add_client(const Var& v, Client c) {
  std::vector<Client>& entries = clients_[v.get()].entries;
  entries.push_back(c);
  slot_of(c) = entries.size() - 1;
}

size_t& FunctionGraph::slot_of(Client c) const {
  if (!c.node) return output_slots_.at(c.index);
  return nodes_.at(c.node).at(c.index);
}

size_t FunctionGraph::remove_client(const Var& v, Client c) {
  auto it = clients_.find(v.get());
  THEON_ASSERT(it != clients_.end()) << "fgraph: removing a reader of a variable without readers";
  ClientList& list = it->second;
  Client& entry = list.entries.at(slot_of(c));
  THEON_ASSERT(entry.node == c.node && entry.index == c.index) << "fgraph: client slot out of date";
  entry.index = kRemoved;
  ++list.n_removed;
  const size_t left = list.entries.size() - list.n_removed;
  if (left == 0) {
    clients_.erase(it);
  } else if (list.n_removed * 2 > list.entries.size()) {
    compact(list);  // amortized: at least as many removals as entries kept
  }
  return left;
}

void FunctionGraph::compact(ClientList& list) const {
  size_t kept = 0;
  for (const Client& c : list.entries) {
    if (c.index == kRemoved) continue;
    list.entries[kept] = c;
    slot_of(c) = kept++;
  }
  list.entries.resize(kept);
  list.n_removed = 0;
}

std::vector<ApplyNode*> FunctionGraph::import_var(const Var& root) {
  std::vector<ApplyNode*> imported;
  std::vector<ApplyNode*> stack;
  if (root.owner()) stack.push_back(const_cast<ApplyNode*>(root.owner()));
  std::unordered_set<ApplyNode*> visiting;
  // Collect new nodes, then register them in post-order so inputs come first.
  while (!stack.empty()) {
    ApplyNode* node = stack.back();
    if (nodes_.count(node)) {
      stack.pop_back();
      continue;
    }
    if (visiting.insert(node).second) {
      for (const Var& in : node->inputs)
        if (in.owner() && !nodes_.count(const_cast<ApplyNode*>(in.owner())))
          stack.push_back(const_cast<ApplyNode*>(in.owner()));
      continue;
    }
    stack.pop_back();
    import_node(node);
    imported.push_back(node);
  }
  return imported;
}

void FunctionGraph::import_node(ApplyNode* node) {
  if (!nodes_.try_emplace(node, node->inputs.size()).second) return;
  if (auto shared = node->self.lock()) owned_.push_back(std::move(shared));
  for (size_t i = 0; i < node->inputs.size(); ++i)
    add_client(node->inputs[i], {node, static_cast<int>(i)});
}

const std::vector<Client>& FunctionGraph::clients(const Var& v) const {
  static const std::vector<Client> kNone;
  auto it = clients_.find(v.get());
  if (it == clients_.end()) return kNone;
  if (it->second.n_removed) compact(it->second);
  return it->second.entries;
}

size_t FunctionGraph::n_clients(const Var& v) const {
  auto it = clients_.find(v.get());
  return it == clients_.end() ? 0 : it->second.entries.size() - it->second.n_removed;
}

void FunctionGraph::replace(const Var& old_ref, const Var& new_ref, std::string_view reason) {
  // Copies: the arguments may be references into outputs_, which this rewires.
  const Var old_var = old_ref, new_var = new_ref;
  THEON_ASSERT(old_var.dtype() == new_var.dtype() && old_var.ndim() == new_var.ndim())
      << (reason.empty() ? "replace" : reason) << ": " << old_var.type().str() << " replaced by "
      << new_var.type().str();
  for (int d = 0; d < old_var.ndim(); ++d)
    THEON_ASSERT(!old_var.broadcastable()[d] || new_var.broadcastable()[d])
        << reason << ": replacement loses broadcastability of dimension " << d;
  std::vector<ApplyNode*> added = import_var(new_var);
  std::unordered_set<ApplyNode*> own(added.begin(), added.end());
  std::vector<Client> readers = clients(old_var);
  clients_.erase(old_var.get());
  for (const Client& c : readers) {
    if (own.count(c.node)) {  // the replacement's own nodes read the old variable
      add_client(old_var, c);
      continue;
    }
    if (c.node) c.node->inputs[c.index] = new_var;
    else outputs_[c.index] = new_var;
    add_client(new_var, c);
  }
  if (old_var.owner()) remove_if_unused(const_cast<ApplyNode*>(old_var.owner()));
}

void FunctionGraph::remove_if_unused(ApplyNode* start) {
  std::vector<ApplyNode*> work{start};
  while (!work.empty()) {
    ApplyNode* node = work.back();
    work.pop_back();
    if (!nodes_.count(node)) continue;
    bool used = false;
    for (int i = 0; i < node->n_outputs() && !used; ++i) used = n_clients(node->output(i)) > 0;
    if (used) continue;
    for (int i = 0; i < node->n_outputs(); ++i) clients_.erase(&node->outputs[i]);
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      const Var& in = node->inputs[i];
      if (remove_client(in, {node, static_cast<int>(i)}) == 0 && in.owner())
        work.push_back(const_cast<ApplyNode*>(in.owner()));
    }
    nodes_.erase(node);
  }
}

std::vector<ApplyNode*> FunctionGraph::toposort() const { return detail::nodes_in_post_order(outputs_); }

Vars FunctionGraph::variables() const {
  Vars out;
  std::unordered_set<VariableNode*> seen;
  auto add = [&](const Var& v) {
    if (seen.insert(v.get()).second) out.push_back(v);
  };
  for (const Var& in : inputs_) add(in);
  for (ApplyNode* node : toposort()) {
    for (const Var& in : node->inputs) add(in);
    for (int i = 0; i < node->n_outputs(); ++i) add(node->output(i));
  }
  for (const Var& v : outputs_) add(v);
  return out;
}

void FunctionGraph::prune() {
  std::vector<ApplyNode*> live = toposort();
  std::unordered_set<ApplyNode*> keep(live.begin(), live.end());
  std::vector<ApplyNode*> dead;
  for (const auto& [node, slots] : nodes_)
    if (!keep.count(node)) dead.push_back(node);
  for (ApplyNode* node : dead)
    for (size_t i = 0; i < node->inputs.size(); ++i) remove_client(node->inputs[i], {node, static_cast<int>(i)});
  for (ApplyNode* node : dead) {
    for (int i = 0; i < node->n_outputs(); ++i) clients_.erase(&node->outputs[i]);
    nodes_.erase(node);
  }
}

void FunctionGraph::check_integrity() const {
  for (const auto& [node, slots] : nodes_) {
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      const auto& list = clients(node->inputs[i]);
      bool found = false;
      for (const Client& c : list) found = found || (c.node == node && c.index == static_cast<int>(i));
      THEON_ASSERT(found) << "node " << node->op().name() << " input " << i << " has no client entry";
    }
  }
}

}  // namespace theon
