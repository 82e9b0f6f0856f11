// Test values: attaching them to variables, and computing each new node's from its inputs'
// (make_apply's hook). Semantics in include/theon/test_value.hpp.
#include "theon/test_value.hpp"

#include <iostream>
#include <mutex>

#include "graph/post_order.hpp"
#include "ops/op_util.hpp"
#include "theon/config.hpp"

namespace theon {
namespace {

thread_local int t_suppressed = 0;

std::mutex g_handler_mutex;
TestValueWarningHandler g_warning_handler;
TestValueWarningHandler g_debug_hook;

TestValueWarningHandler handler(const TestValueWarningHandler& which) {
  std::lock_guard<std::mutex> lock(g_handler_mutex);
  return which;
}

void warn(const std::string& message) {
  if (TestValueWarningHandler h = handler(g_warning_handler))
    h(message);
  else
    std::cerr << "theon: warning: " << message << "\n";
}

void debug_hook(TestValueMode mode, const std::string& message) {
  if (mode != TestValueMode::Pdb) return;
  if (TestValueWarningHandler h = handler(g_debug_hook)) h(message);
}

// The value a variable contributes, or null: its own test value, a constant's value, a
// shared variable's current value.
const NDArray* value_of(const Var& v) {
  const VariableNode& n = *v.get();
  if (n.constant) return n.constant.get();
  if (n.storage) return &n.storage->value;
  return n.test_value.get();
}

std::string node_line(const ApplyNode& node) {
  std::string where = format_loc(node.loc);
  return "\n  node     " + node.op().name() + (where.empty() ? "" : "  made at " + where);
}

const char* mode_name(TestValueMode m) {
  switch (m) {
    case TestValueMode::Off: return "off";
    case TestValueMode::Ignore: return "ignore";
    case TestValueMode::Warn: return "warn";
    case TestValueMode::Raise: return "raise";
    case TestValueMode::Pdb: return "pdb";
  }
  return "?";
}

// What to do about input `i`, which has no value. Returns normally when the node just
// gets no test value.
void missing_input(const ApplyNode& node, size_t i, TestValueMode mode) {
  const Var& in = node.inputs[i];
  // Only a source variable "has no test value" by the user's doing; an intermediate
  // without one was built where values are not computed (a NoTestValues scope, or an
  // earlier mode), and the user can do nothing about it here.
  const bool user_source = in.owner() == nullptr;
  const std::string what = "cannot compute the test value of " + node.op().name() + ": input " +
                           std::to_string(i) + " (" + describe(in) + ") has no test value";
  if (mode == TestValueMode::Warn && user_source) {
    warn(what + " (made at " + format_loc(node.loc) + ")");
  } else if ((mode == TestValueMode::Raise || mode == TestValueMode::Pdb) && user_source) {
    const std::string message = what + node_line(node) +
                                "\n  hint: set its test value (x.tag.test_value = ... in Python, "
                                "theon::set_test_value in C++), or set compute_test_value to 'ignore' or "
                                "'warn' (it is '" + mode_name(mode) + "')";
    debug_hook(mode, message);
    throw ValueError(message);
  }
}

}  // namespace

TestValueMode test_value_mode() {
  const std::string& m = config().compute_test_value;
  if (m == "off") return TestValueMode::Off;
  if (m == "ignore") return TestValueMode::Ignore;
  if (m == "warn") return TestValueMode::Warn;
  if (m == "raise") return TestValueMode::Raise;
  if (m == "pdb") return TestValueMode::Pdb;
  THEON_FAIL(ValueError) << "compute_test_value must be off, ignore, warn, raise or pdb, got '" << m << "'";
}

void set_test_value(const Var& v, const NDArray& value) {
  THEON_CHECK_USER(v.defined(), ValueError) << "set_test_value: undefined variable";
  THEON_CHECK_USER(value.defined(), ValueError) << "set_test_value: undefined array for " << describe(v);
  THEON_CHECK_USER(value.dtype() == v.dtype(), TypeError)
      << "set_test_value: " << describe(v) << " cannot take a test value of dtype " << dtype_name(value.dtype())
      << " (shape " << shape_str(value.shape()) << "); cast it to " << dtype_name(v.dtype());
  THEON_CHECK_USER(value.ndim() == v.ndim(), TypeError)
      << "set_test_value: wrong number of dimensions for " << describe(v) << ": expected " << v.ndim()
      << ", got " << value.ndim() << " with shape " << shape_str(value.shape());
  for (int d = 0; d < v.ndim(); ++d) {
    THEON_CHECK_USER(!v.broadcastable()[d] || value.shape(d) == 1, TypeError)
        << "set_test_value: " << describe(v) << " is broadcastable along axis " << d
        << " (length 1) but the test value has shape " << shape_str(value.shape());
  }
  v.get()->test_value = std::make_shared<const NDArray>(value.copy());
}

void clear_test_value(const Var& v) {
  if (v.defined()) v.get()->test_value.reset();
}

bool has_test_value(const Var& v) { return v.defined() && value_of(v) != nullptr; }

NDArray test_value(const Var& v) {
  THEON_CHECK_USER(v.defined(), ValueError) << "test_value: undefined variable";
  const NDArray* value = value_of(v);
  THEON_CHECK_USER(value != nullptr, ValueError) << describe(v) << " has no test value";
  return *value;
}

void set_test_value_warning_handler(TestValueWarningHandler handler) {
  std::lock_guard<std::mutex> lock(g_handler_mutex);
  g_warning_handler = std::move(handler);
}

void set_test_value_debug_hook(TestValueWarningHandler hook) {
  std::lock_guard<std::mutex> lock(g_handler_mutex);
  g_debug_hook = std::move(hook);
}

NoTestValues::NoTestValues() { ++t_suppressed; }
NoTestValues::~NoTestValues() { --t_suppressed; }

namespace detail {

bool test_values_active() { return t_suppressed == 0 && test_value_mode() != TestValueMode::Off; }

namespace {

// Computes node's output values from its inputs' ones; `mode` says what a missing one does.
void compute(ApplyNode& node, TestValueMode mode) {
  static const NDArray kAbsent;
  std::vector<const NDArray*> in(node.inputs.size());
  std::vector<size_t> missing;
  for (size_t i = 0; i < in.size(); ++i) {
    in[i] = value_of(node.inputs[i]);
    if (!in[i]) {
      in[i] = &kAbsent;
      missing.push_back(i);
    }
  }
  if (!missing.empty()) {
    // A lazy op needs only some inputs: ask it which, given those present.
    std::vector<size_t> needed_missing = missing;
    if (node.op().is_lazy()) {
      // needed_inputs answers with the inputs not given yet: here, the missing ones it needs.
      needed_missing.clear();
      for (int k : node.op().needed_inputs(in)) needed_missing.push_back(static_cast<size_t>(k));
    }
    for (size_t i : needed_missing) missing_input(node, i, mode);
    if (!needed_missing.empty()) return;
  }

  std::vector<NDArray> values(node.outputs.size());
  std::vector<NDArray*> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) out[i] = &values[i];
  try {
    node.op().perform(node, in, out);
  } catch (const UserError& e) {
    const std::string extra = node_line(node) + describe_inputs(node.inputs, in) +
                              "\n  (raised while computing test values: compute_test_value is '" +
                              config().compute_test_value + "'; the node was built at the line above)";
    debug_hook(mode, e.what() + extra);
    e.rethrow_with(extra);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    THEON_ASSERT(values[i].defined()) << node.op().name() << " computed no test value for output " << i;
    node.outputs[i].test_value = std::make_shared<const NDArray>(std::move(values[i]));
  }
}

}  // namespace

void compute_test_values(ApplyNode& node) {
  if (t_suppressed > 0) return;
  const TestValueMode mode = test_value_mode();
  if (mode == TestValueMode::Off) return;
  compute(node, mode);
}

void fill_test_values(const Vars& outputs) {
  if (!test_values_active()) return;
  // Inputs first, stopping at variables that have values.
  for (ApplyNode* node : nodes_in_post_order(outputs, [](const Var& v) { return has_test_value(v); })) {
    // The values are an annotation of the node, not part of what makes it (graph.hpp).
    compute(*node, TestValueMode::Ignore);
  }
}

}  // namespace detail
}  // namespace theon
