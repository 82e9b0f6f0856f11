// Profiling compiled functions, as Theano's ProfileStats.
//
// A function compiled with FunctionOptions::profile (or any function, with
// THEON_FLAGS=profile=True) records, per call: the wall time of the call (steady_clock,
// from binding the arguments to committing the updates), and per node of its compiled
// graph the time its op took, how often it ran, the shapes and dtypes of its inputs the
// last time, and how it ran: "C" (a built-in C++ kernel), "N" (a fused kernel running
// native code the C++ generator compiled) or "I" (a fused kernel in the interpreter).
// Compiling records the time of each phase: building the graph, each rewrite phase of
// the pipeline, building the interpreter.
//
//   auto stats = std::make_shared<theon::ProfileStats>("train");
//   theon::FunctionOptions o;
//   o.profile = stats;
//   auto f = theon::function({x, y}, cost, updates, o);
//   for (...) f(xb, yb);
//   std::cerr << stats->summary();        // Function summary, Class, Ops, Apply, Memory
//
// A profiled function runs every node in the interpreter (never as one native kernel:
// see NodeObserver), so that each node is timed. Several functions may share one
// ProfileStats: calls and times add up and each function's nodes are listed. A
// ProfileStats is safe to read (summary()) while its functions run in other threads.
//
// Memory: `memory_peak` is the largest, over the calls, of the bytes of the computed
// intermediate values alive at once, counted in run order: a node's outputs count from
// when it runs until their last reader has run (the function's outputs and update values
// until the call ends). Outputs that view an input or that an op wrote over its input
// (in place) count nothing; arguments and shared values count nothing. It is what the
// interpreter needs when it frees each value as soon as it can, which its buffer pool
// approximates (backend/vm/vm.hpp).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace theon {

// One node of a profiled function's compiled graph.
struct NodeProfile {
  int id = 0;               // its position in the function's run order (Theano's <id>)
  std::string function;     // the function's name (ProfileStats shared by several)
  std::string op_class;     // the op's C++ class: "Elemwise", "Gemm", "FusedElemwise"
  std::string op;           // the op with its parameters: "add", "fused{exp(i0)}"
  std::string description;  // the apply: "gemm(n3, -0.1, x, W)"; arguments by name or n<id>
  int64_t calls = 0;
  double time = 0;          // seconds, summed over the calls
  std::string impl = "C";   // "C", "N" (native fused kernel) or "I" (interpreted fused kernel)
  // Per input, the last call's dtype and shape ("float64 (64, 784)").
  std::vector<std::string> inputs;
};

class ProfileStats {
 public:
  explicit ProfileStats(std::string message = "") : message(std::move(message)) {}

  // What summary() prints as "Message" (the function's name by default).
  std::string message;

  // Calls: how many, and their wall time in seconds.
  int64_t fct_callcount = 0;
  double fct_call_time = 0;
  // Compiling: total seconds, and the part of it by phase, in order ("build graph",
  // each rewrite phase such as "canonicalize" or "fusion", "build vm").
  double compile_time = 0;
  std::vector<std::pair<std::string, double>> compile_phases;
  // Bytes (see the header comment).
  int64_t memory_peak = 0;
  std::vector<NodeProfile> nodes;

  // Seconds in the rewrite phases (Theano's optimizer_time), and in building the
  // interpreter (Theano's linker_time).
  double optimizer_time() const;
  double linker_time() const;
  // The nodes' times summed (Theano's "time in thunks").
  double apply_time() const;

  // One row per op class or per op, the most time first.
  struct Row {
    std::string name;
    std::string impl;  // "C", "N", "I", or several when nodes differ ("CN")
    double time = 0;
    int64_t calls = 0;
    int n_apply = 0;
  };
  std::vector<Row> by_class() const;
  std::vector<Row> by_op() const;

  // Theano's layout: Function summary, Class, Ops, Apply (with the inputs' shapes) and
  // Memory, the `n_ops` / `n_apply` most expensive rows of each.
  std::string summary(int n_ops = 20, int n_apply = 20) const;

  // Adds `other`'s calls, times and nodes to this one (Theano's sum of profiles at exit).
  void merge(const ProfileStats& other);

  // Held while the functions write their calls into it; lock it to read the fields
  // while they run.
  mutable std::recursive_mutex mutex;
};

// Prints `stats`' summary to stderr when the process exits (what THEON_FLAGS=profile=True
// does for every function), unless print_profiles_at_exit ran before.
void print_profile_at_exit(std::shared_ptr<ProfileStats> stats);
// Writes the summaries of the profiles registered for exit to `os` (and, when there are
// several, their sum), then forgets them. Python's atexit calls it first, to write them
// where config.profiling.destination says.
void print_profiles_at_exit(std::ostream& os);

}  // namespace theon
