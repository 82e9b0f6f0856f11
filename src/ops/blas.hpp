// Products: Dot (vector and matrix operands), TensorDot (any ranks, summing over pairs
// of axes) and BatchedDot (one product per index of the first axis). Both operands of
// every node have the same dtype: the public functions cast them first.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "theon/graph.hpp"

namespace theon::detail {

// numpy.dot of two operands of rank 1 or 2: the output has a's rank + b's rank - 2.
class Dot final : public Op {
 public:
  std::string name() const override { return "dot"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
};

// numpy.tensordot(a, b, (axes_a, axes_b)): sums over a's axes_a[i] paired with b's
// axes_b[i]; the output has a's other axes, then b's other axes, each in order. `label`
// is the public function that asked for it ("dot" for n-d dot), for printing and errors.
class TensorDot final : public Op {
 public:
  TensorDot(std::vector<int> axes_a, std::vector<int> axes_b, int ndim_a, int ndim_b,
            std::string label);

  const std::vector<int>& axes_a() const { return axes_a_; }
  const std::vector<int>& axes_b() const { return axes_b_; }

  std::string name() const override { return label_; }
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  std::vector<int> axes_a_, axes_b_;
  std::vector<int> free_a_, free_b_;  // the axes not summed over, ascending
  int ndim_a_, ndim_b_;
  std::string label_;
};

// For each index i of the first axis: out[i] = dot(a[i], b[i]), with a and b of rank 2
// or 3 (so a[i] and b[i] are vectors or matrices).
class BatchedDot final : public Op {
 public:
  std::string name() const override { return "batched_dot"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
};

// Graph builders for operands of one dtype, with an explicit location (used by the
// public functions and by pullbacks). dot_at takes any ranks, as numpy.dot;
// tensordot_at takes normalized, checked axes and picks Dot when the operands allow.
Var dot_at(const Var& a, const Var& b, const Loc& loc);
Var tensordot_at(const Var& a, const Var& b, const std::vector<int>& axes_a,
                 const std::vector<int>& axes_b, const Loc& loc, const std::string& label);
Var batched_dot_at(const Var& a, const Var& b, const Loc& loc);

// A gradient g made to fit input x: x's dtype and x's broadcastable pattern (they can
// differ where only one of two paired dimensions was known to be broadcastable; the
// lengths agree at run time).
Var like_input(const Var& g, const Var& x, const Loc& loc);
// The two operands cast to their promoted dtype.
std::pair<Var, Var> same_dtype(const Var& a, const Var& b, const Loc& loc);
// "(2, 3)" for a constant, "(?, 1)" otherwise: '?' for a length unknown until run time.
std::string static_shape_str(const Var& v);
// The length of v's `axis` when known now: a constant's, or 1 for a broadcastable axis.
std::optional<int64_t> known_length(const Var& v, int axis);

// out = dot(a, b) for arrays of rank 1 or 2 whose shapes agree, all three of one dtype;
// `out` is C-contiguous with the result's shape. float32, float64, complex64 and
// complex128 call BLAS, reading transposed and strided views in place when BLAS can
// (one unit stride); other dtypes use plain loops (bool: any(a and b), as NumPy;
// integers wrap around on overflow, as NumPy).
void dot_into(const NDArray& a, const NDArray& b, NDArray& out);

// ---- BLAS-shaped products with their scaled addition (gemm.cpp) ----
// The rewrites of src/rewrite/blas.cpp make these from dot inside sums; they are not part
// of the public API. Each reads transposed and strided views in place when BLAS can (as
// dot_into), writes a fresh C-contiguous output and keeps NumPy's values: a beta of 0
// still propagates a NaN or inf of Z (0 * NaN), and an alpha of 0 one of the product.
// Not differentiable: the rewrites run after grad().

// out = alpha * dot(X, Y) + beta * Z for float32 and float64 matrices X, Y; alpha and
// beta are 0-d, Z a matrix broadcast to the product's shape (a bias row, a column or a
// full matrix). Inputs: X, Y, alpha, then Z, beta when has_z (otherwise out = alpha *
// dot(X, Y)). The output is broadcastable where the product and Z both are.
class Gemm final : public Op {
 public:
  explicit Gemm(bool has_z) : has_z_(has_z) {}
  bool has_z() const { return has_z_; }
  std::string name() const override { return "gemm"; }
  std::string props() const override { return has_z_ ? "" : "no_z"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  bool has_z_;
};

// out = alpha * dot(A, x) + beta * z for a matrix A and vectors x, z (z may have length
// 1 and is then broadcast). Inputs: A, x, alpha, then z, beta when has_z. A vector times
// a matrix is the transposed matrix (a view) times the vector.
class Gemv final : public Op {
 public:
  explicit Gemv(bool has_z) : has_z_(has_z) {}
  bool has_z() const { return has_z_; }
  std::string name() const override { return "gemv"; }
  std::string props() const override { return has_z_ ? "" : "no_z"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  bool has_z_;
};

// out = A + alpha * outer(x, y) for vectors x, y and a matrix A broadcast to
// (len(x), len(y)). Inputs: A, alpha, x, y.
class Ger final : public Op {
 public:
  std::string name() const override { return "ger"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
};

}  // namespace theon::detail
