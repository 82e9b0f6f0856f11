// NumPy-style printing of arrays: what numpy's str() prints with its default print
// options (precision 8 with unique shortest digits, 75-column lines, a summary showing 3
// items at each edge above 1000 elements). The structure follows numpy's arrayprint.py:
// a formatter built from the elements that will be shown gives every element the same
// width, then a recursive layout (numpy's _formatArray) brackets and wraps them.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "theon/array.hpp"

namespace theon {
namespace {

constexpr int kPrecision = 8;
constexpr int kLineWidth = 75;
constexpr int64_t kSummaryThreshold = 1000;
constexpr int64_t kEdgeItems = 3;

// Shortest round-trip digits of `v` (float or double, so float32 prints its own digits),
// optionally with a fixed number of digits after the point.
template <class F>
std::string to_text(F v, std::chars_format format, int precision = -1) {
  char buf[512];  // fixed notation of a large double needs over 300 characters
  auto result = precision < 0 ? std::to_chars(buf, buf + sizeof buf, v, format)
                              : std::to_chars(buf, buf + sizeof buf, v, format, precision);
  return std::string(buf, result.ptr);
}

// A finite number split as numpy's Dragon4 with unique=True, precision=8, trim='.' prints
// it: the shortest digits that read back as `v`, rounded to at most 8 digits after the
// point, without trailing zeros: "-1.25", "1." or "1.5e-05".
struct Digits {
  std::string whole;     // sign and integer part: "-1", "+2"
  std::string fraction;  // digits after the point
  std::string exponent;  // scientific only: "-05"
};

template <class F>
Digits dragon4(F v, bool scientific, bool plus_sign) {
  const auto format = scientific ? std::chars_format::scientific : std::chars_format::fixed;
  std::string s = to_text(v, format);
  Digits d;
  size_t e = s.find('e');
  if (e != std::string::npos) {
    d.exponent = s.substr(e + 1);
    s.resize(e);
  }
  size_t dot = s.find('.');
  if (dot != std::string::npos && s.size() - dot - 1 > static_cast<size_t>(kPrecision)) {
    s = to_text(v, format, kPrecision);
    if (e != std::string::npos) {  // rounding may carry into the exponent: 9.99999999e-01
      e = s.find('e');
      d.exponent = s.substr(e + 1);
      s.resize(e);
    }
    while (s.back() == '0') s.pop_back();
    dot = s.find('.');
  }
  d.whole = s.substr(0, dot);
  if (dot != std::string::npos) d.fraction = s.substr(dot + 1);
  if (plus_sign && !std::signbit(v)) d.whole.insert(d.whole.begin(), '+');
  return d;
}

std::string nonfinite_text(double v, bool plus_sign) {
  if (std::isnan(v)) return plus_sign ? "+nan" : "nan";
  if (v < 0) return "-inf";
  return plus_sign ? "+inf" : "inf";
}

// numpy's FloatingFormat (floatmode 'maxprec'): positional notation unless the non-zero
// magnitudes reach 1e8, fall below 1e-4 or span more than a factor 1000. Integer parts
// align right; positional fractions pad with spaces, scientific ones with zeros.
template <class F>
class FloatFormat {
 public:
  FloatFormat(const std::vector<F>& shown, bool plus_sign) : plus_sign_(plus_sign) {
    double max_abs = 0, min_abs = INFINITY;
    bool has_nonfinite = false, has_neg_inf = false;
    for (F v : shown) {
      if (!std::isfinite(v)) {
        has_nonfinite = true;
        has_neg_inf = has_neg_inf || (std::isinf(v) && v < 0);
        continue;
      }
      if (v == 0) continue;
      max_abs = std::max<double>(max_abs, std::fabs(v));
      min_abs = std::min<double>(min_abs, std::fabs(v));
    }
    scientific_ = min_abs != INFINITY && (max_abs >= 1e8 || min_abs < 1e-4 || max_abs / min_abs > 1e3);
    int fraction = 0, exponent_digits = 0;
    for (F v : shown) {
      if (!std::isfinite(v)) continue;
      Digits d = dragon4(v, scientific_, plus_sign_);
      pad_left_ = std::max(pad_left_, static_cast<int>(d.whole.size()));
      fraction = std::max(fraction, static_cast<int>(d.fraction.size()));
      exponent_digits = std::max(exponent_digits, static_cast<int>(d.exponent.size()) - 1);
    }
    if (scientific_) {
      precision_ = fraction;
      exponent_digits_ = exponent_digits;
      pad_right_ = exponent_digits + 2 + fraction;  // "e+05" after the fraction
    } else {
      pad_right_ = fraction;
    }
    if (has_nonfinite) {  // "nan" and "-inf" must fit too
      const int inf_length = 3 + (plus_sign_ || has_neg_inf);
      pad_left_ = std::max({pad_left_, 3 - (pad_right_ + 1), inf_length - (pad_right_ + 1)});
    }
  }

  std::string operator()(F v) const {
    const size_t width = static_cast<size_t>(pad_left_ + pad_right_ + 1);
    if (!std::isfinite(v)) {
      std::string s = nonfinite_text(v, plus_sign_);
      return std::string(width - std::min(width, s.size()), ' ') + s;
    }
    Digits d = dragon4(v, scientific_, plus_sign_);
    std::string s(pad_left_ - std::min<size_t>(pad_left_, d.whole.size()), ' ');
    s.append(d.whole).append(1, '.').append(d.fraction);
    if (scientific_) {
      s.append(precision_ - std::min<size_t>(precision_, d.fraction.size()), '0');
      std::string digits = d.exponent.substr(1);
      digits.insert(0, exponent_digits_ - std::min<size_t>(exponent_digits_, digits.size()), '0');
      s.append(1, 'e').append(d.exponent, 0, 1).append(digits);
    } else {
      s.append(pad_right_ - std::min<size_t>(pad_right_, d.fraction.size()), ' ');
    }
    return s;
  }

 private:
  bool plus_sign_;
  bool scientific_ = false;
  int pad_left_ = 0, pad_right_ = 0;
  int precision_ = 0, exponent_digits_ = 0;  // scientific notation only
};

// numpy's ComplexFloatingFormat: the real parts and the signed imaginary parts are
// formatted as two float columns, and "j" goes before the imaginary part's padding.
template <class F>
class ComplexFormat {
 public:
  explicit ComplexFormat(const std::vector<std::complex<F>>& shown)
      : real_(parts(shown, false), false), imag_(parts(shown, true), true) {}

  std::string operator()(std::complex<F> v) const {
    std::string i = imag_(v.imag());
    size_t end = i.find_last_not_of(' ') + 1;
    return real_(v.real()) + i.substr(0, end) + "j" + i.substr(end);
  }

 private:
  static std::vector<F> parts(const std::vector<std::complex<F>>& values, bool imag) {
    std::vector<F> out;
    for (const auto& v : values) out.push_back(imag ? v.imag() : v.real());
    return out;
  }
  FloatFormat<F> real_, imag_;
};

// A float scalar as numpy's repr of np.float64 (or np.float32): all the shortest
// digits, positional for magnitudes in [1e-4, 1e16), with "trim" deciding the form of
// whole numbers: "48.0" for a float, "48" inside a complex number.
template <class F>
std::string scalar_text(F v, bool keep_zero) {
  if (!std::isfinite(v)) return nonfinite_text(v, false);
  const double a = std::fabs(static_cast<double>(v));
  if (a != 0 && (a < 1e-4 || a >= 1e16)) return to_text(v, std::chars_format::scientific);
  std::string s = to_text(v, std::chars_format::fixed);
  if (keep_zero && s.find('.') == std::string::npos) s += ".0";
  return s;
}

template <class F>
std::string complex_scalar_text(std::complex<F> v) {
  std::string imag = scalar_text(v.imag(), false);
  if (v.real() == 0 && !std::signbit(v.real())) return imag + "j";
  if (!std::signbit(v.imag()) || std::isnan(v.imag())) imag.insert(imag.begin(), '+');
  std::string text(1, '(');
  return text.append(scalar_text(v.real(), false)).append(imag).append("j)");
}

std::string scalar_to_string(const NDArray& a) {
  return visit_dtype(a.dtype(), [&](auto tag) -> std::string {
    using T = typename decltype(tag)::type;
    T v = *a.data<T>();
    if constexpr (std::is_same_v<T, bool>) return v ? "True" : "False";
    else if constexpr (std::is_integral_v<T>) return std::to_string(static_cast<int64_t>(v));
    else if constexpr (std::is_floating_point_v<T>) return scalar_text(v, true);
    else return complex_scalar_text(v);
  });
}

// The positions along an axis of length n that are printed (all, or 3 at each edge).
std::vector<int64_t> shown_positions(int64_t n, bool summarize) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < n; ++i)
    if (!summarize || n <= 2 * kEdgeItems || i < kEdgeItems || i >= n - kEdgeItems)
      out.push_back(i);
  return out;
}

// Lays out an array as numpy's _formatArray does; elements are addressed by their
// offset (in elements, possibly negative) from the array's first element.
class Layout {
 public:
  using Format = std::function<std::string(int64_t)>;  // element offset -> text
  Layout(const NDArray& a, bool summarize) : a_(a), summarize_(summarize) {}

  // The offsets of the printed elements, which the formatter is built from.
  std::vector<int64_t> shown_offsets() const {
    std::vector<int64_t> out;
    collect(0, 0, out);
    return out;
  }

  std::string print(const Format& format) const { return block(format, 0, 0, " ", kLineWidth); }

 private:
  int64_t stride(int axis) const { return a_.strides()[axis]; }

  void collect(int axis, int64_t offset, std::vector<int64_t>& out) const {
    for (int64_t i : shown_positions(a_.shape(axis), summarize_)) {
      if (axis == a_.ndim() - 1) out.push_back(offset + i * stride(axis));
      else collect(axis + 1, offset + i * stride(axis), out);
    }
  }

  // The bracketed text of the sub-array at `offset` spanning axes axis.., whose lines
  // after the first start with `indent` and end before column `width`.
  std::string block(const Format& format, int axis, int64_t offset, const std::string& indent,
                    int width) const {
    const int64_t n = a_.shape(axis);
    const std::vector<int64_t> shown = shown_positions(n, summarize_);
    const bool gap = static_cast<int64_t>(shown.size()) < n;
    std::string s;
    if (axis == a_.ndim() - 1) {
      const size_t item_width = static_cast<size_t>(width - 1);  // room for "]"
      std::string line = indent;
      auto extend = [&](const std::string& word) {
        if (line.size() + word.size() > item_width && line.size() > indent.size()) {
          s += line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
          line = indent;
        }
        line += word;
      };
      for (size_t k = 0; k < shown.size(); ++k) {
        if (gap && k == static_cast<size_t>(kEdgeItems)) {
          extend("...");
          line += " ";
        }
        extend(format(offset + shown[k] * stride(axis)));
        if (k + 1 < shown.size()) line += " ";
      }
      s += line;
    } else {
      const std::string separator(a_.ndim() - axis - 1, '\n');
      for (size_t k = 0; k < shown.size(); ++k) {
        if (gap && k == static_cast<size_t>(kEdgeItems)) s += indent + "..." + separator;
        s += indent + block(format, axis + 1, offset + shown[k] * stride(axis), indent + " ",
                            width - 1);
        if (k + 1 < shown.size()) s += separator;
      }
    }
    // Appended piece by piece, as elsewhere in this file: "[" + std::string&& and
    // insert(0, "+") make GCC 12 warn falsely at -O3 (-Wrestrict, GCC bug 105329).
    std::string bracketed(1, '[');
    bracketed.append(s, indent.size());
    bracketed += ']';
    return bracketed;
  }

  const NDArray& a_;
  bool summarize_;
};

}  // namespace

std::ostream& operator<<(std::ostream& os, const NDArray& a) {
  if (!a.defined()) return os << "<undefined array>";
  if (a.ndim() == 0) return os << scalar_to_string(a);
  if (a.size() == 0) return os << "[]";
  const Layout layout(a, a.size() > kSummaryThreshold);
  const std::vector<int64_t> shown = layout.shown_offsets();
  Layout::Format format = visit_dtype(a.dtype(), [&](auto tag) -> Layout::Format {
    using T = typename decltype(tag)::type;
    const T* p = a.data<T>();
    std::vector<T> values;
    for (int64_t i : shown) values.push_back(p[i]);
    if constexpr (std::is_same_v<T, bool>) {
      return [p](int64_t i) { return std::string(p[i] ? " True" : "False"); };
    } else if constexpr (std::is_integral_v<T>) {
      size_t width = 0;
      for (T v : values) width = std::max(width, std::to_string(static_cast<int64_t>(v)).size());
      return [p, width](int64_t i) {
        std::string s = std::to_string(static_cast<int64_t>(p[i]));
        return std::string(width - std::min(width, s.size()), ' ') + s;
      };
    } else if constexpr (std::is_floating_point_v<T>) {
      return [p, f = FloatFormat<T>(values, false)](int64_t i) { return f(p[i]); };
    } else {
      return [p, f = ComplexFormat<typename T::value_type>(values)](int64_t i) { return f(p[i]); };
    }
  });
  return os << layout.print(format);
}

std::string to_string(const NDArray& a) {
  std::ostringstream os;
  os << a;
  return os.str();
}

}  // namespace theon
