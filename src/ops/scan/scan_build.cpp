// scan(): builds the loop body from the step function and one Scan node around it;
// map / reduce / foldl / foldr on top.
#include "theon/scan.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "compile/default_updates.hpp"
#include "ops/op_util.hpp"
#include "ops/scan/scan_op.hpp"
#include "theon/clone.hpp"
#include "theon/shape_ops.hpp"
#include "theon/subtensor.hpp"
#include "theon/test_value.hpp"

namespace theon {
namespace {

namespace T = tensor;
using detail::ScanSpec;

TensorType row_type(const TensorType& t) {
  BroadcastPattern b;
  for (int d = 1; d < t.ndim(); ++d) b.push_back(t.broadcastable[d]);
  return TensorType(t.dtype, b);
}

Var rows(const Var& x, int64_t start, std::optional<int64_t> stop, const Loc& loc) {
  if (start == 0 && !stop) return x;  // all of them (a sequence read at tap 0 only)
  std::optional<VarArg> end;
  if (stop) end = VarArg(*stop, loc);
  return T::index(VarArg(x, loc), {T::slice(VarArg(start, loc), end)});
}

Var reversed(const Var& x, const Loc& loc) {
  return T::index(VarArg(x, loc), {T::slice({}, {}, VarArg(-1, loc))});
}

Var leading_axis(const Var& x, const Loc& loc) {
  std::vector<DimEntry> pattern{DimEntry('x')};
  for (int d = 0; d < x.ndim(); ++d) pattern.emplace_back(d);
  return T::dimshuffle(VarArg(x, loc), pattern);
}

std::string tap_name(const Var& v, const char* what, int tap) {
  std::string base = v.name().empty() ? std::string(what) : v.name();
  if (tap == 0) return base + "[t]";
  return base + "[t" + (tap > 0 ? "+" : "") + std::to_string(tap) + "]";
}

bool broadcastable_where(const BroadcastPattern& have, const BroadcastPattern& need) {
  for (size_t d = 0; d < need.size(); ++d)
    if (need[d] && !have[d]) return false;
  return true;
}

// With test values on, a step placeholder takes row `row` of its outer variable's test
// value, so the step function's own nodes are checked as it builds them.
void give_row_test_value(const Var& placeholder, const Var& outer, int64_t row) {
  if (!detail::test_values_active() || !has_test_value(outer)) return;
  const NDArray value = test_value(outer);
  if (value.ndim() < 1 || row < 0 || row >= value.shape(0)) return;
  placeholder.get()->test_value = std::make_shared<const NDArray>(value.index(0, row).copy());
}

// One recurrent output as the op sees it.
struct Recurrent {
  Var buffer;  // the outer initial buffer (init_len rows)
  std::vector<int> taps;
  Vars placeholders;  // one per tap
};

}  // namespace

const Var& ScanResult::output() const {
  THEON_CHECK_USER(outputs.size() == 1, ValueError)
      << "scan: the step function has " << outputs.size() << " outputs; index ScanResult::outputs";
  return outputs[0];
}

ScanResult scan(const ScanFn& fn, std::vector<ScanSequence> sequences,
                std::vector<ScanOutputInfo> outputs_info, Vars non_sequences, ScanOptions options,
                Loc loc) {
  const std::string label = options.name.empty() ? std::string("scan") : "scan '" + options.name + "'";
  const std::string where = "\n  scan built at " + format_loc(loc);
  THEON_CHECK_USER(options.truncate_gradient == -1 || options.truncate_gradient > 0, ValueError)
      << label << ": truncate_gradient must be -1 (no truncation) or positive, got "
      << options.truncate_gradient << where;

  // Sequences: one sliced outer sequence and one placeholder per tap. Taps are relative
  // to tap 0, which counts as used: taps {1, 2} start at row 1 and 2.
  Vars outer_seqs, seq_placeholders;
  for (size_t i = 0; i < sequences.size(); ++i) {
    const ScanSequence& s = sequences[i];
    THEON_CHECK_USER(s.seq.defined() && s.seq.ndim() >= 1, TypeError)
        << label << ": sequence " << i << " must have at least one dimension"
        << (s.seq.defined() ? ", got " + describe(s.seq) : std::string()) << where;
    THEON_CHECK_USER(!s.taps.empty(), ValueError) << label << ": sequence " << i << " has no taps" << where;
    const Var seq = options.go_backwards ? reversed(s.seq, loc) : s.seq;
    const int lo = std::min(0, *std::min_element(s.taps.begin(), s.taps.end()));
    const int hi = std::max(0, *std::max_element(s.taps.begin(), s.taps.end()));
    for (int k : s.taps) {
      outer_seqs.push_back(
          rows(seq, k - lo, k == hi ? std::nullopt : std::optional<int64_t>(k - hi), loc));
      seq_placeholders.push_back(T::variable(row_type(s.seq.type()), tap_name(s.seq, "seq", k), loc));
      give_row_test_value(seq_placeholders.back(), outer_seqs.back(), 0);
    }
  }

  // The number of steps: the shortest sliced sequence, and n_steps when given.
  Var steps;
  for (const Var& seq : outer_seqs) {
    Var len = T::shape_i(VarArg(seq, loc), 0);
    steps = steps.defined() ? T::minimum(VarArg(steps, loc), VarArg(len, loc)) : len;
  }
  if (options.n_steps) {
    const Var& given = options.n_steps->var;
    detail::expect_int_scalar(label + " (n_steps)", given);
    if (auto c = detail::constant_int(given)) {
      THEON_CHECK_USER(*c >= 0, ValueError) << label << ": n_steps is " << *c << "; it must be at least 0" << where;
    }
    Var n = given.dtype() == DType::Int64 ? given : T::cast(VarArg(given, loc), DType::Int64);
    steps = steps.defined() ? T::minimum(VarArg(n, loc), VarArg(steps, loc)) : n;
  }
  THEON_CHECK_USER(steps.defined(), ValueError)
      << label << ": give at least one sequence or n_steps" << where;

  // Recurrent outputs: the initial buffer and the taps' placeholders. A placeholder
  // starts with its initial value's broadcastable pattern; if the step's result is less
  // broadcastable, the body is built again with the pattern relaxed (and likewise with
  // the step's dtype for a literal initial value).
  std::vector<int> rec_of(outputs_info.size(), -1);
  std::vector<Recurrent> recs;
  std::vector<BroadcastPattern> patterns;
  for (size_t i = 0; i < outputs_info.size(); ++i) {
    const ScanOutputInfo& info = outputs_info[i];
    if (!info.is_recurrent()) continue;
    THEON_CHECK_USER(!info.taps.empty(), ValueError)
        << label << ": outputs_info[" << i << "] has no taps" << where;
    for (int k : info.taps)
      THEON_CHECK_USER(k < 0, ValueError)
          << label << ": outputs_info[" << i << "] has tap " << k << "; output taps must be negative" << where;
    Recurrent r;
    r.taps = info.taps;
    std::sort(r.taps.begin(), r.taps.end());
    r.taps.erase(std::unique(r.taps.begin(), r.taps.end()), r.taps.end());
    const int len = -r.taps.front();
    const bool plain = r.taps == std::vector<int>{-1};
    THEON_CHECK_USER(plain || info.initial.ndim() >= 1, TypeError)
        << label << ": outputs_info[" << i << "] with taps needs an initial value with one row per "
        << "past step, got " << describe(info.initial) << where;
    r.buffer = plain ? leading_axis(info.initial, loc) : rows(info.initial, 0, len, loc);
    rec_of[i] = static_cast<int>(recs.size());
    recs.push_back(std::move(r));
    patterns.push_back(plain ? info.initial.broadcastable() : row_type(info.initial.type()).broadcastable);
  }

  ScanStepResult result{Vars{}};
  for (int attempt = 0;; ++attempt) {
    Vars args = seq_placeholders;
    for (size_t j = 0; j < recs.size(); ++j) {
      recs[j].placeholders.clear();
      const TensorType type(recs[j].buffer.dtype(), patterns[j]);
      for (int k : recs[j].taps) {
        size_t i = std::find(rec_of.begin(), rec_of.end(), static_cast<int>(j)) - rec_of.begin();
        recs[j].placeholders.push_back(T::variable(type, tap_name(outputs_info[i].initial, "out", k), loc));
        give_row_test_value(recs[j].placeholders.back(), recs[j].buffer, -recs[j].taps.front() + k);
        args.push_back(recs[j].placeholders.back());
      }
    }
    args.insert(args.end(), non_sequences.begin(), non_sequences.end());
    result = fn(std::span<const Var>(args));
    if (!outputs_info.empty()) {
      THEON_CHECK_USER(result.outputs.size() == outputs_info.size(), ValueError)
          << label << ": the step function returned " << result.outputs.size()
          << " outputs but outputs_info has " << outputs_info.size() << " entries" << where;
    }
    bool relaxed = false;
    for (size_t i = 0; i < result.outputs.size(); ++i) {
      const Var& out = result.outputs[i];
      THEON_CHECK_USER(out.defined(), ValueError) << label << ": output " << i << " of the step is undefined" << where;
      if (i >= rec_of.size() || rec_of[i] < 0) continue;
      const int j = rec_of[i];
      const Var& init = recs[j].placeholders[0];
      if (out.dtype() != init.dtype() && outputs_info[i].initial.is_weak()) {
        // A literal initial value (0.0) takes the step's dtype, as literals do elsewhere.
        recs[j].buffer = T::cast(VarArg(recs[j].buffer, loc), out.dtype());
        relaxed = true;
        continue;
      }
      THEON_CHECK_USER(out.dtype() == init.dtype(), TypeError)
          << label << ": output " << i << " of the step function has dtype " << dtype_name(out.dtype())
          << " but its initial value (outputs_info[" << i << "]) has dtype " << dtype_name(init.dtype())
          << "\n  output   made at " << format_loc(out.loc()) << "\n  initial  "
          << describe(outputs_info[i].initial) << where
          << "\n  hint: cast the initial value or the step's result so that the dtypes agree";
      THEON_CHECK_USER(out.ndim() == init.ndim(), TypeError)
          << label << ": output " << i << " of the step function has " << out.ndim()
          << " dimensions but its previous value has " << init.ndim() << "\n  output  " << describe(out)
          << "\n  initial  " << describe(outputs_info[i].initial) << where;
      if (!broadcastable_where(out.broadcastable(), patterns[j])) {
        for (int d = 0; d < out.ndim(); ++d) patterns[j][d] = patterns[j][d] && out.broadcastable()[d];
        relaxed = true;
      }
    }
    if (!relaxed) break;
    THEON_ASSERT(attempt < 8) << label << ": the state types do not settle";
  }
  THEON_CHECK_USER(!result.outputs.empty() || !result.updates.empty(), ValueError)
      << label << ": the step function returned no outputs and no updates" << where;
  // A shared variable the step reads that has a default update (the state of a random
  // draw made in the step) is updated by the loop itself, step after step, and its last
  // value is among the updates scan returns, as in Theano.
  result.updates = detail::with_default_updates(result.outputs, result.updates);

  // Updated shared variables become recurrent outputs with tap -1.
  std::unordered_map<VariableNode*, Var> replace;
  std::vector<int> update_rec;
  for (size_t u = 0; u < result.updates.size(); ++u) {
    const Update& up = result.updates[u];
    THEON_CHECK_USER(up.var.defined() && up.var.is_shared(), TypeError)
        << label << ": update " << u << " of the step function targets a variable that is not shared" << where;
    THEON_CHECK_USER(up.value.dtype() == up.var.dtype() && up.value.ndim() == up.var.ndim() &&
                         broadcastable_where(up.value.broadcastable(), up.var.broadcastable()),
                     TypeError)
        << label << ": update " << u << " of " << describe(up.var) << " has type "
        << up.value.type().str() << ", expected " << up.var.type().str() << where;
    THEON_CHECK_USER(!replace.count(up.var.get()), ValueError)
        << label << ": " << describe(up.var) << " is updated twice" << where;
    Recurrent r;
    r.taps = {-1};
    r.buffer = leading_axis(up.var, loc);
    r.placeholders.push_back(T::variable(up.var.type(), tap_name(up.var, "shared", -1), loc));
    replace[up.var.get()] = r.placeholders[0];
    update_rec.push_back(static_cast<int>(recs.size()));
    recs.push_back(std::move(r));
  }

  // Non-sequences: the explicit ones, then every other source the body reads (outer
  // variables used in the step, shared variables) as implicit ones.
  Vars outer_non_seqs, non_seq_placeholders;
  auto add_non_seq = [&](const Var& v) {
    outer_non_seqs.push_back(v);
    non_seq_placeholders.push_back(T::variable(v.type(), v.name(), loc));
    replace[v.get()] = non_seq_placeholders.back();
  };
  for (const Var& v : non_sequences)
    if (v.defined() && !v.is_constant() && !replace.count(v.get())) add_non_seq(v);
  Vars body_roots = result.outputs;
  for (const Update& up : result.updates) body_roots.push_back(up.value);
  std::unordered_set<VariableNode*> known;
  for (const Var& p : seq_placeholders) known.insert(p.get());
  for (const Recurrent& r : recs)
    for (const Var& p : r.placeholders) known.insert(p.get());
  {
    std::vector<Var> stack(body_roots.begin(), body_roots.end());
    std::unordered_set<VariableNode*> seen;
    while (!stack.empty()) {
      Var v = stack.back();
      stack.pop_back();
      if (!seen.insert(v.get()).second || known.count(v.get()) || replace.count(v.get())) continue;
      if (v.owner()) {
        for (const Var& in : v.owner()->inputs) stack.push_back(in);
      } else if (!v.is_constant()) {
        add_non_seq(v);
      }
    }
  }
  std::vector<std::pair<Var, Var>> pairs;
  for (const Var& v : outer_non_seqs) pairs.push_back({v, replace.at(v.get())});
  for (const Update& up : result.updates) pairs.push_back({up.var, replace.at(up.var.get())});
  const Vars body = clone(body_roots, pairs);

  // The spec: recurrent outputs (the user's, then the updates), then the others.
  ScanSpec spec;
  spec.n_seqs = static_cast<int>(outer_seqs.size());
  spec.inner_inputs = seq_placeholders;
  Vars inputs{steps};
  inputs.insert(inputs.end(), outer_seqs.begin(), outer_seqs.end());
  for (const Recurrent& r : recs) {
    spec.taps.push_back(r.taps);
    spec.inner_inputs.insert(spec.inner_inputs.end(), r.placeholders.begin(), r.placeholders.end());
    inputs.push_back(r.buffer);
  }
  spec.n_non_seqs = static_cast<int>(outer_non_seqs.size());
  spec.inner_inputs.insert(spec.inner_inputs.end(), non_seq_placeholders.begin(), non_seq_placeholders.end());
  inputs.insert(inputs.end(), outer_non_seqs.begin(), outer_non_seqs.end());
  const size_t n_user = result.outputs.size();
  spec.inner_outputs.resize(recs.size());
  std::vector<int> op_output(n_user);
  for (size_t i = 0; i < n_user; ++i) {
    if (i < rec_of.size() && rec_of[i] >= 0) {
      spec.inner_outputs[rec_of[i]] = body[i];
      op_output[i] = rec_of[i];
    }
  }
  for (size_t u = 0; u < update_rec.size(); ++u) spec.inner_outputs[update_rec[u]] = body[n_user + u];
  for (size_t i = 0; i < n_user; ++i) {
    if (i < rec_of.size() && rec_of[i] >= 0) continue;
    op_output[i] = static_cast<int>(spec.inner_outputs.size());
    spec.inner_outputs.push_back(body[i]);
    ++spec.n_nit;
  }
  spec.truncate_gradient = options.truncate_gradient;
  spec.name = options.name;
  for (const Update& up : result.updates) spec.updated_shared.push_back(up.var);
  const Vars outs = detail::make_scan(spec, inputs, loc);

  ScanResult r;
  for (size_t i = 0; i < n_user; ++i) {
    const int o = op_output[i];
    r.outputs.push_back(o < static_cast<int>(recs.size()) ? rows(outs[o], -recs[o].taps.front(), std::nullopt, loc)
                                                          : outs[o]);
    if (!options.name.empty()) r.outputs.back().set_name(options.name + "[" + std::to_string(i) + "]");
  }
  for (size_t u = 0; u < update_rec.size(); ++u)
    r.updates.push_back({result.updates[u].var, T::index(VarArg(outs[update_rec[u]], loc), {IndexArg(-1, loc)})});
  return r;
}

ScanResult map(const ScanFn& fn, std::vector<ScanSequence> sequences, Vars non_sequences,
               bool go_backwards, std::string name, Loc loc) {
  return scan(fn, std::move(sequences), {}, std::move(non_sequences),
              {.go_backwards = go_backwards, .name = std::move(name)}, loc);
}

ScanResult reduce(const ScanFn& fn, std::vector<ScanSequence> sequences,
                  std::vector<ScanOutputInfo> outputs_info, Vars non_sequences, bool go_backwards,
                  std::string name, Loc loc) {
  ScanResult r = scan(fn, std::move(sequences), std::move(outputs_info), std::move(non_sequences),
                      {.go_backwards = go_backwards, .name = std::move(name)}, loc);
  for (Var& out : r.outputs) out = T::index(VarArg(out, loc), {IndexArg(-1, loc)});
  return r;
}

ScanResult foldl(const ScanFn& fn, std::vector<ScanSequence> sequences,
                 std::vector<ScanOutputInfo> outputs_info, Vars non_sequences, std::string name,
                 Loc loc) {
  return reduce(fn, std::move(sequences), std::move(outputs_info), std::move(non_sequences), false,
                std::move(name), loc);
}

ScanResult foldr(const ScanFn& fn, std::vector<ScanSequence> sequences,
                 std::vector<ScanOutputInfo> outputs_info, Vars non_sequences, std::string name,
                 Loc loc) {
  return reduce(fn, std::move(sequences), std::move(outputs_info), std::move(non_sequences), true,
                std::move(name), loc);
}

}  // namespace theon
