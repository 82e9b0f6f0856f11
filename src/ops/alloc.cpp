// Making arrays of a shape: Alloc (alloc, zeros, ones, zeros_like, ones_like) and ARange.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/dimshuffle.hpp"
#include "ops/op_util.hpp"
#include "ops/shape_ops.hpp"
#include "theon/reduce.hpp"

namespace theon::detail {
namespace {

Var scalar_constant(DType dtype, double value, const Loc& loc) {
  return constant(NDArray::full(dtype, {}, value), "", loc);
}

}  // namespace

// ---- Alloc ----

std::vector<TensorType> Alloc::make_types(std::span<const Var> inputs) const {
  const Var& value = inputs[0];
  const int nd = static_cast<int>(inputs.size()) - 1;
  THEON_CHECK_USER(value.ndim() <= nd, TypeError)
      << "alloc: the value has more dimensions than the shape (" << nd << ")"
      << describe_inputs(inputs);
  const int pad = nd - value.ndim();
  BroadcastPattern pattern(nd, false);
  for (int d = 0; d < nd; ++d) {
    const Var& s = inputs[d + 1];
    THEON_CHECK_USER(s.ndim() == 0 && is_discrete(s.dtype()), TypeError)
        << "alloc: shape entry " << d << " must be an integer scalar" << describe_inputs(inputs);
    auto length = constant_int(s);
    if (!length) continue;
    THEON_CHECK_USER(*length >= 0, ValueError)
        << "alloc: negative length " << *length << " in the shape" << describe_inputs(inputs);
    pattern[d] = *length == 1;
    if (d >= pad && value.is_constant() && !value.broadcastable()[d - pad]) {
      const int64_t have = value.constant_value().shape(d - pad);
      THEON_CHECK_USER(have == *length, ShapeError)
          << "alloc: the value has length " << have << " in dimension " << d - pad
          << ", which cannot stretch to " << *length << describe_inputs(inputs);
    }
  }
  return {TensorType(value.dtype(), pattern)};
}

void Alloc::perform(const ApplyNode& node, std::span<const NDArray* const> in,
                    std::span<NDArray* const> out) const {
  const NDArray& value = *in[0];
  const TensorType& value_type = node.inputs[0].type();
  const int nd = static_cast<int>(in.size()) - 1;
  Shape shape(nd, 0);
  for (int d = 0; d < nd; ++d) {
    shape[d] = scalar_to_int(*in[d + 1], "alloc");
    THEON_CHECK_USER(shape[d] >= 0, ValueError)
        << "alloc: negative length " << shape[d] << " in the shape";
  }
  // Only broadcastable dimensions of the value stretch (so that the gradient, a sum over
  // them, is known when the graph is built).
  const int pad = nd - value.ndim();
  for (int d = 0; d < value.ndim(); ++d)
    THEON_CHECK_USER(value_type.broadcastable[d] || value.shape(d) == shape[pad + d], ShapeError)
        << "alloc: cannot fill shape " << shape_str(shape) << " with a value of shape "
        << shape_str(value.shape()) << ": its dimension " << d
        << " is not broadcastable and has a different length";
  NDArray& o = reuse_or_allocate(*out[0], value.dtype(), shape);
  if (o.size() == 0) return;
  // zeros_like and the gradients' zeros: one memset rather than a broadcast copy of the
  // scalar, element by element (0.0's bytes are all zero; -0.0's are not).
  if (value.size() == 1 && o.is_contiguous()) {
    const auto* bytes = static_cast<const unsigned char*>(value.raw());
    if (std::all_of(bytes, bytes + value.nbytes(), [](unsigned char b) { return b == 0; })) {
      std::memset(o.raw(), 0, o.nbytes());
      return;
    }
  }
  o.assign(value);
}

Vars Alloc::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& gz = output_grads[0];
  const Var& value = node.inputs[0];
  Vars grads(node.inputs.size());  // the shape entries get none
  if (!gz.defined() || is_discrete(value.dtype())) return grads;
  // Sum over the padded dimensions and over those where the value was stretched, then
  // put the stretched ones back as broadcastable dimensions (Theano's Alloc.grad).
  const int pad = gz.ndim() - value.ndim();
  std::vector<int> axes;
  for (int d = 0; d < pad; ++d) axes.push_back(d);
  std::vector<DimEntry> order;
  int kept = 0;
  for (int d = 0; d < value.ndim(); ++d) {
    if (value.broadcastable()[d] && !gz.broadcastable()[pad + d]) {
      axes.push_back(pad + d);
      order.push_back(DimEntry('x'));
    } else {
      order.push_back(kept++);
    }
  }
  Var g = axes.empty() ? gz : tensor::sum(VarArg(gz, node.loc), Axes(axes));
  if (kept != value.ndim()) g = dimshuffle_at(g, order, node.loc);
  if (g.dtype() != value.dtype()) g = tensor::cast(VarArg(g, node.loc), value.dtype());
  grads[0] = patternbroadcast_at(g, value.broadcastable(), node.loc);
  return grads;
}

Var alloc_at(const Var& value, const Vars& shape, const Loc& loc) {
  Vars inputs{value};
  inputs.insert(inputs.end(), shape.begin(), shape.end());
  return apply_op<Alloc>(loc, std::move(inputs));
}

// ---- ARange ----

std::vector<TensorType> ARange::make_types(std::span<const Var> inputs) const {
  for (const Var& v : inputs)
    THEON_CHECK_USER(v.ndim() == 0 && !is_complex(v.dtype()), TypeError)
        << "arange: start, stop and step must be real scalars" << describe_inputs(inputs);
  THEON_CHECK_USER(!is_bool(dtype_), TypeError) << "arange: cannot make a bool range";
  return {TensorType(dtype_, {false})};
}

void ARange::perform(const ApplyNode& /*node*/, std::span<const NDArray* const> in,
                     std::span<NDArray* const> out) const {
  const bool exact = is_discrete(in[0]->dtype()) && is_discrete(in[1]->dtype()) &&
                     is_discrete(in[2]->dtype());
  int64_t n = 0;
  if (exact) {
    const int64_t start = in[0]->item<int64_t>(), stop = in[1]->item<int64_t>(),
                  step = in[2]->item<int64_t>();
    THEON_CHECK_USER(step != 0, ValueError)
        << "arange: step is zero";
    // ceil((stop - start) / step) in integers, 128-bit so that the span cannot wrap.
    const __int128 span = static_cast<__int128>(stop) - start;
    __int128 count = span / step + ((span % step != 0) && ((span < 0) == (step < 0)) ? 1 : 0);
    count = std::max<__int128>(count, 0);
    THEON_CHECK_USER(count <= INT64_MAX, MemoryError)
        << "arange: the range from " << start << " to " << stop << " by " << step
        << " has more elements than int64 can count";
    n = static_cast<int64_t>(count);
    NDArray& o = reuse_or_allocate(*out[0], dtype_, {n});
    visit_dtype(dtype_, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* data = o.data<T>();
      for (int64_t i = 0; i < n; ++i) data[i] = convert_element<T>(start + i * step);
    });
    return;
  }
  const double start = in[0]->item<double>(), stop = in[1]->item<double>(),
               step = in[2]->item<double>();
  THEON_CHECK_USER(step != 0, ValueError)
      << "arange: step is zero";
  const double length = std::ceil((stop - start) / step);
  THEON_CHECK_USER(std::isfinite(length), ValueError)
      << "arange: the range has no finite length";
  THEON_CHECK_USER(length < 0x1p63, MemoryError)
      << "arange: the range from " << start << " to " << stop << " by " << step << " has "
      << length << " elements, more than int64 can count";
  n = std::max<int64_t>(static_cast<int64_t>(length), 0);
  NDArray& o = reuse_or_allocate(*out[0], dtype_, {n});
  visit_dtype(dtype_, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* data = o.data<T>();
    for (int64_t i = 0; i < n; ++i) data[i] = convert_element<T>(start + i * step);
  });
}

Vars ARange::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  // Theano's ARange.grad: out[i] = start + i * step, and stop only sets the length.
  const Var& gz = output_grads[0];
  Vars grads(3);
  if (!gz.defined() || is_discrete(dtype_)) return grads;
  const Var& start = node.inputs[0];
  const Var& step = node.inputs[2];
  const Loc& loc = node.loc;
  if (!is_discrete(start.dtype()))
    grads[0] = tensor::cast(tensor::sum(VarArg(gz, loc)), start.dtype());
  if (!is_discrete(step.dtype())) {
    Var steps = tensor::arange(VarArg(int64_t{0}, loc), VarArg(shape_i_at(gz, 0, loc), loc),
                               VarArg(int64_t{1}, loc), dtype_);
    grads[2] = tensor::cast(tensor::sum(VarArg(gz * steps, loc)), step.dtype());
  }
  return grads;
}

}  // namespace theon::detail

namespace theon::tensor {

Var alloc(VarArg value, const ShapeArg& shape) {
  return detail::alloc_at(value.var, detail::shape_entries(shape, "alloc"), value.loc);
}

Var zeros(const ShapeArg& shape, std::optional<DType> dtype) {
  const Loc& loc = shape.loc();
  return detail::alloc_at(detail::scalar_constant(dtype.value_or(config().floatX), 0, loc),
                          detail::shape_entries(shape, "zeros"), loc);
}

Var ones(const ShapeArg& shape, std::optional<DType> dtype) {
  const Loc& loc = shape.loc();
  return detail::alloc_at(detail::scalar_constant(dtype.value_or(config().floatX), 1, loc),
                          detail::shape_entries(shape, "ones"), loc);
}

// The shape comes from x's shape_i (constants where known), so the result has x's
// broadcastable pattern and x's value is never read.
Var zeros_like(VarArg x, std::optional<DType> dtype) {
  return detail::alloc_at(detail::scalar_constant(dtype.value_or(x.var.dtype()), 0, x.loc),
                          detail::shape_scalars(x.var, x.loc), x.loc);
}

Var ones_like(VarArg x, std::optional<DType> dtype) {
  return detail::alloc_at(detail::scalar_constant(dtype.value_or(x.var.dtype()), 1, x.loc),
                          detail::shape_scalars(x.var, x.loc), x.loc);
}

Var arange(VarArg start, VarArg stop, VarArg step, std::optional<DType> dtype) {
  const Var bounds[] = {start.var, stop.var, step.var};
  for (const Var& b : bounds)
    THEON_CHECK_USER(b.ndim() == 0 && !is_complex(b.dtype()), TypeError)
        << "arange: start, stop and step must be real scalars, got " << describe(b);
  if (!dtype) {
    bool all_discrete = true;
    std::optional<DType> strong_float;
    for (const Var& b : bounds) {
      all_discrete = all_discrete && is_discrete(b.dtype());
      if (is_float(b.dtype()) && !b.is_weak())
        strong_float = strong_float ? promote(*strong_float, b.dtype()) : b.dtype();
    }
    dtype = all_discrete ? DType::Int64 : strong_float.value_or(config().floatX);
  }
  return detail::apply_op<detail::ARange>(start.loc, {start.var, stop.var, step.var}, *dtype);
}

Var arange(VarArg stop) {
  return arange(VarArg(int64_t{0}, stop.loc), stop, VarArg(int64_t{1}, stop.loc));
}

}  // namespace theon::tensor
