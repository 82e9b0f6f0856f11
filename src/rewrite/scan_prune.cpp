// scan_prune: the backward loop of a scan's gradient stacks the gradient of every float
// sequence (dx_t = dz_t W^T for an LSTM's input) whether or not the caller asked for it;
// when nothing reads such a stacked output, its products in the body are wasted work.
// Per scan: stacked (non-recurrent) outputs without readers are dropped, then the
// sequences and non-sequences the kept outputs no longer read (W^T above; or x_t once
// scan_pushout_dot has moved its product out of the loop). Recurrent
// outputs stay: the next step reads them. A body with side effects (Print) is left
// alone, since its effects belong to the dropped outputs as much as to the kept ones.
#include "rewrite/scan_prune.hpp"

#include <algorithm>
#include <unordered_set>

#include "graph/post_order.hpp"
#include "ops/scan/scan_op.hpp"
#include "rewrite/scan_nodes.hpp"
#include "theon/side_effect.hpp"

namespace theon::rewrite {
namespace {

using detail::ScanSpec;

bool is_read(const FunctionGraph& fgraph, const Var& v) {
  if (fgraph.n_clients(v) > 0) return true;
  for (const Var& out : fgraph.outputs())
    if (out.get() == v.get()) return true;
  return false;
}

bool prune(RewriteSession& session, const ApplyNode& node) {
  const ScanSpec& s = detail::scan_of(&node)->spec();
  const FunctionGraph& fgraph = session.fgraph();
  const int n_recs = s.n_recs();
  std::vector<bool> keep_out(s.n_outputs(), true);
  bool drops_output = false;
  for (int m = n_recs; m < s.n_outputs(); ++m) {
    keep_out[m] = is_read(fgraph, node.output(m));
    drops_output = drops_output || !keep_out[m];
  }
  if (drops_output)
    for (const ApplyNode* inner : detail::nodes_in_post_order(s.inner_outputs))
      if (has_side_effects(inner->op())) {
        std::fill(keep_out.begin(), keep_out.end(), true);
        break;
      }

  Vars kept_outputs(s.inner_outputs.begin(), s.inner_outputs.begin() + n_recs);
  for (int m = n_recs; m < s.n_outputs(); ++m)
    if (keep_out[m]) kept_outputs.push_back(s.inner_outputs[m]);
  // What the kept body reads: recurrent taps stay whether read or not (they are the
  // state's layout); sequences and non-sequences go when unread.
  std::unordered_set<const VariableNode*> read;
  for (const ApplyNode* inner : detail::nodes_in_post_order(kept_outputs))
    for (const Var& in : inner->inputs) read.insert(in.get());
  for (const Var& out : kept_outputs) read.insert(out.get());
  bool any = std::find(keep_out.begin(), keep_out.end(), false) != keep_out.end();
  for (int i = 0; i < s.n_seqs; ++i) any = any || !read.count(s.inner_inputs[i].get());
  for (int w = 0; w < s.n_non_seqs; ++w)
    any = any || !read.count(s.inner_inputs[s.inner_non_seq(w)].get());
  if (!any) return false;

  ScanSpec spec;
  spec.taps = s.taps;
  spec.truncate_gradient = s.truncate_gradient;
  spec.name = s.name;
  spec.updated_shared = s.updated_shared;
  Vars inputs{node.inputs[0]};  // n_steps: the loop's length needs no sequence
  for (int i = 0; i < s.n_seqs; ++i) {
    if (!read.count(s.inner_inputs[i].get())) continue;
    spec.inner_inputs.push_back(s.inner_inputs[i]);
    inputs.push_back(node.inputs[s.seq_input(i)]);
    ++spec.n_seqs;
  }
  for (int j = 0; j < n_recs; ++j) {
    for (size_t k = 0; k < s.taps[j].size(); ++k)
      spec.inner_inputs.push_back(s.inner_inputs[s.inner_tap(j, static_cast<int>(k))]);
    inputs.push_back(node.inputs[s.init_input(j)]);
  }
  for (int w = 0; w < s.n_non_seqs; ++w) {
    const Var& placeholder = s.inner_inputs[s.inner_non_seq(w)];
    if (!read.count(placeholder.get())) continue;
    spec.inner_inputs.push_back(placeholder);
    inputs.push_back(node.inputs[s.non_seq_input(w)]);
    ++spec.n_non_seqs;
  }
  spec.inner_outputs = kept_outputs;
  spec.n_nit = static_cast<int>(kept_outputs.size()) - n_recs;
  std::vector<int> new_index(s.n_outputs(), -1);
  for (int o = 0, next = 0; o < s.n_outputs(); ++o) {
    if (!keep_out[o]) continue;
    spec.store.push_back(s.store[o]);
    new_index[o] = next++;
  }

  const Vars outs = detail::make_scan(spec, inputs, node.loc);
  Vars replacements(s.n_outputs());  // undefined entries (the dropped outputs) are kept
  for (int o = 0; o < s.n_outputs(); ++o)
    if (new_index[o] >= 0) replacements[o] = outs[new_index[o]];
  return session.replace_node(node, replacements, "scan_prune");
}

}  // namespace

void run_scan_prune(RewriteSession& session) {
  for_each_scan(session, prune);
}

}  // namespace theon::rewrite
