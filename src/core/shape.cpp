#include "theon/shape.hpp"

#include <ostream>
#include <sstream>

#include "core/checked_size.hpp"
#include "theon/error.hpp"

namespace theon {

int64_t shape_size(std::span<const int64_t> shape) {
  int64_t extent = 1;  // product of the nonzero lengths
  bool has_zero = false;
  for (int64_t d : shape) {
    if (d == 0) {
      has_zero = true;
    } else if (__builtin_mul_overflow(extent, d, &extent)) [[unlikely]] {
      THEON_FAIL(MemoryError) << "an array of shape " << shape_str(shape)
                              << " would have more elements than int64 can count (2^63 - 1)";
    }
  }
  return has_zero ? 0 : extent;
}

Strides contiguous_strides(std::span<const int64_t> shape) {
  Strides strides;
  strides.resize(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= std::max<int64_t>(shape[i], 1);
  }
  return strides;
}

std::string shape_str(std::span<const int64_t> shape) {
  std::ostringstream os;
  os << "(";
  for (size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  if (shape.size() == 1) os << ",";
  os << ")";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << shape_str(shape); }

int normalize_axis(int64_t axis, int ndim, std::string_view op) {
  THEON_CHECK_USER(axis >= -ndim && axis < std::max(ndim, 1), ValueError)
      << op << ": axis " << axis << " is out of range for " << ndim << " dimensions";
  return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

}  // namespace theon

namespace theon::detail {

void throw_length_overflow(std::string_view what, int64_t a, char op, int64_t b) {
  THEON_FAIL(MemoryError) << what << ": " << a << " " << op << " " << b
                          << " does not fit in int64 (2^63 - 1): the array would be too large";
}

}  // namespace theon::detail
