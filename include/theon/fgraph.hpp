// FunctionGraph: a private copy of the graph between a function's inputs and outputs,
// which rewrites may change. It knows every variable's clients (the nodes that read
// it), so a variable can be replaced everywhere at once.
#pragma once

#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "theon/graph.hpp"

namespace theon {

// A reader of a variable: input `index` of `node`, or (node == nullptr) output `index`
// of the graph.
struct Client {
  ApplyNode* node;
  int index;
};

class FunctionGraph {
 public:
  // Copies the graph from `outputs` back to `inputs` (and the constants and shared
  // variables it reaches), substituting each givens.first by givens.second first. Input
  // variables are cut: anything above them is not copied. Throws ValueError naming a
  // source variable that the outputs need but that is neither an input, a constant nor
  // a shared variable.
  FunctionGraph(const Vars& inputs, const Vars& outputs,
                const std::vector<std::pair<Var, Var>>& givens = {});

  const Vars& inputs() const { return inputs_; }
  const Vars& outputs() const { return outputs_; }
  // The nodes in an order where every node follows the nodes it reads from.
  std::vector<ApplyNode*> toposort() const;
  // Every variable of the graph (sources and node outputs), in topological order.
  Vars variables() const;
  const std::vector<Client>& clients(const Var& v) const;
  // clients(v).size(), without compacting the list.
  size_t n_clients(const Var& v) const;

  // Makes every reader of `old_var` read `new_var` instead. Types must agree (the same
  // dtype and rank; new may be more broadcastable). `new_var` may be built on `old_var`
  // (x -> f(x)): its own nodes keep reading `old_var`. Nodes left without readers are
  // removed. `reason` names the rewrite.
  void replace(const Var& old_var, const Var& new_var, std::string_view reason = "");
  // Adds the nodes between `v` and existing variables (after a rewrite built them) and
  // returns them, inputs first.
  std::vector<ApplyNode*> import_var(const Var& v);
  // Whether `node` is part of the graph (a replaced node is not).
  bool contains(const ApplyNode* node) const { return nodes_.count(const_cast<ApplyNode*>(node)) > 0; }
  size_t n_nodes() const { return nodes_.size(); }
  // Removes nodes no output depends on.
  void prune();
  // Checks the client lists against the graph; InternalError on a mismatch.
  void check_integrity() const;

 private:
  // A variable's readers in the order they came. A removed reader leaves a hole
  // (kRemoved) that is compacted away later, so that removing one reader of a variable
  // read a million times (a merged constant) costs O(1), not a search of the list.
  struct ClientList {
    std::vector<Client> entries;
    size_t n_removed = 0;
  };
  static constexpr int kRemoved = -1;

  void import_node(ApplyNode* node);
  void add_client(const Var& v, Client c);
  // Removes reader `c` of `v`; returns how many readers `v` has left.
  size_t remove_client(const Var& v, Client c);
  void compact(ClientList& list) const;
  // Where reader `c`'s entry lies in its variable's list.
  size_t& slot_of(Client c) const;
  // Removes `node` if none of its outputs is read, then its inputs' owners likewise.
  void remove_if_unused(ApplyNode* node);

  Vars inputs_;
  Vars outputs_;
  // Each node of the graph, with the position of its entry in each input's ClientList.
  mutable std::unordered_map<ApplyNode*, std::vector<size_t>> nodes_;
  // The same for the graph's outputs.
  mutable std::vector<size_t> output_slots_;
  mutable std::unordered_map<VariableNode*, ClientList> clients_;
  // Keeps the cloned nodes alive (a node's outputs may all be unused after a replace).
  std::vector<std::shared_ptr<ApplyNode>> owned_;
};

}  // namespace theon
