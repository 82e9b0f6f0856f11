// The parameters shared by the pooling ops and their kernels: the mode, the number of
// pooled axes, window, stride, padding and ignore_border, checked once when the graph
// is built; and the run-time geometry of one call.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "theon/array.hpp"
#include "theon/pool.hpp"

namespace theon::detail::pool {

enum class Mode : uint8_t { Max, Sum, AverageIncPad, AverageExcPad };

// "max", "sum", "average_inc_pad", "average_exc_pad" (ValueError naming `op` otherwise;
// Theano's "average" alias is average_inc_pad).
Mode parse_mode(std::string_view mode, std::string_view op);
std::string_view mode_name(Mode mode);

inline constexpr int kMaxPooled = 3;

struct Params {
  int nd = 2;  // pooled axes: the last nd of the input
  bool ignore_border = false;
  Mode mode = Mode::Max;
  std::array<int64_t, kMaxPooled> ws{1, 1, 1}, stride{1, 1, 1}, pad{0, 0, 0};

  // Checks the user's numbers (ValueError naming `op`): an empty stride is ws, an empty
  // pad zeros.
  static Params make(std::string_view op, int nd, const tensor::signal::PoolWindow& ws,
                     bool ignore_border, const tensor::signal::PoolWindow& stride,
                     const tensor::signal::PoolWindow& pad, Mode mode);
  // "ws=(2, 2), stride=(2, 2), pad=(0, 0), ignore_border=True, mode=max": the op's props.
  std::string describe() const;
  bool same_window(const Params& other) const {
    return nd == other.nd && ignore_border == other.ignore_border && ws == other.ws &&
           stride == other.stride && pad == other.pad;
  }
};

// One call's sizes. The pooled axes sit at the end of the three slots (a 2-d pooling
// has image[0] = out[0] = ws[0] = stride[0] = 1 and pad[0] = 0), so kernels always
// loop over three axes.
struct Geometry {
  int64_t planes = 0;                       // product of the leading (batch-like) axes
  std::array<int64_t, 3> image{1, 1, 1};    // input lengths
  std::array<int64_t, 3> out{1, 1, 1};      // output lengths
  std::array<int64_t, 3> ws{1, 1, 1}, stride{1, 1, 1}, pad{0, 0, 0};
  Mode mode = Mode::Max;

  // From the input's shape; the output lengths and the element counts are
  // overflow-checked (MemoryError naming `op`).
  static Geometry make(const Params& p, const Shape& input_shape, std::string_view op);
  int64_t image_size() const { return image[0] * image[1] * image[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t window_size() const { return ws[0] * ws[1] * ws[2]; }
  // The output's shape: the input's leading axes, then the pooled lengths.
  Shape output_shape(const Shape& input_shape, int nd) const;
};

// A tensor seen as `planes` images: where plane p starts (the leading axes unraveled
// from p) and the strides of the three pooled slots (0 for an absent slot).
struct PlaneLayout {
  Shape leading;
  Strides leading_strides;
  std::array<int64_t, 3> stride{0, 0, 0};

  static PlaneLayout of(const NDArray& a, int nd);
  int64_t offset(int64_t plane) const {
    int64_t off = 0;
    for (int d = static_cast<int>(leading.size()) - 1; d >= 0; --d) {
      const int64_t n = leading[d];
      off += (plane % n) * leading_strides[d];
      plane /= n;
    }
    return off;
  }
};

}  // namespace theon::detail::pool
