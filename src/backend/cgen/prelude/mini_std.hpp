// The first lines of every generated kernel: a header-free stand-in for the parts of
// <cmath> and <type_traits> that kernel/scalar_math.hpp and the MATH column of
// scalar_ops.def use. Including <cmath> triples a kernel's compile time (~320 ms against
// ~100 ms here), and declaring the C math functions ourselves lets us mark them
// `simd`, so that GCC vectorizes calls to them through the GNU vector ABI
// (_ZGVeN8v_exp ...), which SLEEF's libsleefgnuabi implements at 1 ulp.
//
// The emitter embeds this file's text (src/backend/cgen/embed.cmake) and defines
// THEON_VMATH before it: the simd attribute when the vector library is linked, empty
// otherwise. A name that scalar_math.hpp starts to use and this file lacks fails the
// kernel compile, and cgen_test's every-op kernel catches it.
#ifndef THEON_VMATH
#define THEON_VMATH
#endif

extern "C" {
#define THEON_C_MATH1(name, attr) \
  double name(double) noexcept attr; \
  float name##f(float) noexcept attr;
#define THEON_C_MATH2(name, attr) \
  double name(double, double) noexcept attr; \
  float name##f(float, float) noexcept attr;
// Vectorized when THEON_VMATH says so.
THEON_C_MATH1(exp, THEON_VMATH)
THEON_C_MATH1(exp2, THEON_VMATH)
THEON_C_MATH1(expm1, THEON_VMATH)
THEON_C_MATH1(log, THEON_VMATH)
THEON_C_MATH1(log2, THEON_VMATH)
THEON_C_MATH1(log10, THEON_VMATH)
THEON_C_MATH1(log1p, THEON_VMATH)
THEON_C_MATH1(sin, THEON_VMATH)
THEON_C_MATH1(cos, THEON_VMATH)
THEON_C_MATH1(tan, THEON_VMATH)
THEON_C_MATH1(asin, THEON_VMATH)
THEON_C_MATH1(acos, THEON_VMATH)
THEON_C_MATH1(atan, THEON_VMATH)
THEON_C_MATH1(sinh, THEON_VMATH)
THEON_C_MATH1(cosh, THEON_VMATH)
THEON_C_MATH1(tanh, THEON_VMATH)
THEON_C_MATH1(atanh, THEON_VMATH)
THEON_C_MATH1(erf, THEON_VMATH)
THEON_C_MATH1(erfc, THEON_VMATH)
THEON_C_MATH2(atan2, THEON_VMATH)
THEON_C_MATH2(pow, THEON_VMATH)
THEON_C_MATH2(fmod, THEON_VMATH)
// Single instructions once GCC expands the builtin: never routed through a library.
THEON_C_MATH1(sqrt, )
THEON_C_MATH1(floor, )
THEON_C_MATH1(ceil, )
THEON_C_MATH1(trunc, )
THEON_C_MATH1(nearbyint, )
THEON_C_MATH1(fabs, )
THEON_C_MATH2(copysign, )
// Scalar only: glibc's, as the interpreter. SLEEF's asinh and acosh overflow to inf
// beyond |x| ~ 1e154; its tgamma is not checked at the poles.
THEON_C_MATH1(asinh, )
THEON_C_MATH1(acosh, )
THEON_C_MATH1(tgamma, )
double lgamma_r(double, int*) noexcept;
float lgammaf_r(float, int*) noexcept;
}

namespace std {

#define THEON_STD_MATH1(name) \
  inline double name(double x) { return ::name(x); } \
  inline float name(float x) { return ::name##f(x); }
#define THEON_STD_MATH2(name) \
  inline double name(double x, double y) { return ::name(x, y); } \
  inline float name(float x, float y) { return ::name##f(x, y); }
THEON_STD_MATH1(exp) THEON_STD_MATH1(exp2) THEON_STD_MATH1(expm1)
THEON_STD_MATH1(log) THEON_STD_MATH1(log2) THEON_STD_MATH1(log10) THEON_STD_MATH1(log1p)
THEON_STD_MATH1(sin) THEON_STD_MATH1(cos) THEON_STD_MATH1(tan)
THEON_STD_MATH1(asin) THEON_STD_MATH1(acos) THEON_STD_MATH1(atan)
THEON_STD_MATH1(sinh) THEON_STD_MATH1(cosh) THEON_STD_MATH1(tanh)
THEON_STD_MATH1(asinh) THEON_STD_MATH1(acosh) THEON_STD_MATH1(atanh) THEON_STD_MATH1(tgamma)
THEON_STD_MATH1(erf) THEON_STD_MATH1(erfc)
THEON_STD_MATH1(sqrt) THEON_STD_MATH1(floor) THEON_STD_MATH1(ceil) THEON_STD_MATH1(trunc)
THEON_STD_MATH1(nearbyint)
THEON_STD_MATH2(atan2) THEON_STD_MATH2(pow) THEON_STD_MATH2(fmod) THEON_STD_MATH2(copysign)
inline double abs(double x) { return ::fabs(x); }
inline float abs(float x) { return ::fabsf(x); }
inline bool isnan(double x) { return __builtin_isnan(x); }
inline bool isnan(float x) { return __builtin_isnan(x); }
inline bool isinf(double x) { return __builtin_isinf(x); }
inline bool isinf(float x) { return __builtin_isinf(x); }

template <class T>
class complex;  // complex programs stay interpreted; scalar_math.hpp only names the type

template <class T, class U>
inline constexpr bool is_same_v = false;
template <class T>
inline constexpr bool is_same_v<T, T> = true;
template <class T>
inline constexpr bool is_floating_point_v =
    is_same_v<T, float> || is_same_v<T, double> || is_same_v<T, long double>;
template <class T>
inline constexpr bool is_integral_v =
    is_same_v<T, bool> || is_same_v<T, char> || is_same_v<T, signed char> ||
    is_same_v<T, unsigned char> || is_same_v<T, short> || is_same_v<T, unsigned short> ||
    is_same_v<T, int> || is_same_v<T, unsigned> || is_same_v<T, long> ||
    is_same_v<T, unsigned long> || is_same_v<T, long long> || is_same_v<T, unsigned long long>;
template <class T>
constexpr bool theon_is_signed() {
  if constexpr (is_integral_v<T> || is_floating_point_v<T>) {
    return T(-1) < T(0);
  } else {
    return false;
  }
}
template <class T>
inline constexpr bool is_signed_v = theon_is_signed<T>();
template <class T>
inline constexpr bool is_unsigned_v = is_integral_v<T> && !is_signed_v<T>;

template <class T>
struct make_unsigned { using type = T; };
template <> struct make_unsigned<char> { using type = unsigned char; };
template <> struct make_unsigned<signed char> { using type = unsigned char; };
template <> struct make_unsigned<short> { using type = unsigned short; };
template <> struct make_unsigned<int> { using type = unsigned; };
template <> struct make_unsigned<long> { using type = unsigned long; };
template <> struct make_unsigned<long long> { using type = unsigned long long; };
template <class T>
using make_unsigned_t = typename make_unsigned<T>::type;

}  // namespace std
