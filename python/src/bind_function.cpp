// function.hpp: compiled functions and their call path.
//
// A call converts its arguments in C++ (numbers stay numbers, NumPy arrays are borrowed
// without copies, lists are converted as Theano does), runs the function, and returns
// the outputs as NumPy arrays viewing Theon's buffers. The positional-only call with
// every argument given is the fast path: no Python code runs on it.
#include <chrono>
#include <cmath>
#include <optional>

#include "common.hpp"
#include "profile_request.hpp"
#include "sigint_guard.hpp"

namespace theon::python {

using namespace pybind11::literals;

namespace {

struct InputSpec {
  std::string name;
  TensorType type;
  // The input's held value, as a one-item Python list (its Container's storage, shared
  // by the function's copies made with share_memory=True); an item None, or no list:
  // a call must pass the input.
  py::object storage;
  bool implicit = false;  // never an argument: the held value always
  bool strict = false;    // an argument must be an ndarray of the input's dtype
  bool allow_downcast = false;  // In(allow_downcast=True)
};

bool is_numpy_scalar(py::handle obj) {
  static PyObject* generic = py::object(py::module_::import("numpy").attr("generic")).release().ptr();
  return PyObject_IsInstance(obj.ptr(), generic) == 1;
}

// The GIL around a call: let go while the core computes, taken back to touch Python
// objects. Dropping out of scope takes it back.
class GilRelease {
 public:
  GilRelease() = default;
  GilRelease(const GilRelease&) = delete;
  GilRelease& operator=(const GilRelease&) = delete;
  ~GilRelease() { acquire(); }
  void release() {
    if (!saved_) saved_ = PyEval_SaveThread();
  }
  void acquire() {
    if (saved_) PyEval_RestoreThread(saved_);
    saved_ = nullptr;
  }

 private:
  PyThreadState* saved_ = nullptr;
};

// What one call converts and produces. The function keeps one, reused call after call
// (no allocation in steady state); a call that starts while another thread's call is
// using it gets its own.
struct CallState {
  explicit CallState(size_t n) {
    arrays.reserve(n);
    args.reserve(n);
  }
  std::vector<NDArray> arrays;  // reserved: args points into it
  std::vector<Arg> args;
  std::vector<NDArray> outputs;
  py::object result;
  std::vector<py::object> held;  // the new values of inputs with an update
};

class PyFunction {
 public:
  // The function's outputs are the user's `n_outputs`, then one per input of
  // `held_updates` (In(update=...)): that input's value after the call.
  PyFunction(Function fn, std::vector<InputSpec> inputs, bool single, bool allow_downcast, size_t n_outputs,
             std::vector<size_t> held_updates)
      : fn_(std::move(fn)), inputs_(std::move(inputs)), single_(single), allow_downcast_(allow_downcast),
        n_outputs_(n_outputs), held_updates_(std::move(held_updates)), scratch_(inputs_.size()) {
    for (size_t i = 0; i < inputs_.size(); ++i) {
      if (!inputs_[i].implicit) positional_.push_back(i);
      special_ = special_ || inputs_[i].strict || (inputs_[i].allow_downcast && !allow_downcast_);
    }
  }

  // `args` a tuple, `kwargs` a dict or null: what tp_call receives.
  py::object call(PyObject* args, PyObject* kwargs) {
    // The scratch flag is read and written with the GIL held only, which orders it.
    std::optional<CallState> own;
    CallState& state = scratch_in_use_ ? own.emplace(inputs_.size()) : scratch_;
    struct Done {
      PyFunction& f;
      CallState& state;
      bool scratch;
      ~Done() {  // with the GIL: drops the borrowed arguments now, not at the next call
        state.arrays.clear();
        state.args.clear();
        state.result = py::object();
        state.held.clear();
        if (scratch) f.scratch_in_use_ = false;
      }
    } done{*this, state, !own};
    scratch_in_use_ = true;

    const size_t n = inputs_.size();
    if (positional_.size() == n && static_cast<size_t>(PyTuple_GET_SIZE(args)) == n &&
        (kwargs == nullptr || PyDict_GET_SIZE(kwargs) == 0)) {
      for (size_t i = 0; i < n; ++i) convert(state, PyTuple_GET_ITEM(args, i), i);
    } else {
      std::vector<py::object> values = bind_by_name(py::reinterpret_borrow<py::tuple>(args),
                                                    kwargs ? py::reinterpret_borrow<py::dict>(kwargs) : py::dict());
      for (size_t i = 0; i < n; ++i) convert(state, values[i], i);
    }
    return run(state);
  }

  const Function& function() const { return fn_; }
  const std::vector<InputSpec>& inputs() const { return inputs_; }
  size_t n_outputs() const { return n_outputs_; }
  const std::vector<size_t>& held_updates() const { return held_updates_; }
  bool is_single() const { return single_; }
  bool allow_downcast() const { return allow_downcast_; }

 private:
  // Long calls run without the GIL, so that other Python threads run meanwhile, and with
  // Ctrl-C stopping them (sigint_guard.hpp); short ones keep it, as letting go and
  // installing the signal handler would cost more than they do. A call lets go when it
  // has run for about a millisecond (the core's on_long_call), when it must wait for
  // another thread's call of the same function, or from the start when the function's
  // last timed call took longer than kLongCall. Calls are timed while they are long and
  // every 64th call otherwise (reading the clock costs too). The first call is long.
  static constexpr auto kLongCall = std::chrono::milliseconds(1);

  struct CallContext {
    PyFunction* f;
    CallState* state;
    GilRelease gil;
    std::optional<SigintGuard> sigint;
    bool released = false;
    // With the GIL held: from here on the call runs without it.
    void let_go() noexcept {
      if (released) return;
      released = true;
      f->long_calls_ = true;
      try {
        sigint.emplace();
      } catch (...) {  // no guard: Ctrl-C then waits for the end of the call
        PyErr_Clear();
      }
      // A Ctrl-C that came before the guard, while this call still held the GIL, only
      // set Python's flag, which nothing reads until the call ends: run the handlers now
      // and, if one raised, stop the call at its next check point as the guard would.
      if (PyErr_CheckSignals() != 0) {
        PyErr_Clear();  // raise_keyboard_interrupt raises it again when the call stops
        theon::interrupt_calls();
      }
      gil.release();
    }
  };

  py::object run(CallState& state) {
    CallContext context{this, &state, {}, {}};
    CallHooks hooks;
    hooks.context = &context;
    hooks.before_wait = [](void* c) { static_cast<CallContext*>(c)->let_go(); };
    hooks.on_long_call = [](void* c) { static_cast<CallContext*>(c)->let_go(); };
    hooks.before_commit = [](void* c, std::vector<NDArray>& outputs) {
      auto* x = static_cast<CallContext*>(c);
      x->gil.acquire();
      x->state->result = x->f->to_python(outputs, x->state->held);
    };
    const bool timed = long_calls_ || (++calls_ & 63) == 0;
    const auto start = timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
    if (long_calls_) context.let_go();
    try {
      fn_.call_into(state.args, state.outputs, hooks);
    } catch (const theon::Interrupted&) {
      context.gil.acquire();
      context.sigint.reset();
      raise_keyboard_interrupt();
    }
    context.gil.acquire();
    context.sigint.reset();
    if (timed) long_calls_ = std::chrono::steady_clock::now() - start > kLongCall;
    // The call succeeded: inputs with an update take their new values, as shared
    // variables do.
    for (size_t k = 0; k < held_updates_.size(); ++k) {
      py::list storage = inputs_[held_updates_[k]].storage;
      storage[0] = std::move(state.held[k]);
    }
    state.held.clear();
    return std::move(state.result);
  }

  py::object to_python(std::vector<NDArray>& outputs, std::vector<py::object>& held) const {
    held.resize(held_updates_.size());
    for (size_t k = 0; k < held_updates_.size(); ++k) {
      // A held value never shares memory with a returned output (nor another held
      // value): writing into a result must not change the function's state.
      NDArray& value = outputs[n_outputs_ + k];
      bool aliased = false;
      for (size_t i = 0; i < outputs.size() && !aliased; ++i)
        aliased = i != n_outputs_ + k && outputs[i].defined() && value.defined() && outputs[i].buffer() == value.buffer();
      held[k] = to_numpy(aliased ? value.copy() : std::move(value), /*copy_small=*/true);
    }
    if (single_) return to_numpy(std::move(outputs[0]), /*copy_small=*/true);
    py::list out(n_outputs_);
    for (size_t i = 0; i < n_outputs_; ++i) out[i] = to_numpy(std::move(outputs[i]), /*copy_small=*/true);
    return out;
  }

  // One argument as a theon::Arg, following Theano's rules for Python values.
  void convert(CallState& state, py::handle obj, size_t i) {
    PyObject* p = obj.ptr();
    if (special_ && convert_special(state, obj, i)) return;
    if (PyFloat_CheckExact(p)) {
      state.args.emplace_back(PyFloat_AS_DOUBLE(p));
    } else if (PyBool_Check(p)) {
      state.args.emplace_back(p == Py_True);
    } else if (PyLong_Check(p)) {
      int overflow = 0;
      const long long v = PyLong_AsLongLongAndOverflow(p, &overflow);
      if (overflow == 0) {
        state.args.emplace_back(static_cast<int64_t>(v));
      } else {
        // Up to 2**64 - 1 it is kept exactly (a float input takes it rounded, as NumPy).
        const unsigned long long u = overflow > 0 ? PyLong_AsUnsignedLongLong(p) : 0;
        if (overflow < 0 || PyErr_Occurred()) {
          PyErr_Clear();
          throw py::type_error(argument_name(i) + ": integer too large for Theon");
        }
        state.args.emplace_back(static_cast<uint64_t>(u));
      }
    } else if (py::isinstance<py::array>(obj)) {
      state.arrays.push_back(from_array(py::reinterpret_borrow<py::array>(obj), i));
      state.args.emplace_back(state.arrays.back());
    } else if (PyFloat_Check(p)) {
      state.args.emplace_back(PyFloat_AsDouble(p));
    } else if (PyComplex_Check(p)) {
      state.args.emplace_back(complex128(PyComplex_RealAsDouble(p), PyComplex_ImagAsDouble(p)));
    } else if (is_numpy_scalar(obj)) {
      // The same dtype passes as a 0-d array; others as the Python number it holds.
      py::array a = py::module_::import("numpy").attr("asarray")(obj);
      auto dt = dtype_from_numpy(a.dtype());
      if (dt && *dt == inputs_[i].type.dtype) {
        state.arrays.push_back(to_ndarray(a));
        state.args.emplace_back(state.arrays.back());
      } else {
        convert(state, obj.attr("item")(), i);
      }
    } else if (obj.is_none()) {
      throw py::type_error(argument_name(i) + ": got None");
    } else if (py::isinstance<Var>(obj)) {
      throw py::type_error(argument_name(i) + ": got a symbolic variable (" + py::str(obj).cast<std::string>() +
                           "); pass its value, or use givens to substitute it");
    } else {
      state.arrays.push_back(from_sequence(obj, i));
      state.args.emplace_back(state.arrays.back());
    }
  }

  // In(strict=True): only an ndarray of the input's dtype. In(allow_downcast=True) in
  // a function without allow_input_downcast: numbers convert as arrays do, with loss.
  // True when the argument is converted.
  bool convert_special(CallState& state, py::handle obj, size_t i) {
    const InputSpec& spec = inputs_[i];
    if (spec.strict) {
      const bool exact = py::isinstance<py::array>(obj) &&
                         dtype_from_numpy(py::reinterpret_borrow<py::array>(obj).dtype()) == spec.type.dtype;
      if (!exact) {
        const std::string got = py::isinstance<py::array>(obj)
                                    ? "an ndarray of dtype " + py::str(obj.attr("dtype")).cast<std::string>()
                                    : std::string(Py_TYPE(obj.ptr())->tp_name);
        throw py::type_error(argument_name(i) + ": a strict input (In(strict=True)) takes only a numpy.ndarray of dtype " +
                             std::string(dtype_name(spec.type.dtype)) + ", got " + got);
      }
      return false;
    }
    if (!spec.allow_downcast || allow_downcast_ || py::isinstance<Var>(obj) || obj.is_none()) return false;
    if (py::isinstance<py::array>(obj)) {
      auto a = py::reinterpret_borrow<py::array>(obj);
      if (dtype_from_numpy(a.dtype()) == spec.type.dtype) return false;
      state.arrays.push_back(to_ndarray(py::module_::import("numpy").attr("asarray")(a, numpy_dtype(spec.type.dtype))));
    } else {
      state.arrays.push_back(from_sequence(obj, i));
    }
    state.args.emplace_back(state.arrays.back());
    return true;
  }

  bool downcast_ok(size_t i) const { return allow_downcast_ || inputs_[i].allow_downcast; }

  // A NumPy array: borrowed when its dtype is Theon's (the core's filter checks it
  // against the input). Other dtypes (uint16, uint32, uint64, float16) convert to the
  // input's dtype when NumPy's safe casting allows it, never by wrapping around.
  NDArray from_array(const py::array& a, size_t i) {
    if (dtype_from_numpy(a.dtype())) return to_ndarray(a);
    auto np = py::module_::import("numpy");
    const DType want = inputs_[i].type.dtype;
    if (!downcast_ok(i) && !np.attr("can_cast")(a.dtype(), numpy_dtype(want)).cast<bool>())
      throw py::type_error(argument_name(i) + ": an array of dtype " + py::str(a.dtype()).cast<std::string>() +
                           " does not convert safely to " + std::string(dtype_name(want)) + " (" +
                           inputs_[i].type.str() + " input); cast it, or compile with allow_input_downcast=True");
    return to_ndarray(np.attr("asarray")(a, numpy_dtype(want)));
  }

  // Lists and other array-likes, as Theano's TensorType.filter takes them: accepted in
  // the input's dtype when converting does not change a value.
  NDArray from_sequence(py::handle obj, size_t i) {
    auto np = py::module_::import("numpy");
    py::array original = np.attr("asarray")(obj);
    const DType want = inputs_[i].type.dtype;
    auto have = dtype_from_numpy(original.dtype());
    if (have && (*have == want || can_cast_safely(*have, want))) return to_ndarray(original);
    if (!have && np.attr("can_cast")(original.dtype(), numpy_dtype(want)).cast<bool>())
      return to_ndarray(np.attr("asarray")(original, numpy_dtype(want)));
    auto refuse = [&] {
      return py::type_error(argument_name(i) + ": " + py::repr(obj).cast<std::string>() + " (as NumPy's " +
                            py::str(original.dtype()).cast<std::string>() + ") does not convert exactly to " +
                            std::string(dtype_name(want)));
    };
    py::array converted;
    try {
      converted = np.attr("asarray")(original, numpy_dtype(want));
    } catch (const py::error_already_set&) {
      if (have) return to_ndarray(original);  // the core's filter explains the mismatch
      throw refuse();
    }
    const bool exact = have && is_inexact(*have) && is_inexact(want)
                           ? np.attr("array_equal")(original, converted, "equal_nan"_a = true).cast<bool>()
                           : np.attr("array_equal")(original, converted).cast<bool>();
    if (exact || downcast_ok(i)) return to_ndarray(converted);
    if (have) return to_ndarray(original);  // the core's filter explains the mismatch
    throw refuse();
  }

  // Theano's rules: positional arguments fill the inputs that are not implicit, in
  // order; keywords name inputs; an input left out takes its held value (In(value=...)).
  std::vector<py::object> bind_by_name(const py::tuple& args, const py::dict& kwargs) {
    const size_t n = inputs_.size();
    if (args.size() > positional_.size())
      throw py::type_error(display_name() + ": expected at most " + std::to_string(positional_.size()) +
                           " arguments, got " + std::to_string(args.size()));
    std::vector<py::object> values(n);
    for (size_t k = 0; k < args.size(); ++k) values[positional_[k]] = args[k];
    for (auto [key, value] : kwargs) {
      const auto name = key.cast<std::string>();
      size_t i = n, matches = 0;
      for (size_t j = 0; j < n; ++j)
        if (inputs_[j].name == name && matches++ == 0) i = j;
      if (matches == 0) throw py::type_error(unknown_input(name));
      if (matches > 1)
        throw py::type_error(display_name() + ": Ambiguous name: " + name + " - " + std::to_string(matches) +
                             " inputs have it; pass them by position");
      if (inputs_[i].implicit)
        throw py::type_error(display_name() + ": Tried to provide value for implicit input: " + name);
      if (values[i]) throw py::type_error(display_name() + ": Multiple values for input: " + name);
      values[i] = py::reinterpret_borrow<py::object>(value);
    }
    for (size_t i = 0; i < n; ++i) {
      if (values[i]) continue;
      py::object held = inputs_[i].storage.is_none() ? py::object(py::none())
                                                     : py::object(py::list(inputs_[i].storage)[0]);
      if (held.is_none())
        throw py::type_error(display_name() + ": Missing required input: " + argument_label(i));
      values[i] = held;
    }
    return values;
  }

  // Theano's message, which says why an unnamed input cannot be passed by keyword.
  std::string unknown_input(const std::string& name) const {
    std::string named;
    size_t unnamed = 0, n_named = 0;
    for (const InputSpec& in : inputs_) {
      if (in.implicit) continue;
      if (in.name.empty()) {
        ++unnamed;
      } else {
        named += (n_named++ ? ", " : "") + in.name;
      }
    }
    std::string msg = display_name() + ": Unknown input or state: " + name + ". The function has " +
                      std::to_string(n_named) + " named input" + (n_named == 1 ? "" : "s") + " (" + named + ")";
    if (unnamed)
      msg += ", and " + std::to_string(unnamed) + " unnamed input" + (unnamed == 1 ? "" : "s") +
             " which thus cannot be accessed through keyword argument (use 'name=...' in a variable's "
             "constructor to give it a name)";
    return msg + ".";
  }

  std::string display_name() const {
    return fn_.name().empty() ? std::string("function call") : "function " + fn_.name();
  }
  // "argument 1 (y)"
  std::string argument_label(size_t i) const {
    std::string s = "argument " + std::to_string(i);
    if (!inputs_[i].name.empty()) s += " (" + inputs_[i].name + ")";
    return s;
  }
  std::string argument_name(size_t i) const { return display_name() + ": " + argument_label(i); }

  Function fn_;
  std::vector<InputSpec> inputs_;
  bool single_;
  bool allow_downcast_;
  size_t n_outputs_;
  std::vector<size_t> held_updates_;
  std::vector<size_t> positional_;  // the inputs that are not implicit
  bool special_ = false;  // an input is strict, or has its own allow_downcast
  // Read and written with the GIL held only.
  bool scratch_in_use_ = false;
  bool long_calls_ = true;  // the first call is timed, without the GIL
  unsigned calls_ = 0;
  CallState scratch_;
};

std::vector<std::pair<Var, Var>> pairs_from_py(py::handle pairs) {
  std::vector<std::pair<Var, Var>> out;
  if (pairs.is_none()) return out;
  py::object items = py::isinstance<py::dict>(pairs) ? pairs.attr("items")() : py::reinterpret_borrow<py::object>(pairs);
  for (py::handle item : items) {
    auto pair = item.cast<py::sequence>();
    if (pair.size() != 2) throw py::value_error("expected pairs (variable, replacement)");
    Var first = as_var(pair[0]);
    out.emplace_back(first, as_var(pair[1]));
  }
  return out;
}

// The call slot itself: pybind11's generic dispatch (overloads, argument casters)
// would cost more than the conversion work.
PyObject* call_slot(PyObject* self, PyObject* args, PyObject* kwargs) {
  try {
    auto* inst = reinterpret_cast<py::detail::instance*>(self);
    auto* f = inst->get_value_and_holder().value_ptr<PyFunction>();
    return f->call(args, kwargs).release().ptr();
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (...) {
    if (!py::detail::apply_exception_translators(py::detail::get_local_internals().registered_exception_translators) &&
        !py::detail::apply_exception_translators(py::detail::get_internals().registered_exception_translators))
      PyErr_SetString(PyExc_SystemError, "theon: unhandled C++ exception in a function call");
  }
  return nullptr;
}

}  // namespace

void bind_function(py::module_& m) {
  // Made by the debugging modes and the profiler (bind_debug.cpp, bind_profile.cpp);
  // Python passes them through to function().
  py::class_<NodeObserver, std::shared_ptr<NodeObserver>>(m, "NodeObserver");
  py::class_<PyFunction>(m, "Function", py::dynamic_attr(),
                         py::custom_type_setup([](PyHeapTypeObject* type) { type->ht_type.tp_call = call_slot; }))
      .def_property_readonly("name", [](const PyFunction& f) -> py::object {
        if (f.function().name().empty()) return py::none();
        return py::str(f.function().name());
      })
      .def_property_readonly("_inputs", [](const PyFunction& f) { return f.function().inputs(); })
      .def_property_readonly("_n_outputs", [](const PyFunction& f) { return f.n_outputs(); })
      // Theano's f.free(): drops the buffers kept for intermediate values.
      .def("free", [](const PyFunction& f) { f.function().free(); }, py::call_guard<py::gil_scoped_release>())
      // f.copy's C++ half (python/theon/compile.py): the same compiled graph, its own
      // call state; `storage` the copy's held values, one list per input.
      .def("_copy", [](const PyFunction& f, py::handle swap, bool delete_updates, const std::string& name,
                       const std::vector<py::object>& storage) {
        CopyOptions options;
        for (auto& [from, to] : pairs_from_py(swap)) {
          THEON_CHECK_USER(from.is_shared() && to.is_shared(), TypeError)
              << "copy: swap maps shared variables to shared variables, got " << describe(from) << " -> "
              << describe(to);
          options.swap.push_back({SharedVar(from), SharedVar(to)});
        }
        options.delete_updates = delete_updates;
        options.name = name;
        Function fn = f.function().copy(options);
        std::vector<InputSpec> specs = f.inputs();
        for (size_t i = 0; i < specs.size() && i < storage.size(); ++i) specs[i].storage = storage[i];
        // As in Theano, a copy returns a list even where the original returned one array.
        return std::make_unique<PyFunction>(std::move(fn), std::move(specs), /*single=*/false, f.allow_downcast(),
                                            f.n_outputs(), delete_updates ? std::vector<size_t>{} : f.held_updates());
      })
      .def_property_readonly("_fgraph_outputs", [](const PyFunction& f) { return f.function().fgraph().outputs(); })
      .def_property_readonly("_fgraph_inputs", [](const PyFunction& f) { return f.function().fgraph().inputs(); })
      .def("_toposort", [](const PyFunction& f) {
        std::vector<std::shared_ptr<ApplyNode>> nodes;
        for (ApplyNode* node : f.function().fgraph().toposort()) nodes.push_back(node->self.lock());
        return nodes;
      })
      .def("_variables", [](const PyFunction& f) { return f.function().fgraph().variables(); })
      .def("_pp", [](const PyFunction& f) { return pp(f.function()); })
      .def("_debugprint", [](const PyFunction& f) { return debugprint(f.function()); });

  // The compile step behind theon.function (python/theon/compile.py normalizes the
  // Theano-style arguments first).
  m.def("_function", [](const std::vector<Var>& inputs, py::handle outputs, bool single, py::handle updates,
                        py::handle givens, bool allow_input_downcast, const std::string& on_unused_input,
                        py::handle name, py::handle mode, const std::vector<py::object>& storage,
                        const std::vector<std::string>& names, const std::vector<bool>& borrow,
                        const std::string& including, const std::string& excluding,
                        py::handle no_default_updates,
                        const std::vector<std::shared_ptr<NodeObserver>>& observers, size_t n_outputs,
                        const std::vector<size_t>& held_updates, const std::vector<bool>& implicit,
                        const std::vector<bool>& strict, const std::vector<bool>& input_allow_downcast) {
    FunctionOptions options;
    options.observers = observers;  // debugging modes and profiling (NodeObserver)
    options.profile = take_profile_request(options.observers);  // profile_request.hpp
    // Theano's no_default_updates: True, or the shared variables whose default update to skip.
    if (py::isinstance<py::bool_>(no_default_updates)) options.no_default_updates = no_default_updates.cast<bool>();
    else if (!no_default_updates.is_none()) options.no_default_updates_for = as_vars(no_default_updates);
    options.optimizer_including = including;  // a Mode's .including(...) / .excluding(...)
    options.optimizer_excluding = excluding;
    options.borrow_outputs = borrow;
    options.givens = pairs_from_py(givens);
    options.allow_input_downcast = allow_input_downcast;
    options.on_unused_input = on_unused_input;
    if (!name.is_none()) options.name = name.cast<std::string>();
    if (!mode.is_none()) options.mode = mode.cast<std::string>();
    Updates ups;
    for (auto& [var, value] : pairs_from_py(updates)) {
      THEON_CHECK_USER(var.is_shared(), TypeError)
          << "function: update target " << describe(var) << " is not a shared variable";
      ups.push_back({SharedVar(var), value});
    }
    Vars outs = as_vars(outputs);
    // Outputs: the user's, then the new values of inputs with an update (In(update=)).
    const bool one = single && held_updates.empty();
    Function fn = one ? function(inputs, outs.at(0), ups, options) : function(inputs, outs, ups, options);
    auto flag = [](const std::vector<bool>& v, size_t i) { return i < v.size() && v[i]; };
    std::vector<InputSpec> specs;
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::string input_name = i < names.size() && !names[i].empty() ? names[i] : inputs[i].name();
      specs.push_back({input_name, inputs[i].type(), i < storage.size() ? storage[i] : py::none(), flag(implicit, i),
                       flag(strict, i), flag(input_allow_downcast, i)});
    }
    return std::make_unique<PyFunction>(std::move(fn), std::move(specs), single, allow_input_downcast, n_outputs,
                                        held_updates);
  });
}

}  // namespace theon::python
