// Dot and TensorDot, and the public dot, outer and tensordot.
#include <algorithm>
#include <numeric>

#include "ops/blas.hpp"
#include "ops/dimshuffle.hpp"
#include "ops/op_util.hpp"
#include "theon/blas.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail {
namespace {

std::string axes_str(const std::vector<int>& axes) {
  std::string s = "[";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  return s + "]";
}

std::vector<int> complement(const std::vector<int>& axes, int ndim) {
  std::vector<int> out;
  for (int d = 0; d < ndim; ++d)
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) out.push_back(d);
  return out;
}

std::vector<DimEntry> entries(const std::vector<int>& axes) {
  return std::vector<DimEntry>(axes.begin(), axes.end());
}

// x with the axes in [bounds[g], bounds[g + 1]) merged into one, for each group g: a view
// when each group steps through memory with a single stride, otherwise a copy.
NDArray merge_axes(const NDArray& x, const std::vector<int>& bounds) {
  Shape shape;
  Strides strides;
  bool is_view = true;
  for (size_t g = 0; g + 1 < bounds.size(); ++g) {
    int64_t length = 1, stride = 1, next = 0;
    bool seen = false;
    for (int d = bounds[g + 1] - 1; d >= bounds[g]; --d) {
      length *= x.shape(d);
      if (x.shape(d) == 1) continue;
      if (!seen) {
        stride = x.strides()[d];
        seen = true;
      } else if (x.strides()[d] != next) {
        is_view = false;
      }
      next = x.strides()[d] * x.shape(d);
    }
    shape.push_back(length);
    strides.push_back(stride);
  }
  if (!is_view) return x.copy().reshape(shape);
  const auto offset = (static_cast<const std::byte*>(x.raw()) - x.buffer()->data()) /
                      static_cast<std::ptrdiff_t>(itemsize(x.dtype()));
  return NDArray::from_buffer(x.buffer(), x.dtype(), shape, strides, offset);
}

std::string not_aligned(const std::string& op, std::span<const int64_t> shape_a, int axis_a,
                        std::span<const int64_t> shape_b, int axis_b) {
  return op + ": shapes " + shape_str(shape_a) + " and " + shape_str(shape_b) +
         " not aligned: " + std::to_string(shape_a[axis_a]) + " (dim " + std::to_string(axis_a) +
         ") != " + std::to_string(shape_b[axis_b]) + " (dim " + std::to_string(axis_b) + ")";
}

// The build-time check: a ShapeError when two summed lengths are both known and differ.
void check_known_lengths(const std::string& op, std::span<const Var> inputs,
                         const std::vector<int>& axes_a, const std::vector<int>& axes_b) {
  const Var& a = inputs[0];
  const Var& b = inputs[1];
  for (size_t i = 0; i < axes_a.size(); ++i) {
    auto la = known_length(a, axes_a[i]), lb = known_length(b, axes_b[i]);
    THEON_CHECK_USER(!la || !lb || *la == *lb, ShapeError)
        << op << ": shapes " << static_shape_str(a) << " and " << static_shape_str(b)
        << " not aligned: " << *la << " (dim " << axes_a[i] << ") != " << *lb << " (dim "
        << axes_b[i] << ")" << describe_inputs(inputs);
  }
}

Var zero_grad(const Var& x, const Var& gz, const Loc& loc) {
  return tensor::zeros_like(VarArg(x, loc), gz.dtype());
}

}  // namespace

std::optional<int64_t> known_length(const Var& v, int axis) {
  if (v.is_constant()) return v.constant_value().shape(axis);
  if (v.broadcastable()[axis]) return 1;
  return std::nullopt;
}

std::string static_shape_str(const Var& v) {
  if (v.is_constant()) return shape_str(v.constant_value().shape());
  std::string s = "(";
  for (int d = 0; d < v.ndim(); ++d)
    s += (d ? ", " : "") + std::string(v.broadcastable()[d] ? "1" : "?");
  return s + (v.ndim() == 1 ? ",)" : ")");
}

std::pair<Var, Var> same_dtype(const Var& a, const Var& b, const Loc& loc) {
  const DType d = promote(a.dtype(), b.dtype());
  return {tensor::cast(VarArg(a, loc), d), tensor::cast(VarArg(b, loc), d)};
}

Var like_input(const Var& g, const Var& x, const Loc& loc) {
  Var r = tensor::cast(VarArg(g, loc), x.dtype());
  return tensor::patternbroadcast(VarArg(r, loc), x.broadcastable());
}

// ---- Dot ----

std::vector<TensorType> Dot::make_types(std::span<const Var> inputs) const {
  THEON_ASSERT(inputs.size() == 2) << "dot takes two operands";
  const Var& a = inputs[0];
  const Var& b = inputs[1];
  THEON_CHECK_USER(a.ndim() >= 1 && a.ndim() <= 2 && b.ndim() >= 1 && b.ndim() <= 2, TypeError)
      << "dot: the Dot node takes vectors and matrices" << describe_inputs(inputs);
  THEON_ASSERT(a.dtype() == b.dtype())
      << "dot: operands of different dtypes" << describe_inputs(inputs);
  check_known_lengths("dot", inputs, {a.ndim() - 1}, {0});
  BroadcastPattern pattern;
  if (a.ndim() == 2) pattern.push_back(a.broadcastable()[0]);
  if (b.ndim() == 2) pattern.push_back(b.broadcastable()[1]);
  return {TensorType(a.dtype(), pattern)};
}

void Dot::perform(const ApplyNode& /*node*/, std::span<const NDArray* const> in,
                  std::span<NDArray* const> out) const {
  const NDArray& a = *in[0];
  const NDArray& b = *in[1];
  const int axis_a = a.ndim() - 1;
  THEON_CHECK_USER(a.shape(axis_a) == b.shape(0), ShapeError)
      << not_aligned("dot", a.shape(), axis_a, b.shape(), 0);
  Shape shape;
  if (a.ndim() == 2) shape.push_back(a.shape(0));
  if (b.ndim() == 2) shape.push_back(b.shape(1));
  dot_into(a, b, reuse_or_allocate(*out[0], a.dtype(), shape));
}

// Theano's Dot.grad: for z = x.y, gx = gz.y^T and gy = x^T.gz, with outer products
// where a vector operand meets a vector gradient.
Vars Dot::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& gz = output_grads[0];
  if (!gz.defined()) return {Var(), Var()};
  const Var& x = node.inputs[0];
  const Var& y = node.inputs[1];
  const Loc& loc = node.loc;
  if (is_discrete(x.dtype())) return {zero_grad(x, gz, loc), zero_grad(y, gz, loc)};
  auto t = [&](const Var& m) { return dimshuffle_at(m, {1, 0}, loc); };
  auto col = [&](const Var& v) { return dimshuffle_at(v, {0, 'x'}, loc); };
  auto row = [&](const Var& v) { return dimshuffle_at(v, {'x', 0}, loc); };
  Var gx, gy;
  if (gz.ndim() == 0) {  // vector.vector
    gx = tensor::mul(VarArg(gz, loc), VarArg(y, loc));
    gy = tensor::mul(VarArg(gz, loc), VarArg(x, loc));
  } else if (x.ndim() == 1 && y.ndim() == 2) {
    gx = dot_at(gz, t(y), loc);
    gy = dot_at(col(x), row(gz), loc);
  } else if (x.ndim() == 2 && y.ndim() == 1) {
    gx = dot_at(col(gz), row(y), loc);
    gy = dot_at(t(x), gz, loc);
  } else {
    gx = dot_at(gz, t(y), loc);
    gy = dot_at(t(x), gz, loc);
  }
  return {like_input(gx, x, loc), like_input(gy, y, loc)};
}

// ---- TensorDot ----

TensorDot::TensorDot(std::vector<int> axes_a, std::vector<int> axes_b, int ndim_a, int ndim_b,
                     std::string label)
    : axes_a_(std::move(axes_a)),
      axes_b_(std::move(axes_b)),
      free_a_(complement(axes_a_, ndim_a)),
      free_b_(complement(axes_b_, ndim_b)),
      ndim_a_(ndim_a),
      ndim_b_(ndim_b),
      label_(std::move(label)) {}

std::string TensorDot::props() const {
  return "axes=(" + axes_str(axes_a_) + ", " + axes_str(axes_b_) + ")";
}

std::string TensorDot::print(std::span<const std::string> args) const {
  if (label_ == "dot") return Op::print(args);
  return label_ + "{" + props() + "}(" + args[0] + ", " + args[1] + ")";
}

std::vector<TensorType> TensorDot::make_types(std::span<const Var> inputs) const {
  THEON_ASSERT(inputs.size() == 2) << label_ << " takes two operands";
  const Var& a = inputs[0];
  const Var& b = inputs[1];
  THEON_ASSERT(a.ndim() == ndim_a_ && b.ndim() == ndim_b_ && a.dtype() == b.dtype())
      << label_ << "{" << props() << "}: unexpected operands" << describe_inputs(inputs);
  check_known_lengths(label_, inputs, axes_a_, axes_b_);
  BroadcastPattern pattern;
  for (int d : free_a_) pattern.push_back(a.broadcastable()[d]);
  for (int d : free_b_) pattern.push_back(b.broadcastable()[d]);
  return {TensorType(a.dtype(), pattern)};
}

// As numpy.tensordot: move the summed axes last in a and first in b, view each as a
// matrix (a vector when it has no other axes), and multiply.
void TensorDot::perform(const ApplyNode& /*node*/, std::span<const NDArray* const> in,
                        std::span<NDArray* const> out) const {
  const NDArray& a = *in[0];
  const NDArray& b = *in[1];
  for (size_t i = 0; i < axes_a_.size(); ++i)
    THEON_CHECK_USER(a.shape(axes_a_[i]) == b.shape(axes_b_[i]), ShapeError)
        << not_aligned(label_, a.shape(), axes_a_[i], b.shape(), axes_b_[i]);
  const int n_free_a = static_cast<int>(free_a_.size());
  const int n_free_b = static_cast<int>(free_b_.size());
  const int n_sum = static_cast<int>(axes_a_.size());
  Shape shape;
  for (int d : free_a_) shape.push_back(a.shape(d));
  for (int d : free_b_) shape.push_back(b.shape(d));
  NDArray& result = reuse_or_allocate(*out[0], a.dtype(), shape);

  std::vector<int> perm_a = free_a_, perm_b = axes_b_;
  perm_a.insert(perm_a.end(), axes_a_.begin(), axes_a_.end());
  perm_b.insert(perm_b.end(), free_b_.begin(), free_b_.end());
  std::vector<int> bounds_a =
      n_free_a ? std::vector<int>{0, n_free_a, ndim_a_} : std::vector<int>{0, ndim_a_};
  std::vector<int> bounds_b =
      n_free_b ? std::vector<int>{0, n_sum, ndim_b_} : std::vector<int>{0, ndim_b_};
  NDArray a2 = merge_axes(a.transpose(perm_a), bounds_a);
  NDArray b2 = merge_axes(b.transpose(perm_b), bounds_b);
  Shape out_shape;
  if (n_free_a) out_shape.push_back(a2.shape(0));
  if (n_free_b) out_shape.push_back(b2.shape(1));
  NDArray result2 = result.reshape(out_shape);  // a view: result is contiguous
  dot_into(a2, b2, result2);
}

// gx sums gz against y over y's free axes; the result's axes (x's free axes, then y's
// summed ones in y's order) are then put back in x's order. gy likewise.
Vars TensorDot::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& gz = output_grads[0];
  if (!gz.defined()) return {Var(), Var()};
  const Var& x = node.inputs[0];
  const Var& y = node.inputs[1];
  const Loc& loc = node.loc;
  if (is_discrete(x.dtype())) return {zero_grad(x, gz, loc), zero_grad(y, gz, loc)};
  const int n_free_a = static_cast<int>(free_a_.size());
  const int n_free_b = static_cast<int>(free_b_.size());
  std::vector<int> gz_a(n_free_a), gz_b(n_free_b);
  std::iota(gz_a.begin(), gz_a.end(), 0);
  std::iota(gz_b.begin(), gz_b.end(), n_free_a);
  auto partner = [](const std::vector<int>& from, const std::vector<int>& to, int axis) {
    return to[std::find(from.begin(), from.end(), axis) - from.begin()];
  };
  // source[r]: the input axis that axis r of the product becomes.
  auto restore = [&](const Var& product, const std::vector<int>& source, int ndim) {
    std::vector<DimEntry> pattern(ndim, DimEntry(0));
    for (size_t r = 0; r < source.size(); ++r) pattern[source[r]] = static_cast<int>(r);
    return dimshuffle_at(product, pattern, loc);
  };
  std::vector<int> sorted_a = axes_a_, sorted_b = axes_b_;
  std::sort(sorted_a.begin(), sorted_a.end());
  std::sort(sorted_b.begin(), sorted_b.end());

  std::vector<int> source_x = free_a_;
  for (int d : sorted_b) source_x.push_back(partner(axes_b_, axes_a_, d));
  Var gx = restore(tensordot_at(gz, y, gz_b, free_b_, loc, "tensordot"), source_x, ndim_a_);

  std::vector<int> source_y;
  for (int d : sorted_a) source_y.push_back(partner(axes_a_, axes_b_, d));
  source_y.insert(source_y.end(), free_b_.begin(), free_b_.end());
  Var gy = restore(tensordot_at(x, gz, free_a_, gz_a, loc, "tensordot"), source_y, ndim_b_);
  return {like_input(gx, x, loc), like_input(gy, y, loc)};
}

// ---- builders ----

Var dot_at(const Var& a, const Var& b, const Loc& loc) {
  if (a.ndim() == 0 || b.ndim() == 0) return tensor::mul(VarArg(a, loc), VarArg(b, loc));
  auto [x, y] = same_dtype(a, b, loc);
  if (x.ndim() <= 2 && y.ndim() <= 2) return apply_op<Dot>(loc, {x, y});
  return tensordot_at(x, y, {x.ndim() - 1}, {std::max(y.ndim() - 2, 0)}, loc, "dot");
}

Var tensordot_at(const Var& a, const Var& b, const std::vector<int>& axes_a,
                 const std::vector<int>& axes_b, const Loc& loc, const std::string& label) {
  THEON_ASSERT(axes_a.size() == axes_b.size()) << label << ": unpaired axes";
  // A scalar operand scales: elemwise padding keeps a weak constant weak.
  if (a.ndim() == 0 || b.ndim() == 0) return tensor::mul(VarArg(a, loc), VarArg(b, loc));
  const std::vector<int> free_a = complement(axes_a, a.ndim());
  const std::vector<int> free_b = complement(axes_b, b.ndim());
  if (axes_a.empty()) {  // an outer product: broadcast a over b's axes and b over a's
    std::vector<DimEntry> pa = entries(free_a), pb(a.ndim(), DimEntry('x'));
    pa.insert(pa.end(), b.ndim(), DimEntry('x'));
    for (int d : free_b) pb.push_back(d);
    return tensor::mul(VarArg(dimshuffle_at(a, pa, loc), loc),
                       VarArg(dimshuffle_at(b, pb, loc), loc));
  }
  auto [x, y] = same_dtype(a, b, loc);
  if (axes_a.size() == 1 && x.ndim() <= 2 && y.ndim() <= 2) {
    std::vector<DimEntry> pa = entries(free_a), pb{axes_b[0]};
    pa.push_back(axes_a[0]);
    for (int d : free_b) pb.push_back(d);
    return apply_op<Dot>(loc, {dimshuffle_at(x, pa, loc), dimshuffle_at(y, pb, loc)});
  }
  return apply_op<TensorDot>(loc, {x, y}, axes_a, axes_b, x.ndim(), y.ndim(), label);
}

}  // namespace theon::detail

namespace theon::tensor {

Var dot(VarArg a, VarArg b) { return detail::dot_at(a.var, b.var, a.loc); }

Var outer(VarArg a, VarArg b) {
  const Loc& loc = a.loc;
  Var x = a.var.ndim() == 1 ? a.var : flatten(a);
  Var y = b.var.ndim() == 1 ? b.var : flatten(VarArg(b.var, loc));
  return detail::dot_at(detail::dimshuffle_at(x, {0, 'x'}, loc),
                        detail::dimshuffle_at(y, {'x', 0}, loc), loc);
}

Var tensordot(VarArg a, VarArg b, int n_axes) {
  const int na = a.var.ndim(), nb = b.var.ndim();
  THEON_CHECK_USER(n_axes >= 0 && n_axes <= na && n_axes <= nb, ValueError)
      << "tensordot: cannot sum over " << n_axes << " axes of operands of rank " << na << " and "
      << nb << "\n  a  " << describe(a.var) << "\n  b  " << describe(b.var);
  std::vector<int> axes_a(n_axes), axes_b(n_axes);
  std::iota(axes_a.begin(), axes_a.end(), na - n_axes);
  std::iota(axes_b.begin(), axes_b.end(), 0);
  return detail::tensordot_at(a.var, b.var, axes_a, axes_b, a.loc, "tensordot");
}

Var tensordot(VarArg a, VarArg b, std::pair<std::vector<int>, std::vector<int>> axes) {
  auto& [axes_a, axes_b] = axes;
  THEON_CHECK_USER(axes_a.size() == axes_b.size(), ValueError)
      << "tensordot: " << axes_a.size() << " axes of a paired with " << axes_b.size()
      << " axes of b";
  auto normalize = [&](std::vector<int>& list, const Var& v, const char* which) {
    std::vector<bool> seen(v.ndim(), false);
    for (int& axis : list) {
      axis = normalize_axis(axis, v.ndim(), "tensordot");
      THEON_CHECK_USER(!seen[axis], ValueError)
          << "tensordot: axis " << axis << " of " << which << " repeated";
      seen[axis] = true;
    }
  };
  normalize(axes_a, a.var, "a");
  normalize(axes_b, b.var, "b");
  return detail::tensordot_at(a.var, b.var, axes_a, axes_b, a.loc, "tensordot");
}

}  // namespace theon::tensor
