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


// ---- Special functions (Theano's gammaln, psi, erfinv ...) ----
// psi, tri_gamma, erfinv and erfcinv compute in double whatever T: float32 results are
// then correctly rounded nearly always, and one code path serves both dtypes.

inline constexpr double kPi = 3.141592653589793;

// c[0] t^(N-1) + ... + c[N-1].
template <int N>
double horner(double t, const double (&c)[N]) {
  double sum = c[0];
  for (int i = 1; i < N; ++i) sum = c[i] + sum * t;
  return sum;
}

// log|gamma(x)|. std::lgamma also stores gamma's sign in the global signgam, a data
// race when threads share a loop; the _r variants return it instead.
inline double log_gamma(double x) {
  int sign;
  return ::lgamma_r(x, &sign);
}
inline float log_gamma(float x) {
  int sign;
  return ::lgammaf_r(x, &sign);
}

// psi's positive root (the double nearest, then what remains), and psi^(n)(root) / n! for
// n = 16 down to 1.
inline constexpr double kDigammaRoot[] = {1.4616321449683622, 9.549995429965697e-17};
inline constexpr double kDigammaAtRoot[] = {
    -0.0015769367714301972, 0.002305126326734928, -0.003369801655439328, 0.004926781395729853,
    -0.007204534386356869,  0.010538791616612175, -0.01542476590494896,  0.022597648232218104,
    -0.03316112647484736,   0.04880428816414311,  -0.07219956125645471,  0.10782405069126237,
    -0.16394270544240652,   0.258499760955651,    -0.4427631689835921,   0.9676722454476212};

// psi(x) for x > 0: psi(x) = psi(x + 1) - 1/x moves x to 10 or more, where the
// asymptotic series log(x) - 1/(2x) - sum B_2k / (2k x^2k), to x^-14, is within 1e-17.
inline double digamma_positive(double x) {
  // Near psi's positive root the sum below cancels to an absolute error of ~4e-16: a
  // Taylor series about the root keeps the relative error small there.
  const double d = (x - kDigammaRoot[0]) - kDigammaRoot[1];
  if (d > -0.1 && d < 0.1) return d * horner(d, kDigammaAtRoot);
  double shift = 0;
  for (; x < 10; x += 1) shift -= 1 / x;
  const double z = 1 / (x * x);
  const double tail = z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132 -
                      z * (691.0 / 32760 - z / 12))))));
  return shift + std::log(x) - 0.5 / x - tail;
}

// The digamma function psi(x) = d/dx log(gamma(x)). Negative x reflect:
// psi(x) = psi(1 - x) - pi cot(pi x), with cot taken of x's distance r to the nearest
// integer (exact), so that large |x| keep their accuracy. Poles: psi(+-0) = -+inf, NaN at
// negative integers (as SciPy).
template <class T>
T digamma(T x) {
  const double v = x;
  if (v > 0) return static_cast<T>(digamma_positive(v));
  if (v == 0) return static_cast<T>(-1 / v);
  const double r = v - std::nearbyint(v);  // NaN for NaN and -inf
  if (r == 0) return static_cast<T>(__builtin_nan(""));
  // pi cot(pi r), with tan's argument kept within pi/4: cot(t) = tan(pi/2 - t).
  const double cot = std::abs(r) < 0.25 ? 1 / std::tan(kPi * r)
                                        : std::copysign(std::tan(kPi * (0.5 - std::abs(r))), r);
  return static_cast<T>(digamma_positive(1 - v) - kPi * cot);
}

// psi'(x) for x >= 0: psi'(x) = psi'(x + 1) + 1/x^2 moves x to 10 or more, then
// 1/x + 1/(2x^2) + sum B_2k / x^(2k+1), to x^-17.
inline double trigamma_positive(double x) {
  double shift = 0;
  for (; x < 10; x += 1) shift += 1 / (x * x);
  const double r = 1 / x, z = r * r;
  const double tail = r * z * (1.0 / 6 - z * (1.0 / 30 - z * (1.0 / 42 - z * (1.0 / 30 - z * (5.0 / 66 -
                      z * (691.0 / 2730 - z * (7.0 / 6 - z * 3617.0 / 510)))))));
  return shift + r + 0.5 * z + tail;
}

// The trigamma function psi'(x), psi's derivative. Negative x reflect:
// psi'(x) = pi^2 / sin^2(pi x) - psi'(1 - x); +inf at the poles 0, -1, -2, ...
template <class T>
T trigamma(T x) {
  const double v = x;
  if (v >= 0) return static_cast<T>(trigamma_positive(v));
  const double r = v - std::nearbyint(v);
  if (r == 0) return static_cast<T>(__builtin_huge_val());
  const double s = std::sin(kPi * r);
  return static_cast<T>(kPi * kPi / (s * s) - trigamma_positive(1 - v));
}

// M. Giles's single-precision fit of erfinv ("Approximating the erfinv function", 2010):
// erfinv(p) ~ p * poly(w - 2.5) for w = -log(1 - p^2) < 5, p * poly(sqrt(w) - 3) beyond.
inline constexpr double kErfinvCentral[] = {
    2.81022636e-08,  3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
    -0.00125372503, -0.00417768164,  0.246640727,    1.50140941};
inline constexpr double kErfinvTail[] = {
    -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
    -0.0076224613,   0.00943887047,  1.00167406,    2.83297682};

// y >= 0 with erf(y) = p and erfc(y) = q, where p + q = 1, q > 0, and p is exact when
// p <= 0.5 and q is exact otherwise. A start from Giles's fit, or from the
// asymptote erfc(y) ~ exp(-y^2) / (y sqrt(pi)) beyond its range, then two Halley
// steps, each tripling the correct digits: on erf(y) - p where p is exact, and on
// q - erfc(y) near erf's saturation, where only erfc keeps q's relative accuracy.
inline double erfinv_core(double p, double q) {
  const double w = p <= 0.5 ? -std::log1p(-p * p) : -std::log(q * (1 + p));
  double y;
  if (w < 5) {
    y = p * horner(w - 2.5, kErfinvCentral);
  } else if (w < 16) {  // Giles's range: p up to 1 - 6e-8
    y = p * horner(std::sqrt(w) - 3, kErfinvTail);
  } else {
    const double l = -std::log(q);
    y = std::sqrt(l - 0.5 * std::log(kPi * l));
  }
  for (int step = 0; step < 2; ++step) {
    const double f = p <= 0.5 ? std::erf(y) - p : q - std::erfc(y);
    const double u = f / (1.1283791670955126 * std::exp(-y * y));  // f / f'
    y -= u / (1 + y * u);                                           // f'' / f' = -2y
  }
  return y;
}

// The inverse of erf on [-1, 1]: +-inf at +-1, NaN outside.
template <class T>
T erfinv(T x) {
  const double v = x, p = std::abs(v);
  if (!(p < 1)) return static_cast<T>(p == 1 ? std::copysign(__builtin_huge_val(), v) : __builtin_nan(""));
  return static_cast<T>(std::copysign(erfinv_core(p, 1 - p), v));
}

// The inverse of erfc on [0, 2]: +inf at 0, -inf at 2, NaN outside. Above 1,
// erfcinv(x) = -erfcinv(2 - x); x - 1 and 2 - x are exact there.
template <class T>
T erfcinv(T x) {
  const double v = x;
  if (!(v > 0 && v < 2)) {
    if (v == 0 || v == 2) return static_cast<T>(v == 0 ? __builtin_huge_val() : -__builtin_huge_val());
    return static_cast<T>(__builtin_nan(""));
  }
  return static_cast<T>(v <= 1 ? erfinv_core(1 - v, v) : -erfinv_core(v - 1, 2 - v));
}

}  // namespace theon::k
