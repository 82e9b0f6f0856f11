// The profiler one profiled function holds (FunctionOptions::profile): a NodeObserver
// that times every node, and the call's start and end. It accumulates a call in its own
// arrays and adds them to the shared ProfileStats when the call ends, under its mutex.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "backend/vm/vm.hpp"
#include "rewrite/pipeline.hpp"
#include "theon/function.hpp"
#include "theon/profile.hpp"

namespace theon::detail {

class FunctionProfiler final : public NodeObserver {
 public:
  using Clock = std::chrono::steady_clock;

  // Lists the nodes of `vm`'s program in `stats`, in run order; `wanted` are the slots
  // of the function's outputs and update values (alive until the call ends).
  FunctionProfiler(std::shared_ptr<ProfileStats> stats, const VM& vm, std::span<const int> wanted,
                   const std::string& function_name);

  void before_node(const ApplyNode& node, std::span<const NDArray* const> in) override;
  void after_node(const ApplyNode& node, std::span<const NDArray* const> in,
                  std::span<NDArray* const> out) override;

  // Around one call (after the call lock is taken). A call that throws still counts.
  void begin_call();
  void end_call(double seconds);
  // Adds the compile time (seconds, and the phases' times) to the stats.
  void add_compile(double seconds, const std::vector<std::pair<std::string, double>>& phases);

  const std::shared_ptr<ProfileStats>& stats() const { return stats_; }

 private:
  struct Node {
    int index_in_stats;             // into stats_->nodes
    std::vector<int> in_slots;      // the VM slots it reads (for liveness)
    std::vector<int> out_slots;     // the slots it writes
    bool fused = false;
    // This call:
    int64_t calls = 0;
    double time = 0;
    bool native = false;
    // The inputs' dtypes and shapes; formatted into the stats at the end of a call when
    // they changed (formatting on every node would cost more than most nodes).
    std::vector<DType> dtypes;
    std::vector<Shape> shapes;
    bool shapes_changed = false;
  };
  std::shared_ptr<ProfileStats> stats_;
  std::unordered_map<const ApplyNode*, int> index_;
  std::vector<Node> nodes_;
  // Liveness (memory_peak), per slot: its readers among the nodes, those still to run
  // this call, whether it is wanted (alive until the call ends), its bytes this call.
  std::vector<int> readers_, remaining_;
  std::vector<char> wanted_;
  std::vector<int64_t> bytes_;
  int64_t live_ = 0, peak_ = 0;
  Clock::time_point node_start_;
};

// Times a function's compile phases when it is profiled (FunctionOptions::profile, or
// every function with config().profile: then it makes the stats and registers them to
// print at exit); otherwise it does nothing.
class CompileTimer {
 public:
  explicit CompileTimer(const FunctionOptions& options);
  // Records the time since the previous phase (or the start) as `name`, less the
  // phases others appended to phases() meanwhile (the rewrite phases).
  void phase(const char* name);
  // Where rewrite::optimize appends its phases; null when not profiled.
  rewrite::PhaseTimes* phases() { return stats_ ? &phases_ : nullptr; }
  const std::shared_ptr<ProfileStats>& stats() const { return stats_; }
  double total() const;

 private:
  std::shared_ptr<ProfileStats> stats_;
  rewrite::PhaseTimes phases_;
  FunctionProfiler::Clock::time_point start_, mark_;
  size_t marked_phases_ = 0;
};

}  // namespace theon::detail
