#include "backend/vm/vm.hpp"

#include <algorithm>
#include <cstdlib>

#include "backend/vm/schedule_hint.hpp"
#include "core/inplace.hpp"
#include "theon/interrupt.hpp"
#include "ops/elemwise.hpp"
#include "ops/fused.hpp"
#include "ops/op_util.hpp"
#include "ops/subtensor.hpp"

namespace theon::detail {
namespace {

// How many leading inputs of `node` it may overwrite with its output, element by element:
// an Elemwise reads each input at the output's index (but an n-ary fold of three or more
// operands accumulates in the output, so only the first two); a one-output fused program
// whose last instruction is that output writes it after reading every input; an
// inc_subtensor adds into its first input (no other operand may view it). 0 for
// anything else.
int in_place_inputs(const ApplyNode& node) {
  if (node.n_outputs() != 1) return 0;
  if (dynamic_cast<const Elemwise*>(&node.op())) return std::min<int>(2, static_cast<int>(node.inputs.size()));
  if (auto* f = dynamic_cast<const FusedElemwise*>(&node.op())) {
    const FusedProgram& p = f->program();
    const bool last = !p.instrs.empty() && p.outputs.size() == 1 &&
                      p.outputs[0] == p.n_inputs() + static_cast<int>(p.instrs.size()) - 1;
    return last ? p.n_operands() : 0;  // not a draw's state or size
  }
  // inc_subtensor(x, y, idx) adds y into a copy of x: into x itself when x is dead.
  if (dynamic_cast<const IncSubtensor*>(&node.op())) return 1;
  return 0;
}

}  // namespace

VM::VM(const FunctionGraph& fgraph) {
  for (const Var& v : fgraph.variables()) {
    slot_[v.get()] = static_cast<int>(storage_.size());
    storage_.emplace_back();
  }
  producer_.assign(storage_.size(), -1);
  for (const Var& v : fgraph.variables()) {
    if (v.is_constant()) storage_[slot_of(v)] = v.constant_value();
    if (!v.owner() && !v.is_constant()) borrowed_slots_.push_back(slot_of(v));
  }
  const auto order = order_with_hints(fgraph.toposort());  // all-reduce overlap (schedule_hint.hpp)
  // Sizes first: the pointer arrays must not move once instructions point into them.
  size_t n_in = 0, n_out = 0;
  for (const ApplyNode* node : order) {
    n_in += node->inputs.size();
    n_out += node->outputs.size();
  }
  in_ptrs_.reserve(n_in);
  out_ptrs_.reserve(n_out);
  for (const ApplyNode* node : order) {
    Instr instr{node, static_cast<uint32_t>(in_ptrs_.size()), 0, static_cast<uint32_t>(out_ptrs_.size()), 0};
    for (const Var& in : node->inputs) in_ptrs_.push_back(&storage_[slot_of(in)]);
    for (int i = 0; i < node->n_outputs(); ++i) {
      const int s = slot_of(node->output(i));
      out_ptrs_.push_back(&storage_[s]);
      producer_[s] = static_cast<int>(program_.size());
      if (node->op().view_of(i) >= 0) borrowed_slots_.push_back(s);
    }
    instr.in_end = static_cast<uint32_t>(in_ptrs_.size());
    instr.out_end = static_cast<uint32_t>(out_ptrs_.size());
    program_.push_back(instr);
    lazy_ = lazy_ || node->op().is_lazy();
  }
  if (!lazy_) plan_liveness();
}

void VM::plan_liveness() {
  const size_t n = storage_.size();
  auto index = [&](const NDArray* p) { return static_cast<int>(p - storage_.data()); };
  std::vector<int> root(n), last_use(n, -1);
  for (size_t s = 0; s < n; ++s) root[s] = static_cast<int>(s);
  is_view_.assign(n, 0);
  for (size_t i = 0; i < program_.size(); ++i) {
    const Instr& instr = program_[i];
    const Op& op = instr.node->op();
    for (uint32_t k = instr.in_begin; k < instr.in_end; ++k)
      last_use[root[index(in_ptrs_[k])]] = static_cast<int>(i);
    for (uint32_t j = instr.out_begin; j < instr.out_end; ++j) {
      const int o = index(out_ptrs_[j]);
      last_use[o] = std::max(last_use[o], static_cast<int>(i));
      const int viewed = op.view_of(static_cast<int>(j - instr.out_begin));
      if (viewed < 0) continue;
      is_view_[o] = 1;
      root[o] = root[index(in_ptrs_[instr.in_begin + viewed])];
      last_use[root[o]] = static_cast<int>(i);
    }
  }
  dead_after_.assign(program_.size(), {});
  for (size_t s = 0; s < n; ++s)
    if (producer_[s] >= 0 && !is_view_[s]) dead_after_[last_use[s]].push_back(static_cast<int>(s));
  in_place_.assign(program_.size(), {-1, -1});
  for (size_t i = 0; i < program_.size(); ++i) {
    const Instr& instr = program_[i];
    const ApplyNode& node = *instr.node;
    const int limit = in_place_inputs(node);
    for (int k = 0; k < limit && in_place_[i].first < 0; ++k) {
      const int s = index(in_ptrs_[instr.in_begin + k]);
      const Var& in = node.inputs[k];
      const Var out = node.output(0);
      if (producer_[s] < 0 || is_view_[s] || last_use[s] != static_cast<int>(i) ||
          in.dtype() != out.dtype() || !(in.broadcastable() == out.broadcastable()))
        continue;
      // Another operand reading the same buffer: a view of it at other indices never
      // may; the value itself again only among the first two operands, since a fold of
      // three or more reads operands 2, 3, ... after it has written the output.
      bool read_after_write = false;
      for (uint32_t m = instr.in_begin; m < instr.in_end; ++m) {
        const int other = index(in_ptrs_[m]);
        const bool reread_by_fold = other == s && m >= instr.in_begin + 2;
        read_after_write = read_after_write || (other != s && root[other] == s) || reread_by_fold;
      }
      if (!read_after_write) in_place_[i] = {s, index(out_ptrs_[instr.out_begin])};
    }
  }
  last_nbytes_.assign(n, 0);
  wanted_now_.assign(n, 0);
}

void VM::take_buffers(size_t i) {
  if (pool_.empty()) return;
  const Instr& instr = program_[i];
  for (uint32_t j = instr.out_begin; j < instr.out_end; ++j) {
    NDArray& out = *out_ptrs_[j];
    const auto o = static_cast<size_t>(out_ptrs_[j] - storage_.data());
    if (!is_view_[o] && !out.defined() && last_nbytes_[o] >= pooled_min_bytes())
      out = pool_.take(last_nbytes_[o], instr.node->output(static_cast<int>(j - instr.out_begin)).dtype());
  }
}

void VM::perform_in_place(size_t i) {
  const auto [s, o] = in_place_[i];
  NDArray& dead = storage_[s];
  NDArray& out = storage_[o];
  if (!in_place_enabled() || wanted_now_[s] || !dead.defined() || dead.buffer().use_count() != 1 ||
      dead.buffer()->is_borrowed() || !dead.is_contiguous() || dead.raw() != dead.buffer()->data()) {
    perform(program_[i]);
    return;
  }
  // The output takes the dead input's buffer; the output's own buffer (from the last
  // call) goes to the input's slot, for its producer to write next call: no allocation.
  NDArray spare = std::move(out);
  out = dead;
  {
    InplaceGrant grant(dead.buffer().get());
    perform(program_[i]);
  }
  if (out.buffer() == dead.buffer()) count_in_place_write();
  dead = std::move(spare);
}

void VM::release_dead(size_t i) {
  const Instr& instr = program_[i];
  for (uint32_t j = instr.out_begin; j < instr.out_end; ++j) {
    const auto o = static_cast<size_t>(out_ptrs_[j] - storage_.data());
    last_nbytes_[o] = out_ptrs_[j]->defined() ? out_ptrs_[j]->nbytes() : 0;
  }
  for (int s : dead_after_[i]) {
    NDArray& a = storage_[s];
    // Only buffers nothing else holds: not a result the caller keeps, not one another
    // slot aliases.
    if (wanted_now_[s] || !a.defined() || a.nbytes() < pooled_min_bytes() ||
        a.buffer().use_count() != 1 || a.buffer()->is_borrowed())
      continue;
    pool_.give(std::move(a));
    a = NDArray();
  }
}

void VM::annotate(const Instr& instr, const Error& e) {
  const ApplyNode& node = *instr.node;
  std::span<const NDArray* const> in(in_ptrs_.data() + instr.in_begin, instr.in_end - instr.in_begin);
  std::string where = format_loc(node.loc);
  // Ops' run-time errors say what is wrong; the node, its inputs and their shapes are
  // added here, once for every op.
  e.rethrow_with("\n  node     " + node.op().name() + (where.empty() ? "" : "  made at " + where) +
                 describe_inputs(node.inputs, in));
  std::abort();  // rethrow_with always throws; this tells the compiler so
}

void VM::perform(const Instr& instr) {
  if (!observers_.empty()) {
    perform_observed(instr);
    return;
  }
  try {
    instr.node->op().perform(
        *instr.node,
        std::span<const NDArray* const>(in_ptrs_.data() + instr.in_begin, instr.in_end - instr.in_begin),
        std::span<NDArray* const>(out_ptrs_.data() + instr.out_begin, instr.out_end - instr.out_begin));
  } catch (const UserError& e) {
    annotate(instr, e);
  }
}

void VM::perform_observed(const Instr& instr) {
  const std::span<const NDArray* const> in(in_ptrs_.data() + instr.in_begin,
                                           instr.in_end - instr.in_begin);
  const std::span<NDArray* const> out(out_ptrs_.data() + instr.out_begin,
                                      instr.out_end - instr.out_begin);
  for (const auto& o : observers_) o->before_node(*instr.node, in);
  try {
    instr.node->op().perform(*instr.node, in, out);
  } catch (const UserError& e) {
    annotate(instr, e);
  }
  for (const auto& o : observers_) o->after_node(*instr.node, in, out);
}

void VM::run(std::span<const int> wanted) {
  if (lazy_) {
    run_lazy(wanted);
    return;
  }
  for (int s : wanted) wanted_now_[s] = 1;
  struct Unmark {
    std::vector<char>& marks;
    std::span<const int> slots;
    ~Unmark() {
      for (int s : slots) marks[s] = 0;
    }
  } unmark{wanted_now_, wanted};
  CheckPoint check;
  for (size_t i = 0; i < program_.size(); ++i) {
    check();
    take_buffers(i);
    if (in_place_[i].first >= 0)
      perform_in_place(i);
    else
      perform(program_[i]);
    release_dead(i);
  }
}

void VM::run_lazy(std::span<const int> wanted) {
  ready_.assign(storage_.size(), 0);
  done_.assign(program_.size(), 0);
  for (size_t s = 0; s < storage_.size(); ++s) ready_[s] = producer_[s] < 0;
  auto slot_index = [&](const NDArray* p) { return static_cast<int>(p - storage_.data()); };
  static const NDArray kMissing;
  std::vector<int>& stack = lazy_stack_;
  std::vector<int>& needed = lazy_needed_;
  std::vector<const NDArray*>& view = lazy_view_;
  stack.clear();
  for (int s : wanted)
    if (!ready_[s]) stack.push_back(producer_[s]);
  CheckPoint check;
  while (!stack.empty()) {
    check();
    const int i = stack.back();
    if (done_[i]) {
      stack.pop_back();
      continue;
    }
    const Instr& instr = program_[i];
    needed.clear();
    if (instr.node->op().is_lazy()) {
      view.clear();
      for (uint32_t k = instr.in_begin; k < instr.in_end; ++k)
        view.push_back(ready_[slot_index(in_ptrs_[k])] ? in_ptrs_[k] : &kMissing);
      for (int k : instr.node->op().needed_inputs(view))
        if (view[k] == &kMissing) needed.push_back(slot_index(in_ptrs_[instr.in_begin + k]));
    } else {
      for (uint32_t k = instr.in_begin; k < instr.in_end; ++k)
        if (!ready_[slot_index(in_ptrs_[k])]) needed.push_back(slot_index(in_ptrs_[k]));
    }
    if (!needed.empty()) {
      for (int s : needed) stack.push_back(producer_[s]);
      continue;
    }
    stack.pop_back();
    perform(instr);
    done_[i] = 1;
    for (uint32_t k = instr.out_begin; k < instr.out_end; ++k) ready_[slot_index(out_ptrs_[k])] = 1;
  }
}

std::vector<VM::NodeSlots> VM::schedule() const {
  auto index = [&](const NDArray* p) { return static_cast<int>(p - storage_.data()); };
  std::vector<NodeSlots> steps;
  for (const Instr& instr : program_) {
    NodeSlots step{instr.node, {}, {}};
    for (uint32_t k = instr.in_begin; k < instr.in_end; ++k) step.in.push_back(index(in_ptrs_[k]));
    for (uint32_t k = instr.out_begin; k < instr.out_end; ++k) step.out.push_back(index(out_ptrs_[k]));
    steps.push_back(std::move(step));
  }
  return steps;
}

void VM::free_buffers() {
  for (size_t s = 0; s < storage_.size(); ++s)
    if (producer_[s] >= 0) storage_[s] = NDArray();
  pool_ = BufferPool();
  last_nbytes_.assign(storage_.size(), 0);
}

void VM::release_borrowed() {
  for (int s : borrowed_slots_)
    if (storage_[s].defined()) storage_[s] = NDArray();
}

}  // namespace theon::detail
