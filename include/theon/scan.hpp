// Symbolic loops: scan (Theano's theano.scan) and the map / reduce / foldl / foldr
// built on it.
//
// scan calls the step function ONCE, on symbolic placeholders, to build the loop body
// (the "inner graph"); the result is one node of the outer graph that runs the body
// n_steps times when the function runs. Gradients (backpropagation through time) and
// rewrites reach inside it.
//
// The step function receives, in Theano's order:
//   1. one slice per sequence tap: seq[t + k] for each tap k of each sequence;
//   2. one previous value per output tap: out[t + k] (k < 0) for each recurrent output;
//   3. the non-sequences, unchanged at every step.
// It returns one value per entry of outputs_info (or any number when outputs_info is
// empty), and optionally updates of shared variables (see below).
//
//   namespace T = theon::tensor;
//   auto x = T::dmatrix("x");                        // (steps, 10)
//   auto W = T::dmatrix("W"), h0 = T::dvector("h0");
//   auto r = theon::scan([&](std::span<const theon::Var> a) {
//              return T::tanh(T::dot(W, a[1]) + a[0]);   // a = {x[t], h[t-1], W}
//            }, {x}, {h0}, {W});
//   auto h = r.outputs[0];                           // (steps, 10): h[0] .. h[steps-1]
//
// Semantics (as Theano, see docs/scan.md):
// - Sequences with taps: with taps {-2, 0, 1} step t reads seq[t-2], seq[t], seq[t+1],
//   and t starts where every tap is inside the sequence (taps are relative to tap 0).
// - The number of steps is the shortest of the sliced sequences and n_steps (when
//   given). n_steps < 0 raises ValueError when the function runs.
// - Recurrent outputs (an initial value in outputs_info) use negative taps; with the
//   default {-1} the initial value is the state before step 0; with other taps it has
//   max(-taps) rows: initial[0] is out[-max], ..., initial[max-1] is out[-1]. The
//   stacked result holds steps 0..n_steps-1 only, not the initial values. The step's
//   result must have the initial value's dtype (TypeError naming both otherwise);
//   a literal initial value (ScanOutputInfo(0), Python's 0) is cast to the result's.
// - An absent entry of outputs_info (ScanOutputInfo()) is an output that is not fed
//   back: its values are only stacked.
// - go_backwards iterates over the sequences from their end; results are stacked in
//   the order they are computed.
// - Updates: the step may return updates of shared variables. Inside the loop a
//   shared variable reads the value the previous step gave it; the returned updates
//   hold the value after the last step, and take effect when passed to function().
// - Variables of the outer graph used inside the step (closures, shared variables)
//   become implicit non-sequences.
// - truncate_gradient = k > 0 backpropagates through the last k steps only: earlier
//   steps (and the initial state, when k < n_steps) get no gradient.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "theon/function.hpp"
#include "theon/tensor.hpp"

namespace theon {

// A sequence and the taps the step reads from it (default: the current element).
struct ScanSequence {
  ScanSequence(const Var& seq, std::vector<int> taps = {0}) : seq(seq), taps(std::move(taps)) {}
  Var seq;
  std::vector<int> taps;
};

// One entry of outputs_info: an initial value and the (negative) taps the step reads,
// or, default-constructed, an output that is not fed back.
struct ScanOutputInfo {
  ScanOutputInfo() = default;
  ScanOutputInfo(const Var& initial, std::vector<int> taps = {-1})
      : initial(initial), taps(std::move(taps)) {}
  // A literal: cast to the dtype of the step's result when that differs.
  template <Arithmetic N>
  ScanOutputInfo(N initial, std::vector<int> taps = {-1}, Loc loc = Loc::current())
      : initial(VarArg(initial, loc).var), taps(std::move(taps)) {}
  bool is_recurrent() const { return initial.defined(); }
  Var initial;
  std::vector<int> taps;
};

// What the step function returns: its outputs and optional shared-variable updates.
struct ScanStepResult {
  ScanStepResult(const Var& output) : outputs{output} {}
  ScanStepResult(Vars outputs, Updates updates = {})
      : outputs(std::move(outputs)), updates(std::move(updates)) {}
  ScanStepResult(std::initializer_list<Var> outputs) : outputs(outputs) {}
  Vars outputs;
  Updates updates;
};

using ScanFn = std::function<ScanStepResult(std::span<const Var>)>;

// The stacked outputs (one per step function output, shape (n_steps, ...)) and the
// updates to pass to function().
struct ScanResult {
  Vars outputs;
  Updates updates;
  // The only output; ValueError when there are several.
  const Var& output() const;
};

struct ScanOptions {
  std::optional<VarArg> n_steps;
  bool go_backwards = false;
  int truncate_gradient = -1;
  std::string name;
};

ScanResult scan(const ScanFn& fn, std::vector<ScanSequence> sequences,
                std::vector<ScanOutputInfo> outputs_info = {}, Vars non_sequences = {},
                ScanOptions options = {}, Loc loc = Loc::current());

// map(fn, sequences): fn(seq slices..., non_sequences...) at every step, stacked.
ScanResult map(const ScanFn& fn, std::vector<ScanSequence> sequences, Vars non_sequences = {},
               bool go_backwards = false, std::string name = "", Loc loc = Loc::current());
// reduce / foldl / foldr: a scan that keeps only the last value of each output:
//   reduce([](auto a) { return a[0] + a[1]; }, {x}, {theon::constant(theon::array(0.0))})  // sum(x)
ScanResult reduce(const ScanFn& fn, std::vector<ScanSequence> sequences,
                  std::vector<ScanOutputInfo> outputs_info, Vars non_sequences = {},
                  bool go_backwards = false, std::string name = "", Loc loc = Loc::current());
ScanResult foldl(const ScanFn& fn, std::vector<ScanSequence> sequences,
                 std::vector<ScanOutputInfo> outputs_info, Vars non_sequences = {},
                 std::string name = "", Loc loc = Loc::current());
ScanResult foldr(const ScanFn& fn, std::vector<ScanSequence> sequences,
                 std::vector<ScanOutputInfo> outputs_info, Vars non_sequences = {},
                 std::string name = "", Loc loc = Loc::current());

}  // namespace theon
