// Compiled functions: theon::function(inputs, outputs, updates, options).
//
// Compiling clones the graph, substitutes givens, rewrites it (per the mode) and
// prepares it to run. Calling a Function checks the arguments against the input types,
// computes every output and every update, and only then writes the updates to their
// shared variables: every update reads the values from before the call, and a call that
// throws changes no shared variable.
//
//   auto f = theon::function({a, b}, a * b);
//   f(1.5, 3);                              // 4.5
//   auto g = theon::function({x}, {y, z}, {{w, w - 0.1 * gw}});
//   auto outs = g(data);                    // outs[0], outs[1]
//
// Threads: calls of one function (and of the copies of a Function handle, which share
// it) run one at a time; a thread calling it while another thread's call runs waits for
// that call to end. Different functions run in parallel, also when they read or update
// the same shared variables: each call reads every shared value it uses at its start
// and commits its updates at its end, each step atomically (a concurrent call sees the
// old values or the new ones, never a mix within one variable).
//
// theon::interrupt_calls() (theon/interrupt.hpp) stops running calls with
// theon::Interrupted; they commit nothing.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "theon/interrupt.hpp"
#include "theon/shared.hpp"

namespace theon {

// Watches a function's nodes run (debugging modes and profiling build on it: NanGuard,
// MonitorMode, profile). A function with observers runs every node in the interpreter,
// never as one native kernel, so that each node is seen; without observers a call pays
// nothing for this. Nodes inside a scan's loop are not seen, the scan node is.
class NodeObserver {
 public:
  virtual ~NodeObserver() = default;
  // Before the node computes: its inputs are ready.
  virtual void before_node(const ApplyNode& /*node*/, std::span<const NDArray* const> /*in*/) {}
  // After it has computed its outputs. A throw here stops the call like an op's error:
  // no shared variable changes.
  virtual void after_node(const ApplyNode& /*node*/, std::span<const NDArray* const> /*in*/,
                          std::span<NDArray* const> /*out*/) {}
};

class ProfileStats;  // theon/profile.hpp

// One update: after the call, `var` takes the value of `value`.
struct Update {
  SharedVar var;
  Var value;
};
using Updates = std::vector<Update>;
// Givens: each `first` is replaced by `second` before compiling.
using Givens = std::vector<std::pair<Var, Var>>;

struct FunctionOptions {
  Givens givens;
  // Accept arguments whose dtype converts to the input's only with loss (float64 data
  // into a float32 input).
  bool allow_input_downcast = false;
  // "raise", "warn" or "ignore": what to do with an input the outputs do not use.
  std::string on_unused_input = "raise";
  // "FAST_RUN" (every rewrite), "FAST_COMPILE" (merge and constant folding), "NONE" (the
  // graph as built) or "CHECK" (FAST_RUN, and every call also evaluates each rewrite's
  // replaced and new variables and raises RewriteCheckError naming the first rewrite
  // whose result differs). Empty: from config().optimizer.
  std::string mode;
  // Rewrite tags or names to add to / remove from the mode's ("canonicalize",
  // "log1p_from_log"), separated by ':'; config().optimizer_including/excluding apply too.
  std::string optimizer_including;
  std::string optimizer_excluding;
  std::string name;
  // Per output (missing entries false): whether a call may return it as a view of an
  // argument or of a shared variable's value (Theano's Out(borrow=True)). Without it such
  // an output is copied, so that changing the argument later leaves the result alone.
  // Views of constants are always copied.
  std::vector<bool> borrow_outputs;
  // Default updates (SharedVar::set_default_update): a function applies the default
  // update of every shared variable its outputs and updates read, unless `updates`
  // names the variable. true turns them all off; the list turns them off for those.
  bool no_default_updates = false;
  std::vector<Var> no_default_updates_for;
  // Called around every node of every call, in order (see NodeObserver).
  std::vector<std::shared_ptr<NodeObserver>> observers;
  // Where to record this function's profile (theon/profile.hpp); null: not profiled
  // (unless config().profile is set).
  std::shared_ptr<ProfileStats> profile;
};

// What a binding runs inside a call (plain function pointers: no allocation per call).
struct CallHooks {
  void* context = nullptr;
  // Before waiting for another thread's call of the same function: a binding lets go of
  // its own lock (Python's GIL) here, so that the running call can finish.
  void (*before_wait)(void* context) = nullptr;
  // Once, between two nodes, when the call has run for about a millisecond: a binding
  // lets go of Python's GIL here (theon/interrupt.hpp). It must not throw.
  void (*on_long_call)(void* context) = nullptr;
  // After every output is computed and before the updates commit: a binding converts
  // the outputs here. When it throws, no update commits.
  void (*before_commit)(void* context, std::vector<NDArray>& outputs) = nullptr;
};

// One call argument: an array (used in place when its dtype matches) or a C++ number.
// A number is converted like a Python scalar in Theano: accepted when the input's dtype
// holds it exactly (an int into int32 or float64; a float into float32 or float64).
class Arg {
 public:
  Arg(const NDArray& a) : array_(&a) {}
  template <Arithmetic T>
  Arg(T value) {
    if constexpr (ComplexElement<T>) {
      complex_ = complex128(value);
      kind_ = Kind::Complex;
    } else if constexpr (std::is_floating_point_v<T>) {
      real_ = static_cast<double>(value);
      kind_ = Kind::Float;
    } else if constexpr (std::is_same_v<T, bool>) {
      integer_ = value;
      kind_ = Kind::Bool;
    } else if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(int64_t)) {
      // Above int64's range it is kept as it is: no integer input holds it, a float one
      // takes it rounded (NumPy's uint64 -> float64).
      if (value > static_cast<T>(INT64_MAX)) {
        unsigned_ = value;
        kind_ = Kind::BigUnsigned;
      } else {
        integer_ = static_cast<int64_t>(value);
        kind_ = Kind::Int;
      }
    } else {
      integer_ = static_cast<int64_t>(value);
      kind_ = Kind::Int;
    }
  }
  enum class Kind { Array, Bool, Int, BigUnsigned, Float, Complex };
  Kind kind() const { return kind_; }
  const NDArray& array() const { return *array_; }
  int64_t integer() const { return integer_; }
  uint64_t big_unsigned() const { return unsigned_; }
  double real() const { return real_; }
  complex128 complex() const { return complex_; }

 private:
  Kind kind_ = Kind::Array;
  const NDArray* array_ = nullptr;
  int64_t integer_ = 0;
  uint64_t unsigned_ = 0;
  double real_ = 0;
  complex128 complex_;
};

// What a call returns: one array per output. It converts to an NDArray when there is
// exactly one output, and prints as that array (or as a list of arrays).
class Result {
 public:
  Result() = default;
  Result(std::vector<NDArray> outputs, bool single) : outputs_(std::move(outputs)), single_(single) {}

  size_t size() const { return outputs_.size(); }
  const NDArray& operator[](size_t i) const {
    THEON_CHECK_USER(i < outputs_.size(), IndexError)
        << "output " << i << " of a call that returned " << outputs_.size() << " output(s)";
    return outputs_[i];
  }
  auto begin() const { return outputs_.begin(); }
  auto end() const { return outputs_.end(); }
  std::vector<NDArray>& vector() { return outputs_; }
  // The only output; ValueError if the function has several.
  const NDArray& array() const;
  operator const NDArray&() const { return array(); }
  bool is_single() const { return single_; }

 private:
  std::vector<NDArray> outputs_;
  bool single_ = false;
};
std::ostream& operator<<(std::ostream& os, const Result& r);

// Options of Function::copy (Theano's f.copy(swap=, delete_updates=, name=)).
struct CopyOptions {
  // {old, new}: the copy reads and updates `new` wherever the original reads or updates
  // `old` (TypeError unless their types are equal). The original is left alone.
  std::vector<std::pair<SharedVar, SharedVar>> swap;
  // The copy computes the outputs only: no update (default ones included) is applied.
  bool delete_updates = false;
  // Empty: the original's name.
  std::string name;
};

class FunctionGraph;
struct FunctionSpec;
namespace detail {
class CompiledFunction;
}

class Function {
 public:
  Function() = default;
  explicit Function(std::shared_ptr<detail::CompiledFunction> impl) : impl_(std::move(impl)) {}

  template <class... A>
  Result operator()(const A&... args) const {
    const Arg converted[] = {Arg(args)..., Arg(0)};  // the sentinel keeps the array non-empty
    return call(std::span<const Arg>(converted, sizeof...(A)));
  }
  Result call(std::span<const Arg> args) const;
  // The same, writing into `outputs`: the arrays it holds from the previous call are
  // released before computing, so their buffers are reused when nobody else holds them
  // (no allocation in steady state). After an exception `outputs` is empty.
  void call_into(std::span<const Arg> args, std::vector<NDArray>& outputs) const;
  void call_into(std::span<const Arg> args, std::vector<NDArray>& outputs, const CallHooks& hooks) const;

  // The compiled (rewritten) graph, for inspection and printing.
  const FunctionGraph& fgraph() const;
  const std::string& name() const;
  const std::vector<Var>& inputs() const;
  // The graph as its user built it (inputs, outputs, updates, options), before any
  // rewrite: what theon::save(Function) stores (theon/serialize.hpp).
  const FunctionSpec& spec() const;

  // A new function over the same compiled graph (no rewrite runs again; native code
  // comes from the cache) with its own call state: the two run in parallel, and share
  // only the shared variables they read and update (see CopyOptions::swap).
  Function copy(const CopyOptions& options = {}) const;
  // Releases the buffers the function keeps between calls for its intermediate values
  // (Theano's f.free()); the next call allocates them again. Waits for a running call.
  void free() const;

 private:
  std::shared_ptr<detail::CompiledFunction> impl_;
};

Function function(const std::vector<Var>& inputs, const Var& output, const Updates& updates = {},
                  FunctionOptions options = {});
Function function(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                  const Updates& updates = {}, FunctionOptions options = {});

}  // namespace theon
