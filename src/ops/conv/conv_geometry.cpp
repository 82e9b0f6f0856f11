#include "ops/conv/conv_geometry.hpp"

#include <sstream>

#include "core/checked_size.hpp"
#include "theon/error.hpp"

namespace theon::detail::conv {
namespace {

std::string tuple_str(const std::array<int64_t, kMaxSpatial>& values, int n) {
  std::string s = "(";
  for (int i = 0; i < n; ++i) s += (i ? "," : "") + std::to_string(values[i]);
  return s + ")";
}

std::string joined(const std::array<int64_t, kMaxSpatial>& values, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? "x" : "") + std::to_string(values[i]);
  return s;
}

const char* border_name(BorderKind kind) {
  switch (kind) {
    case BorderKind::Valid: return "valid";
    case BorderKind::Full: return "full";
    case BorderKind::Half: return "half";
    case BorderKind::Explicit: return "explicit";
  }
  return "?";
}

}  // namespace

std::string ConvSpec::str() const {
  std::string s = "border=";
  s += border == BorderKind::Explicit ? tuple_str(pad, spatial) : border_name(border);
  s += " subsample=" + tuple_str(stride, spatial);
  s += " filter_dilation=" + tuple_str(dilation, spatial);
  s += " num_groups=" + std::to_string(groups);
  return s;
}

int64_t ConvSpec::padding(int axis, int64_t kernel) const {
  switch (border) {
    case BorderKind::Valid: return 0;
    case BorderKind::Full: return dilation[axis] * (kernel - 1);
    case BorderKind::Half: return dilation[axis] * (kernel / 2);
    case BorderKind::Explicit: return pad[axis];
  }
  return 0;
}

int64_t output_length(int64_t image, int64_t kernel, int64_t pad, int64_t stride,
                      int64_t dilation) {
  return (image + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
}

std::string Geometry::describe() const {
  std::ostringstream os;
  os << "batch " << batch << ", " << in_channels << "->" << out_channels << " channels, image "
     << joined(image, spatial) << ", kernel " << joined(kernel, spatial) << ", stride "
     << joined(stride, spatial) << ", dilation " << joined(dilation, spatial) << ", pad "
     << joined(pad, spatial) << ", groups " << groups;
  return os.str();
}

Geometry make_geometry(std::string_view op, const ConvSpec& spec, const Shape& input,
                       const Shape& filters) {
  const int rank = spec.spatial + 2;
  auto shapes = [&] {
    return " (input shape " + shape_str(input) + ", filters shape " + shape_str(filters) + ", " +
           spec.str() + ")";
  };
  THEON_CHECK_USER(static_cast<int>(input.size()) == rank && static_cast<int>(filters.size()) == rank,
                   ShapeError)
      << op << ": expects input and filters of rank " << rank << shapes();
  Geometry g;
  g.spatial = spec.spatial;
  g.batch = input[0];
  g.in_channels = input[1];
  g.out_channels = filters[0];
  g.groups = spec.groups;
  THEON_CHECK_USER(g.groups >= 1, ValueError) << op << ": num_groups must be positive" << shapes();
  THEON_CHECK_USER(g.in_channels % g.groups == 0 && g.out_channels % g.groups == 0, ValueError)
      << op << ": num_groups " << g.groups << " must divide the input channels ("
      << g.in_channels << ") and the filters (" << g.out_channels << ")" << shapes();
  THEON_CHECK_USER(filters[1] == g.channels_per_group(), ShapeError)
      << op << ": the input has " << g.in_channels << " channels, but the filters expect "
      << filters[1] << " per group x " << g.groups << " groups" << shapes();
  for (int a = 0; a < spec.spatial; ++a) {
    const int64_t image = input[2 + a], kernel = filters[2 + a];
    const int64_t stride = spec.stride[a], dilation = spec.dilation[a];
    THEON_CHECK_USER(stride >= 1 && dilation >= 1, ValueError)
        << op << ": subsample and filter_dilation must be positive" << shapes();
    THEON_CHECK_USER(kernel >= 1, ValueError)
        << op << ": the filters have length " << kernel << " along spatial axis " << a << shapes();
    const int64_t pad = spec.padding(a, kernel);
    THEON_CHECK_USER(pad >= 0, ValueError) << op << ": negative padding" << shapes();
    auto what = [&] { return std::string(op) + ": size along spatial axis " + std::to_string(a); };
    const int64_t span = checked_add(checked_mul(dilation, kernel - 1, what), 1, what);
    const int64_t padded = checked_add(image, checked_mul(2, pad, what), what);
    THEON_CHECK_USER(span <= padded, ValueError)
        << op << ": the filter (" << kernel << " taps, dilation " << dilation << ", spanning "
        << span << ") is larger than the padded image (" << image << " + 2 x " << pad << " = "
        << padded << ") along spatial axis " << a << shapes();
    g.image[a] = image;
    g.kernel[a] = kernel;
    g.stride[a] = stride;
    g.dilation[a] = dilation;
    g.pad[a] = pad;
    g.output[a] = (padded - span) / stride + 1;
  }
  // Every buffer's element count must fit in int64 (and the column buffers of im2col:
  // channels x kernel x output).
  auto what = [&] { return std::string(op) + ": sizes of" + shapes(); };
  int64_t columns = checked_mul(g.channels_per_group(), g.kernel_size(), what);
  checked_mul(columns, g.output_size(), what);
  checked_mul(checked_mul(g.batch, g.in_channels, what), g.image_size(), what);
  checked_mul(checked_mul(g.batch, g.out_channels, what), g.output_size(), what);
  checked_mul(g.out_channels, columns, what);
  return g;
}

Shape input_shape(const Geometry& g) {
  Shape s{g.batch, g.in_channels};
  for (int a = 0; a < g.spatial; ++a) s.push_back(g.image[a]);
  return s;
}

Shape filter_shape(const Geometry& g) {
  Shape s{g.out_channels, g.channels_per_group()};
  for (int a = 0; a < g.spatial; ++a) s.push_back(g.kernel[a]);
  return s;
}

Shape output_shape(const Geometry& g) {
  Shape s{g.batch, g.out_channels};
  for (int a = 0; a < g.spatial; ++a) s.push_back(g.output[a]);
  return s;
}

}  // namespace theon::detail::conv
