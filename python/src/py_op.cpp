// PyOp: see py_op.hpp.
#include "py_op.hpp"

#include <utility>

namespace theon::python {
namespace {

py::object op_module() { return py::module_::import("theon.gof.op"); }

// "(5, 4)", "(3,)", "()": NumPy's way.
template <typename Dims>
std::string shape_text(int ndim, const Dims& dim) {
  std::string s = "(";
  for (int d = 0; d < ndim; ++d) s += (d ? ", " : "") + std::to_string(dim(d));
  return s + (ndim == 1 ? ",)" : ")");
}
std::string shape_text(const py::array& a) {
  return shape_text(static_cast<int>(a.ndim()), [&](int d) { return a.shape(d); });
}
std::string shape_text(const NDArray& a) {
  return shape_text(a.ndim(), [&](int d) { return a.shape(d); });
}

// The node as Python sees it (Apply), for perform and grad.
py::object node_object(const ApplyNode& node) {
  return py::cast(const_cast<ApplyNode&>(node).self.lock());
}

}  // namespace

PyOp::PyOp(py::object op, std::string label, std::vector<TensorType> in_types,
           std::vector<TensorType> out_types)
    : op_(op.release().ptr()),
      label_(std::move(label)),
      in_types_(std::move(in_types)),
      out_types_(std::move(out_types)) {}

PyOp::~PyOp() {
  // Graphs may be freed on threads without the GIL, or after the interpreter stopped;
  // then the reference is left to the process's end.
  if (!Py_IsInitialized() || _Py_IsFinalizing()) return;
  py::gil_scoped_acquire gil;
  Py_DECREF(op_);
}

std::vector<TensorType> PyOp::make_types(std::span<const Var> inputs) const {
  bool same = inputs.size() == in_types_.size();
  for (size_t i = 0; same && i < inputs.size(); ++i) same = inputs[i].type() == in_types_[i];
  if (same) return out_types_;
  // Rebuilt on inputs of other types (a clone with replacements): make_node decides.
  py::gil_scoped_acquire gil;
  py::list vars;
  for (const Var& v : inputs) vars.append(py::cast(v));
  return op_module().attr("_output_types")(object(), vars).cast<std::vector<TensorType>>();
}

NDArray PyOp::output_from_py(int i, py::handle value, std::span<const NDArray* const> in) const {
  const TensorType& want = out_types_[i];
  THEON_CHECK_USER(!value.is_none(), TypeError)
      << label_ << ".perform did not set output " << i << " (output_storage[" << i
      << "][0] is still None); expected " << want.str();
  static const py::object numpy = py::module_::import("numpy");
  py::array a;
  if (py::isinstance<py::array>(value)) {
    a = py::reinterpret_borrow<py::array>(value);
  } else if (py::isinstance(value, numpy.attr("generic"))) {
    a = numpy.attr("asarray")(value);
  } else {  // a Python number or list: it takes the declared dtype, as Theano's filter
    a = numpy.attr("asarray")(value, numpy_dtype(want.dtype));
  }
  const std::optional<DType> got = dtype_from_numpy(a.dtype());
  THEON_CHECK_USER(got == want.dtype && a.ndim() == want.ndim(), TypeError)
      << label_ << ".perform: output " << i << " is a "
      << py::str(a.dtype()).cast<std::string>() << " array of shape " << shape_text(a)
      << ", but make_node declared it " << want.str()
      << " (convert it, e.g. numpy.asarray(value, dtype='" << dtype_name(want.dtype) << "'))";
  for (int d = 0; d < want.ndim(); ++d) {
    THEON_CHECK_USER(!want.broadcastable[d] || a.shape(d) == 1, TypeError)
        << label_ << ".perform: output " << i << " has shape " << shape_text(a)
        << ", but make_node declared it " << want.str() << ", whose dimension " << d
        << " is broadcastable (length 1)";
  }
  NDArray result = to_ndarray(a);
  // Theon may later write into an output in place: never hand it memory it must not
  // write (a read-only array, an input returned as is or a view of one).
  bool alias = !a.writeable();
  for (const NDArray* x : in) alias = alias || (x->defined() && x->shares_memory(result));
  return alias ? result.copy() : result;
}

void PyOp::perform(const ApplyNode& node, std::span<const NDArray* const> in,
                   std::span<NDArray* const> out) const {
  py::gil_scoped_acquire gil;
  try {
    py::list inputs;
    for (const NDArray* x : in) {
      py::array a = to_numpy(*x);
      a.attr("flags").attr("writeable") = false;
      inputs.append(std::move(a));
    }
    py::list storage;
    for (size_t i = 0; i < out.size(); ++i) storage.append(py::list(py::make_tuple(py::none())));
    object().attr("perform")(node_object(node), inputs, storage);
    for (size_t i = 0; i < out.size(); ++i) {
      py::object cell = storage[i];
      *out[i] = output_from_py(static_cast<int>(i), cell[py::int_(0)], in);
    }
  } catch (py::error_already_set& e) {
    // The user's exception, as raised, with the node it came from as a note.
    std::string note = "raised by " + label_ + ".perform, node made at " + format_loc(node.loc);
    for (size_t i = 0; i < in.size(); ++i) {
      note += "\n  input " + std::to_string(i) + "  " + describe(node.inputs[i]);
      if (in[i]->defined()) note += "  shape " + shape_text(*in[i]);
    }
    if (py::hasattr(e.value(), "add_note")) e.value().attr("add_note")(note);
    throw;
  }
}

Vars PyOp::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  py::gil_scoped_acquire gil;
  py::list gouts;
  for (const Var& g : output_grads) gouts.append(g.defined() ? py::cast(g) : py::none());
  py::list grads = op_module().attr("_pullback")(object(), node_object(node), gouts);
  Vars result;
  for (py::handle g : grads) result.push_back(g.is_none() ? Var() : g.cast<Var>());
  return result;
}

}  // namespace theon::python
