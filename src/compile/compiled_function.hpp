// The state behind a theon::Function: its graph, its interpreter and the bookkeeping
// that binds arguments and commits updates.
#pragma once

#include <memory>
#include <mutex>

#include "compile/call_lock.hpp"
#include <vector>

#include "theon/fgraph.hpp"
#include "theon/function.hpp"

namespace theon {
struct FunctionSpec;
}

namespace theon::detail {

class VM;
class RewriteChecker;
class GraphKernel;
class FunctionProfiler;

class CompiledFunction {
 public:
  CompiledFunction(const std::vector<Var>& inputs, const std::vector<Var>& outputs, bool single,
                   const Updates& updates, FunctionOptions options);
  ~CompiledFunction();

  // Computes every output and update, then commits the updates; on an exception no
  // shared variable has changed. Calls from several threads run one at a time.
  void call(std::span<const Arg> args, std::vector<NDArray>& outputs, const CallHooks& hooks);

  // Function::copy and Function::free.
  std::shared_ptr<CompiledFunction> copy(const CopyOptions& options) const;
  void free();

  const FunctionGraph& fgraph() const { return *fgraph_; }
  const FunctionOptions& options() const { return options_; }
  const std::vector<Var>& user_inputs() const { return user_inputs_; }
  bool is_single() const { return single_; }
  // The graph as its user built it (theon::save(Function)); a copy's applies its CopyOptions.
  const FunctionSpec& spec() const { return *spec_; }

 private:
  void call_locked(std::span<const Arg> args, std::vector<NDArray>& outputs, const CallHooks& hooks);
  // call_locked, timed into the profile (FunctionOptions::profile).
  void profiled_call(std::span<const Arg> args, std::vector<NDArray>& outputs, const CallHooks& hooks);
  void bind_arguments(std::span<const Arg> args);
  // Whether the value in slot `s` (wanted_[w]) shares its buffer with an argument, a
  // shared value or a constant; `borrow` lets it share with the first two.
  bool views_leaf(size_t w, int s, bool borrow) const;
  void plan_view_leaves();
  void run_check();
  std::string display_name() const;
  std::string argument_name(size_t i) const;

  FunctionOptions options_;
  bool single_;
  std::unique_ptr<FunctionGraph> fgraph_;
  std::unique_ptr<VM> vm_;
  std::unique_ptr<RewriteChecker> checker_;  // CHECK mode only
  std::unique_ptr<GraphKernel> graph_kernel_;  // small graphs as one native function
  std::shared_ptr<FunctionProfiler> profiler_;  // null unless profiled (the off path's one check)
  std::vector<Var> user_inputs_;
  std::vector<int> input_slots_;
  std::vector<TensorType> input_types_;
  std::vector<std::string> input_names_;
  std::vector<NDArray> number_buffers_;  // 0-d arrays for C++ number arguments
  std::vector<std::pair<std::shared_ptr<SharedStorage>, int>> shared_reads_;
  std::vector<NDArray> previous_shared_;  // bind_arguments' scratch, one per shared read
  std::vector<int> wanted_;  // outputs, then update values
  size_t n_outputs_ = 0;
  std::vector<SharedVar> update_vars_;  // per update value after the outputs (copy)
  std::vector<std::shared_ptr<SharedStorage>> update_targets_;
  std::vector<NDArray> pending_;
  // Per wanted slot: the sources (inputs, shared variables, constants) whose buffer it
  // may view, following the ops' view_of; with each, whether it is a constant.
  std::vector<std::vector<std::pair<int, bool>>> view_leaves_;
  std::vector<bool> borrow_;  // per output: FunctionOptions::borrow_outputs
  CallLock call_lock_;
  std::shared_ptr<const FunctionSpec> spec_;
  Updates resolved_updates_;  // the user graph's updates, default updates included (copy)
};

}  // namespace theon::detail
