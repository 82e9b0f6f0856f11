// An op defined in Python (a theano.Op subclass, or an as_op function) as a Theon Op.
//
// The C++ node holds the Python op object. Everything about the op is asked of Python,
// with the GIL taken for the call only (a function call may run without it):
//   - make_types: the output types the user's Apply declared; when a rewrite or clone
//     rebuilds the node on inputs of other types, make_node is asked again.
//   - perform: the inputs as read-only NumPy views of Theon's arrays (no copy), the
//     outputs from output_storage = [[None], ...], each checked against its declared
//     type (TypeError naming the op, the output and the got/expected dtype and shape).
//   - pullback: the op's grad (or L_op), through theon.gof.op._pullback, which maps
//     None / DisconnectedType to "no gradient".
// Identity (for merging): the label Python computed from the op's class and __props__
// (theon/gof/op.py); ops with equal labels are equal. Such ops are never fused or
// compiled natively: the VM runs them, like any op it has no kernel for.
#pragma once

#include <string>
#include <vector>

#include "common.hpp"

namespace theon::python {

// py_loc (common.hpp), also skipping the frames of Python functions named
// `skipped_function`: a node is "made at" the line that applied the op, not at the
// Apply(...) line inside the op's make_node (loc.cpp).
Loc py_loc_skipping(const char* skipped_function);

class PyOp final : public Op {
 public:
  // `op`: the Python op object; `label`: its unique printed name (see above);
  // `in_types` / `out_types`: the types of the Apply node the user built.
  PyOp(py::object op, std::string label, std::vector<TensorType> in_types,
       std::vector<TensorType> out_types);
  ~PyOp() override;

  std::string name() const override { return label_; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

  // The Python op object (a new reference; call with the GIL held).
  py::object object() const { return py::reinterpret_borrow<py::object>(op_); }

 private:
  // Output i of perform, checked against its declared type (see above).
  NDArray output_from_py(int i, py::handle value, std::span<const NDArray* const> in) const;

  PyObject* op_;  // owned; released with the GIL held (see the destructor)
  std::string label_;
  std::vector<TensorType> in_types_;
  std::vector<TensorType> out_types_;
};

}  // namespace theon::python
