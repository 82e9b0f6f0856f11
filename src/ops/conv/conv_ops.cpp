#include "ops/conv/conv_ops.hpp"

#include "core/checked_size.hpp"
#include "ops/conv/conv_kernels.hpp"
#include "ops/op_util.hpp"
#include "ops/shape_ops.hpp"
#include "theon/shape_ops.hpp"
#include "theon/subtensor.hpp"

namespace theon::detail::conv {
namespace {

std::string hint_str(const Hint& hint) {
  std::string s = "(";
  for (size_t i = 0; i < hint.size(); ++i) {
    if (i) s += ", ";
    s += hint[i] ? std::to_string(*hint[i]) : "None";
  }
  return s + (hint.size() == 1 ? ",)" : ")");
}

void check_hint(std::string_view op, const char* what, const Hint& hint, const NDArray& a) {
  if (hint.empty()) return;
  bool ok = static_cast<int>(hint.size()) == a.ndim();
  for (size_t i = 0; ok && i < hint.size(); ++i) ok = !hint[i] || *hint[i] == a.shape(int(i));
  THEON_CHECK_USER(ok, ShapeError) << op << ": the " << what << " hint " << hint_str(hint)
                                   << " does not match the " << what << "'s actual shape "
                                   << shape_str(a.shape());
}

// `a` itself when contiguous, else a copy into `slot` (kept per thread, so that repeated
// calls with the same strided operand reuse one buffer).
const NDArray& contiguous_in(const NDArray& a, NDArray& slot) {
  if (a.is_contiguous()) return a;
  reuse_or_allocate(slot, a.dtype(), a.shape()).assign(a);
  return slot;
}

// The spatial lengths held by an int vector value.
std::vector<int64_t> spatial_lengths(std::string_view op, const ConvSpec& spec, const NDArray& v) {
  THEON_CHECK_USER(v.ndim() == 1 && v.shape(0) == spec.spatial, ValueError)
      << op << ": expects " << spec.spatial << " spatial lengths, got an array of shape "
      << shape_str(v.shape());
  std::vector<int64_t> out;
  for (int a = 0; a < spec.spatial; ++a) {
    out.push_back(v.at<int64_t>({a}));
    THEON_CHECK_USER(out.back() >= 0, ValueError)
        << op << ": negative spatial length " << out.back();
  }
  return out;
}

template <class T>
void run(ConvPass pass, const Geometry& g, const NDArray& a, const NDArray& b, NDArray& out) {
  switch (pass) {
    case ConvPass::Forward: forward(g, a.data<T>(), b.data<T>(), out.data<T>()); return;
    case ConvPass::GradInput: grad_input(g, b.data<T>(), a.data<T>(), out.data<T>()); return;
    case ConvPass::GradFilters: grad_filters(g, a.data<T>(), b.data<T>(), out.data<T>()); return;
  }
}

// shape(x)[2:], the spatial lengths of x as an int vector.
Var spatial_shape_of(const Var& x, const Loc& loc) {
  return tensor::index(VarArg(tensor::shape(VarArg(x, loc)), loc), {tensor::slice(VarArg(2, loc))});
}

Var like(const Var& g, const Var& v, const Loc& loc) {
  if (!g.defined()) return g;
  Var out = g.dtype() == v.dtype() ? g : tensor::cast(VarArg(g, loc), v.dtype());
  if (!(out.broadcastable() == v.broadcastable()))
    out = patternbroadcast_at(out, v.broadcastable(), loc);
  return out;
}

}  // namespace

std::string ConvOp::name() const {
  const std::string base = spec_.spatial == 2 ? "conv2d" : "conv3d";
  switch (pass_) {
    case ConvPass::Forward: return base;
    case ConvPass::GradInput: return base + "_grad_input";
    case ConvPass::GradFilters: return base + "_grad_filters";
  }
  return base;
}

std::string ConvOp::props() const {
  std::string s = spec_.str();
  if (!hint0_.empty()) s += " hint0=" + hint_str(hint0_);
  if (!hint1_.empty()) s += " hint1=" + hint_str(hint1_);
  return s;
}

std::vector<TensorType> ConvOp::make_types(std::span<const Var> inputs) const {
  const std::string op = name();
  const int rank = spec_.spatial + 2;
  THEON_CHECK_USER(static_cast<int>(inputs.size()) == (pass_ == ConvPass::Forward ? 2 : 3),
                   TypeError)
      << op << ": wrong number of inputs" << describe_inputs(inputs);
  for (int i = 0; i < 2; ++i) {
    const Var& v = inputs[i];
    THEON_CHECK_USER(v.dtype() == DType::Float32 || v.dtype() == DType::Float64, TypeError)
        << op << ": needs float32 or float64 operands" << describe_inputs(inputs);
    THEON_CHECK_USER(v.ndim() == rank, TypeError)
        << op << ": needs operands of rank " << rank << describe_inputs(inputs);
  }
  THEON_CHECK_USER(inputs[0].dtype() == inputs[1].dtype(), TypeError)
      << op << ": operands of different dtypes" << describe_inputs(inputs);
  if (pass_ != ConvPass::Forward) {
    THEON_CHECK_USER(inputs[2].ndim() == 1 && is_discrete(inputs[2].dtype()), TypeError)
        << op << ": the spatial shape must be an int vector" << describe_inputs(inputs);
  }
  BroadcastPattern pattern(rank, false);
  switch (pass_) {
    case ConvPass::Forward:  // (batch, out channels, ...)
      pattern[0] = inputs[0].broadcastable()[0];
      pattern[1] = inputs[1].broadcastable()[0];
      break;
    case ConvPass::GradInput:  // (batch, in channels, ...)
      pattern[0] = inputs[1].broadcastable()[0];
      break;
    case ConvPass::GradFilters:  // (out channels, in channels / groups, ...)
      pattern[0] = inputs[1].broadcastable()[1];
      break;
  }
  return {TensorType(inputs[0].dtype(), pattern)};
}

void ConvOp::perform(const ApplyNode& /*node*/, std::span<const NDArray* const> in,
                     std::span<NDArray* const> out) const {
  const std::string op = name();
  check_hint(op, pass_ == ConvPass::GradInput ? "filter_shape" : "input_shape", hint0_, *in[0]);
  check_hint(op, "filter_shape", hint1_, *in[1]);
  thread_local NDArray slots[2];
  const NDArray& a = contiguous_in(*in[0], slots[0]);
  const NDArray& b = contiguous_in(*in[1], slots[1]);
  Geometry g;
  Shape result;
  switch (pass_) {
    case ConvPass::Forward:
      g = make_geometry(op, spec_, a.shape(), b.shape());
      result = output_shape(g);
      break;
    case ConvPass::GradInput: {
      // a = filters, b = output gradient: the input has the gradient's batch.
      Shape input{b.shape(0), checked_mul(a.shape(1), spec_.groups, op)};
      for (int64_t n : spatial_lengths(op, spec_, *in[2])) input.push_back(n);
      g = make_geometry(op, spec_, input, a.shape());
      result = input;
      break;
    }
    case ConvPass::GradFilters: {
      // a = input, b = output gradient: the filters have the gradient's channels.
      THEON_CHECK_USER(spec_.groups >= 1 && a.shape(1) % spec_.groups == 0, ValueError)
          << op << ": num_groups " << spec_.groups << " must divide the input's "
          << a.shape(1) << " channels";
      Shape filters{b.shape(1), a.shape(1) / spec_.groups};
      for (int64_t n : spatial_lengths(op, spec_, *in[2])) filters.push_back(n);
      g = make_geometry(op, spec_, a.shape(), filters);
      result = filters;
      break;
    }
  }
  if (pass_ != ConvPass::Forward) {
    const Shape expected = output_shape(g);
    THEON_CHECK_USER(b.shape() == expected, ShapeError)
        << op << ": the output gradient has shape " << shape_str(b.shape()) << ", but "
        << g.describe() << " gives an output of shape " << shape_str(expected);
  }
  NDArray& o = reuse_or_allocate(*out[0], a.dtype(), result);
  if (a.dtype() == DType::Float32)
    run<float>(pass_, g, a, b, o);
  else
    run<double>(pass_, g, a, b, o);
}

// With y = conv(x, w) (cross-correlation), linear in each operand:
//   forward:      dx = grad_input(w, gy),      dw = grad_filters(x, gy)
//   grad_input:   gx = grad_input(w, gy);  d/dw = grad_filters(ggx, gy), d/dgy = conv(ggx, w)
//   grad_filters: gw = grad_filters(x, gy); d/dx = grad_input(ggw, gy), d/dgy = conv(x, ggw)
Vars ConvOp::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& gz = output_grads[0];
  const Loc& loc = node.loc;
  const Var& a = node.inputs[0];
  const Var& b = node.inputs[1];
  Vars grads(node.inputs.size());
  if (!gz.defined()) return grads;
  const Var g = gz.dtype() == a.dtype() ? gz : tensor::cast(VarArg(gz, loc), a.dtype());
  switch (pass_) {
    case ConvPass::Forward:
      grads[0] = conv_grad_input(spec_, b, g, spatial_shape_of(a, loc), loc);
      grads[1] = conv_grad_filters(spec_, a, g, spatial_shape_of(b, loc), loc);
      break;
    case ConvPass::GradInput:  // a = filters, b = output gradient
      grads[0] = conv_grad_filters(spec_, g, b, spatial_shape_of(a, loc), loc);
      grads[1] = conv_forward(spec_, g, a, loc);
      break;
    case ConvPass::GradFilters:  // a = input, b = output gradient
      grads[0] = conv_grad_input(spec_, g, b, spatial_shape_of(a, loc), loc);
      grads[1] = conv_forward(spec_, a, g, loc);
      break;
  }
  grads[0] = like(grads[0], a, loc);
  grads[1] = like(grads[1], b, loc);
  return grads;
}

Var conv_forward(const ConvSpec& spec, const Var& input, const Var& filters, const Loc& loc,
                 Hint input_hint, Hint filter_hint) {
  return apply_op<ConvOp>(loc, {input, filters}, ConvPass::Forward, spec, std::move(input_hint),
                          std::move(filter_hint));
}

Var conv_grad_input(const ConvSpec& spec, const Var& filters, const Var& output_grad,
                    const Var& image_shape, const Loc& loc, Hint filter_hint) {
  return apply_op<ConvOp>(loc, {filters, output_grad, image_shape}, ConvPass::GradInput, spec,
                          std::move(filter_hint), Hint{});
}

Var conv_grad_filters(const ConvSpec& spec, const Var& input, const Var& output_grad,
                      const Var& kernel_shape, const Loc& loc, Hint input_hint) {
  return apply_op<ConvOp>(loc, {input, output_grad, kernel_shape}, ConvPass::GradFilters, spec,
                          std::move(input_hint), Hint{});
}

}  // namespace theon::detail::conv
