// A convolution op's parameters (ConvSpec) and the Geometry they give for the shapes
// that arrive at run time: the one place that turns border modes into padding and checks
// every size (ValueError / ShapeError naming the op and the shapes; MemoryError when a
// size overflows int64).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ops/conv/conv_kernels.hpp"
#include "theon/shape.hpp"

namespace theon::detail::conv {

enum class BorderKind { Valid, Full, Half, Explicit };

// What an op knows when the graph is built; the kernel's spatial lengths decide the
// padding of 'full' and 'half' only when the function runs.
struct ConvSpec {
  int spatial = 2;
  BorderKind border = BorderKind::Valid;
  std::array<int64_t, kMaxSpatial> pad{0, 0, 0};  // BorderKind::Explicit only
  std::array<int64_t, kMaxSpatial> stride{1, 1, 1};
  std::array<int64_t, kMaxSpatial> dilation{1, 1, 1};
  int64_t groups = 1;

  // "border=valid stride=(1,1) dilation=(1,1) groups=1": op props and error messages.
  std::string str() const;
  // Padding on each side of axis `axis` for a kernel of `kernel` taps.
  int64_t padding(int axis, int64_t kernel) const;
};

// Theano's output length of one axis: (in + 2 pad - dilation (k - 1) - 1) // stride + 1.
int64_t output_length(int64_t image, int64_t kernel, int64_t pad, int64_t stride,
                      int64_t dilation);

// The geometry of `op` (its name, for errors) for an input of shape (batch, channels,
// spatial...) and filters of shape (out_channels, channels / groups, kernel...). Checks
// ranks, channel counts, groups, that the dilated kernel fits the padded image, and the
// products of sizes for overflow.
Geometry make_geometry(std::string_view op, const ConvSpec& spec, const Shape& input,
                       const Shape& filters);

// (batch, channels, image...) and friends as Shapes, for allocating outputs.
Shape input_shape(const Geometry& g);
Shape filter_shape(const Geometry& g);
Shape output_shape(const Geometry& g);

}  // namespace theon::detail::conv
