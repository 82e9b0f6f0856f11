// argmax and argmin: the index of the first largest (smallest) element, NaN counting
// as the extreme, as NumPy.
#include <array>

#include "core/strided.hpp"
#include "ops/op_util.hpp"
#include "ops/reduce.hpp"
#include "theon/config.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail {
namespace {

template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return v != v;
  else
    return false;
}

template <bool IsMin, class T>
bool better(T candidate, T best) {
  if constexpr (IsMin)
    return candidate < best;
  else
    return candidate > best;
}

// The position of the first extreme among n elements at `stride` (n > 0).
template <bool IsMin, class T>
int64_t best_index(const T* x, int64_t n, int64_t stride) {
  T best = x[0];
  if (is_nan(best)) return 0;
  int64_t at = 0;
  for (int64_t j = 1; j < n; ++j) {
    const T v = x[j * stride];
    if (is_nan(v)) return j;
    if (better<IsMin>(v, best)) {
      best = v;
      at = j;
    }
  }
  return at;
}

template <bool IsMin, class T>
void argmax_along(const NDArray& x, int axis, NDArray& out) {
  // Walk the other axes in order, with `axis` innermost; the output does not move
  // along it.
  Shape shape;
  Strides x_strides, out_strides;
  const Strides kept = contiguous_strides(out.shape());
  for (int d = 0, k = 0; d < x.ndim(); ++d) {
    if (d == axis) {
      if (out.ndim() == x.ndim()) ++k;  // keepdims: skip the output's length-1 axis
      continue;
    }
    shape.push_back(x.shape(d));
    x_strides.push_back(x.strides()[d]);
    out_strides.push_back(kept[k++]);
  }
  shape.push_back(x.shape(axis));
  x_strides.push_back(x.strides()[axis]);
  out_strides.push_back(0);
  const T* base = x.data<T>();
  int64_t* o = out.data<int64_t>();
  const int64_t inner = x.strides()[axis];
  const std::array<const int64_t*, 2> strides{x_strides.data(), out_strides.data()};
  for_each_row<2>(shape, strides, [&](const std::array<int64_t, 2>& offsets, int64_t n) {
    o[offsets[1]] = best_index<IsMin>(base + offsets[0], n, inner);
  });
}

// Over the flattened input: rows come in C order, so row r's elements are numbered
// from the count of elements before it.
template <bool IsMin, class T>
int64_t argmax_flat(const NDArray& x) {
  const T* base = x.data<T>();
  if (x.is_contiguous()) return best_index<IsMin>(base, x.size(), 1);
  const int64_t inner = x.strides().back();
  int64_t result = -1, row_start = 0;
  T best{};
  bool done = false;
  const std::array<const int64_t*, 1> strides{x.strides().data()};
  for_each_row<1>(x.shape(), strides, [&](const std::array<int64_t, 1>& offsets, int64_t n) {
    if (!done) {
      const T* row = base + offsets[0];
      const int64_t j = best_index<IsMin>(row, n, inner);
      const T v = row[j * inner];
      if (is_nan(v) || result < 0 || better<IsMin>(v, best)) {
        result = row_start + j;
        best = v;
        done = is_nan(v);
      }
    }
    row_start += n;
  });
  return result;
}

}  // namespace

Argmax::Argmax(bool is_min, std::optional<int> axis, bool keepdims, int input_ndim)
    : is_min_(is_min), axis_(axis), keepdims_(keepdims), input_ndim_(input_ndim) {}

std::string Argmax::props() const {
  return "axis=" + (axis_ ? std::to_string(*axis_) : std::string("None")) +
         (keepdims_ ? ",keepdims" : "");
}

std::vector<TensorType> Argmax::make_types(std::span<const Var> inputs) const {
  const Var& x = inputs[0];
  THEON_CHECK_USER(x.ndim() == input_ndim_, TypeError)
      << name() << ": expects " << input_ndim_ << " dimensions, got " << describe(x);
  THEON_CHECK_USER(!is_complex(x.dtype()), TypeError)
      << name() << ": complex numbers are not ordered" << describe_inputs(inputs);
  THEON_ASSERT(!axis_ || (*axis_ >= 0 && *axis_ < input_ndim_))
      << name() << ": axis " << *axis_ << " for " << describe(x);
  BroadcastPattern pattern;
  for (int d = 0; d < input_ndim_; ++d) {
    if (axis_ && d != *axis_)
      pattern.push_back(x.broadcastable()[d]);
    else if (keepdims_)
      pattern.push_back(true);
  }
  return {TensorType(DType::Int64, pattern)};
}

void Argmax::perform(const ApplyNode&, std::span<const NDArray* const> in,
                     std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  Shape out_shape;
  for (int d = 0; d < x.ndim(); ++d) {
    if (axis_ && d != *axis_)
      out_shape.push_back(x.shape(d));
    else if (keepdims_)
      out_shape.push_back(1);
  }
  const int64_t length = axis_ ? x.shape(*axis_) : x.size();
  THEON_CHECK_USER(length > 0, ValueError)
      << name() << ": attempt to get " << name() << " of an empty sequence (input shape "
      << shape_str(x.shape()) << ")";
  NDArray& result = reuse_or_allocate(*out[0], DType::Int64, out_shape);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (ComplexElement<T>) {
      THEON_FAIL(InternalError) << name() << " reached the kernel with complex data";
    } else if (axis_) {
      if (result.size() == 0) return;
      if (is_min_)
        argmax_along<true, T>(x, *axis_, result);
      else
        argmax_along<false, T>(x, *axis_, result);
    } else {
      *result.data<int64_t>() = is_min_ ? argmax_flat<true, T>(x) : argmax_flat<false, T>(x);
    }
  });
}

// An index does not change under small moves of x: zero almost everywhere (as Theano's
// Argmax.grad, x stays connected).
Vars Argmax::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& x = node.inputs[0];
  if (!output_grads[0].defined()) return {Var()};
  return {tensor::zeros_like(VarArg(x, node.loc), is_inexact(x.dtype()) ? x.dtype() : config().floatX)};
}

std::string Argmax::print(std::span<const std::string> args) const {
  std::string s = name() + "(" + args[0];
  if (axis_) s += ", axis=" + std::to_string(*axis_);
  if (keepdims_) s += ", keepdims=True";
  return s + ")";
}

namespace {

Var make_argmax(bool is_min, const VarArg& x, std::optional<int> axis, bool keepdims) {
  const char* name = is_min ? "argmin" : "argmax";
  const int nd = x.var.ndim();
  std::optional<int> resolved;
  if (axis) {
    const int a = normalize_axis(*axis, nd, name);
    // NumPy accepts axis 0 of a 0-d array: the same as no axis.
    if (nd > 0) resolved = a;
  }
  return apply_op<Argmax>(x.loc, {x.var}, is_min, resolved, keepdims, nd);
}

}  // namespace
}  // namespace theon::detail

namespace theon::tensor {

Var argmax(VarArg x, std::optional<int> axis, bool keepdims) {
  return detail::make_argmax(false, x, axis, keepdims);
}
Var argmin(VarArg x, std::optional<int> axis, bool keepdims) {
  return detail::make_argmax(true, x, axis, keepdims);
}

}  // namespace theon::tensor
