// ExtractDiag (numpy.diagonal), its adjoint SetDiagonal (zeros with a given diagonal),
// AllocDiag (numpy.diag of a vector), and the public diag, diagonal, extract_diag,
// alloc_diag and trace.
#include <algorithm>

#include "core/checked_size.hpp"
#include "ops/linalg/linalg_util.hpp"
#include "ops/op_util.hpp"
#include "serialize/private_ops.hpp"
#include "theon/reduce.hpp"

namespace theon::detail {
namespace {

int64_t diagonal_length(int64_t rows, int64_t cols, int offset) {
  const int64_t n = offset >= 0 ? std::min(rows, cols - offset) : std::min(rows + offset, cols);
  return std::max<int64_t>(n, 0);
}

// The `offset` diagonal of x along axis1 and axis2 as a strided view, that diagonal
// appended as the last axis (numpy.diagonal's layout).
NDArray diagonal_view(const NDArray& x, int offset, int axis1, int axis2) {
  Shape shape;
  Strides strides;
  for (int d = 0; d < x.ndim(); ++d) {
    if (d == axis1 || d == axis2) continue;
    shape.push_back(x.shape(d));
    strides.push_back(x.strides()[d]);
  }
  const int64_t s1 = x.strides()[axis1], s2 = x.strides()[axis2];
  const int64_t length = diagonal_length(x.shape(axis1), x.shape(axis2), offset);
  shape.push_back(length);
  strides.push_back(s1 + s2);
  int64_t start = (static_cast<const std::byte*>(x.raw()) - x.buffer()->data()) /
                  static_cast<int64_t>(itemsize(x.dtype()));
  if (length > 0) start += offset >= 0 ? offset * s2 : -int64_t{offset} * s1;
  return NDArray::from_buffer(x.buffer(), x.dtype(), shape, strides, start);
}

class ExtractDiag final : public Op {
 public:
  ExtractDiag(int offset, int axis1, int axis2) : offset_(offset), axis1_(axis1), axis2_(axis2) {}
  std::string name() const override { return "extract_diag"; }
  std::string props() const override {
    return "offset=" + std::to_string(offset_) + ", axis1=" + std::to_string(axis1_) +
           ", axis2=" + std::to_string(axis2_);
  }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    const Var& x = inputs[0];
    BroadcastPattern pattern;
    for (int d = 0; d < x.ndim(); ++d)
      if (d != axis1_ && d != axis2_) pattern.push_back(x.broadcastable()[d]);
    pattern.push_back(false);
    return {TensorType(x.dtype(), pattern)};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray view = diagonal_view(*in[0], offset_, axis1_, axis2_);
    reuse_or_allocate(*out[0], view.dtype(), view.shape()).assign(view);
  }

  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  int offset_, axis1_, axis2_;
};

// Zeros of x's shape with g on the diagonal that ExtractDiag reads: its adjoint.
class SetDiagonal final : public Op {
 public:
  SetDiagonal(int offset, int axis1, int axis2) : offset_(offset), axis1_(axis1), axis2_(axis2) {}
  std::string name() const override { return "set_diagonal"; }
  std::string props() const override {
    return "offset=" + std::to_string(offset_) + ", axis1=" + std::to_string(axis1_) +
           ", axis2=" + std::to_string(axis2_);
  }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {TensorType(inputs[1].dtype(), inputs[0].broadcastable())};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    NDArray& o = reuse_or_allocate(*out[0], in[1]->dtype(), in[0]->shape());
    o.fill(0);
    diagonal_view(o, offset_, axis1_, axis2_).assign(*in[1]);
  }

  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    const Var& g = output_grads[0];
    if (!g.defined()) return {Var(), Var()};
    return {Var(), apply_op<ExtractDiag>(node.loc, {g}, offset_, axis1_, axis2_)};
  }

 private:
  int offset_, axis1_, axis2_;
};

Vars ExtractDiag::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& g = output_grads[0];
  const Var& x = node.inputs[0];
  if (!g.defined()) return {Var()};
  Var gx = apply_op<SetDiagonal>(node.loc, {x, g}, offset_, axis1_, axis2_);
  return {as_grad_of(gx, x, node.loc)};
}

// The square matrix of side len(v) + |offset| with v on diagonal `offset`.
class AllocDiag final : public Op {
 public:
  explicit AllocDiag(int offset) : offset_(offset) {}
  std::string name() const override { return "alloc_diag"; }
  std::string props() const override { return "offset=" + std::to_string(offset_); }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {TensorType(inputs[0].dtype(), {false, false})};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& v = *in[0];
    const int64_t side =
        checked_add(v.shape(0), offset_ >= 0 ? offset_ : -int64_t{offset_}, "alloc_diag: side");
    NDArray& o = reuse_or_allocate(*out[0], v.dtype(), {side, side});
    o.fill(0);
    diagonal_view(o, offset_, 0, 1).assign(v);
  }

  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    const Var& g = output_grads[0];
    if (!g.defined()) return {Var()};
    return {
        as_grad_of(apply_op<ExtractDiag>(node.loc, {g}, offset_, 0, 1), node.inputs[0], node.loc)};
  }

 private:
  int offset_;
};

}  // namespace

std::shared_ptr<const Op> make_set_diagonal_op(int offset, int axis1, int axis2) {
  return std::make_shared<const SetDiagonal>(offset, axis1, axis2);
}

Var extract_diag_at(const Var& x, int k, const Loc& loc) {
  return apply_op<ExtractDiag>(loc, {x}, k, 0, 1);
}

Var alloc_diag_at(const Var& v, int k, const Loc& loc) { return apply_op<AllocDiag>(loc, {v}, k); }

}  // namespace theon::detail

namespace theon::tensor::nlinalg {

Var diagonal(VarArg x, int offset, int axis1, int axis2) {
  const Var& v = x.var;
  THEON_CHECK_USER(v.ndim() >= 2, ValueError)
      << "diagonal: needs at least 2 dimensions, got " << describe(v);
  const int a1 = normalize_axis(axis1, v.ndim(), "diagonal");
  const int a2 = normalize_axis(axis2, v.ndim(), "diagonal");
  THEON_CHECK_USER(a1 != a2, ValueError)
      << "diagonal: axis1 and axis2 cannot be the same (" << axis1 << ", " << axis2 << ")";
  return detail::apply_op<detail::ExtractDiag>(x.loc, {v}, offset, a1, a2);
}

Var extract_diag(VarArg x, int offset) {
  THEON_CHECK_USER(x.var.ndim() == 2, TypeError)
      << "extract_diag: expects a matrix (2 dimensions), got " << describe(x.var);
  return detail::extract_diag_at(x.var, offset, x.loc);
}

Var alloc_diag(VarArg v, int offset) {
  THEON_CHECK_USER(v.var.ndim() == 1, TypeError)
      << "alloc_diag: expects a vector, got " << describe(v.var);
  return detail::alloc_diag_at(v.var, offset, v.loc);
}

Var diag(VarArg x, int k) {
  if (x.var.ndim() == 1) return alloc_diag(x, k);
  if (x.var.ndim() == 2) return extract_diag(x, k);
  THEON_FAIL(ValueError) << "diag: input must be 1- or 2-d, got " << describe(x.var);
}

Var trace(VarArg x) {
  THEON_CHECK_USER(x.var.ndim() == 2, TypeError)
      << "trace: expects a matrix (2 dimensions), got " << describe(x.var);
  return tensor::sum(VarArg(detail::extract_diag_at(x.var, 0, x.loc), x.loc));
}

}  // namespace theon::tensor::nlinalg
