// Scalar math helpers used by the scalar-op table (scalar_ops.def) where the math is
// more than one C++ expression. Only <cmath> and <complex>: the interpreter includes
// this header and so will generated code.
#pragma once

#include <cmath>
#include <complex>
#include <type_traits>

namespace theon::k {

template <class T>
inline constexpr bool is_complex_v = false;
template <class T>
inline constexpr bool is_complex_v<std::complex<T>> = true;

// Integer +, -, * and negation wrap around on overflow, as NumPy's do (two's
// complement). C++ leaves signed overflow undefined, and the optimizer may assume it
// never happens, so signed integers compute in their unsigned type; every other type
// (float, complex, and small integers, which C++ promotes to int) uses the operator.
template <class R, class A, class B, class Op>
constexpr R wrapping(A a, B b, Op op) {
  using U = std::make_unsigned_t<R>;
  return static_cast<R>(op(static_cast<U>(a), static_cast<U>(b)));
}
template <class R>
inline constexpr bool wraps_v = std::is_integral_v<R> && std::is_signed_v<R>;

template <class A, class B>
constexpr auto wrap_add(A a, B b) {
  using R = decltype(a + b);
  if constexpr (wraps_v<R>) {
    return wrapping<R>(a, b, [](auto x, auto y) { return x + y; });
  } else {
    return a + b;
  }
}
template <class A, class B>
constexpr auto wrap_sub(A a, B b) {
  using R = decltype(a - b);
  if constexpr (wraps_v<R>) {
    return wrapping<R>(a, b, [](auto x, auto y) { return x - y; });
  } else {
    return a - b;
  }
}
template <class A, class B>
constexpr auto wrap_mul(A a, B b) {
  using R = decltype(a * b);
  if constexpr (wraps_v<R>) {
    // unsigned short * unsigned short promotes to int and could overflow: multiply in
    // unsigned long long, which is wide enough and wraps.
    return wrapping<R>(a, b, [](auto x, auto y) {
      return static_cast<unsigned long long>(x) * static_cast<unsigned long long>(y);
    });
  } else {
    return a * b;
  }
}
template <class A>
constexpr auto wrap_neg(A a) {
  using R = decltype(-a);
  if constexpr (wraps_v<R>) {
    return static_cast<R>(-static_cast<std::make_unsigned_t<R>>(a));
  } else {
    return -a;
  }
}

// Python's floor division: rounds toward negative infinity; x // 0 is 0 for integers.
template <class T>
T floor_div(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    // NumPy's npy_divmod: divide a - fmod(a, b), which is exact, so that 1 // 0.1 is 9
    // as in Python (floor(1 / 0.1) rounds the quotient up to 10 first).
    if (b == 0) return a / b;
    const T m = std::fmod(a, b);
    T div = (a - m) / b;
    if (m != 0 && ((b < 0) != (m < 0))) div -= 1;
    if (div == 0) return std::copysign(T(0), a / b);
    T floored = std::floor(div);
    return div - floored > T(0.5) ? floored + 1 : floored;
  } else if constexpr (std::is_same_v<T, bool>) {
    return b ? a : false;
  } else {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>) {  // MIN / -1 overflows (and traps on x86)
      if (b == -1) return static_cast<T>(-static_cast<std::make_unsigned_t<T>>(a));
    }
    T q = static_cast<T>(a / b);
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
  }
}

// Python's modulo: the result has the sign of the divisor; x % 0 is 0 for integers.
template <class T>
T mod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    T r = std::fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else if constexpr (std::is_same_v<T, bool>) {
    return false;
  } else {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>) {
      if (b == -1) return 0;  // MIN % -1 traps on x86
    }
    T r = static_cast<T>(a % b);
    if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
    return r;
  }
}

// Integer powers by squaring; a negative exponent gives 1/a^n truncated (0 unless |a|
// is 1), where NumPy raises.
template <class T>
T pow(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b % 2) ? -1 : 1) : 0);
    T result = 1;
    while (b) {
      if (b & 1) result = static_cast<T>(result * a);
      b = static_cast<T>(b >> 1);
      a = static_cast<T>(a * a);
    }
    return result;
  } else {
    return std::pow(a, b);
  }
}

// NaN-propagating, as numpy.minimum and numpy.maximum.
template <class T>
T minimum(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return a + b;
  }
  return b < a ? b : a;
}
template <class T>
T maximum(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return a + b;
  }
  return a < b ? b : a;
}
template <class T>
T clip(T x, T lo, T hi) {
  return minimum(maximum(x, lo), hi);
}

template <class T>
auto abs(T a) {
  if constexpr (is_complex_v<T> || std::is_floating_point_v<T>) {
    return std::abs(a);
  } else if constexpr (std::is_same_v<T, bool>) {
    return a;
  } else if constexpr (std::is_unsigned_v<T>) {
    return a;
  } else {
    return static_cast<T>(a < 0 ? wrap_neg(a) : a);  // abs(MIN) is MIN, as in NumPy
  }
}

template <class T>
T sign(T a) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return a;
  }
  return static_cast<T>((T(0) < a) - (a < T(0)));
}

// Logical for bool, bitwise for integers (Theano's and_, or_, xor, invert).
template <class T>
T bit_and(T a, T b) {
  return static_cast<T>(a & b);
}
template <class T>
T bit_or(T a, T b) {
  return static_cast<T>(a | b);
}
template <class T>
T bit_xor(T a, T b) {
  return static_cast<T>(a ^ b);
}
template <class T>
T invert(T a) {
  if constexpr (std::is_same_v<T, bool>) {
    return !a;
  } else {
    return static_cast<T>(~a);
  }
}

// 1 / (1 + exp(-x)), without overflow for large |x|.
template <class T>
T sigmoid(T x) {
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  T e = std::exp(x);
  return e / (T(1) + e);
}

// log(1 + exp(x)), exact for large |x| (x for large positive x, exp(x) for very negative).
template <class T>
T softplus(T x) {
  if (x > T(30)) return x;
  if (x < T(-30)) return std::exp(x);
  return std::log1p(std::exp(x));
}

// Round half to even, as numpy.round (the default rounding mode does this).
template <class T>
T round_half_even(T x) {
  return std::nearbyint(x);
}

template <class T>
bool is_nan(T a) {
  if constexpr (is_complex_v<T>) {
    return std::isnan(a.real()) || std::isnan(a.imag());
  } else if constexpr (std::is_floating_point_v<T>) {
    return std::isnan(a);
  } else {
    return false;
  }
}
template <class T>
bool is_inf(T a) {
  if constexpr (is_complex_v<T>) {
    return std::isinf(a.real()) || std::isinf(a.imag());
  } else if constexpr (std::is_floating_point_v<T>) {
    return std::isinf(a);
  } else {
    return false;
  }
}

}  // namespace theon::k
