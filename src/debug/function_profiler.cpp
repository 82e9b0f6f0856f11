#include "debug/function_profiler.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <typeinfo>

#include "ops/fused.hpp"
#include "theon/config.hpp"

namespace theon::detail {
namespace {

// "theon::detail::FusedElemwise" -> "FusedElemwise": Theano's Class column.
std::string class_name(const Op& op) {
  int status = 0;
  char* raw = abi::__cxa_demangle(typeid(op).name(), nullptr, nullptr, &status);
  std::string name = status == 0 && raw ? raw : typeid(op).name();
  std::free(raw);
  if (const size_t colon = name.rfind("::"); colon != std::string::npos) name = name.substr(colon + 2);
  return name;
}

std::string op_text(const Op& op) {
  const std::string props = op.props();
  return props.empty() ? op.name() : op.name() + "{" + props + "}";
}

// "float64 (3, 4)"; an input a lazy node did not need has no dtype.
std::string shape_text(std::optional<DType> dtype, const Shape& shape) {
  if (!dtype) return "(not computed)";
  std::ostringstream os;
  os << dtype_name(*dtype) << " (";
  for (size_t d = 0; d < shape.size(); ++d) os << (d ? ", " : "") << shape[d];
  os << (shape.size() == 1 ? ",)" : ")");
  return os.str();
}

// Marks for "not computed" in Node::dtypes (no DType has this value).
constexpr auto kNoDType = static_cast<DType>(255);

}  // namespace

FunctionProfiler::FunctionProfiler(std::shared_ptr<ProfileStats> stats, const VM& vm,
                                   std::span<const int> wanted, const std::string& function_name)
    : stats_(std::move(stats)) {
  const std::vector<VM::NodeSlots> schedule = vm.schedule();
  readers_.assign(vm.n_slots(), 0);
  wanted_.assign(vm.n_slots(), 0);
  bytes_.assign(vm.n_slots(), 0);
  for (int s : wanted) wanted_[s] = 1;
  // Arguments by name; computed values by the id of the node that made them.
  std::unordered_map<int, std::string> slot_names;
  for (size_t i = 0; i < schedule.size(); ++i)
    for (int s : schedule[i].out) slot_names[s] = "n" + std::to_string(i);
  std::lock_guard<std::recursive_mutex> lock(stats_->mutex);
  for (size_t i = 0; i < schedule.size(); ++i) {
    const VM::NodeSlots& ns = schedule[i];
    const ApplyNode& node = *ns.node;
    NodeProfile p;
    p.id = static_cast<int>(i);
    p.function = function_name;
    p.op_class = class_name(node.op());
    p.op = op_text(node.op());
    std::vector<std::string> args;
    for (size_t k = 0; k < node.inputs.size(); ++k) {
      const Var& in = node.inputs[k];
      if (!in.name().empty()) args.push_back(in.name());
      else if (k < ns.in.size() && slot_names.count(ns.in[k])) args.push_back(slot_names[ns.in[k]]);
      else if (in.is_constant()) args.push_back("constant");
      else args.push_back("?");
    }
    p.description = node.op().print(args);
    Node n;
    n.index_in_stats = static_cast<int>(stats_->nodes.size());
    n.in_slots = ns.in;
    n.out_slots = ns.out;
    n.fused = dynamic_cast<const FusedElemwise*>(&node.op()) != nullptr;
    for (int s : ns.in) ++readers_[s];
    index_[&node] = static_cast<int>(nodes_.size());
    nodes_.push_back(std::move(n));
    stats_->nodes.push_back(std::move(p));
  }
  remaining_ = readers_;
}

void FunctionProfiler::begin_call() {
  for (Node& n : nodes_) n.calls = 0, n.time = 0;
  remaining_ = readers_;
  live_ = peak_ = 0;
}

void FunctionProfiler::before_node(const ApplyNode& /*node*/, std::span<const NDArray* const> /*in*/) {
  node_start_ = Clock::now();
}

void FunctionProfiler::after_node(const ApplyNode& node, std::span<const NDArray* const> in,
                                  std::span<NDArray* const> out) {
  const double seconds = std::chrono::duration<double>(Clock::now() - node_start_).count();
  const auto it = index_.find(&node);
  if (it == index_.end()) return;  // not in the program (cannot happen; ignore rather than fail)
  Node& n = nodes_[it->second];
  ++n.calls;
  n.time += seconds;
  if (n.fused) n.native = static_cast<const FusedElemwise&>(node.op()).runs_native();
  if (n.dtypes.size() != in.size()) {
    n.dtypes.assign(in.size(), kNoDType);
    n.shapes.assign(in.size(), Shape{});
    n.shapes_changed = true;
  }
  for (size_t k = 0; k < in.size(); ++k) {
    const DType d = in[k]->defined() ? in[k]->dtype() : kNoDType;
    if (d != n.dtypes[k] || !(in[k]->shape() == n.shapes[k])) {
      n.dtypes[k] = d;
      n.shapes[k] = in[k]->shape();
      n.shapes_changed = true;
    }
  }
  // Liveness: outputs with a buffer of their own start to count; inputs whose last
  // reader this was stop.
  // A view, or a result written over an input, takes over the bytes of the value it
  // shares a buffer with (they stay alive while it does) and adds none.
  for (size_t j = 0; j < out.size() && j < n.out_slots.size(); ++j) {
    const NDArray& o = *out[j];
    const int s = n.out_slots[j];
    bytes_[s] = 0;
    if (!o.defined()) continue;
    int shared = -1;
    for (size_t k = 0; k < in.size() && k < n.in_slots.size() && shared < 0; ++k)
      if (in[k]->defined() && in[k]->buffer() == o.buffer()) shared = static_cast<int>(k);
    if (shared < 0) {
      bytes_[s] = static_cast<int64_t>(o.buffer()->nbytes());
      live_ += bytes_[s];
    } else if (!wanted_[n.in_slots[shared]]) {
      std::swap(bytes_[s], bytes_[n.in_slots[shared]]);
    }
  }
  if (live_ > peak_) peak_ = live_;
  for (int s : n.in_slots) {
    if (--remaining_[s] == 0 && !wanted_[s]) {
      live_ -= bytes_[s];
      bytes_[s] = 0;
    }
  }
}

void FunctionProfiler::end_call(double seconds) {
  std::lock_guard<std::recursive_mutex> lock(stats_->mutex);
  ++stats_->fct_callcount;
  stats_->fct_call_time += seconds;
  if (peak_ > stats_->memory_peak) stats_->memory_peak = peak_;
  for (Node& n : nodes_) {
    if (n.calls == 0) continue;
    NodeProfile& p = stats_->nodes[n.index_in_stats];
    p.calls += n.calls;
    p.time += n.time;
    if (n.fused) p.impl = n.native ? "N" : "I";
    if (n.shapes_changed) {
      p.inputs.clear();
      for (size_t k = 0; k < n.shapes.size(); ++k)
        p.inputs.push_back(shape_text(n.dtypes[k] == kNoDType ? std::nullopt : std::optional(n.dtypes[k]),
                                      n.shapes[k]));
      n.shapes_changed = false;
    }
  }
}

void FunctionProfiler::add_compile(double seconds,
                                   const std::vector<std::pair<std::string, double>>& phases) {
  std::lock_guard<std::recursive_mutex> lock(stats_->mutex);
  stats_->compile_time += seconds;
  stats_->compile_phases.insert(stats_->compile_phases.end(), phases.begin(), phases.end());
}

CompileTimer::CompileTimer(const FunctionOptions& options) : stats_(options.profile) {
  if (!stats_ && config().profile) {
    stats_ = std::make_shared<ProfileStats>(options.name);
    print_profile_at_exit(stats_);
  }
  if (stats_) start_ = mark_ = FunctionProfiler::Clock::now();
}

void CompileTimer::phase(const char* name) {
  if (!stats_) return;
  const auto now = FunctionProfiler::Clock::now();
  double seconds = std::chrono::duration<double>(now - mark_).count();
  for (size_t i = marked_phases_; i < phases_.size(); ++i) seconds -= phases_[i].second;
  phases_.emplace_back(name, std::max(seconds, 0.0));
  marked_phases_ = phases_.size();
  mark_ = now;
}

double CompileTimer::total() const {
  return std::chrono::duration<double>(FunctionProfiler::Clock::now() - start_).count();
}

}  // namespace theon::detail
