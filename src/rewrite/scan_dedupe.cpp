// scan_dedupe: after scan_merge has put two loops over the same steps into one, the body
// reads the same outer variables through several placeholders and computes the same
// values several times. Per scan:
//   sequences (non-sequences) with the same outer variable -> one placeholder;
//   recurrent outputs with the same taps, initial value and store whose updates are
//     equal once their states are assumed equal -> one output;
//   stacked outputs whose step values are equal -> one output.
// Equality inside the body is by value numbering (equal ops on equally numbered
// arguments get one number), so duplicate subgraphs compare equal without a merge.
#include "rewrite/scan_dedupe.hpp"

#include <cstdio>
#include <typeinfo>
#include <unordered_map>
#include <unordered_set>

#include "graph/post_order.hpp"
#include "ops/scan/scan_op.hpp"
#include "rewrite/pipeline.hpp"
#include "theon/clone.hpp"
#include "theon/side_effect.hpp"

namespace theon::rewrite {
namespace {

using detail::ScanSpec;

std::string address(const void* p) {
  char buf[2 + 2 * sizeof(void*) + 1];
  std::snprintf(buf, sizeof buf, "%p", p);
  return buf;
}

// Numbers for the body's variables: inner input k gets input_class[k]; a node's outputs
// get numbers keyed by its op and its arguments' numbers; a constant by its value.
class ValueNumbers {
 public:
  ValueNumbers(const ScanSpec& spec, const std::vector<const ApplyNode*>& order,
               const std::vector<int>& input_class) {
    for (size_t k = 0; k < spec.inner_inputs.size(); ++k)
      number_[spec.inner_inputs[k].get()] = intern("i" + std::to_string(input_class[k]));
    for (const ApplyNode* node : order) {
      const Op& op = node->op();
      std::string key = std::string(typeid(op).name()) + " " + op.name() + "{" + op.props() + "}";
      if (has_side_effects(op)) key += " at " + address(node);  // each runs: never equal
      for (const Var& in : node->inputs) {
        key += ' ';
        key += std::to_string(of(in));
      }
      for (int o = 0; o < node->n_outputs(); ++o)
        number_[node->output(o).get()] = intern(key + " #" + std::to_string(o));
    }
  }

  int of(const Var& v) {
    auto found = number_.find(v.get());
    if (found != number_.end()) return found->second;
    std::string key = "source at " + address(v.get());
    if (v.is_constant()) {
      const NDArray value = v.constant_value().contiguous();
      key = "constant ";
      key += v.type().str();
      for (int64_t d : value.shape()) {
        key += ' ';
        key += std::to_string(d);
      }
      key += ' ';
      key.append(static_cast<const char*>(value.raw()), value.nbytes());
    }
    return number_[v.get()] = intern(key);
  }

 private:
  int intern(const std::string& key) {
    return by_key_.try_emplace(key, static_cast<int>(by_key_.size())).first->second;
  }

  std::unordered_map<const VariableNode*, int> number_;
  std::unordered_map<std::string, int> by_key_;
};

// For each of `count` entries, the first entry equal to it under `same`.
template <class Same>
std::vector<int> first_equal(int count, Same same) {
  std::vector<int> rep(count);
  for (int i = 0; i < count; ++i) {
    rep[i] = i;
    for (int j = 0; j < i; ++j)
      if (rep[j] == j && same(j, i)) {
        rep[i] = j;
        break;
      }
  }
  return rep;
}

bool dedupe(RewriteSession& session, const ApplyNode& node) {
  const ScanSpec& s = detail::scan_of(&node)->spec();
  const int n_recs = s.n_recs();
  const auto same_outer = [&](int at_a, int at_b) {
    return node.inputs[at_a].is(node.inputs[at_b]);
  };
  const std::vector<int> seq_rep = first_equal(s.n_seqs, [&](int a, int b) {
    return same_outer(s.seq_input(a), s.seq_input(b)) &&
           s.inner_inputs[a].type() == s.inner_inputs[b].type();
  });
  const std::vector<int> non_seq_rep = first_equal(s.n_non_seqs, [&](int a, int b) {
    return same_outer(s.non_seq_input(a), s.non_seq_input(b)) &&
           s.inner_inputs[s.inner_non_seq(a)].type() == s.inner_inputs[s.inner_non_seq(b)].type();
  });
  // Recurrent outputs that may be equal; then the coarsest split of those candidates in
  // which every class's updates get equal numbers when its states are assumed equal
  // (a class that splits changes the assumption, so repeat until none does).
  std::vector<int> rec_class = first_equal(n_recs, [&](int a, int b) {
    bool same = s.taps[a] == s.taps[b] && same_outer(s.init_input(a), s.init_input(b)) &&
                s.store[a] == s.store[b] && s.inner_outputs[a].type() == s.inner_outputs[b].type();
    for (size_t k = 0; same && k < s.taps[a].size(); ++k)
      same = s.inner_inputs[s.inner_tap(a, static_cast<int>(k))].type() ==
             s.inner_inputs[s.inner_tap(b, static_cast<int>(k))].type();
    return same;
  });
  const std::vector<ApplyNode*> walk = detail::nodes_in_post_order(s.inner_outputs);
  const std::vector<const ApplyNode*> order(walk.begin(), walk.end());
  auto numbers = [&] {
    std::vector<int> input_class(s.inner_inputs.size());
    for (int i = 0; i < s.n_seqs; ++i) input_class[i] = seq_rep[i];
    for (int j = 0; j < n_recs; ++j)
      for (size_t k = 0; k < s.taps[j].size(); ++k)
        input_class[s.inner_tap(j, static_cast<int>(k))] =
            s.inner_tap(rec_class[j], static_cast<int>(k));
    for (int w = 0; w < s.n_non_seqs; ++w)
      input_class[s.inner_non_seq(w)] = s.inner_non_seq(non_seq_rep[w]);
    return ValueNumbers(s, order, input_class);
  };
  ValueNumbers values = numbers();
  for (bool split = true; split;) {
    split = false;
    std::vector<int> refined = first_equal(n_recs, [&](int a, int b) {
      return rec_class[a] == rec_class[b] &&
             values.of(s.inner_outputs[a]) == values.of(s.inner_outputs[b]);
    });
    if (refined != rec_class) {
      rec_class = refined;
      values = numbers();
      split = true;
    }
  }
  std::vector<int> out_rep(s.n_outputs());
  for (int j = 0; j < n_recs; ++j) out_rep[j] = rec_class[j];
  const std::vector<int> nit_rep = first_equal(s.n_nit, [&](int a, int b) {
    const Var& x = s.inner_outputs[n_recs + a];
    const Var& y = s.inner_outputs[n_recs + b];
    return s.store[n_recs + a] == s.store[n_recs + b] && x.type() == y.type() &&
           values.of(x) == values.of(y);
  });
  for (int m = 0; m < s.n_nit; ++m) out_rep[n_recs + m] = n_recs + nit_rep[m];

  bool any = false;
  for (int i = 0; i < s.n_seqs; ++i) any = any || seq_rep[i] != i;
  for (int w = 0; w < s.n_non_seqs; ++w) any = any || non_seq_rep[w] != w;
  for (int o = 0; o < s.n_outputs(); ++o) any = any || out_rep[o] != o;
  if (!any) return false;

  // The kept entries, in their order; the dropped placeholders read their kept twin's.
  ScanSpec spec;
  spec.truncate_gradient = s.truncate_gradient;
  spec.name = s.name;
  spec.updated_shared = s.updated_shared;
  Vars inputs{node.inputs[0]}, init_inputs, non_seq_inputs, tap_inputs, non_seq_inner;
  std::vector<std::pair<Var, Var>> twins;
  for (int i = 0; i < s.n_seqs; ++i) {
    if (seq_rep[i] != i) {
      twins.push_back({s.inner_inputs[i], s.inner_inputs[seq_rep[i]]});
      continue;
    }
    spec.inner_inputs.push_back(s.inner_inputs[i]);
    inputs.push_back(node.inputs[s.seq_input(i)]);
    ++spec.n_seqs;
  }
  Vars rec_outputs, nit_outputs;
  std::vector<int64_t> rec_store, nit_store;
  std::vector<int> new_index(s.n_outputs());
  for (int j = 0; j < n_recs; ++j) {
    if (rec_class[j] != j) {
      for (size_t k = 0; k < s.taps[j].size(); ++k)
        twins.push_back({s.inner_inputs[s.inner_tap(j, static_cast<int>(k))],
                         s.inner_inputs[s.inner_tap(rec_class[j], static_cast<int>(k))]});
      continue;
    }
    new_index[j] = static_cast<int>(spec.taps.size());
    spec.taps.push_back(s.taps[j]);
    for (size_t k = 0; k < s.taps[j].size(); ++k)
      tap_inputs.push_back(s.inner_inputs[s.inner_tap(j, static_cast<int>(k))]);
    init_inputs.push_back(node.inputs[s.init_input(j)]);
    rec_outputs.push_back(s.inner_outputs[j]);
    rec_store.push_back(s.store[j]);
  }
  for (int m = n_recs; m < s.n_outputs(); ++m) {
    if (out_rep[m] != m) continue;
    new_index[m] = static_cast<int>(spec.taps.size() + nit_outputs.size());
    nit_outputs.push_back(s.inner_outputs[m]);
    nit_store.push_back(s.store[m]);
    ++spec.n_nit;
  }
  for (int w = 0; w < s.n_non_seqs; ++w) {
    const Var& placeholder = s.inner_inputs[s.inner_non_seq(w)];
    if (non_seq_rep[w] != w) {
      twins.push_back({placeholder, s.inner_inputs[s.inner_non_seq(non_seq_rep[w])]});
      continue;
    }
    non_seq_inner.push_back(placeholder);
    non_seq_inputs.push_back(node.inputs[s.non_seq_input(w)]);
    ++spec.n_non_seqs;
  }
  auto append = [](Vars& into, const Vars& more) {
    into.insert(into.end(), more.begin(), more.end());
  };
  append(spec.inner_inputs, tap_inputs);
  append(spec.inner_inputs, non_seq_inner);
  append(inputs, init_inputs);
  append(inputs, non_seq_inputs);
  Vars kept = rec_outputs;
  append(kept, nit_outputs);
  spec.inner_outputs = twins.empty() ? kept : clone(kept, twins);
  spec.store = rec_store;
  spec.store.insert(spec.store.end(), nit_store.begin(), nit_store.end());

  const Vars outs = detail::make_scan(spec, inputs, node.loc);
  Vars replacements(s.n_outputs());
  for (int o = 0; o < s.n_outputs(); ++o) replacements[o] = outs[new_index[out_rep[o]]];
  return session.replace_node(node, replacements, "scan_dedupe");
}

}  // namespace

void run_scan_dedupe(RewriteSession& session) {
  auto scans = [&] {
    std::vector<const ApplyNode*> nodes;
    for (const ApplyNode* node : session.fgraph().toposort())
      if (detail::scan_of(node)) nodes.push_back(node);
    return nodes;
  };
  if (scans().empty()) return;
  // scan_hoist_invariant computed each loop's invariants afresh outside it: merged, two
  // loops that read equal values read the same variables.
  Selection merge_only;
  merge_only.including = {"merge"};
  for (const GlobalRewrite* merge : rewrite_db().globals("merge", merge_only))
    session.run_global(*merge);
  for (const ApplyNode* node : scans()) {
    if (session.budget_spent()) return;
    if (session.fgraph().contains(node)) dedupe(session, *node);
  }
}

}  // namespace theon::rewrite
