// Element types of Theon arrays and their promotion rules.
//
// The ten dtypes are NumPy's names for Theano's types. Promotion follows NumPy's
// table: bool < integers < floats < complex, a signed/unsigned mix widens to the next
// signed type, and an integer of 32 bits or more meeting float32 gives float64.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace theon {

enum class DType : uint8_t {
  Bool,
  Int8,
  Int16,
  Int32,
  Int64,
  UInt8,
  Float32,
  Float64,
  Complex64,
  Complex128,
};
inline constexpr int kNumDTypes = 10;

using complex64 = std::complex<float>;
using complex128 = std::complex<double>;

// "float64", "int32", ...; dtype_from_name throws ValueError on an unknown name.
std::string_view dtype_name(DType dtype);
DType dtype_from_name(std::string_view name);
size_t itemsize(DType dtype);

constexpr bool is_bool(DType d) { return d == DType::Bool; }
constexpr bool is_integer(DType d) { return d >= DType::Int8 && d <= DType::UInt8; }
constexpr bool is_float(DType d) { return d == DType::Float32 || d == DType::Float64; }
constexpr bool is_complex(DType d) { return d == DType::Complex64 || d == DType::Complex128; }
constexpr bool is_inexact(DType d) { return is_float(d) || is_complex(d); }
// bool and integers: the dtypes whose gradients are zero, as in Theano.
constexpr bool is_discrete(DType d) { return is_bool(d) || is_integer(d); }

// NumPy's result_type for two array dtypes.
DType promote(DType a, DType b);
// The float type an operation like exp or true division computes in (Theano's
// upgrade_to_float): small integers and bool give float32, wider ones float64,
// floats and complex stay.
DType float_of(DType d);
// The real dtype of a complex one (abs, real parts); other dtypes are returned unchanged.
DType real_of(DType d);
// True where every value of `from` is exactly representable in `to` (numpy.can_cast, "safe").
bool can_cast_safely(DType from, DType to);

template <class T> struct dtype_of_t;
template <> struct dtype_of_t<bool> { static constexpr DType value = DType::Bool; };
template <> struct dtype_of_t<int8_t> { static constexpr DType value = DType::Int8; };
template <> struct dtype_of_t<int16_t> { static constexpr DType value = DType::Int16; };
template <> struct dtype_of_t<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct dtype_of_t<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of_t<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct dtype_of_t<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of_t<double> { static constexpr DType value = DType::Float64; };
template <> struct dtype_of_t<complex64> { static constexpr DType value = DType::Complex64; };
template <> struct dtype_of_t<complex128> { static constexpr DType value = DType::Complex128; };
template <class T> inline constexpr DType dtype_of = dtype_of_t<T>::value;

template <class T>
concept Element = requires { dtype_of_t<T>::value; };
template <class T>
concept ComplexElement = std::is_same_v<T, complex64> || std::is_same_v<T, complex128>;

// Calls f(std::type_identity<T>{}) with T the C++ type of `dtype`; returns what f returns.
template <class F>
decltype(auto) visit_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Bool: return f(std::type_identity<bool>{});
    case DType::Int8: return f(std::type_identity<int8_t>{});
    case DType::Int16: return f(std::type_identity<int16_t>{});
    case DType::Int32: return f(std::type_identity<int32_t>{});
    case DType::Int64: return f(std::type_identity<int64_t>{});
    case DType::UInt8: return f(std::type_identity<uint8_t>{});
    case DType::Float32: return f(std::type_identity<float>{});
    case DType::Float64: return f(std::type_identity<double>{});
    case DType::Complex64: return f(std::type_identity<complex64>{});
    case DType::Complex128: return f(std::type_identity<complex128>{});
  }
  __builtin_unreachable();
}

// Converts one element between C++ element types the way NumPy's astype does
// (complex to real keeps the real part; anything to bool tests for non-zero).
template <class To, class From>
constexpr To convert_element(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From{};
  } else if constexpr (ComplexElement<From> && ComplexElement<To>) {
    using R = typename To::value_type;
    return To(static_cast<R>(v.real()), static_cast<R>(v.imag()));
  } else if constexpr (ComplexElement<From> && !ComplexElement<To>) {
    return static_cast<To>(v.real());
  } else if constexpr (ComplexElement<To>) {
    return To(static_cast<typename To::value_type>(v));
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace theon
