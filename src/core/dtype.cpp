#include "theon/dtype.hpp"

#include <array>
#include <string>

#include "theon/error.hpp"

namespace theon {
namespace {

constexpr std::array<std::string_view, kNumDTypes> kNames = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "float32", "float64", "complex64",
    "complex128"};
constexpr std::array<size_t, kNumDTypes> kSizes = {1, 1, 2, 4, 8, 1, 4, 8, 8, 16};

// Bits of the integer types, for promotion.
int int_bits(DType d) {
  switch (d) {
    case DType::Int8: case DType::UInt8: return 8;
    case DType::Int16: return 16;
    case DType::Int32: return 32;
    case DType::Int64: return 64;
    default: return 0;
  }
}

// The smallest float that holds every value of an integer dtype exactly (NumPy's rule:
// up to 16 bits fit float32; wider integers need float64).
DType float_holding(DType d) {
  return (is_bool(d) || int_bits(d) <= 16) ? DType::Float32 : DType::Float64;
}

}  // namespace

std::string_view dtype_name(DType d) { return kNames[static_cast<int>(d)]; }

DType dtype_from_name(std::string_view name) {
  for (int i = 0; i < kNumDTypes; ++i)
    if (kNames[i] == name) return static_cast<DType>(i);
  if (name == "floatX") return DType::Float64;
  THEON_FAIL(ValueError) << "unknown dtype '" << name
                         << "' (expected bool, int8, int16, int32, int64, uint8, float32, "
                            "float64, complex64 or complex128)";
}

size_t itemsize(DType d) { return kSizes[static_cast<int>(d)]; }

DType promote(DType a, DType b) {
  if (a == b) return a;
  if (is_bool(a)) return b;
  if (is_bool(b)) return a;
  if (is_complex(a) || is_complex(b)) {
    bool wide = a == DType::Complex128 || b == DType::Complex128 || a == DType::Float64 ||
                b == DType::Float64 ||
                (!is_complex(a) && !is_float(a) && float_holding(a) == DType::Float64) ||
                (!is_complex(b) && !is_float(b) && float_holding(b) == DType::Float64);
    return wide ? DType::Complex128 : DType::Complex64;
  }
  if (is_float(a) || is_float(b)) {
    DType fa = is_float(a) ? a : float_holding(a);
    DType fb = is_float(b) ? b : float_holding(b);
    return (fa == DType::Float64 || fb == DType::Float64) ? DType::Float64 : DType::Float32;
  }
  // Two integer types. uint8 meeting a signed type needs one more bit.
  bool a_unsigned = a == DType::UInt8, b_unsigned = b == DType::UInt8;
  if (a_unsigned == b_unsigned) return int_bits(a) >= int_bits(b) ? a : b;
  DType signed_type = a_unsigned ? b : a;
  return int_bits(signed_type) > 8 ? signed_type : DType::Int16;
}

DType float_of(DType d) {
  if (is_inexact(d)) return d;
  return float_holding(d);
}

DType real_of(DType d) {
  if (d == DType::Complex64) return DType::Float32;
  if (d == DType::Complex128) return DType::Float64;
  return d;
}

bool can_cast_safely(DType from, DType to) { return promote(from, to) == to; }

}  // namespace theon
