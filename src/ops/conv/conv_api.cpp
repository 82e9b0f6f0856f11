// The public convolution functions of include/theon/conv.hpp: argument checks when the
// graph is built, the dtype upcast, the filter flip, then the ops of conv_ops.hpp.
#include "ops/conv/conv_ops.hpp"
#include "ops/op_util.hpp"
#include "theon/conv.hpp"
#include "theon/subtensor.hpp"

namespace theon::tensor::nnet {

BorderMode::BorderMode(const char* mode) : BorderMode(std::string(mode)) {}

BorderMode::BorderMode(const std::string& mode) {
  if (mode == "valid") {
    kind_ = Kind::Valid;
  } else if (mode == "full") {
    kind_ = Kind::Full;
  } else if (mode == "half") {
    kind_ = Kind::Half;
  } else {
    unknown_ = mode.empty() ? "''" : mode;
  }
}

BorderMode::BorderMode(int64_t pad) : kind_(Kind::Explicit), pads_{pad} {}
BorderMode::BorderMode(std::vector<int64_t> pads) : kind_(Kind::Explicit), pads_(std::move(pads)) {}

}  // namespace theon::tensor::nnet

namespace theon::detail::conv {
namespace {

using tensor::nnet::BorderMode;

std::string list_str(const std::vector<int64_t>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + ")";
}

// Checks the options of `op` and gathers them into a ConvSpec.
ConvSpec make_spec(const char* op, int spatial, const BorderMode& border,
                   const std::vector<int64_t>& subsample,
                   const std::vector<int64_t>& filter_dilation, int64_t groups) {
  ConvSpec spec;
  spec.spatial = spatial;
  THEON_CHECK_USER(border.unknown().empty(), ValueError)
      << op << ": border_mode must be 'valid', 'full', 'half', an int or a tuple of " << spatial
      << " ints, got " << border.unknown();
  switch (border.kind()) {
    case BorderMode::Kind::Valid: spec.border = BorderKind::Valid; break;
    case BorderMode::Kind::Full: spec.border = BorderKind::Full; break;
    case BorderMode::Kind::Half: spec.border = BorderKind::Half; break;
    case BorderMode::Kind::Explicit: {
      spec.border = BorderKind::Explicit;
      const auto& pads = border.pads();
      THEON_CHECK_USER(pads.size() == 1 || static_cast<int>(pads.size()) == spatial, ValueError)
          << op << ": border_mode needs 1 or " << spatial << " paddings, got " << list_str(pads);
      for (int a = 0; a < spatial; ++a) {
        spec.pad[a] = pads.size() == 1 ? pads[0] : pads[a];
        THEON_CHECK_USER(spec.pad[a] >= 0, ValueError)
            << op << ": negative padding in border_mode " << list_str(pads);
      }
      break;
    }
  }
  THEON_CHECK_USER(static_cast<int>(subsample.size()) == spatial, ValueError)
      << op << ": subsample needs " << spatial << " entries, got " << list_str(subsample);
  THEON_CHECK_USER(static_cast<int>(filter_dilation.size()) == spatial, ValueError)
      << op << ": filter_dilation needs " << spatial << " entries, got "
      << list_str(filter_dilation);
  for (int a = 0; a < spatial; ++a) {
    THEON_CHECK_USER(subsample[a] >= 1, ValueError)
        << op << ": subsample must be positive, got " << list_str(subsample);
    THEON_CHECK_USER(filter_dilation[a] >= 1, ValueError)
        << op << ": filter_dilation must be positive, got " << list_str(filter_dilation);
    spec.stride[a] = subsample[a];
    spec.dilation[a] = filter_dilation[a];
  }
  THEON_CHECK_USER(groups >= 1, ValueError) << op << ": num_groups must be positive, got " << groups;
  spec.groups = groups;
  return spec;
}

void check_hint(const char* op, const char* what, const Hint& hint, int rank) {
  if (hint.empty()) return;
  THEON_CHECK_USER(static_cast<int>(hint.size()) == rank, ValueError)
      << op << ": " << what << " needs " << rank << " entries, got " << hint.size();
  for (const auto& n : hint)
    THEON_CHECK_USER(!n || *n >= 0, ValueError) << op << ": negative length in " << what;
}

// The two operands as float tensors of rank `rank` and one dtype (float32 with float64
// computes in float64, as Theano's upcast).
std::pair<Var, Var> float_operands(const char* op, const VarArg& a, const VarArg& b, int rank,
                                   const char* name_a, const char* name_b) {
  for (const VarArg* v : {&a, &b}) {
    const DType d = v->var.dtype();
    THEON_CHECK_USER(d == DType::Float32 || d == DType::Float64, TypeError)
        << op << ": needs float32 or float64 operands, got " << dtype_name(a.var.dtype())
        << " and " << dtype_name(b.var.dtype()) << describe_inputs(Vars{a.var, b.var});
  }
  THEON_CHECK_USER(a.var.ndim() == rank, TypeError)
      << op << ": " << name_a << " must have rank " << rank << ", got " << describe(a.var);
  THEON_CHECK_USER(b.var.ndim() == rank, TypeError)
      << op << ": " << name_b << " must have rank " << rank << ", got " << describe(b.var);
  Var x = a.var, y = b.var;
  if (x.dtype() != y.dtype()) {
    if (x.dtype() != DType::Float64) x = tensor::cast(VarArg(x, a.loc), DType::Float64);
    if (y.dtype() != DType::Float64) y = tensor::cast(VarArg(y, b.loc), DType::Float64);
  }
  return {x, y};
}

// Reverses every spatial axis: filter_flip turns cross-correlation into convolution.
Var flipped(const Var& w, int spatial, const Loc& loc) {
  std::vector<IndexArg> index{tensor::slice(), tensor::slice()};
  for (int a = 0; a < spatial; ++a)
    index.push_back(tensor::slice(std::nullopt, std::nullopt, VarArg(-1, loc)));
  return tensor::index(VarArg(w, loc), std::move(index));
}

// The spatial entries of a full shape (batch/channels first) as an int vector.
Var spatial_entries(const char* op, const ShapeArg& shape, int spatial, const Loc& loc) {
  THEON_CHECK_USER(shape.length() == spatial + 2 || shape.length() == -1, ValueError)
      << op << ": the shape needs " << spatial + 2 << " entries, got " << shape.length();
  return tensor::index(VarArg(shape.vector(), loc), {tensor::slice(VarArg(2, loc))});
}

struct Options {
  const BorderMode& border;
  const std::vector<int64_t>& subsample;
  bool flip;
  const std::vector<int64_t>& dilation;
  int64_t groups;
};

Var forward_nd(const char* op, int spatial, const VarArg& input, const VarArg& filters,
               Hint input_hint, Hint filter_hint, const Options& o) {
  const ConvSpec spec = make_spec(op, spatial, o.border, o.subsample, o.dilation, o.groups);
  check_hint(op, "input_shape", input_hint, spatial + 2);
  check_hint(op, "filter_shape", filter_hint, spatial + 2);
  auto [x, w] = float_operands(op, input, filters, spatial + 2, "input", "filters");
  if (o.flip) w = flipped(w, spatial, filters.loc);
  return conv_forward(spec, x, w, input.loc, std::move(input_hint), std::move(filter_hint));
}

Var grad_inputs_nd(const char* op, int spatial, const VarArg& output_grad, const VarArg& filters,
                   const ShapeArg& input_shape, Hint filter_hint, const Options& o) {
  const ConvSpec spec = make_spec(op, spatial, o.border, o.subsample, o.dilation, o.groups);
  check_hint(op, "filter_shape", filter_hint, spatial + 2);
  auto [gy, w] = float_operands(op, output_grad, filters, spatial + 2, "output_grad", "filters");
  if (o.flip) w = flipped(w, spatial, filters.loc);
  const Var shape = spatial_entries(op, input_shape, spatial, output_grad.loc);
  return conv_grad_input(spec, w, gy, shape, output_grad.loc, std::move(filter_hint));
}

Var grad_weights_nd(const char* op, int spatial, const VarArg& input, const VarArg& output_grad,
                    const ShapeArg& filter_shape, Hint input_hint, const Options& o) {
  const ConvSpec spec = make_spec(op, spatial, o.border, o.subsample, o.dilation, o.groups);
  check_hint(op, "input_shape", input_hint, spatial + 2);
  auto [x, gy] = float_operands(op, input, output_grad, spatial + 2, "input", "output_grad");
  const Var shape = spatial_entries(op, filter_shape, spatial, input.loc);
  const Var gw = conv_grad_filters(spec, x, gy, shape, input.loc, std::move(input_hint));
  return o.flip ? flipped(gw, spatial, input.loc) : gw;
}

}  // namespace
}  // namespace theon::detail::conv

namespace theon::tensor::nnet {

using detail::conv::Options;

Var conv2d(VarArg input, VarArg filters, ShapeHint input_shape, ShapeHint filter_shape,
           BorderMode border_mode, std::vector<int64_t> subsample, bool filter_flip,
           std::vector<int64_t> filter_dilation, int64_t num_groups) {
  return detail::conv::forward_nd(
      "conv2d", 2, input, filters, std::move(input_shape), std::move(filter_shape),
      Options{border_mode, subsample, filter_flip, filter_dilation, num_groups});
}

Var conv3d(VarArg input, VarArg filters, ShapeHint input_shape, ShapeHint filter_shape,
           BorderMode border_mode, std::vector<int64_t> subsample, bool filter_flip,
           std::vector<int64_t> filter_dilation, int64_t num_groups) {
  return detail::conv::forward_nd(
      "conv3d", 3, input, filters, std::move(input_shape), std::move(filter_shape),
      Options{border_mode, subsample, filter_flip, filter_dilation, num_groups});
}

Var conv2d_grad_wrt_inputs(VarArg output_grad, VarArg filters, const ShapeArg& input_shape,
                           ShapeHint filter_shape, BorderMode border_mode,
                           std::vector<int64_t> subsample, bool filter_flip,
                           std::vector<int64_t> filter_dilation, int64_t num_groups) {
  return detail::conv::grad_inputs_nd(
      "conv2d_grad_wrt_inputs", 2, output_grad, filters, input_shape, std::move(filter_shape),
      Options{border_mode, subsample, filter_flip, filter_dilation, num_groups});
}

Var conv2d_grad_wrt_weights(VarArg input, VarArg output_grad, const ShapeArg& filter_shape,
                            ShapeHint input_shape, BorderMode border_mode,
                            std::vector<int64_t> subsample, bool filter_flip,
                            std::vector<int64_t> filter_dilation, int64_t num_groups) {
  return detail::conv::grad_weights_nd(
      "conv2d_grad_wrt_weights", 2, input, output_grad, filter_shape, std::move(input_shape),
      Options{border_mode, subsample, filter_flip, filter_dilation, num_groups});
}

Var conv3d_grad_wrt_inputs(VarArg output_grad, VarArg filters, const ShapeArg& input_shape,
                           ShapeHint filter_shape, BorderMode border_mode,
                           std::vector<int64_t> subsample, bool filter_flip,
                           std::vector<int64_t> filter_dilation, int64_t num_groups) {
  return detail::conv::grad_inputs_nd(
      "conv3d_grad_wrt_inputs", 3, output_grad, filters, input_shape, std::move(filter_shape),
      Options{border_mode, subsample, filter_flip, filter_dilation, num_groups});
}

Var conv3d_grad_wrt_weights(VarArg input, VarArg output_grad, const ShapeArg& filter_shape,
                            ShapeHint input_shape, BorderMode border_mode,
                            std::vector<int64_t> subsample, bool filter_flip,
                            std::vector<int64_t> filter_dilation, int64_t num_groups) {
  return detail::conv::grad_weights_nd(
      "conv3d_grad_wrt_weights", 3, input, output_grad, filter_shape, std::move(input_shape),
      Options{border_mode, subsample, filter_flip, filter_dilation, num_groups});
}

Var conv2d_transpose(VarArg input, VarArg filters, const ShapeArg& output_shape,
                     ShapeHint filter_shape, BorderMode border_mode,
                     std::vector<int64_t> input_dilation, bool filter_flip,
                     std::vector<int64_t> filter_dilation, int64_t num_groups) {
  return detail::conv::grad_inputs_nd(
      "conv2d_transpose", 2, input, filters, output_shape, std::move(filter_shape),
      Options{border_mode, input_dilation, filter_flip, filter_dilation, num_groups});
}

std::optional<int64_t> get_conv_shape_1axis(std::optional<int64_t> image_shape,
                                            std::optional<int64_t> kernel_shape,
                                            const BorderMode& border_mode, int64_t subsample,
                                            int64_t dilation) {
  if (!image_shape || !kernel_shape) return std::nullopt;
  THEON_CHECK_USER(border_mode.unknown().empty() &&
                       (border_mode.kind() != BorderMode::Kind::Explicit ||
                        border_mode.pads().size() == 1),
                   ValueError)
      << "get_conv_shape_1axis: border_mode must be 'valid', 'full', 'half' or an int";
  THEON_CHECK_USER(subsample >= 1 && dilation >= 1, ValueError)
      << "get_conv_shape_1axis: subsample and dilation must be positive";
  detail::conv::ConvSpec spec;
  spec.border = static_cast<detail::conv::BorderKind>(border_mode.kind());
  if (border_mode.kind() == BorderMode::Kind::Explicit) spec.pad[0] = border_mode.pads()[0];
  spec.dilation[0] = dilation;
  const int64_t pad = spec.padding(0, *kernel_shape);
  return detail::conv::output_length(*image_shape, *kernel_shape, pad, subsample, dilation);
}

}  // namespace theon::tensor::nnet
