// Test values, as Theano's compute_test_value: a value attached to a variable while the
// graph is built, so that each op computes its output's value at the line that applies
// it and a shape or dtype error shows there, before any function is compiled.
//
//   theon::config().compute_test_value = "raise";
//   auto x = T::dmatrix("x");
//   theon::set_test_value(x, NDArray::zeros(DType::Float64, {5, 10}));
//   auto W = theon::shared(NDArray::zeros(DType::Float64, {20, 3}), "W");
//   auto y = T::dot(x, W);   // ShapeError here: dot of (5, 10) and (20, 3), "computing test values"
//
// The mode (config().compute_test_value, THEON_FLAGS=compute_test_value=...):
//   "off"     nothing is computed (the default; make_apply pays one string compare).
//   "ignore"  a node whose inputs lack a test value gets none, silently.
//   "warn"    the same, with one warning per such node (set_test_value_warning_handler;
//             stderr by default, Python's warnings module from Python).
//   "raise"   using a source variable that has no test value (an input without one, not a
//             constant or shared variable, whose values always count) is a ValueError
//             naming the variable and the op.
//   "pdb"     as "raise", after calling the debugger hook (set_test_value_debug_hook) with
//             the message; Python's hook opens pdb at the caller's line when stdin is a tty.
// In every mode but "off", an op failing on its inputs' test values raises at once: the
// error names the op, the node's line, the inputs' shapes and dtypes, and says that it came
// from computing test values.
//
// Where values are never computed: rewrites, compiling a function and clone() build nodes
// with make_apply too, but over copies that carry no test values; they run inside a
// NoTestValues scope, so they never compute nor raise (as Theano, whose optimizer runs with
// compute_test_value_opt = off). A node whose inputs have no values because they were built
// inside such a scope gets none either, in every mode: only source variables raise.
//
// Lazy ops (ifelse) need values only for the branch their condition picks. scan gives the
// step function's placeholders the first row of each sequence and the initial values of the
// recurrent outputs as test values, so the loop body is checked too, and the scan node runs
// the whole loop on the outer test values.
#pragma once

#include <functional>
#include <string>

#include "theon/graph.hpp"

namespace theon {

enum class TestValueMode { Off, Ignore, Warn, Raise, Pdb };

// The mode config().compute_test_value names; ValueError for a name that is not one.
TestValueMode test_value_mode();

// Attaches `value` to the source or intermediate variable `v` (a copy: later changes to the
// caller's array do not show). TypeError unless its dtype and rank are v's and it has length 1
// along v's broadcastable axes; the error names the variable and where it was made.
void set_test_value(const Var& v, const NDArray& value);
// Removes v's test value (constants and shared variables keep their values).
void clear_test_value(const Var& v);
// Whether v has a test value: its own, or its value as a constant or shared variable.
bool has_test_value(const Var& v);
// v's test value (for a shared variable its current value, not a copy); ValueError naming v
// when it has none. Treat it as read-only.
NDArray test_value(const Var& v);

// Where "warn" messages go. The default prints to stderr; null restores it.
using TestValueWarningHandler = std::function<void(const std::string& message)>;
void set_test_value_warning_handler(TestValueWarningHandler handler);
// Called in "pdb" mode with the error's message just before it is thrown. Default: none.
void set_test_value_debug_hook(TestValueWarningHandler hook);

// While one is alive on this thread, make_apply computes no test values and never raises
// for missing ones. Nests.
class NoTestValues {
 public:
  NoTestValues();
  ~NoTestValues();
  NoTestValues(const NoTestValues&) = delete;
  NoTestValues& operator=(const NoTestValues&) = delete;
};

namespace detail {
// make_apply's hook: computes the test values of `node`'s outputs as the mode says.
void compute_test_values(ApplyNode& node);
// Whether test values are computed at all now (mode not off, no NoTestValues scope).
bool test_values_active();
// Computes the missing test values of the graph behind `outputs` where every input has
// one, never raising for missing ones (grad calls it on gradients built inside a
// NoTestValues scope, as scan's are). Iterative; a no-op when values are not active.
void fill_test_values(const Vars& outputs);
}  // namespace detail

}  // namespace theon
