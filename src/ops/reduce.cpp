#include "ops/reduce.hpp"

#include <algorithm>

#include "ops/dimshuffle.hpp"
#include "ops/op_util.hpp"
#include "theon/config.hpp"
#include "theon/shape_ops.hpp"

namespace theon {

std::vector<int> Axes::resolve(int ndim, std::string_view op) const {
  std::vector<int> out;
  if (!axes_) {
    for (int d = 0; d < ndim; ++d) out.push_back(d);
    return out;
  }
  for (int axis : *axes_) {
    const int a = normalize_axis(axis, ndim, op);
    // NumPy accepts axis 0 of a 0-d array, which reduces nothing.
    if (ndim == 0) continue;
    THEON_CHECK_USER(std::find(out.begin(), out.end(), a) == out.end(), ValueError)
        << op << ": duplicate value in axis (" << axis << " names axis " << a << " a second time)";
    out.push_back(a);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace theon

namespace theon::detail {

const char* reduce_name(ReduceKind kind) {
  switch (kind) {
    case ReduceKind::Sum:
      return "sum";
    case ReduceKind::Prod:
      return "prod";
    case ReduceKind::Max:
      return "max";
    case ReduceKind::Min:
      return "min";
    case ReduceKind::All:
      return "all";
    case ReduceKind::Any:
      return "any";
  }
  return "";
}

DType reduce_out_dtype(ReduceKind kind, DType in) {
  switch (kind) {
    case ReduceKind::Sum:
    case ReduceKind::Prod:
      return is_discrete(in) ? DType::Int64 : in;
    case ReduceKind::Max:
    case ReduceKind::Min:
      return in;
    case ReduceKind::All:
    case ReduceKind::Any:
      return DType::Bool;
  }
  return in;
}

namespace {

std::string axes_str(const std::vector<int>& axes) {
  if (axes.size() == 1) return std::to_string(axes[0]);
  std::string s = "(";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  return s + ")";
}

bool is_max_or_min(ReduceKind kind) { return kind == ReduceKind::Max || kind == ReduceKind::Min; }

}  // namespace

Reduce::Reduce(ReduceKind kind, std::vector<int> axes, bool keepdims, int input_ndim)
    : kind_(kind), axes_(std::move(axes)), keepdims_(keepdims), input_ndim_(input_ndim) {}

bool Reduce::is_reduced(int axis) const {
  return std::binary_search(axes_.begin(), axes_.end(), axis);
}

std::string Reduce::props() const {
  return "axis=" + axes_str(axes_) + (keepdims_ ? ",keepdims" : "");
}

std::vector<TensorType> Reduce::make_types(std::span<const Var> inputs) const {
  const Var& x = inputs[0];
  THEON_CHECK_USER(x.ndim() == input_ndim_, TypeError)
      << name() << ": expects " << input_ndim_ << " dimensions, got " << describe(x);
  THEON_CHECK_USER(!(is_max_or_min(kind_) && is_complex(x.dtype())), TypeError)
      << name() << ": complex numbers are not ordered" << describe_inputs(inputs);
  for (size_t i = 0; i < axes_.size(); ++i)
    THEON_ASSERT(axes_[i] >= 0 && axes_[i] < input_ndim_ && (i == 0 || axes_[i - 1] < axes_[i]))
        << name() << ": axes " << axes_str(axes_) << " are not sorted axes of " << describe(x);
  BroadcastPattern pattern;
  for (int d = 0; d < input_ndim_; ++d) {
    if (!is_reduced(d))
      pattern.push_back(x.broadcastable()[d]);
    else if (keepdims_)
      pattern.push_back(true);
  }
  return {TensorType(reduce_out_dtype(kind_, x.dtype()), pattern)};
}

Vars Reduce::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  using namespace tensor;
  const Var& x = node.inputs[0];
  const Var& gz = output_grads[0];
  const Loc& loc = node.loc;
  if (!gz.defined()) return {Var()};
  // all/any are logical, a discrete x has no small moves: zero gradients (as Theano).
  if (kind_ == ReduceKind::All || kind_ == ReduceKind::Any || is_discrete(x.dtype()))
    return {zeros_like(VarArg(x, loc), is_inexact(x.dtype()) ? x.dtype() : config().floatX)};
  // Re-inserts the reduced axes as broadcastable ones, so a reduced value lines up
  // with the elements it came from.
  auto expand = [&](const Var& v) {
    if (keepdims_) return v;
    std::vector<DimEntry> pattern;
    int kept = 0;
    for (int d = 0; d < input_ndim_; ++d) {
      if (is_reduced(d))
        pattern.push_back(DimEntry('x'));
      else
        pattern.push_back(kept++);
    }
    return dimshuffle_at(v, pattern, loc);
  };
  const Var g = expand(gz);
  switch (kind_) {
    case ReduceKind::Sum:
      return {fill(VarArg(x, loc), g)};
    case ReduceKind::Prod: {
      // d prod / dx_i = product of the other elements. Dividing prod by x_i (Theano's
      // default) gives NaN at zeros, so split on the number of zeros in each group:
      // none: prod / x_i; one: the product of the non-zeros at the zero, 0 elsewhere;
      // more: 0 everywhere.
      const Var is_zero = eq(VarArg(x, loc), 0);
      const Var nonzero_prod = prod(switch_(VarArg(is_zero, loc), 1, x), Axes(axes_), true);
      const Var n_zeros = sum(VarArg(is_zero, loc), Axes(axes_), true);
      const Var one_zero = switch_(VarArg(is_zero & eq(n_zeros, 1), loc), nonzero_prod, 0);
      return {g * switch_(VarArg(eq(n_zeros, 0), loc), nonzero_prod / x, one_zero)};
    }
    case ReduceKind::Max:
    case ReduceKind::Min: {
      // Every element equal to the extreme gets the gradient (ties share it fully, as
      // in Theano).
      const Var hit = eq(VarArg(x, loc), expand(node.output(0)));
      return {g * cast(VarArg(hit, loc), x.dtype())};
    }
    case ReduceKind::All:
    case ReduceKind::Any:
      break;
  }
  return {Var()};
}

std::string Reduce::print(std::span<const std::string> args) const {
  std::string s = name() + "(" + args[0];
  if (static_cast<int>(axes_.size()) != input_ndim_) s += ", axis=" + axes_str(axes_);
  if (keepdims_) s += ", keepdims=True";
  return s + ")";
}

Var reduce(ReduceKind kind, const Var& x, const Axes& axes, bool keepdims, const Loc& loc) {
  std::vector<int> resolved = axes.resolve(x.ndim(), reduce_name(kind));
  return apply_op<Reduce>(loc, {x}, kind, std::move(resolved), keepdims, x.ndim());
}

}  // namespace theon::detail

namespace theon::tensor {

using detail::ReduceKind;

Var sum(VarArg x, Axes axis, bool keepdims) {
  return detail::reduce(ReduceKind::Sum, x.var, axis, keepdims, x.loc);
}
Var prod(VarArg x, Axes axis, bool keepdims) {
  return detail::reduce(ReduceKind::Prod, x.var, axis, keepdims, x.loc);
}
Var max(VarArg x, Axes axis, bool keepdims) {
  return detail::reduce(ReduceKind::Max, x.var, axis, keepdims, x.loc);
}
Var min(VarArg x, Axes axis, bool keepdims) {
  return detail::reduce(ReduceKind::Min, x.var, axis, keepdims, x.loc);
}
Var all(VarArg x, Axes axis, bool keepdims) {
  return detail::reduce(ReduceKind::All, x.var, axis, keepdims, x.loc);
}
Var any(VarArg x, Axes axis, bool keepdims) {
  return detail::reduce(ReduceKind::Any, x.var, axis, keepdims, x.loc);
}

// mean = sum / N, with N the product of the reduced lengths (read at run time), in the
// float dtype of the result (float64 for integers, as NumPy).
Var mean(VarArg x, Axes axis, bool keepdims) {
  const Var& v = x.var;
  const Loc& loc = x.loc;
  const std::vector<int> axes = axis.resolve(v.ndim(), "mean");
  Var total = detail::reduce(ReduceKind::Sum, v, Axes(axes), keepdims, loc);
  const DType dtype = is_discrete(v.dtype()) ? DType::Float64 : v.dtype();
  total = cast(VarArg(total, loc), dtype);
  Vars lengths;
  for (int a : axes)
    if (!v.broadcastable()[a]) lengths.push_back(shape_i(VarArg(v, loc), a));
  if (lengths.empty()) return total;
  const Var count = cast(VarArg(mul(lengths, loc), loc), real_of(dtype));
  return true_div(VarArg(total, loc), count);
}

// var = mean((x - mean(x))^2), dividing by N (ddof = 0) as Theano.
Var var(VarArg x, Axes axis, bool keepdims) {
  const Var& v = x.var;
  const Loc& loc = x.loc;
  THEON_CHECK_USER(!is_complex(v.dtype()), TypeError)
      << "var: complex inputs are not supported, got " << describe(v);
  const std::vector<int> axes = axis.resolve(v.ndim(), "var");
  const Var centered = sub(x, mean(x, Axes(axes), /*keepdims=*/true));
  return mean(VarArg(sqr(VarArg(centered, loc)), loc), Axes(axes), keepdims);
}

Var std_(VarArg x, Axes axis, bool keepdims) {
  THEON_CHECK_USER(!is_complex(x.var.dtype()), TypeError)
      << "std: complex inputs are not supported, got " << describe(x.var);
  return sqrt(VarArg(var(x, std::move(axis), keepdims), x.loc));
}

}  // namespace theon::tensor
