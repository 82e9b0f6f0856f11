// Backpropagation through time: the gradient of a Scan is another Scan, running over
// the forward steps in reverse (Theano's approach), so it is itself differentiable.
//
// Forward step t reads x_t (sequences), the recurrent values at t + tap, and the
// non-sequences w; it writes the recurrent values at t and the stacked outputs z_t.
// The backward scan, at forward step t = N-1 .. N-K (K = N, or truncate_gradient):
// - takes as sequences x_t, the recurrent values the step read, and the incoming
//   gradients of the outputs at step t;
// - carries per recurrent output a window of L (its deepest tap) rows of pending
//   gradient: before step t, window[m] is what the later steps sent to buffer row
//   t + 1 + m (the buffer's first L rows are the initial values, step t writes row
//   L + t), so window[L-1] is the gradient of step t's result;
// - carries per non-sequence the running sum of its gradient;
// - stacks the gradient of each sequence's row t.
// After the last backward step the window holds the gradient of the initial rows.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "graph/post_order.hpp"
#include "ops/dimshuffle.hpp"
#include "ops/elemwise.hpp"
#include "ops/op_util.hpp"
#include "ops/scan/scan_grad_sums.hpp"
#include "ops/scan/scan_op.hpp"
#include "theon/clone.hpp"
#include "theon/grad.hpp"
#include "theon/scan.hpp"
#include "theon/shape_ops.hpp"
#include "theon/subtensor.hpp"
#include "theon/test_value.hpp"

namespace theon::detail {
namespace {

namespace T = tensor;

bool is_real_float(const Var& v) { return is_float(v.dtype()); }

// The whole buffer behind a scan() result (which drops the initial rows with a slice).
Var buffer_of(const Var& result) {
  THEON_ASSERT(result.owner() && !result.owner()->inputs.empty()) << "scan: result without buffer";
  return result.owner()->inputs[0];
}

// One backward step over `args` (the step's sequence rows, then the windows) and the
// outer non-sequences: the new windows, the gradient of each float non-sequence, and
// the gradient of each float sequence's row.
struct BackwardStep {
  Vars windows, non_seq_grads, seq_grads;
  Vars forward;  // the step's copy of the forward body: its outputs, then `stored`'s copies
};

BackwardStep backward_step(const ScanSpec& s, const Vars& args, const Vars& ws, const Vars& stored,
                           const std::vector<int>& float_recs, const std::vector<int>& float_seqs,
                           const std::vector<int>& float_non_seqs, const std::vector<int>& g_recs,
                           const std::vector<int>& g_nits, const Loc& loc) {
  size_t at = 0;
  auto take = [&](size_t count) {
    Vars v(args.begin() + at, args.begin() + at + count);
    at += count;
    return v;
  };
  const Vars xs = take(s.n_seqs);
  const Vars taps = take(s.n_rec_taps());
  const Vars g_rec_in = take(g_recs.size());
  const Vars g_nit_in = take(g_nits.size());
  const Vars windows = take(float_recs.size());
  std::vector<std::pair<Var, Var>> pairs;
  for (int i = 0; i < s.n_seqs; ++i) pairs.push_back({s.inner_inputs[i], xs[i]});
  for (int t = 0; t < s.n_rec_taps(); ++t) pairs.push_back({s.inner_inputs[s.n_seqs + t], taps[t]});
  for (int w = 0; w < s.n_non_seqs; ++w)
    pairs.push_back({s.inner_inputs[s.inner_non_seq(w)], ws[w]});
  Vars roots = s.inner_outputs;
  roots.insert(roots.end(), stored.begin(), stored.end());
  BackwardStep step;
  step.forward = clone(roots, pairs);
  const Vars ys(step.forward.begin(), step.forward.begin() + s.n_outputs());

  GradOptions options{.disconnected_inputs = "ignore", .return_disconnected = "zero"};
  for (size_t r = 0; r < float_recs.size(); ++r) {
    const int j = float_recs[r];
    Var g = T::index(VarArg(windows[r], loc), {IndexArg(s.init_len(j) - 1, loc)});
    for (size_t q = 0; q < g_recs.size(); ++q)
      if (g_recs[q] == j) g = g + VarArg(g_rec_in[q], loc);
    options.known_grads.push_back({ys[j], g});
  }
  for (size_t q = 0; q < g_nits.size(); ++q)
    options.known_grads.push_back({ys[g_nits[q]], g_nit_in[q]});
  Vars wrt;
  for (int i : float_seqs) wrt.push_back(xs[i]);
  for (int j : float_recs)
    for (size_t t = 0; t < s.taps[j].size(); ++t)
      wrt.push_back(taps[s.inner_tap(j, static_cast<int>(t)) - s.n_seqs]);
  for (int w : float_non_seqs) wrt.push_back(ws[w]);
  const Vars g = T::grad(Var(), wrt, options, loc);

  size_t next = float_seqs.size();
  for (size_t r = 0; r < float_recs.size(); ++r) {
    const int j = float_recs[r];
    const int len = s.init_len(j);
    // window for rows t .. t+L-1: the old one shifted by a row, plus what this step
    // sent to the rows it read.
    Var window;
    if (len == 1) {
      std::vector<DimEntry> pattern{DimEntry('x')};
      for (int d = 0; d < g[next].ndim(); ++d) pattern.emplace_back(d);
      window = T::dimshuffle(VarArg(g[next], loc), pattern);
      ++next;
    } else {
      const Var& old = windows[r];
      Var head =
          T::zeros_like(T::index(VarArg(old, loc), {T::slice(VarArg(0, loc), VarArg(1, loc))}));
      Var rest = T::index(VarArg(old, loc), {T::slice(VarArg(0, loc), VarArg(len - 1, loc))});
      window = T::concatenate({head, rest}, 0, loc);
      for (int tap : s.taps[j])
        window = T::inc_subtensor(T::index(VarArg(window, loc), {IndexArg(len + tap, loc)}),
                                  VarArg(g[next++], loc));
    }
    step.windows.push_back(T::patternbroadcast(VarArg(window, loc), windows[r].broadcastable()));
  }
  for (size_t q = 0; q < float_non_seqs.size(); ++q) step.non_seq_grads.push_back(g[next++]);
  for (size_t q = 0; q < float_seqs.size(); ++q) step.seq_grads.push_back(g[q]);
  return step;
}

// The values computed in the forward body that change from step to step (outputs of
// nodes reading a sequence or a recurrent value), in the body's order.
Vars forward_values(const ScanSpec& s) {
  std::unordered_set<VariableNode*> variant;
  for (int i = 0; i < s.n_seqs + s.n_rec_taps(); ++i) variant.insert(s.inner_inputs[i].get());
  Vars values;
  for (ApplyNode* node : nodes_in_post_order(s.inner_outputs)) {
    bool reads = false;
    for (const Var& in : node->inputs) reads = reads || variant.count(in.get());
    if (!reads) continue;
    for (int o = 0; o < node->n_outputs(); ++o) {
      variant.insert(node->output(o).get());
      values.push_back(node->output(o));
    }
  }
  return values;
}

// Which of `values` (the step's copies of forward values) the forward loop stores for
// the gradient part of the step, instead of the backward loop computing them again:
// those the gradient reads, except that element-wise values (and dimshuffles) are
// recomputed from what they read, which is stored in turn. Storing costs a copy per
// step; recomputing an element-wise value costs about as much, a product far more.
std::vector<size_t> values_to_store(const BackwardStep& step, const Vars& values) {
  std::unordered_map<VariableNode*, size_t> index;
  for (size_t i = 0; i < values.size(); ++i) index[values[i].get()] = i;
  std::unordered_set<const ApplyNode*> forward;
  for (ApplyNode* node : nodes_in_post_order(step.forward)) forward.insert(node);
  Vars roots = step.windows;
  roots.insert(roots.end(), step.non_seq_grads.begin(), step.non_seq_grads.end());
  roots.insert(roots.end(), step.seq_grads.begin(), step.seq_grads.end());
  std::vector<size_t> pending;
  for (const Var& r : roots)
    if (index.count(r.get())) pending.push_back(index[r.get()]);
  for (ApplyNode* node : nodes_in_post_order(roots))
    if (!forward.count(node))
      for (const Var& in : node->inputs)
        if (index.count(in.get())) pending.push_back(index[in.get()]);
  std::vector<char> seen(values.size(), 0);
  std::vector<size_t> stored;
  while (!pending.empty()) {
    const size_t i = pending.back();
    pending.pop_back();
    if (seen[i]) continue;
    seen[i] = 1;
    const ApplyNode* node = values[i].owner();
    const bool cheap =
        dynamic_cast<const Elemwise*>(&node->op()) || dynamic_cast<const DimShuffle*>(&node->op());
    if (!cheap) {
      stored.push_back(i);
      continue;
    }
    for (const Var& in : node->inputs)
      if (index.count(in.get())) pending.push_back(index[in.get()]);
  }
  std::sort(stored.begin(), stored.end());
  return stored;
}

}  // namespace

Vars Scan::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  // The gradient loop's body is built over placeholders without values (test_value.hpp).
  NoTestValues no_test_values;
  const ScanSpec& s = spec_;
  const Loc& loc = node.loc;
  Vars outs = node.output_vars();
  Vars gouts(output_grads.begin(), output_grads.end());
  if (!s.stores_all()) {
    // Gradients need every step: differentiate a copy that keeps all rows.
    ScanSpec full = s;
    full.store.assign(s.n_outputs(), 0);
    outs = make_scan(full, node.inputs, loc);
    for (int o = 0; o < s.n_outputs(); ++o) {
      if (!gouts[o].defined() || s.store[o] == 0) continue;
      Var zero = T::zeros_like(VarArg(outs[o], loc));
      gouts[o] = T::inc_subtensor(T::index(VarArg(zero, loc), {T::slice(VarArg(-s.store[o], loc))}),
                                  VarArg(gouts[o], loc));
    }
  }

  const int n_recs = s.n_recs();
  const Var n = node.inputs[0];
  const Var steps_in = n.dtype() == DType::Int64 ? n : T::cast(VarArg(n, loc), DType::Int64);
  const Var k = s.truncate_gradient > 0
                    ? T::minimum(VarArg(steps_in, loc), VarArg(int64_t{s.truncate_gradient}, loc))
                    : steps_in;
  // Rows [offset + N - K, offset + N) of x, last first: what backward step s reads.
  // `n_rows`: x has exactly N rows (a stacked output), so without truncation that is x
  // reversed, one view.
  auto backward_rows = [&](const Var& x, int64_t offset, bool n_rows = false) {
    if (n_rows && offset == 0 && s.truncate_gradient <= 0)
      return T::index(VarArg(x, loc), {T::slice({}, {}, VarArg(-1, loc))});
    Var stop = offset == 0 ? steps_in : steps_in + VarArg(offset, loc);
    Var start = s.truncate_gradient > 0 ? stop - VarArg(k, loc) : VarArg(offset, loc).var;
    Var part = T::index(VarArg(x, loc), {T::slice(VarArg(start, loc), VarArg(stop, loc))});
    return T::index(VarArg(part, loc), {T::slice({}, {}, VarArg(-1, loc))});
  };

  // Which recurrent outputs and inputs carry gradients.
  std::vector<int> float_recs, float_seqs, float_non_seqs, g_recs, g_nits;
  for (int j = 0; j < n_recs; ++j)
    if (is_real_float(outs[j])) float_recs.push_back(j);
  for (int i = 0; i < s.n_seqs; ++i)
    if (is_real_float(node.inputs[s.seq_input(i)])) float_seqs.push_back(i);
  for (int w = 0; w < s.n_non_seqs; ++w)
    if (is_real_float(node.inputs[s.non_seq_input(w)])) float_non_seqs.push_back(w);
  for (int j : float_recs)
    if (gouts[j].defined()) g_recs.push_back(j);
  for (int m = n_recs; m < s.n_outputs(); ++m)
    if (gouts[m].defined() && is_real_float(outs[m])) g_nits.push_back(m);
  Vars grads(node.inputs.size());
  if (g_recs.empty() && g_nits.empty()) return grads;

  Vars seq_vars;
  for (int i = 0; i < s.n_seqs; ++i)
    seq_vars.push_back(backward_rows(node.inputs[s.seq_input(i)], 0));
  for (int j = 0; j < n_recs; ++j)
    for (int tap : s.taps[j]) seq_vars.push_back(backward_rows(outs[j], s.init_len(j) + tap));
  for (int j : g_recs) seq_vars.push_back(backward_rows(gouts[j], s.init_len(j)));
  for (int m : g_nits) seq_vars.push_back(backward_rows(gouts[m], 0, /*n_rows=*/true));
  std::vector<ScanOutputInfo> outputs_info;
  for (int j : float_recs)
    outputs_info.emplace_back(T::zeros_like(VarArg(node.inputs[s.init_input(j)], loc)));
  Vars non_seqs;
  for (int w = 0; w < s.n_non_seqs; ++w) non_seqs.push_back(node.inputs[s.non_seq_input(w)]);

  // The backward step is built once, over placeholders of its own, so that what it
  // carries (scan_grad_sums.hpp) is known before the loop is made; the loop's step
  // function then copies it onto the loop's placeholders. Non-sequences are read as
  // the outer variables themselves (scan makes them non-sequences of the new loop).
  Vars probe;  // sequence rows, then the windows: scan's arguments before the accumulators
  for (const Var& q : seq_vars) {
    BroadcastPattern row;
    for (int d = 1; d < q.ndim(); ++d) row.push_back(q.broadcastable()[d]);
    probe.push_back(T::variable(TensorType(q.dtype(), row), "", loc));
  }
  for (const ScanOutputInfo& info : outputs_info)
    probe.push_back(T::variable(info.initial.type(), "", loc));
  const Vars stored = forward_values(s);
  BackwardStep step = backward_step(s, probe, non_seqs, stored, float_recs, float_seqs,
                                    float_non_seqs, g_recs, g_nits, loc);

  // The forward values the gradient reads are not computed again: a copy of the forward
  // loop stacks them as extra outputs (the rewrites merge it with the original loop,
  // scan_merge and scan_dedupe, so the forward pass runs once) and the backward loop
  // reads them as sequences.
  const std::vector<size_t> used =
      values_to_store(step, Vars(step.forward.begin() + s.n_outputs(), step.forward.end()));
  if (!used.empty()) {
    ScanSpec more = s;
    std::vector<std::pair<Var, Var>> fresh;
    for (const Var& v : s.inner_inputs) fresh.push_back({v, T::variable(v.type(), v.name(), loc)});
    Vars roots = s.inner_outputs;
    for (size_t i : used) roots.push_back(stored[i]);
    more.inner_outputs = clone(roots, fresh);
    more.inner_inputs.clear();
    for (const auto& [from, to] : fresh) more.inner_inputs.push_back(to);
    more.n_nit += static_cast<int>(used.size());
    more.store.assign(more.n_outputs(), 0);
    const Vars with_values = make_scan(more, node.inputs, loc);
    std::vector<std::pair<Var, Var>> to_rows;
    Vars rows;
    for (size_t u = 0; u < used.size(); ++u) {
      seq_vars.push_back(backward_rows(with_values[s.n_outputs() + u], 0, /*n_rows=*/true));
      rows.push_back(T::variable(stored[used[u]].type(), "", loc));
      to_rows.push_back({step.forward[s.n_outputs() + used[u]], rows.back()});
    }
    probe.insert(probe.begin() + static_cast<std::ptrdiff_t>(seq_vars.size() - used.size()),
                 rows.begin(), rows.end());
    Vars all = step.windows;
    all.insert(all.end(), step.non_seq_grads.begin(), step.non_seq_grads.end());
    all.insert(all.end(), step.seq_grads.begin(), step.seq_grads.end());
    all = clone(all, to_rows);
    auto split = [&](Vars& part, size_t from) {
      part.assign(all.begin() + static_cast<std::ptrdiff_t>(from),
                  all.begin() + static_cast<std::ptrdiff_t>(from + part.size()));
    };
    split(step.windows, 0);
    split(step.non_seq_grads, step.windows.size());
    split(step.seq_grads, step.windows.size() + step.non_seq_grads.size());
  }

  // What changes from step to step: everything computed from the probe's placeholders.
  std::unordered_set<VariableNode*> variant;
  for (const Var& p : probe) variant.insert(p.get());
  for (ApplyNode* inner : nodes_in_post_order(step.non_seq_grads)) {
    bool any = false;
    for (const Var& in : inner->inputs) any = any || variant.count(in.get());
    if (any)
      for (int o = 0; o < inner->n_outputs(); ++o) variant.insert(inner->output(o).get());
  }
  const auto is_variant = [&](const Var& v) { return variant.count(v.get()) > 0; };
  std::vector<std::vector<StepSumPart>> parts;
  for (size_t q = 0; q < float_non_seqs.size(); ++q)
    parts.push_back(
        split_step_sum(step.non_seq_grads[q], non_seqs[float_non_seqs[q]], is_variant, loc));

  // The loop's outputs: windows, accumulators, sequence gradients, stacked values.
  Vars body = step.windows, stacked, accumulators;
  for (const auto& of_w : parts)
    for (const StepSumPart& part : of_w) {
      if (!part.accumulate) {
        stacked.insert(stacked.end(), part.carried.begin(), part.carried.end());
        continue;
      }
      outputs_info.emplace_back(part.init);
      Var acc = T::variable(part.init.type(), "", loc);
      accumulators.push_back(acc);
      Var sum = T::cast(acc + VarArg(part.carried[0], loc), acc.dtype());
      body.push_back(T::patternbroadcast(VarArg(sum, loc), acc.broadcastable()));
    }
  probe.insert(probe.end(), accumulators.begin(), accumulators.end());
  body.insert(body.end(), step.seq_grads.begin(), step.seq_grads.end());
  body.insert(body.end(), stacked.begin(), stacked.end());
  for (size_t i = 0; i < step.seq_grads.size() + stacked.size(); ++i) outputs_info.emplace_back();

  std::vector<ScanSequence> sequences(seq_vars.begin(), seq_vars.end());
  auto copy_step = [&](std::span<const Var> a) -> ScanStepResult {
    std::vector<std::pair<Var, Var>> pairs;
    for (size_t i = 0; i < probe.size(); ++i) pairs.push_back({probe[i], a[i]});
    return ScanStepResult{clone(body, pairs)};
  };
  const ScanResult back = scan(
      copy_step, sequences, outputs_info, non_seqs,
      {.n_steps = VarArg(k, loc), .name = "grad_of_" + (s.name.empty() ? "scan" : s.name)}, loc);

  size_t next = 0;
  for (int j : float_recs) {
    Var window = T::index(VarArg(buffer_of(back.outputs[next++]), loc), {IndexArg(-1, loc)});
    if (s.truncate_gradient > 0)
      window = T::switch_(VarArg(steps_in, loc) <= VarArg(int64_t{s.truncate_gradient}, loc),
                          VarArg(window, loc), 0);
    if (gouts[j].defined())
      window = window + T::index(VarArg(gouts[j], loc),
                                 {T::slice(VarArg(0, loc), VarArg(s.init_len(j), loc))});
    grads[s.init_input(j)] = window;
  }
  size_t next_stacked = next + accumulators.size() + float_seqs.size();
  for (size_t q = 0; q < float_non_seqs.size(); ++q) {
    const Var& w = non_seqs[float_non_seqs[q]];
    Vars sums;
    for (const StepSumPart& part : parts[q]) {
      Vars results;
      if (part.accumulate) {
        results.push_back(
            T::index(VarArg(buffer_of(back.outputs[next++]), loc), {IndexArg(-1, loc)}));
      } else {
        for (size_t c = 0; c < part.carried.size(); ++c)
          results.push_back(back.outputs[next_stacked++]);
      }
      sums.push_back(part.finish(results));
    }
    Var g = sums.empty()       ? T::zeros_like(VarArg(w, loc))
            : sums.size() == 1 ? sums[0]
                               : T::add(sums, loc);
    g = T::cast(VarArg(g, loc), w.dtype());
    grads[s.non_seq_input(float_non_seqs[q])] =
        T::patternbroadcast(VarArg(g, loc), w.broadcastable());
  }
  for (int i : float_seqs) {
    const Var& seq = node.inputs[s.seq_input(i)];
    Var stop = steps_in;
    Var start =
        s.truncate_gradient > 0 ? steps_in - VarArg(k, loc) : constant(array(int64_t{0}), "", loc);
    Var forward = T::index(VarArg(back.outputs[next++], loc), {T::slice({}, {}, VarArg(-1, loc))});
    Var zero = T::zeros_like(VarArg(seq, loc));
    grads[s.seq_input(i)] = T::inc_subtensor(
        T::index(VarArg(zero, loc), {T::slice(VarArg(start, loc), VarArg(stop, loc))}),
        VarArg(forward, loc));
  }
  return grads;
}

}  // namespace theon::detail
