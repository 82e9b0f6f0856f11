// The Scan op: a loop whose body is a graph.
//
//   Scan{spec}(n_steps, seqs..., inits..., non_seqs...) -> buffers..., stacked...
//
// Inputs: n_steps (int64 scalar); the sequences, one per tap, already sliced so that
// step t reads row t (the front end does the slicing, the reversal of go_backwards
// and the taps, so gradients reach them through ordinary subtensors); the initial
// buffer of each recurrent output (init_len rows: row k is out[k - init_len]); and
// the non-sequences. Outputs: per recurrent output its whole buffer (init_len +
// n_steps rows: the initial rows, then one per step, as Theano's), then per
// non-recurrent output its stacked values (n_steps rows).
//
// The inner graph reads, in order: one placeholder per sequence, one per tap of each
// recurrent output, one per non-sequence; it computes the recurrent outputs' new
// values, then the non-recurrent outputs. It holds no other sources but constants.
//
// `store` (per output, 0 = all) keeps only the last `store` rows of an output (the
// save-memory rewrite sets it when only the last steps are read).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "theon/graph.hpp"

namespace theon::detail {

struct ScanSpec {
  int n_seqs = 0;
  std::vector<std::vector<int>> taps;  // per recurrent output, sorted, all negative
  int n_nit = 0;                       // non-recurrent outputs
  int n_non_seqs = 0;
  Vars inner_inputs;
  Vars inner_outputs;
  std::vector<int64_t> store;  // per outer output
  int truncate_gradient = -1;
  std::string name;
  // The outer shared variables whose updates the loop computes (those scan returns), so
  // that function() can tell when a random state advanced in the loop would be lost.
  Vars updated_shared;

  int n_recs() const { return static_cast<int>(taps.size()); }
  int n_outputs() const { return n_recs() + n_nit; }
  int init_len(int rec) const { return -taps[rec].front(); }
  int n_rec_taps() const;
  // Positions of each group among the outer inputs.
  int seq_input(int i) const { return 1 + i; }
  int init_input(int j) const { return 1 + n_seqs + j; }
  int non_seq_input(int k) const { return 1 + n_seqs + n_recs() + k; }
  // Positions among the inner inputs.
  int inner_tap(int rec, int tap_index) const;
  int inner_non_seq(int k) const { return n_seqs + n_rec_taps() + k; }
  bool stores_all() const;
};

class ScanLoop;      // the compiled body (scan_op.cpp)
class ScanIdentity;  // scan_identity.hpp

class Scan final : public Op {
 public:
  explicit Scan(ScanSpec spec);
  ~Scan() override;
  const ScanSpec& spec() const { return spec_; }
  std::string name() const override { return "scan"; }
  // A short id of the spec's canonical text (scan_identity.hpp), computed once: two
  // scans with equal specs up to renaming of the body's variables are equal ops.
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  // A compiled body, taken for one run: functions that share this op (compiled from
  // the same graph) may run it in several threads at once, each on its own loop.
  std::unique_ptr<ScanLoop> take_loop() const;
  void give_back(std::unique_ptr<ScanLoop> loop) const;

  ScanSpec spec_;
  std::unique_ptr<ScanIdentity> identity_;
  mutable std::mutex loops_mutex_;
  mutable std::vector<std::unique_ptr<ScanLoop>> idle_loops_;  // compiled on first use
};

// The Scan op of `v`'s owner (or of `node`), or nullptr.
const Scan* scan_of(const ApplyNode* node);

// Builds a Scan node; checks the inputs against the spec.
Vars make_scan(ScanSpec spec, Vars inputs, const Loc& loc);

// "scan" or "scan 'name'" for messages.
std::string scan_label(const ScanSpec& spec);

}  // namespace theon::detail
