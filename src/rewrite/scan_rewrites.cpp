// scan: rewrites of loops, one pass each over the graph's Scan nodes, in this order:
//   scan_hoist_invariant  work in the body that reads only non-sequences runs once,
//                         before the loop, and enters it as a new non-sequence;
//   scan_merge            two independent scans of the same length become one loop
//                         (identical scans are already one: merge compares Scan ops
//                         by their spec, scan_identity.hpp);
//   scan_pushout_dot      dot(x_t, W) of a sequence's row and a non-sequence becomes
//                         one product before the loop, read as a new sequence
//                         (scan_pushout_dot.cpp);
//   scan_dedupe           inputs read twice and outputs computed twice in one loop
//                         become one (scan_dedupe.cpp);
//   scan_prune            stacked outputs nothing reads are not computed, and the
//                         inputs only they read are dropped (scan_prune.cpp);
//   scan_save_memory      an output read only at its last steps (out[-1]) keeps only
//                         those rows instead of one per step.
// The body of every scan is compiled with the whole pipeline (ScanLoop), so the other
// phases reach inside it there.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "graph/post_order.hpp"
#include "ops/scan/scan_op.hpp"
#include "ops/subtensor.hpp"
#include "rewrite/phases.hpp"
#include "rewrite/scan_dedupe.hpp"
#include "rewrite/scan_prune.hpp"
#include "rewrite/scan_pushout_dot.hpp"
#include "theon/clone.hpp"
#include "theon/tensor.hpp"

namespace theon::rewrite {
namespace {

using detail::Scan;
using detail::ScanSpec;

std::vector<const ApplyNode*> scan_nodes(const FunctionGraph& fgraph) {
  std::vector<const ApplyNode*> out;
  for (const ApplyNode* node : fgraph.toposort())
    if (detail::scan_of(node)) out.push_back(node);
  return out;
}

// `spec` with the non-sequences the body no longer reads dropped (from the spec and from
// `inputs`, the outer inputs in the spec's order).
void drop_unused_non_seqs(ScanSpec& spec, Vars& inputs) {
  std::unordered_set<VariableNode*> used;
  for (const ApplyNode* node : detail::nodes_in_post_order(spec.inner_outputs))
    for (const Var& in : node->inputs) used.insert(in.get());
  for (const Var& out : spec.inner_outputs) used.insert(out.get());
  for (int k = spec.n_non_seqs - 1; k >= 0; --k) {
    if (used.count(spec.inner_inputs[spec.inner_non_seq(k)].get())) continue;
    spec.inner_inputs.erase(spec.inner_inputs.begin() + spec.inner_non_seq(k));
    inputs.erase(inputs.begin() + spec.non_seq_input(k));
    --spec.n_non_seqs;
  }
}

// ---- scan_hoist_invariant ----
// body(seq, state, w) with a node f(w): f(w) is computed outside, the body reads it as a
// non-sequence.
bool hoist_invariant(RewriteSession& session, const ApplyNode& node) {
  const ScanSpec& s = detail::scan_of(&node)->spec();
  std::unordered_set<VariableNode*> invariant, reads_non_seq;
  for (int k = 0; k < s.n_non_seqs; ++k) {
    invariant.insert(s.inner_inputs[s.inner_non_seq(k)].get());
    reads_non_seq.insert(s.inner_inputs[s.inner_non_seq(k)].get());
  }
  const auto order = detail::nodes_in_post_order(s.inner_outputs);
  for (const ApplyNode* inner : order) {
    bool all = true, any = false;
    for (const Var& in : inner->inputs) {
      all = all && (invariant.count(in.get()) || in.is_constant());
      any = any || reads_non_seq.count(in.get());
    }
    if (!all) continue;
    for (const Var& out : inner->output_vars()) {
      invariant.insert(out.get());
      if (any) reads_non_seq.insert(out.get());
    }
  }
  // Hoist the invariant values that variant nodes or the outputs read (constant-only
  // ones are left to constant folding).
  Vars hoisted;
  std::unordered_set<VariableNode*> chosen;
  auto consider = [&](const Var& v) {
    if (v.owner() && invariant.count(v.get()) && reads_non_seq.count(v.get()) && chosen.insert(v.get()).second)
      hoisted.push_back(v);
  };
  for (const ApplyNode* inner : order) {
    bool variant = false;
    for (const Var& out : inner->output_vars()) variant = variant || !invariant.count(out.get());
    if (variant)
      for (const Var& in : inner->inputs) consider(in);
  }
  for (const Var& out : s.inner_outputs) consider(out);
  if (hoisted.empty()) return false;

  std::vector<std::pair<Var, Var>> to_outer, to_placeholder;
  for (int k = 0; k < s.n_non_seqs; ++k)
    to_outer.push_back({s.inner_inputs[s.inner_non_seq(k)], node.inputs[s.non_seq_input(k)]});
  const Vars outer = clone(hoisted, to_outer);
  ScanSpec spec = s;
  Vars inputs = node.inputs;
  for (size_t h = 0; h < hoisted.size(); ++h) {
    Var p = tensor::variable(hoisted[h].type(), hoisted[h].name(), hoisted[h].loc());
    to_placeholder.push_back({hoisted[h], p});
    spec.inner_inputs.push_back(p);
    inputs.push_back(outer[h]);
    ++spec.n_non_seqs;
  }
  spec.inner_outputs = clone(s.inner_outputs, to_placeholder);
  drop_unused_non_seqs(spec, inputs);
  return session.replace_node(node, detail::make_scan(spec, inputs, node.loc), "scan_hoist_invariant");
}

// ---- scan_merge ----
bool depends_on(const ApplyNode& node, const ApplyNode& other) {
  std::vector<const ApplyNode*> stack{&node};
  std::unordered_set<const ApplyNode*> seen;
  while (!stack.empty()) {
    const ApplyNode* n = stack.back();
    stack.pop_back();
    if (!seen.insert(n).second) continue;
    for (const Var& in : n->inputs) {
      if (in.owner() == &other) return true;
      if (in.owner()) stack.push_back(in.owner());
    }
  }
  return false;
}

// scan_a(n, ...) and scan_b(n, ...), neither reading the other -> one scan whose body
// computes both.
bool merge_pair(RewriteSession& session, const ApplyNode& a, const ApplyNode& b) {
  const ScanSpec& sa = detail::scan_of(&a)->spec();
  const ScanSpec& sb = detail::scan_of(&b)->spec();
  if (!a.inputs[0].is(b.inputs[0]) || sa.truncate_gradient != sb.truncate_gradient ||
      !sa.stores_all() || !sb.stores_all() || depends_on(a, b) || depends_on(b, a))
    return false;
  ScanSpec spec;
  spec.n_seqs = sa.n_seqs + sb.n_seqs;
  spec.taps = sa.taps;
  spec.taps.insert(spec.taps.end(), sb.taps.begin(), sb.taps.end());
  spec.n_nit = sa.n_nit + sb.n_nit;
  spec.n_non_seqs = sa.n_non_seqs + sb.n_non_seqs;
  spec.truncate_gradient = sa.truncate_gradient;
  spec.name = sa.name.empty() ? sb.name : sb.name.empty() ? sa.name : sa.name + "+" + sb.name;
  auto range = [](const Vars& v, int from, int count) { return Vars(v.begin() + from, v.begin() + from + count); };
  auto append = [](Vars& into, const Vars& more) { into.insert(into.end(), more.begin(), more.end()); };
  // Inner inputs and outer inputs: sequences, recurrent taps, non-sequences; a's first.
  append(spec.inner_inputs, range(sa.inner_inputs, 0, sa.n_seqs));
  append(spec.inner_inputs, range(sb.inner_inputs, 0, sb.n_seqs));
  append(spec.inner_inputs, range(sa.inner_inputs, sa.n_seqs, sa.n_rec_taps()));
  append(spec.inner_inputs, range(sb.inner_inputs, sb.n_seqs, sb.n_rec_taps()));
  append(spec.inner_inputs, range(sa.inner_inputs, sa.inner_non_seq(0), sa.n_non_seqs));
  append(spec.inner_inputs, range(sb.inner_inputs, sb.inner_non_seq(0), sb.n_non_seqs));
  Vars inputs{a.inputs[0]};
  append(inputs, range(a.inputs, 1, sa.n_seqs));
  append(inputs, range(b.inputs, 1, sb.n_seqs));
  append(inputs, range(a.inputs, sa.init_input(0), sa.n_recs()));
  append(inputs, range(b.inputs, sb.init_input(0), sb.n_recs()));
  append(inputs, range(a.inputs, sa.non_seq_input(0), sa.n_non_seqs));
  append(inputs, range(b.inputs, sb.non_seq_input(0), sb.n_non_seqs));
  // Outputs: recurrent, then stacked; a's first.
  append(spec.inner_outputs, range(sa.inner_outputs, 0, sa.n_recs()));
  append(spec.inner_outputs, range(sb.inner_outputs, 0, sb.n_recs()));
  append(spec.inner_outputs, range(sa.inner_outputs, sa.n_recs(), sa.n_nit));
  append(spec.inner_outputs, range(sb.inner_outputs, sb.n_recs(), sb.n_nit));
  const Vars outs = detail::make_scan(spec, inputs, a.loc);
  Vars for_a = range(outs, 0, sa.n_recs()), for_b = range(outs, sa.n_recs(), sb.n_recs());
  append(for_a, range(outs, sa.n_recs() + sb.n_recs(), sa.n_nit));
  append(for_b, range(outs, sa.n_recs() + sb.n_recs() + sa.n_nit, sb.n_nit));
  return session.replace_node(a, for_a, "scan_merge") && session.replace_node(b, for_b, "scan_merge");
}

// ---- scan_save_memory ----
// A read of the last rows: x[-m, ...] (m > 0 constant), or through the slice that drops
// a recurrent output's initial rows, x[L:][-m, ...]. Returns m, or 0.
int64_t last_rows_read(const ApplyNode* reader) {
  const auto* sub = reader ? dynamic_cast<const detail::Subtensor*>(&reader->op()) : nullptr;
  if (!sub || sub->index_list().empty()) return 0;
  const detail::IndexEntry& e = sub->index_list().front();
  if (e.is_slice || e.start.kind != detail::IndexBound::Kind::Constant || e.start.value >= 0) return 0;
  return -e.start.value;
}

bool is_initial_rows_cut(const ApplyNode* reader, int64_t len) {
  const auto* sub = reader ? dynamic_cast<const detail::Subtensor*>(&reader->op()) : nullptr;
  if (!sub || sub->index_list().size() != 1) return false;
  const detail::IndexEntry& e = sub->index_list().front();
  using K = detail::IndexBound::Kind;
  return e.is_slice && e.start.kind == K::Constant && e.start.value == len && e.stop.kind == K::Absent &&
         e.step.kind == K::Absent;
}

// out[L:][-m] and out[-m] -> kept[-m], where `kept` holds out's last m rows only.
// (With fewer than m steps the first form raised IndexError; the rewritten one reads
// the initial rows instead.)
bool save_memory(RewriteSession& session, const ApplyNode& node) {
  const ScanSpec& s = detail::scan_of(&node)->spec();
  FunctionGraph& fgraph = session.fgraph();
  ScanSpec spec = s;
  bool any = false;
  for (int o = 0; o < s.n_outputs(); ++o) {
    if (s.store[o] != 0) continue;
    const int64_t len = o < s.n_recs() ? s.init_len(o) : -1;
    int64_t need = 0;
    bool ok = true;
    for (const Client& c : fgraph.clients(node.output(o))) {
      if (int64_t m = last_rows_read(c.node)) {
        need = std::max(need, m);
      } else if (is_initial_rows_cut(c.node, len)) {
        for (const Client& cc : fgraph.clients(c.node->output(0))) {
          const int64_t m = last_rows_read(cc.node);
          ok = ok && m > 0;
          need = std::max(need, m);
        }
      } else {
        ok = false;
      }
      if (!ok) break;
    }
    if (!ok || need == 0) continue;
    spec.store[o] = need;
    any = true;
  }
  if (!any) return false;
  const Vars outs = detail::make_scan(spec, node.inputs, node.loc);
  auto reread = [&](const ApplyNode* reader, const Var& from) {
    const auto* sub = dynamic_cast<const detail::Subtensor*>(&reader->op());
    Vars bounds(reader->inputs.begin() + 1, reader->inputs.end());
    return detail::subtensor(from, sub->index_list(), bounds, reader->loc);
  };
  for (int o = 0; o < s.n_outputs(); ++o) {
    const Var old = node.output(o);
    if (spec.store[o] == s.store[o]) {
      if (!fgraph.clients(old).empty() && !session.replace(old, outs[o], "scan_save_memory")) return false;
      continue;
    }
    // Copies: replacing changes the client lists being walked.
    const std::vector<Client> readers = fgraph.clients(old);
    for (const Client& c : readers) {
      if (last_rows_read(c.node)) {
        session.replace(c.node->output(0), reread(c.node, outs[o]), "scan_save_memory");
        continue;
      }
      const std::vector<Client> inner = fgraph.clients(c.node->output(0));
      for (const Client& cc : inner)
        session.replace(cc.node->output(0), reread(cc.node, outs[o]), "scan_save_memory");
    }
  }
  return true;
}

void run_hoist(RewriteSession& session) {
  for (const ApplyNode* node : scan_nodes(session.fgraph()))
    if (session.fgraph().contains(node)) hoist_invariant(session, *node);
}

void run_merge(RewriteSession& session) {
  bool changed = true;
  while (changed && !session.budget_spent()) {
    changed = false;
    const auto nodes = scan_nodes(session.fgraph());
    for (size_t i = 0; i < nodes.size() && !changed; ++i)
      for (size_t j = i + 1; j < nodes.size() && !changed; ++j)
        changed = merge_pair(session, *nodes[i], *nodes[j]);
  }
}

void run_save_memory(RewriteSession& session) {
  for (const ApplyNode* node : scan_nodes(session.fgraph()))
    if (session.fgraph().contains(node)) save_memory(session, *node);
}

}  // namespace

void register_scan(RewriteDb& db) {
  db.add_global("scan", GlobalRewrite{"scan_hoist_invariant", run_hoist}, {"fast_run", "scan"});
  db.add_global("scan", GlobalRewrite{"scan_merge", run_merge}, {"fast_run", "scan"});
  db.add_global("scan", GlobalRewrite{"scan_pushout_dot", run_scan_pushout_dot}, {"fast_run", "scan"});
  db.add_global("scan", GlobalRewrite{"scan_dedupe", run_scan_dedupe}, {"fast_run", "scan"});
  db.add_global("scan", GlobalRewrite{"scan_prune", run_scan_prune}, {"fast_run", "scan"});
  db.add_global("scan", GlobalRewrite{"scan_save_memory", run_save_memory}, {"fast_run", "scan"});
}

}  // namespace theon::rewrite
