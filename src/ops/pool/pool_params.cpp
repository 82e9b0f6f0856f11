#include "ops/pool/pool_params.hpp"

#include <algorithm>
#include <sstream>

#include "core/checked_size.hpp"

namespace theon::detail::pool {
namespace {

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::string tuple_str(const std::array<int64_t, kMaxPooled>& v, int nd) {
  std::string s = "(";
  for (int d = 0; d < nd; ++d) s += (d ? ", " : "") + std::to_string(v[d]);
  return s + ")";
}

std::string window_str(const tensor::signal::PoolWindow& v) {
  std::string s = "(";
  for (size_t d = 0; d < v.size(); ++d) s += (d ? ", " : "") + std::to_string(v[d]);
  return s + ")";
}

}  // namespace

Mode parse_mode(std::string_view mode, std::string_view op) {
  if (mode == "max") return Mode::Max;
  if (mode == "sum") return Mode::Sum;
  if (mode == "average_inc_pad" || mode == "average") return Mode::AverageIncPad;
  if (mode == "average_exc_pad") return Mode::AverageExcPad;
  THEON_FAIL(ValueError) << op << ": mode must be 'max', 'sum', 'average_inc_pad' or "
                         << "'average_exc_pad', got '" << mode << "'";
}

std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::Max: return "max";
    case Mode::Sum: return "sum";
    case Mode::AverageIncPad: return "average_inc_pad";
    case Mode::AverageExcPad: return "average_exc_pad";
  }
  __builtin_unreachable();
}

Params Params::make(std::string_view op, int nd, const tensor::signal::PoolWindow& ws,
                    bool ignore_border, const tensor::signal::PoolWindow& stride,
                    const tensor::signal::PoolWindow& pad, Mode mode) {
  Params p;
  p.nd = nd;
  p.ignore_border = ignore_border;
  p.mode = mode;
  auto check_length = [&](const tensor::signal::PoolWindow& v, const char* what) {
    THEON_CHECK_USER(static_cast<int>(v.size()) == nd, ValueError)
        << op << ": " << what << " needs " << nd << " entries (one per pooled axis), got "
        << window_str(v);
  };
  check_length(ws, "ws");
  if (!stride.empty()) check_length(stride, "stride");
  if (!pad.empty()) check_length(pad, "pad");
  for (int d = 0; d < nd; ++d) {
    p.ws[d] = ws[d];
    p.stride[d] = stride.empty() ? ws[d] : stride[d];
    p.pad[d] = pad.empty() ? 0 : pad[d];
    THEON_CHECK_USER(p.ws[d] >= 1, ValueError)
        << op << ": the window size ws must be at least 1, got " << window_str(ws);
    THEON_CHECK_USER(p.stride[d] >= 1, ValueError)
        << op << ": the stride must be at least 1, got " << window_str(stride);
    THEON_CHECK_USER(p.pad[d] >= 0, ValueError)
        << op << ": the padding must not be negative, got " << window_str(pad);
    THEON_CHECK_USER(p.pad[d] < p.ws[d], ValueError)
        << op << ": the padding must be smaller than the window, got pad=" << window_str(pad)
        << " for ws=" << window_str(ws);
    THEON_CHECK_USER(p.pad[d] == 0 || ignore_border, ValueError)
        << op << ": padding needs ignore_border=True (as in Theano), got pad=" << window_str(pad);
  }
  checked_mul(checked_mul(p.ws[0], p.ws[1], op), p.ws[2], op);
  return p;
}

std::string Params::describe() const {
  std::ostringstream s;
  s << "ws=" << tuple_str(ws, nd) << ", stride=" << tuple_str(stride, nd)
    << ", pad=" << tuple_str(pad, nd) << ", ignore_border=" << (ignore_border ? "True" : "False")
    << ", mode=" << mode_name(mode);
  return s.str();
}

Geometry Geometry::make(const Params& p, const Shape& input_shape, std::string_view op) {
  Geometry g;
  g.mode = p.mode;
  const int rank = static_cast<int>(input_shape.size());
  const int lead = rank - p.nd;
  g.planes = 1;
  for (int d = 0; d < lead; ++d) g.planes = checked_mul(g.planes, input_shape[d], op);
  const int slot0 = kMaxPooled - p.nd;
  for (int d = 0; d < p.nd; ++d) {
    const int s = slot0 + d;
    g.image[s] = input_shape[lead + d];
    g.ws[s] = p.ws[d];
    g.stride[s] = p.stride[d];
    g.pad[s] = p.pad[d];
    g.out[s] = tensor::signal::pool_output_length(g.image[s], p.ws[d], p.stride[d], p.pad[d],
                                                  p.ignore_border);
  }
  checked_mul(checked_mul(checked_mul(g.planes, g.out[0], op), g.out[1], op), g.out[2], op);
  return g;
}

Shape Geometry::output_shape(const Shape& input_shape, int nd) const {
  Shape s = input_shape;
  const int lead = static_cast<int>(s.size()) - nd;
  for (int d = 0; d < nd; ++d) s[lead + d] = out[kMaxPooled - nd + d];
  return s;
}

PlaneLayout PlaneLayout::of(const NDArray& a, int nd) {
  PlaneLayout l;
  const int lead = a.ndim() - nd;
  l.leading.resize(lead);
  l.leading_strides.resize(lead);
  for (int d = 0; d < lead; ++d) {
    l.leading[d] = a.shape(d);
    l.leading_strides[d] = a.strides()[d];
  }
  for (int d = 0; d < nd; ++d) l.stride[kMaxPooled - nd + d] = a.strides()[lead + d];
  return l;
}

}  // namespace theon::detail::pool

namespace theon::tensor::signal {

int64_t pool_output_length(int64_t n, int64_t ws, int64_t stride, int64_t pad,
                           bool ignore_border) {
  using detail::pool::floor_div;
  const int64_t v = detail::checked_add(n, detail::checked_mul(pad, 2, "pool padding"),
                                        "pool padding");
  if (ignore_border) return std::max<int64_t>(0, floor_div(v - ws, stride) + 1);
  if (v == 0) return 0;  // no partial window either
  if (stride >= ws) return floor_div(v - 1, stride) + 1;
  return std::max<int64_t>(0, floor_div(v - 1 - ws + stride, stride)) + 1;
}

}  // namespace theon::tensor::signal
