// debug.hpp: the NaN guard, MonitorMode's Python observer and printing.Print.
//
// Observers run inside a call, which may have let go of the GIL (CallHooks::on_long_call),
// so every Python-calling piece takes it back first. A Python exception raised by a
// callback leaves as py::error_already_set and ends the call with that exception; like any
// error in a call, it commits no update.
#include <unordered_map>

#include "common.hpp"
#include "theon/debug.hpp"

namespace theon::python {

using namespace pybind11::literals;

namespace {

// Theano's thunk as MonitorMode hands it over: fn.inputs and fn.outputs are lists of
// one-element lists (storage cells) holding the node's arrays.
py::list cells(std::span<const NDArray* const> arrays) {
  py::list out;
  for (const NDArray* a : arrays) {
    py::list cell;
    cell.append(a != nullptr && a->defined() ? py::object(to_numpy(*a)) : py::none());
    out.append(cell);
  }
  return out;
}

py::list cells(std::span<NDArray* const> arrays) {
  std::vector<const NDArray*> c(arrays.begin(), arrays.end());
  return cells(std::span<const NDArray* const>(c));
}

// Calls pre_func(i, node, fn) before and post_func(i, node, fn) after each node, `i`
// being the node's position in the order the function runs them (its first call).
class MonitorObserver final : public NodeObserver {
 public:
  MonitorObserver(py::object pre, py::object post, py::object thunk_type)
      : pre_(std::move(pre)), post_(std::move(post)), thunk_type_(std::move(thunk_type)) {}
  ~MonitorObserver() override {
    if (!Py_IsInitialized()) {  // after the interpreter has gone: nothing left to release
      pre_.release();
      post_.release();
      thunk_type_.release();
      return;
    }
    py::gil_scoped_acquire gil;
    pre_ = py::object();
    post_ = py::object();
    thunk_type_ = py::object();
  }

  void before_node(const ApplyNode& node, std::span<const NDArray* const> in) override {
    if (pre_.is_none()) return;
    py::gil_scoped_acquire gil;
    pre_(index_of(node), node_object(node), thunk(cells(in), py::list()));
  }
  void after_node(const ApplyNode& node, std::span<const NDArray* const> in,
                  std::span<NDArray* const> out) override {
    if (post_.is_none()) return;
    py::gil_scoped_acquire gil;
    post_(index_of(node), node_object(node), thunk(cells(in), cells(out)));
  }

 private:
  int index_of(const ApplyNode& node) {
    auto [it, inserted] = index_.try_emplace(&node, static_cast<int>(index_.size()));
    return it->second;
  }
  static py::object node_object(const ApplyNode& node) {
    return py::cast(const_cast<ApplyNode&>(node).self.lock());
  }
  py::object thunk(py::list inputs, py::list outputs) const {
    return thunk_type_(inputs, outputs);
  }

  py::object pre_, post_, thunk_type_;
  std::unordered_map<const ApplyNode*, int> index_;  // read and written with the GIL held
};

}  // namespace

void bind_debug(py::module_& m) {
  // Theano's NanGuardMode raises AssertionError; theon.NanGuardError is one.
  static PyObject* nan_guard_error = PyErr_NewException("theon.NanGuardError", PyExc_AssertionError, nullptr);
  m.attr("NanGuardError") = py::reinterpret_borrow<py::object>(nan_guard_error);
  // Registered after bind_errors' translator, so tried before it.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const theon::NanGuardError& e) {
      PyErr_SetString(nan_guard_error, e.what());
    }
  });

  m.def(
      "_nan_guard",
      [](bool nan_is_error, bool inf_is_error, bool big_is_error, const std::string& action) {
        NanGuardOptions o;
        o.nan_is_error = nan_is_error;
        o.inf_is_error = inf_is_error;
        o.big_is_error = big_is_error;
        o.action = action == "pdb" ? "raise" : action;  // no debugger inside a C++ call
        return nan_guard(o);
      },
      "nan_is_error"_a = true, "inf_is_error"_a = true, "big_is_error"_a = true, "action"_a = "raise");

  m.def(
      "_monitor",
      [](py::object pre, py::object post, py::object thunk_type) -> std::shared_ptr<NodeObserver> {
        return std::make_shared<MonitorObserver>(std::move(pre), std::move(post), std::move(thunk_type));
      },
      "pre_func"_a, "post_func"_a, "thunk_type"_a);

  m.def("_is_rewrite_name", &is_rewrite_name, "name"_a);

  // Print with a Python callback: report(value) runs with the GIL each time x is computed.
  m.def(
      "_print",
      [](py::handle x, const std::string& message, const std::vector<std::string>& attrs,
         py::object report) {
        auto holder = std::shared_ptr<py::object>(new py::object(std::move(report)), [](py::object* o) {
          if (!Py_IsInitialized()) {  // a graph freed after the interpreter: leak the reference
            o->release();
            delete o;
            return;
          }
          py::gil_scoped_acquire gil;
          delete o;
        });
        PrintCallback callback = [holder](const std::string&, const NDArray& value) {
          py::gil_scoped_acquire gil;
          (*holder)(to_numpy(value.copy()));
        };
        return print(as_var(x), message, attrs, callback, py_loc());
      },
      "x"_a, "message"_a, "attrs"_a, "report"_a);
}

}  // namespace theon::python
