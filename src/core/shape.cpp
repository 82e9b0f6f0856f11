#include "theon/shape.hpp"

#include <ostream>
#include <sstream>

#include "theon/error.hpp"

namespace theon {

int64_t shape_size(std::span<const int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
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
