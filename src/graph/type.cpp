#include "theon/type.hpp"

#include <sstream>

namespace theon {
namespace {

std::string kind_name(const BroadcastPattern& b) {
  switch (b.size()) {
    case 0: return "scalar";
    case 1: return b[0] ? "(True,)" : "vector";
    case 2:
      if (!b[0] && !b[1]) return "matrix";
      if (b[0] && !b[1]) return "row";
      if (!b[0] && b[1]) return "col";
      return "(True, True)";
    default: break;
  }
  bool any = false;
  for (bool x : b) any = any || x;
  if (!any) return "tensor" + std::to_string(b.size());
  std::string s = "(";
  for (size_t i = 0; i < b.size(); ++i) s += std::string(i ? ", " : "") + (b[i] ? "True" : "False");
  return s + ")";
}

}  // namespace

std::string TensorType::str() const {
  return std::string(dtype_name(dtype)) + " " + kind_name(broadcastable);
}

std::string TensorType::repr() const {
  std::string s = "TensorType(" + std::string(dtype_name(dtype)) + ", (";
  for (size_t i = 0; i < broadcastable.size(); ++i)
    s += std::string(i ? ", " : "") + (broadcastable[i] ? "True" : "False");
  if (broadcastable.size() == 1) s += ",";
  return s + "))";
}

NDArray TensorType::filter(const NDArray& value, bool allow_downcast,
                           const std::string& what) const {
  THEON_CHECK_USER(value.defined(), TypeError) << what << ": no value given";
  THEON_CHECK_USER(value.ndim() == ndim(), TypeError)
      << what << ": expected a " << str() << " (" << ndim() << " dimensions), got an array with "
      << value.ndim() << " dimensions, shape " << shape_str(value.shape());
  for (int i = 0; i < ndim(); ++i) {
    THEON_CHECK_USER(!broadcastable[i] || value.shape(i) == 1, TypeError)
        << what << ": dimension " << i << " of a " << str()
        << " is broadcastable and must have length 1, got shape " << shape_str(value.shape());
  }
  if (value.dtype() == dtype) return value;
  THEON_CHECK_USER(allow_downcast || can_cast_safely(value.dtype(), dtype), TypeError)
      << what << ": expected " << dtype_name(dtype) << " data, got " << dtype_name(value.dtype())
      << ", which would lose precision (convert it first, or build the function with "
         "allow_input_downcast)";
  return value.astype(dtype);
}

}  // namespace theon
