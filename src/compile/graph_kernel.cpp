#include "compile/graph_kernel.hpp"

#include <atomic>

#include "ops/fused.hpp"
#include "ops/shape_ops.hpp"
#include "theon/config.hpp"
#include "theon/side_effect.hpp"

namespace theon::detail {
namespace {

std::atomic<uint64_t> g_native_calls{0};

// Constants no bigger than this are copied into the function's local arrays.
constexpr int64_t kMaxLocalConstant = 64;

bool is_shape_op(const Op& op) {
  return dynamic_cast<const ShapeI*>(&op) || dynamic_cast<const ShapeOp*>(&op);
}

// Whether a slot's value is fixed once the inputs' shapes are: constants, shapes, and
// vectors or arithmetic made of them. Views and allocations sized by such values have a
// geometry the plan may fix.
class ShapeDetermined {
 public:
  ShapeDetermined(const std::vector<VM::NodeSlots>& schedule, std::vector<char> constant)
      : schedule_(schedule), memo_(constant.size(), -1), producer_(constant.size(), -1) {
    for (size_t i = 0; i < schedule.size(); ++i)
      for (int s : schedule[i].out) producer_[s] = static_cast<int>(i);
    for (size_t s = 0; s < constant.size(); ++s)
      if (constant[s]) memo_[s] = 1;
  }

  bool operator()(int slot) {
    if (memo_[slot] >= 0) return memo_[slot];
    memo_[slot] = 0;
    if (producer_[slot] < 0) return false;  // an input or a shared value
    const auto& step = schedule_[producer_[slot]];
    const Op& op = step.node->op();
    bool fixed = is_shape_op(op);
    if (dynamic_cast<const MakeVector*>(&op) || dynamic_cast<const Elemwise*>(&op) ||
        dynamic_cast<const FusedElemwise*>(&op)) {
      fixed = true;
      for (int in : step.in) fixed = fixed && (*this)(in);
    }
    memo_[slot] = fixed;
    return fixed;
  }

 private:
  const std::vector<VM::NodeSlots>& schedule_;
  std::vector<signed char> memo_;
  std::vector<int> producer_;
};

bool same_layout(const NDArray& a, const Shape& shape, const Strides& strides) {
  if (!(a.shape() == shape)) return false;
  for (int d = 0; d < a.ndim(); ++d)
    if (shape[d] > 1 && a.strides()[d] != strides[d]) return false;
  return true;
}

}  // namespace

std::unique_ptr<GraphKernel> GraphKernel::create(const FunctionGraph& fgraph, const VM& vm,
                                                 std::span<const int> wanted) {
  const Config& cfg = config();
  if (!cfg.cgen_graph || cfg.cxx.empty() || vm.is_lazy()) return nullptr;
  std::unique_ptr<GraphKernel> k(new GraphKernel);
  k->schedule_ = vm.schedule();
  const int n = vm.n_slots();
  k->kinds_.assign(n, SlotKind::Bound);
  k->view_source_.assign(n, -1);
  std::vector<char> constant(n, 0);
  for (const Var& v : fgraph.variables())
    if (v.is_constant()) {
      constant[vm.slot_of(v)] = 1;
      k->kinds_[vm.slot_of(v)] = SlotKind::Constant;
    }
  ShapeDetermined fixed(k->schedule_, constant);
  int compute_steps = 0;
  for (const auto& step : k->schedule_) {
    const Op& op = step.node->op();
    if (has_side_effects(op)) return nullptr;  // Print must run its perform on every call
    const int viewed = op.view_of(0);
    if (viewed >= 0) {
      // A view whose geometry depends only on shapes: every operand but the viewed one
      // (lengths, indices) is fixed by them.
      for (size_t i = 0; i < step.in.size(); ++i)
        if (static_cast<int>(i) != viewed && !fixed(step.in[i])) return nullptr;
      for (size_t j = 0; j < step.out.size(); ++j) {
        if (op.view_of(static_cast<int>(j)) != viewed) return nullptr;
        k->kinds_[step.out[j]] = SlotKind::View;
        k->view_source_[step.out[j]] = step.in[viewed];
      }
      continue;
    }
    if (!cgen::can_emit_step(*step.node) || ++compute_steps > kMaxGraphSteps) return nullptr;
    if (dynamic_cast<const Alloc*>(&op))
      for (size_t i = 1; i < step.in.size(); ++i)
        if (!fixed(step.in[i])) return nullptr;
    for (int s : step.out) k->kinds_[s] = SlotKind::Computed;
  }
  // Outputs must be arrays of their own (the function returns them).
  for (int s : wanted)
    if (k->kinds_[s] == SlotKind::View) return nullptr;
  return k;
}

bool GraphKernel::plan_layouts(VM& vm, cgen::GraphPlan& plan, Variant& variant) const {
  const int n = vm.n_slots();
  plan.slots.resize(n);
  plan.recorded.resize(n);
  for (int s = 0; s < n; ++s) {
    const NDArray& a = vm.slot(s);
    if (!a.defined() || a.size() == 0 || a.size() > kMaxGraphElements) return false;
    cgen::SlotLayout& l = plan.slots[s];
    l.dtype = a.dtype();
    l.shape = a.shape();
    l.strides = a.strides();
    l.root = s;
    switch (kinds_[s]) {
      case SlotKind::Bound: break;  // guarded (observe)
      case SlotKind::Constant:
        if (a.size() <= kMaxLocalConstant && a.is_contiguous()) {
          l.local = true;
          l.strides = contiguous_strides(a.shape());
        }
        break;
      case SlotKind::Computed:
        // The function writes C-contiguous buffers; a view of this slot recorded against
        // another layout would address the wrong elements.
        if (!a.is_contiguous()) return false;
        l.strides = contiguous_strides(a.shape());
        variant.computed.push_back({s, l});
        break;
      case SlotKind::View: break;  // below, in run order
    }
  }
  for (const auto& step : schedule_) {
    const bool is_view = kinds_[step.out[0]] == SlotKind::View;
    if (!is_view) {
      plan.steps.push_back(step);
      if (is_shape_op(step.node->op())) plan.recorded[step.out[0]] = vm.slot(step.out[0]).copy();
      continue;
    }
    for (int s : step.out) {
      const cgen::SlotLayout& source = plan.slots[view_source_[s]];
      const NDArray& a = vm.slot(s);
      const NDArray& root = vm.slot(source.root);
      if (plan.slots[source.root].local) return false;  // a view of a local copy
      // An op that views when it can may have copied instead (reshape of a transposed
      // input): its result is then no constant offset into the root.
      if (a.buffer() != root.buffer()) return false;
      const auto bytes = static_cast<const std::byte*>(a.raw()) - static_cast<const std::byte*>(root.raw());
      const auto size = static_cast<std::ptrdiff_t>(itemsize(a.dtype()));
      if (bytes % size != 0) return false;
      cgen::SlotLayout& l = plan.slots[s];
      l.root = source.root;
      l.offset = bytes / size;
    }
  }
  variant.pointers.assign(n, nullptr);
  for (int s = 0; s < n; ++s)
    if (kinds_[s] == SlotKind::Constant) variant.pointers[s] = vm.slot(s).raw();
  return true;
}

void GraphKernel::observe(VM& vm) {
  if (attempts_ >= kMaxGraphVariants || ++calls_seen_ < kCallsBeforePlan) return;
  calls_seen_ = 0;
  // A variant for these layouts may still be compiling.
  for (const Variant& v : variants_)
    if (v.matches(vm)) return;
  ++attempts_;
  Variant variant;
  for (int s = 0; s < static_cast<int>(kinds_.size()); ++s)
    if (kinds_[s] == SlotKind::Bound) variant.guards.push_back({s, vm.slot(s).shape(), vm.slot(s).strides()});
  cgen::GraphPlan plan;
  // A layout refused (too large) stays as a variant without code, so that its calls do
  // not plan it again.
  if (plan_layouts(vm, plan, variant)) {
    variant.native = request_native_graph(cgen::emit_graph(plan));
    if (!variant.native) attempts_ = kMaxGraphVariants;  // no native code at all
  }
  variants_.push_back(std::move(variant));
}

bool GraphKernel::Variant::matches(const VM& vm) const {
  for (const Guard& g : guards)
    if (!same_layout(vm.slot(g.slot), g.shape, g.strides)) return false;
  return true;
}

bool GraphKernel::try_run(VM& vm) {
  for (Variant& v : variants_) {
    if (!v.native || !v.native->fn()) continue;
    // Checks the layouts and takes the data pointers in one pass.
    bool match = true;
    for (const Guard& g : v.guards) {
      const NDArray& a = vm.slot(g.slot);
      if (!(match = same_layout(a, g.shape, g.strides))) break;
      v.pointers[g.slot] = a.raw();
    }
    if (!match) continue;
    run(vm, v);
    return true;
  }
  return false;
}

void GraphKernel::run(VM& vm, Variant& v) {
  for (const auto& [s, layout] : v.computed) {
    NDArray& a = vm.slot(s);
    // The usual case, checked cheaply: last call's buffer, which nobody else holds.
    const bool ours = a.defined() && a.buffer().use_count() == 1 && !a.buffer()->is_borrowed() &&
                      a.raw() == a.buffer()->data() && a.dtype() == layout.dtype &&
                      a.shape() == layout.shape && a.strides() == layout.strides;
    v.pointers[s] = ours ? a.raw() : reuse_or_allocate(a, layout.dtype, layout.shape).raw();
  }
  v.native->fn()(v.pointers.data());
  g_native_calls.fetch_add(1, std::memory_order_relaxed);
}

uint64_t native_graph_calls() { return g_native_calls.load(std::memory_order_relaxed); }

}  // namespace theon::detail
