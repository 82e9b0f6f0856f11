// The interpreter: runs a FunctionGraph's nodes over preallocated storage.
//
// Every variable has a slot. Instructions hold pointers into the slots, fixed when the
// program is built, so a call does no setup work. Graphs without lazy ops run as one
// flat loop; graphs with ifelse run demand-driven, computing only what the taken branch
// needs.
//
// Slots keep their buffers from call to call (no allocation in steady state). Large
// intermediate buffers are also shared by liveness: once the last reader of a value
// (or of a view of it) has run, its buffer goes to a pool, and a later node's output
// of about that size takes it, so a chain of large unfused ops needs a few buffers
// rather than one per node. An element-wise node whose input dies with it writes its
// output over that input (core/inplace.hpp).
#pragma once

#include <unordered_map>
#include <vector>

#include "backend/vm/buffer_pool.hpp"
#include "theon/fgraph.hpp"
#include "theon/function.hpp"

namespace theon::detail {

class VM {
 public:
  explicit VM(const FunctionGraph& fgraph);
  VM(const VM&) = delete;
  VM& operator=(const VM&) = delete;

  int slot_of(const Var& v) const { return slot_.at(v.get()); }
  NDArray& slot(int i) { return storage_[i]; }
  const NDArray& slot(int i) const { return storage_[i]; }
  // Whether a node computes this slot (false for inputs, constants, shared variables).
  bool is_computed(int slot) const { return producer_[slot] >= 0; }

  // Computes the slots in `wanted` (the outputs and update values); inputs and shared
  // values must already be in their slots. Run-time errors carry the node and its inputs.
  void run(std::span<const int> wanted);
  // Drops references to inputs and views, so that buffers can be reused next call.
  void release_borrowed();
  // Drops the buffers computed slots and the pool keep between calls (Function::free);
  // the next run allocates them again.
  void free_buffers();
  // Observers called around every node (FunctionOptions::observers).
  void set_observers(std::vector<std::shared_ptr<NodeObserver>> observers) {
    observers_ = std::move(observers);
  }

  int n_slots() const { return static_cast<int>(storage_.size()); }
  bool is_lazy() const { return lazy_; }
  // The program in run order, each node with its input and output slots (for the
  // whole-graph code generator).
  struct NodeSlots {
    const ApplyNode* node;
    std::vector<int> in, out;
  };
  std::vector<NodeSlots> schedule() const;

 private:
  struct Instr {
    const ApplyNode* node;
    uint32_t in_begin, in_end, out_begin, out_end;
  };
  void perform(const Instr& instr);
  void perform_observed(const Instr& instr);
  void run_lazy(std::span<const int> wanted);
  void plan_liveness();
  // Before instruction i: outputs whose buffer went to the pool get one of their size.
  void take_buffers(size_t i);
  // After instruction i: large values nobody reads any more go to the pool.
  void release_dead(size_t i);
  // Instruction i writing its output over a dead input (core/inplace.hpp), when the
  // buffers allow it at run time.
  void perform_in_place(size_t i);
  [[noreturn]] void annotate(const Instr& instr, const Error& e);

  std::vector<NDArray> storage_;
  std::unordered_map<VariableNode*, int> slot_;
  std::vector<int> producer_;  // per slot: the instruction computing it, or -1
  std::vector<Instr> program_;
  std::vector<const NDArray*> in_ptrs_;
  std::vector<NDArray*> out_ptrs_;
  std::vector<int> borrowed_slots_;  // inputs and views: released after each call
  bool lazy_ = false;
  // Liveness: per instruction, the values (computed, not views) whose last reader it
  // is, counting readers of their views; per slot, the size it had last call.
  std::vector<std::vector<int>> dead_after_;
  std::vector<size_t> last_nbytes_;
  std::vector<char> is_view_, wanted_now_;
  // Per instruction: the dead input slot its output may overwrite, and that output's
  // slot; -1 where it may not (not element-wise, or every input still read later).
  std::vector<std::pair<int, int>> in_place_;
  BufferPool pool_;
  std::vector<std::shared_ptr<NodeObserver>> observers_;
  // Lazy runs: per-call state, kept to avoid allocation.
  std::vector<char> ready_;
  std::vector<char> done_;
  std::vector<int> lazy_stack_, lazy_needed_;
  std::vector<const NDArray*> lazy_view_;
};

}  // namespace theon::detail
