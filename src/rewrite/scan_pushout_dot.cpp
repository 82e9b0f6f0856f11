// scan_pushout_dot: dot(x_t, W) in a loop body, x_t row t of a sequence X and W a
// non-sequence, costs one small product per step (for an LSTM, 32 x 128 by 128 x 1024),
// which BLAS runs well below its peak. Its rows for all steps are dot(X, W)[t]: one
// large product before the loop (X (n, 32, 128) by W gives (n, 32, 1024), a single GEMM
// over n * 32 rows), read by the body as a new sequence. The sequence the body no longer
// reads leaves the loop in scan_prune. Valid for every step count (n = 0 included) and
// for truncate_gradient (the forward loop still runs every step).
#include "rewrite/scan_pushout_dot.hpp"

#include <unordered_map>
#include <unordered_set>

#include "graph/post_order.hpp"
#include "ops/blas.hpp"
#include "ops/scan/scan_op.hpp"
#include "rewrite/scan_nodes.hpp"
#include "theon/blas.hpp"
#include "theon/clone.hpp"
#include "theon/subtensor.hpp"
#include "theon/tensor.hpp"

namespace theon::rewrite {
namespace {

using detail::ScanSpec;

bool push_out(RewriteSession& session, const ApplyNode& node) {
  const ScanSpec& s = detail::scan_of(&node)->spec();
  std::unordered_map<const VariableNode*, int> seq_of, non_seq_of;
  for (int i = 0; i < s.n_seqs; ++i) seq_of[s.inner_inputs[i].get()] = i;
  for (int k = 0; k < s.n_non_seqs; ++k) non_seq_of[s.inner_inputs[s.inner_non_seq(k)].get()] = k;

  // Where a product is itself a body output: a stacked output (the values the gradient's
  // loop reads, stored by the forward loop) leaves the loop, its rows are the product's
  // first n_steps rows; a recurrent output keeps its product in the body.
  std::unordered_map<const VariableNode*, int> output_of;
  for (int o = 0; o < s.n_outputs(); ++o) output_of.try_emplace(s.inner_outputs[o].get(), o);
  // dot(x_t, W): x_t a sequence's row (vector or matrix), W a non-sequence matrix.
  std::vector<std::pair<Var, Var>> pushed;  // (the body's product, its outer rows)
  std::vector<bool> drop(s.n_outputs(), false);
  for (const ApplyNode* inner : detail::nodes_in_post_order(s.inner_outputs)) {
    if (!dynamic_cast<const detail::Dot*>(&inner->op())) continue;
    auto seq = seq_of.find(inner->inputs[0].get());
    auto non_seq = non_seq_of.find(inner->inputs[1].get());
    if (seq == seq_of.end() || non_seq == non_seq_of.end() || inner->inputs[1].ndim() != 2)
      continue;
    const Var& product = inner->output(0);
    bool keep_in_body = false;
    for (int o = 0; o < s.n_outputs(); ++o)
      if (s.inner_outputs[o].get() == product.get()) {
        keep_in_body = keep_in_body || o < s.n_recs() || s.store[o] != 0;
        if (!keep_in_body) drop[o] = true;
      }
    if (keep_in_body) return false;  // rare (a state that is a product of an input)
    const Var& outer_seq = node.inputs[s.seq_input(seq->second)];
    const Var& outer_w = node.inputs[s.non_seq_input(non_seq->second)];
    pushed.push_back({product, tensor::dot(outer_seq, outer_w)});
  }
  if (pushed.empty()) return false;

  ScanSpec spec = s;
  Vars inputs = node.inputs;
  std::vector<std::pair<Var, Var>> to_row;
  Vars new_placeholders, new_seqs;
  std::unordered_map<const VariableNode*, Var> rows_of;
  for (const auto& [product, rows] : pushed) {
    Var placeholder = tensor::variable(product.type(), "pushed_dot", node.loc);
    to_row.push_back({product, placeholder});
    new_placeholders.push_back(placeholder);
    new_seqs.push_back(rows);
    rows_of.emplace(product.get(), rows);
  }
  // New sequences go after the old ones (inner and outer inputs both list sequences first).
  spec.inner_inputs.insert(spec.inner_inputs.begin() + s.n_seqs, new_placeholders.begin(),
                           new_placeholders.end());
  inputs.insert(inputs.begin() + s.seq_input(s.n_seqs), new_seqs.begin(), new_seqs.end());
  spec.n_seqs += static_cast<int>(pushed.size());
  Vars kept;
  spec.store.clear();
  std::vector<int> new_index(s.n_outputs(), -1);
  for (int o = 0; o < s.n_outputs(); ++o) {
    if (drop[o]) continue;
    new_index[o] = static_cast<int>(kept.size());
    kept.push_back(s.inner_outputs[o]);
    spec.store.push_back(s.store[o]);
  }
  spec.n_nit = static_cast<int>(kept.size()) - s.n_recs();
  spec.inner_outputs = clone(kept, to_row);

  const Vars outs = detail::make_scan(spec, inputs, node.loc);
  Vars replacements(s.n_outputs());
  for (int o = 0; o < s.n_outputs(); ++o)
    replacements[o] = drop[o] ? tensor::index(rows_of.at(s.inner_outputs[o].get()),
                                              {tensor::slice(0, node.inputs[0])})
                              : outs[new_index[o]];
  return session.replace_node(node, replacements, "scan_pushout_dot");
}

}  // namespace

void run_scan_pushout_dot(RewriteSession& session) {
  for_each_scan(session, push_out);
}

}  // namespace theon::rewrite
