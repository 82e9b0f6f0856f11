#include "theon/function.hpp"

#include <iostream>
#include <limits>
#include <ostream>
#include <unordered_set>

#include "backend/vm/vm.hpp"
#include "compile/check_mode.hpp"
#include "compile/graph_kernel.hpp"
#include "compile/compiled_function.hpp"
#include "compile/default_updates.hpp"
#include "compile/function_spec.hpp"
#include "ops/scan/scan_op.hpp"
#include "compile/shared_values.hpp"
#include "debug/function_profiler.hpp"
#include "ops/op_util.hpp"
#include "rewrite/pipeline.hpp"
#include "theon/fgraph.hpp"

namespace theon {
namespace detail {
namespace {

// The leaf of `expr` that brought in `dtype`: the first input, constant or shared
// variable of that dtype found walking up from the expression.
std::optional<Var> find_dtype_source(const Var& expr, DType dtype) {
  std::vector<Var> stack{expr};
  std::unordered_set<VariableNode*> seen;
  while (!stack.empty()) {
    Var v = stack.back();
    stack.pop_back();
    if (!seen.insert(v.get()).second) continue;
    if (!v.owner()) {
      if (v.dtype() == dtype && !v.is_weak()) return v;
      continue;
    }
    for (const Var& in : v.owner()->inputs) stack.push_back(in);
  }
  return std::nullopt;
}

void check_update(size_t i, const Update& u) {
  THEON_CHECK_USER(u.var.defined() && u.var.is_shared(), TypeError)
      << "function: update " << i << " targets a variable that is not shared";
  THEON_CHECK_USER(u.value.defined(), ValueError) << "function: update " << i << " has no value";
  const TensorType& want = u.var.type();
  const TensorType& got = u.value.type();
  bool ok = want.dtype == got.dtype && want.ndim() == got.ndim();
  for (int d = 0; ok && d < want.ndim(); ++d) ok = !want.broadcastable[d] || got.broadcastable[d];
  if (ok) return;
  std::string hint;
  if (want.dtype != got.dtype) {
    if (auto src = find_dtype_source(u.value, got.dtype))
      hint = "\n  hint: " + std::string(dtype_name(got.dtype)) + " comes from " + describe(*src);
    hint += "\n  cast the expression (T::cast(expr, DType::" + std::string(dtype_name(want.dtype)) +
            ")) or make its operands " + std::string(dtype_name(want.dtype));
  } else if (want.ndim() != got.ndim()) {
    hint = "\n  hint: the expression has " + std::to_string(got.ndim()) + " dimensions, the variable " +
           std::to_string(want.ndim());
  } else {
    hint = "\n  hint: the variable is broadcastable where the expression is not";
  }
  THEON_FAIL(TypeError) << "function: update " << i << " of " << describe(u.var)
                        << "\n  has an expression of type " << got.str() << " (made at "
                        << format_loc(u.value.loc()) << "), expected " << want.str() << hint;
}

// Converts a C++ number argument into `slot`, as Theano converts Python scalars: the
// input's dtype must hold the value (floats into float inputs; ints exactly).
// `what()` names the argument in errors (made only then: this runs on every call).
template <class Name>
void number_into(const Arg& arg, const TensorType& type, bool allow_downcast, const Name& what,
                 NDArray& slot) {
  THEON_CHECK_USER(type.ndim() == 0, TypeError)
      << what() << ": a number was given for a " << type.str() << " (pass an array)";
  const DType d = type.dtype;
  reuse_or_allocate(slot, d, {});
  switch (arg.kind()) {
    case Arg::Kind::Bool:
    case Arg::Kind::Int: {
      const int64_t v = arg.integer();
      if (is_integer(d) || is_bool(d)) {
        const bool fits = visit_dtype(d, [&](auto tag) {
          using T = typename decltype(tag)::type;
          if constexpr (std::is_integral_v<T>) {
            return std::is_same_v<T, bool> ? (v == 0 || v == 1)
                                           : (v >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
                                              v <= static_cast<int64_t>(std::numeric_limits<T>::max()));
          }
          return true;
        });
        THEON_CHECK_USER(fits || allow_downcast, TypeError)
            << what() << ": " << v << " does not fit in " << dtype_name(d);
      }
      visit_dtype(d, [&](auto tag) {
        using T = typename decltype(tag)::type;
        *slot.data<T>() = convert_element<T>(v);
      });
      return;
    }
    case Arg::Kind::BigUnsigned:
      // No Theon integer dtype holds it; NumPy casts uint64 to float64 safely.
      THEON_CHECK_USER(is_inexact(d) || allow_downcast, TypeError)
          << what() << ": " << arg.big_unsigned() << " does not fit in " << dtype_name(d);
      visit_dtype(d, [&](auto tag) {
        using T = typename decltype(tag)::type;
        *slot.data<T>() = convert_element<T>(static_cast<double>(arg.big_unsigned()));
      });
      return;
    case Arg::Kind::Float:
      THEON_CHECK_USER(is_inexact(d) || allow_downcast, TypeError)
          << what() << ": got the float " << arg.real() << " for a " << type.str()
          << " (build the function with allow_input_downcast to truncate)";
      visit_dtype(d, [&](auto tag) {
        using T = typename decltype(tag)::type;
        *slot.data<T>() = convert_element<T>(arg.real());
      });
      return;
    case Arg::Kind::Complex:
      THEON_CHECK_USER(is_complex(d) || allow_downcast, TypeError)
          << what() << ": got a complex number for a " << type.str();
      visit_dtype(d, [&](auto tag) {
        using T = typename decltype(tag)::type;
        *slot.data<T>() = convert_element<T>(arg.complex());
      });
      return;
    case Arg::Kind::Array: break;
  }
  THEON_ASSERT(false) << "unexpected argument kind";
}

const char* const kPassScanUpdates =
    "\n  hint: a random draw made inside a scan step advances its state through the "
    "updates scan returns: pass them, function(..., updates=updates)";

// A loop that advances a random state (a draw in a scan step) only keeps that advance
// through the updates scan returned. Without them the next call would replay the same
// numbers, or overlap them: refuse, saying what to do.
void check_scan_updates_passed(const Vars& outputs, const Updates& updates, const Vars& skip) {
  std::unordered_set<VariableNode*> named, seen;
  for (const Update& u : updates) named.insert(u.var.get());
  for (const Var& v : skip) named.insert(v.get());
  std::vector<Var> stack(outputs.begin(), outputs.end());
  for (const Update& u : updates) stack.push_back(u.value);
  while (!stack.empty()) {
    Var v = stack.back();
    stack.pop_back();
    if (!v.defined() || !seen.insert(v.get()).second || !v.owner()) continue;
    if (const auto* scan = dynamic_cast<const Scan*>(&v.owner()->op())) {
      for (const Var& s : scan->spec().updated_shared) {
        THEON_CHECK_USER(named.count(s.get()) || !SharedVar(s).default_update().defined(), ValueError)
            << "function: a scan loop in this graph advances " << describe(s)
            << ", but its update (among those scan returned) is not among this function's"
            << kPassScanUpdates;
      }
    }
    for (const Var& in : v.owner()->inputs) stack.push_back(in);
  }
}

// A default update made inside a scan step reads the loop's own variables: only the
// updates scan returned can advance that state. Theano's classic error here is a bare
// "missing input"; this one says what to do.
void check_default_update_is_outer(const std::vector<Var>& inputs, const FunctionOptions& options,
                                   const Update& update) {
  std::unordered_set<VariableNode*> allowed, seen;
  for (const Var& v : inputs) allowed.insert(v.get());
  for (const auto& [from, to] : options.givens) allowed.insert(from.get());
  std::vector<Var> stack = {update.value};
  while (!stack.empty()) {
    Var v = stack.back();
    stack.pop_back();
    if (!v.defined() || !seen.insert(v.get()).second) continue;
    if (v.owner()) {
      for (const Var& in : v.owner()->inputs) stack.push_back(in);
      continue;
    }
    THEON_CHECK_USER(v.is_shared() || v.is_constant() || allowed.count(v.get()), ValueError)
        << "function: the default update of " << describe(update.var) << " reads "
        << describe(v) << ", which is not an input of this function" << kPassScanUpdates;
  }
}

}  // namespace

CompiledFunction::CompiledFunction(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                                   bool single, const Updates& user_updates, FunctionOptions options)
    : options_(std::move(options)), single_(single) {
  const Updates updates = options_.no_default_updates
                             ? user_updates
                             : with_default_updates(outputs, user_updates, options_.no_default_updates_for);
  for (size_t i = 0; i < inputs.size(); ++i)
    THEON_CHECK_USER(!inputs[i].defined() || !inputs[i].is_shared(), TypeError)
        << "function: input " << i << " is " << describe(inputs[i])
        << ", a shared variable: a function reads its value itself, so it cannot be an argument"
        << "\n  to compute with another value, make a new input and substitute it with givens"
        << " (givens = {(shared variable, new input)})";
  if (!options_.no_default_updates)
    check_scan_updates_passed(outputs, user_updates, options_.no_default_updates_for);
  for (size_t i = user_updates.size(); i < updates.size(); ++i)
    check_default_update_is_outer(inputs, options_, updates[i]);
  for (size_t i = 0; i < updates.size(); ++i) check_update(i, updates[i]);
  for (size_t i = 0; i < updates.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      THEON_CHECK_USER(!updates[i].var.is(updates[j].var), ValueError)
          << "function: " << describe(updates[i].var) << " is updated twice";
  Vars all_outputs = outputs;
  for (const Update& u : updates) all_outputs.push_back(u.value);
  const rewrite::ModeChoice mode = rewrite::resolve_mode(
      options_.mode, options_.optimizer_including, options_.optimizer_excluding);
  CompileTimer timer(options_);
  fgraph_ = std::make_unique<FunctionGraph>(inputs, all_outputs, options_.givens);
  timer.phase("build graph");
  user_inputs_ = inputs;
  spec_ = make_function_spec(inputs, outputs, single, user_updates, options_);
  resolved_updates_ = updates;

  for (size_t i = 0; i < inputs.size(); ++i) {
    const Var& in = fgraph_->inputs()[i];
    if (!fgraph_->clients(in).empty() || options_.on_unused_input == "ignore") continue;
    std::string msg = "function: input " + std::to_string(i) + " (" + describe(in) +
                      ") is not used to compute the outputs";
    THEON_CHECK_USER(options_.on_unused_input == "warn", ValueError)
        << msg << " (pass on_unused_input = \"ignore\" or \"warn\" to allow it)";
    std::cerr << "theon warning: " << msg << "\n";
  }

  if (mode.optimize) {
    rewrite::RewriteSession session(*fgraph_, rewrite::session_options_from_config());
    std::unique_ptr<FunctionGraph> reference;
    if (mode.check) {
      reference = std::make_unique<FunctionGraph>(inputs, all_outputs, options_.givens);
      session.keep_history();
    }
    rewrite::optimize(session, mode.selection, timer.phases());
    if (mode.check) checker_ = std::make_unique<RewriteChecker>(*fgraph_, std::move(reference), session.history());
  }
  vm_ = std::make_unique<VM>(*fgraph_);
  timer.phase("build vm");
  for (const Var& in : fgraph_->inputs()) {
    input_slots_.push_back(vm_->slot_of(in));
    input_types_.push_back(in.type());
    input_names_.push_back(in.name());
  }
  number_buffers_.resize(inputs.size());
  for (const Var& v : fgraph_->variables())
    if (v.is_shared()) shared_reads_.push_back({v.shared_storage(), vm_->slot_of(v)});
  previous_shared_.resize(shared_reads_.size());
  const Vars& outs = fgraph_->outputs();
  for (size_t i = 0; i < outs.size(); ++i) wanted_.push_back(vm_->slot_of(outs[i]));
  n_outputs_ = outputs.size();
  for (size_t i = 0; i < updates.size(); ++i) {
    update_vars_.push_back(updates[i].var);
    update_targets_.push_back(updates[i].var.shared_storage());
  }
  borrow_ = options_.borrow_outputs;
  borrow_.resize(n_outputs_, false);
  plan_view_leaves();
  std::vector<std::shared_ptr<NodeObserver>> observers = options_.observers;
  if (timer.stats()) {
    profiler_ = std::make_shared<FunctionProfiler>(timer.stats(), *vm_, wanted_, options_.name);
    observers.push_back(profiler_);
  }
  vm_->set_observers(observers);
  // Observers see every node, so the graph never runs as one native kernel.
  if (!checker_ && observers.empty()) graph_kernel_ = GraphKernel::create(*fgraph_, *vm_, wanted_);
  if (profiler_) profiler_->add_compile(timer.total(), *timer.phases());
}

CompiledFunction::~CompiledFunction() = default;

void CompiledFunction::plan_view_leaves() {
  const Vars& outs = fgraph_->outputs();
  view_leaves_.resize(outs.size());
  for (size_t w = 0; w < outs.size(); ++w) {
    std::vector<Var> stack{outs[w]};
    std::unordered_set<VariableNode*> seen;
    while (!stack.empty()) {
      Var v = stack.back();
      stack.pop_back();
      if (!seen.insert(v.get()).second) continue;
      const ApplyNode* node = v.owner();
      if (!node) {
        view_leaves_[w].push_back({vm_->slot_of(v), v.is_constant()});
        continue;
      }
      // A lazy op (ifelse) passes on whichever branch ran: any input may be viewed.
      if (node->op().is_lazy()) {
        for (const Var& in : node->inputs) stack.push_back(in);
      } else if (const int viewed = node->op().view_of(v.index()); viewed >= 0) {
        stack.push_back(node->inputs[viewed]);
      }
    }
  }
}

bool CompiledFunction::views_leaf(size_t w, int s, bool borrow) const {
  const NDArray& value = vm_->slot(s);
  if (!value.defined()) return false;
  for (const auto& [leaf, constant] : view_leaves_[w]) {
    if (borrow && !constant) continue;
    const NDArray& source = vm_->slot(leaf);
    if (source.defined() && source.buffer() == value.buffer()) return true;
  }
  return false;
}

void CompiledFunction::bind_arguments(std::span<const Arg> args) {
  THEON_CHECK_USER(args.size() == input_slots_.size(), TypeError)
      << display_name() << ": expected " << input_slots_.size() << " arguments, got " << args.size();
  for (size_t i = 0; i < args.size(); ++i) {
    NDArray& slot = vm_->slot(input_slots_[i]);
    const TensorType& type = input_types_[i];
    if (args[i].kind() == Arg::Kind::Array) {
      const NDArray& a = args[i].array();
      // The common case first: right dtype and rank, used in place.
      if (a.defined() && a.dtype() == type.dtype && a.ndim() == type.ndim()) {
        bool ok = true;
        for (int d = 0; d < a.ndim(); ++d) ok = ok && (!type.broadcastable[d] || a.shape(d) == 1);
        if (ok) {
          slot = a;
          continue;
        }
      }
      slot = type.filter(a, options_.allow_input_downcast, argument_name(i));
    } else {
      number_into(args[i], type, options_.allow_input_downcast, [&] { return argument_name(i); },
                  number_buffers_[i]);
      slot = number_buffers_[i];
    }
  }
  if (!shared_reads_.empty()) {
    // The slots' previous values are dropped outside the lock: letting go of the last
    // reference to a NumPy array's buffer takes Python's GIL, which a thread waiting
    // for the lock may hold.
    for (size_t k = 0; k < shared_reads_.size(); ++k)
      previous_shared_[k] = std::move(vm_->slot(shared_reads_[k].second));
    {
      SharedValuesLock lock;
      for (const auto& [storage, slot] : shared_reads_) vm_->slot(slot) = storage->value;
    }
    for (NDArray& previous : previous_shared_) previous = NDArray();
  }
}

std::string CompiledFunction::display_name() const {
  return options_.name.empty() ? std::string("function call") : "function " + options_.name;
}

std::string CompiledFunction::argument_name(size_t i) const {
  std::string s = display_name() + ": argument " + std::to_string(i);
  if (!input_names_[i].empty()) s += " (" + input_names_[i] + ")";
  return s;
}

void CompiledFunction::call(std::span<const Arg> args, std::vector<NDArray>& outputs,
                            const CallHooks& hooks) {
  std::unique_lock<CallLock> lock(call_lock_, std::try_to_lock);
  if (!lock.owns_lock()) {
    if (hooks.before_wait) hooks.before_wait(hooks.context);
    lock.lock();
  }
  RunningCall running(hooks.on_long_call, hooks.context);
  if (profiler_) {
    profiled_call(args, outputs, hooks);
    return;
  }
  call_locked(args, outputs, hooks);
}

void CompiledFunction::profiled_call(std::span<const Arg> args, std::vector<NDArray>& outputs,
                                     const CallHooks& hooks) {
  const auto start = FunctionProfiler::Clock::now();
  profiler_->begin_call();
  struct End {
    FunctionProfiler& profiler;
    FunctionProfiler::Clock::time_point start;
    ~End() {
      profiler.end_call(std::chrono::duration<double>(FunctionProfiler::Clock::now() - start).count());
    }
  } end{*profiler_, start};
  call_locked(args, outputs, hooks);
}

void CompiledFunction::call_locked(std::span<const Arg> args, std::vector<NDArray>& outputs,
                                   const CallHooks& hooks) {
  try {
    bind_arguments(args);
    // The caller's previous results (call_into) let go first, so that the slots that
    // computed them can write this call's results into the same buffers: a large output
    // is then never allocated, nor its fresh pages touched, again. The arguments are
    // bound already, so one of these may be passed back in.
    for (NDArray& previous : outputs) previous = NDArray();
    if (!graph_kernel_ || !graph_kernel_->try_run(*vm_)) {
      vm_->run(wanted_);
      if (graph_kernel_) graph_kernel_->observe(*vm_);
    }
    if (checker_) run_check();
    // An output that views memory the caller or the graph owns (an argument, a shared
    // value, a constant) is copied, so that no one can change it through the result,
    // nor the result through it.
    outputs.resize(n_outputs_);
    for (size_t i = 0; i < n_outputs_; ++i) {
      const int s = wanted_[i];
      outputs[i] = views_leaf(i, s, borrow_[i]) ? vm_->slot(s).copy() : vm_->slot(s);
    }
    // An update value is copied when it views such memory or a returned output's buffer
    // (the shared variable must not change when the caller writes into the result).
    pending_.resize(update_targets_.size());
    for (size_t u = 0; u < update_targets_.size(); ++u) {
      const size_t w = n_outputs_ + u;
      const NDArray& value = vm_->slot(wanted_[w]);
      bool must_copy = views_leaf(w, wanted_[w], /*borrow=*/false);
      for (size_t k = 0; k < n_outputs_ && !must_copy; ++k)
        must_copy = outputs[k].defined() && outputs[k].buffer() == value.buffer();
      for (size_t v = 0; v < u && !must_copy; ++v) must_copy = pending_[v].buffer() == value.buffer();
      pending_[u] = must_copy ? value.copy() : value;
    }
    // The binding's conversions last: whatever can fail has run before the commit.
    if (hooks.before_commit) hooks.before_commit(hooks.context, outputs);
  } catch (...) {
    outputs.clear();
    for (NDArray& p : pending_) p = NDArray();
    vm_->release_borrowed();
    throw;
  }
  vm_->release_borrowed();
  // Commit the updates: nothing from here on throws.
  if (!update_targets_.empty()) {
    SharedValuesLock lock;
    for (size_t u = 0; u < update_targets_.size(); ++u) std::swap(update_targets_[u]->value, pending_[u]);
  }
  for (size_t u = 0; u < update_targets_.size(); ++u) {
    // Hand the old value's buffer back to the slot that computed the new one: the next
    // call writes there when no one else holds it (no allocation in steady state).
    const int s = wanted_[n_outputs_ + u];
    if (vm_->is_computed(s)) vm_->slot(s) = std::move(pending_[u]);
    pending_[u] = NDArray();
  }
}

// The copy compiles the rewritten graph as it is (mode NONE): the same nodes and fused
// kernels, so the same native code, found in the cache.
std::shared_ptr<CompiledFunction> CompiledFunction::copy(const CopyOptions& c) const {
  const Vars& outs = fgraph_->outputs();
  const Vars outputs(outs.begin(), outs.begin() + static_cast<std::ptrdiff_t>(n_outputs_));
  FunctionOptions options = options_;
  options.givens.clear();
  for (const auto& [from, to] : c.swap) {
    THEON_CHECK_USER(from.defined() && to.defined() && from.is_shared() && to.is_shared(), TypeError)
        << display_name() << ".copy: swap must map shared variables to shared variables";
    THEON_CHECK_USER(from.type() == to.type(), TypeError)
        << display_name() << ".copy: cannot swap " << describe(from) << " (" << from.type().str()
        << ") for " << describe(to) << " (" << to.type().str() << "): the types differ";
    options.givens.push_back({from, to});
  }
  Updates updates;
  if (!c.delete_updates) {
    for (size_t u = 0; u < update_vars_.size(); ++u) {
      SharedVar target = update_vars_[u];
      for (const auto& [from, to] : c.swap)
        if (from.is(target)) target = to;
      updates.push_back({target, outs[n_outputs_ + u]});
    }
  }
  options.mode = "NONE";
  options.optimizer_including.clear();
  options.optimizer_excluding.clear();
  options.no_default_updates = true;  // the original's default updates are among `updates`
  options.on_unused_input = "ignore";  // checked when the original was compiled
  if (!c.name.empty()) options.name = c.name;
  auto result = std::make_shared<CompiledFunction>(fgraph_->inputs(), outputs, single_, updates,
                                                   std::move(options));
  result->user_inputs_ = user_inputs_;
  result->spec_ = copy_function_spec(*spec_, resolved_updates_, c);
  result->resolved_updates_ = result->spec_->updates;
  return result;
}

void CompiledFunction::free() {
  std::lock_guard<CallLock> lock(call_lock_);
  vm_->free_buffers();
}

void CompiledFunction::run_check() {
  std::vector<NDArray> inputs, results;
  for (int s : input_slots_) inputs.push_back(vm_->slot(s));
  for (int s : wanted_) results.push_back(vm_->slot(s));
  checker_->check(inputs, results);
}

}  // namespace detail

const NDArray& Result::array() const {
  THEON_CHECK_USER(outputs_.size() == 1, ValueError)
      << "this function has " << outputs_.size() << " outputs; index the result";
  return outputs_[0];
}

std::ostream& operator<<(std::ostream& os, const Result& r) {
  if (r.is_single()) return os << r[0];
  os << "[";
  for (size_t i = 0; i < r.size(); ++i) os << (i ? ", " : "") << r[i];
  return os << "]";
}

Result Function::call(std::span<const Arg> args) const {
  THEON_CHECK_USER(impl_ != nullptr, ValueError) << "calling an empty Function";
  std::vector<NDArray> outputs;
  impl_->call(args, outputs, CallHooks{});
  return Result(std::move(outputs), impl_->is_single());
}

void Function::call_into(std::span<const Arg> args, std::vector<NDArray>& outputs) const {
  call_into(args, outputs, CallHooks{});
}

void Function::call_into(std::span<const Arg> args, std::vector<NDArray>& outputs,
                         const CallHooks& hooks) const {
  THEON_CHECK_USER(impl_ != nullptr, ValueError) << "calling an empty Function";
  impl_->call(args, outputs, hooks);
}

Function Function::copy(const CopyOptions& options) const {
  THEON_CHECK_USER(impl_ != nullptr, ValueError) << "copying an empty Function";
  return Function(impl_->copy(options));
}

void Function::free() const {
  if (impl_) impl_->free();
}

const FunctionGraph& Function::fgraph() const { return impl_->fgraph(); }
const std::string& Function::name() const { return impl_->options().name; }
const std::vector<Var>& Function::inputs() const { return impl_->user_inputs(); }
const FunctionSpec& Function::spec() const {
  THEON_CHECK_USER(impl_ != nullptr, ValueError) << "the spec of an empty Function";
  return impl_->spec();
}

Function function(const std::vector<Var>& inputs, const Var& output, const Updates& updates,
                  FunctionOptions options) {
  return Function(std::make_shared<detail::CompiledFunction>(inputs, std::vector<Var>{output}, true,
                                                             updates, std::move(options)));
}

Function function(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                  const Updates& updates, FunctionOptions options) {
  return Function(std::make_shared<detail::CompiledFunction>(inputs, outputs, false, updates,
                                                             std::move(options)));
}

}  // namespace theon
