// Shape ops: symbolic shapes (MakeVector, ShapeOp, ShapeI), Reshape, Join and Split,
// Alloc, ARange and Rebroadcast. DimShuffle lives in dimshuffle.hpp.
#pragma once

#include <utility>
#include <vector>

#include "theon/shape_ops.hpp"

namespace theon::detail {

// n integer scalars -> an int64 vector of length n; how symbolic shapes are built.
class MakeVector final : public Op {
 public:
  std::string name() const override { return "make_vector"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;
};

// x -> its shape as an int64 vector (Theano's Shape; named so to leave theon::Shape alone).
class ShapeOp final : public Op {
 public:
  std::string name() const override { return "shape"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
};

// x -> x.shape[axis] as an int64 scalar (Theano's Shape_i).
class ShapeI final : public Op {
 public:
  explicit ShapeI(int axis) : axis_(axis) {}
  int axis() const { return axis_; }
  std::string name() const override { return "shape_i"; }
  std::string props() const override { return std::to_string(axis_); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  int axis_;
};

// (x, shape vector) -> x reshaped to `ndim` dimensions; one entry may be -1. A view
// when x is contiguous, a copy otherwise.
class Reshape final : public Op {
 public:
  explicit Reshape(int ndim) : ndim_(ndim) {}
  int ndim() const { return ndim_; }
  std::string name() const override { return "reshape"; }
  std::string props() const override { return std::to_string(ndim_); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  int view_of(int) const override { return 0; }
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  int ndim_;
};

// Concatenation of inputs of equal rank and dtype along `axis` (already normalized).
class Join final : public Op {
 public:
  explicit Join(int axis) : axis_(axis) {}
  int axis() const { return axis_; }
  std::string name() const override { return "join"; }
  std::string props() const override { return std::to_string(axis_); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  int axis_;
};

// (x, lengths vector) -> n views of x cut along `axis`; the inverse of Join.
class Split final : public Op {
 public:
  Split(int axis, int n_splits) : axis_(axis), n_splits_(n_splits) {}
  int axis() const { return axis_; }
  int n_splits() const { return n_splits_; }
  std::string name() const override { return "split"; }
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  int view_of(int) const override { return 0; }
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  int axis_;
  int n_splits_;
};

// (value, n integer scalars) -> value broadcast to that shape (Theano's Alloc). The
// value is left-padded; only its broadcastable dimensions stretch.
class Alloc final : public Op {
 public:
  std::string name() const override { return "alloc"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
};

// (start, stop, step) -> numpy.arange in `dtype`.
class ARange final : public Op {
 public:
  explicit ARange(DType dtype) : dtype_(dtype) {}
  DType dtype() const { return dtype_; }
  std::string name() const override { return "arange"; }
  std::string props() const override { return std::string(dtype_name(dtype_)); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  DType dtype_;
};

// Sets the broadcastable flag of some axes; a view of its input. Axes turned
// broadcastable are checked to have length 1 at run time.
class Rebroadcast final : public Op {
 public:
  // (axis, flag) pairs, sorted by axis.
  explicit Rebroadcast(std::vector<std::pair<int, bool>> flags) : flags_(std::move(flags)) {}
  const std::vector<std::pair<int, bool>>& flags() const { return flags_; }
  std::string name() const override { return "rebroadcast"; }
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  int view_of(int) const override { return 0; }
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  std::vector<std::pair<int, bool>> flags_;
};

// ---- builders with an explicit location, for ops and rewrites ----

// An int64 vector from integer scalars (a constant when all of them are constants).
Var make_vector(const Vars& scalars, const Loc& loc);
// x.shape[axis] (a constant when it is known: x a constant, or the axis broadcastable).
Var shape_i_at(const Var& x, int axis, const Loc& loc);
// x's shape as int64 scalars, constants where known (see shape_i_at).
Vars shape_scalars(const Var& x, const Loc& loc);
// x's shape as an int64 vector whose constant 1s carry x's broadcastable pattern, so
// that reshape/alloc to it give x's exact type.
Var symbolic_shape(const Var& x, const Loc& loc);
// The entries of a shape vector as int scalars; ValueError naming `op` if its length is
// not known.
Vars shape_entries(const ShapeArg& shape, std::string_view op);
Var reshape_at(const Var& x, const ShapeArg& shape, const Loc& loc);
Var join_at(int axis, const Vars& xs, const Loc& loc);
Var alloc_at(const Var& value, const Vars& shape, const Loc& loc);
// x with exactly this broadcastable pattern (x itself when it already has it).
Var patternbroadcast_at(const Var& x, const BroadcastPattern& pattern, const Loc& loc);

}  // namespace theon::detail
