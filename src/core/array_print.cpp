// NumPy-style printing of arrays (numpy's default print options: 8 digits of precision,
// unique shortest representations, 75-column lines, summaries above 1000 elements).
#include <charconv>
#include <cmath>
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

// The shortest text that reads back as `v`, with at most kPrecision fraction digits.
std::string shortest_fixed(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  std::string s(buf, end);
  size_t dot = s.find('.');
  if (dot != std::string::npos && s.size() - dot - 1 > static_cast<size_t>(kPrecision)) {
    auto [end2, ec2] =
        std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, kPrecision);
    s.assign(buf, end2);
    while (s.back() == '0') s.pop_back();
  }
  if (s.find('.') == std::string::npos) s += ".";
  return s;
}

std::string shortest_scientific(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string s(buf, end);
  size_t e = s.find('e');
  std::string mantissa = s.substr(0, e), exponent = s.substr(e + 1);
  size_t dot = mantissa.find('.');
  if (dot != std::string::npos && mantissa.size() - dot - 1 > static_cast<size_t>(kPrecision)) {
    auto [end2, ec2] =
        std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific, kPrecision);
    std::string t(buf, end2);
    mantissa = t.substr(0, t.find('e'));
    while (mantissa.back() == '0') mantissa.pop_back();
  }
  if (mantissa.find('.') == std::string::npos) mantissa += ".";
  int exp_value = std::stoi(exponent);
  char exp_buf[16];
  std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exp_value < 0 ? '-' : '+', std::abs(exp_value));
  return mantissa + exp_buf;
}

std::string nonfinite(double v) {
  if (std::isnan(v)) return "nan";
  return v > 0 ? "inf" : "-inf";
}

// Formats the real numbers of one array so that they line up: integer parts aligned
// right, fraction parts padded on the right, as numpy does.
class FloatFormatter {
 public:
  explicit FloatFormatter(const std::vector<double>& values) {
    double max_abs = 0, min_abs = INFINITY;
    for (double v : values) {
      if (!std::isfinite(v)) continue;
      double a = std::fabs(v);
      max_abs = std::max(max_abs, a);
      if (a > 0) min_abs = std::min(min_abs, a);
    }
    scientific_ = max_abs >= 1e8 || (min_abs < 1e-4) || (min_abs < INFINITY && max_abs / min_abs > 1e3);
    if (min_abs == INFINITY) scientific_ = max_abs >= 1e8;
    for (double v : values) {
      auto [head, tail] = split(v);
      head_width_ = std::max(head_width_, head.size());
      tail_width_ = std::max(tail_width_, tail.size());
    }
  }

  std::string operator()(double v) const {
    auto [head, tail] = split(v);
    std::string out(head_width_ - std::min(head_width_, head.size()), ' ');
    out += head;
    out += tail;
    if (std::isfinite(v)) out.append(tail_width_ - tail.size(), ' ');
    else out.append(tail_width_ - std::min(tail_width_, tail.size()), ' ');
    return out;
  }

 private:
  std::pair<std::string, std::string> split(double v) const {
    if (!std::isfinite(v)) return {nonfinite(v), ""};
    std::string s = scientific_ ? shortest_scientific(v) : shortest_fixed(v);
    size_t dot = s.find('.');
    return {s.substr(0, dot), s.substr(dot)};
  }

  bool scientific_ = false;
  size_t head_width_ = 0, tail_width_ = 0;
};

std::string scalar_repr(double v) {
  if (!std::isfinite(v)) return nonfinite(v);
  double a = std::fabs(v);
  if (a != 0 && (a >= 1e16 || a < 1e-4)) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, end);
  }
  return shortest_fixed(v) + (shortest_fixed(v).back() == '.' ? "0" : "");
}

std::string complex_repr(complex128 c, bool in_array) {
  auto part = [&](double v) {
    std::string s = in_array ? shortest_fixed(v) : scalar_repr(v);
    if (!in_array && s.size() > 2 && s.substr(s.size() - 2) == ".0") s.resize(s.size() - 2);
    return s;
  };
  std::string re = part(c.real()), im = part(std::fabs(c.imag()));
  std::string sign = (c.imag() < 0 || std::signbit(c.imag())) ? "-" : "+";
  return in_array ? re + sign + im + "j" : "(" + re + sign + im + "j)";
}

// Gathers every element (in C order) as text, formatted uniformly.
std::vector<std::string> format_elements(const NDArray& a, bool summarize) {
  NDArray flat = a.copy();
  std::vector<std::string> out;
  const int64_t n = flat.size();
  out.reserve(n);
  visit_dtype(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = flat.data<T>();
    if constexpr (std::is_same_v<T, bool>) {
      for (int64_t i = 0; i < n; ++i) out.push_back(p[i] ? "True" : "False");
    } else if constexpr (std::is_integral_v<T>) {
      for (int64_t i = 0; i < n; ++i) out.push_back(std::to_string(static_cast<int64_t>(p[i])));
    } else if constexpr (std::is_floating_point_v<T>) {
      std::vector<double> values(p, p + n);
      FloatFormatter format(values);
      for (double v : values) out.push_back(format(v));
    } else {
      for (int64_t i = 0; i < n; ++i) out.push_back(complex_repr(complex128(p[i]), true));
    }
  });
  (void)summarize;
  size_t width = 0;
  for (auto& s : out) width = std::max(width, s.size());
  for (auto& s : out) s.insert(0, width - s.size(), ' ');
  return out;
}

void print_level(std::ostream& os, const NDArray& a, const std::vector<std::string>& items,
                 int axis, int64_t offset, int64_t stride_elems, bool summarize, int indent) {
  const int nd = a.ndim();
  const int64_t n = a.shape(axis);
  os << "[";
  auto visible = [&](int64_t i) { return !summarize || n <= 2 * kEdgeItems || i < kEdgeItems || i >= n - kEdgeItems; };
  if (axis == nd - 1) {
    int column = indent + 1;
    bool first = true;
    for (int64_t i = 0; i < n; ++i) {
      if (!visible(i)) {
        if (i == kEdgeItems) {
          os << " ...";
          column += 4;
        }
        continue;
      }
      const std::string& s = items[offset + i];
      if (!first) {
        if (column + 1 + static_cast<int>(s.size()) + 1 > kLineWidth) {
          os << "\n" << std::string(indent + 1, ' ');
          column = indent + 1;
        } else {
          os << " ";
          ++column;
        }
      }
      os << s;
      column += static_cast<int>(s.size());
      first = false;
    }
  } else {
    int64_t inner = stride_elems / n;
    bool first = true;
    for (int64_t i = 0; i < n; ++i) {
      if (!visible(i)) {
        if (i == kEdgeItems) os << "\n" << std::string(indent + 1, ' ') << "...";
        continue;
      }
      if (!first) os << std::string(nd - axis - 1, '\n') << std::string(indent + 1, ' ');
      print_level(os, a, items, axis + 1, offset + i * inner, inner, summarize, indent + 1);
      first = false;
    }
  }
  os << "]";
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const NDArray& a) {
  if (!a.defined()) return os << "<undefined array>";
  if (a.ndim() == 0) {
    return visit_dtype(a.dtype(), [&](auto tag) -> std::ostream& {
      using T = typename decltype(tag)::type;
      T v = *a.data<T>();
      if constexpr (std::is_same_v<T, bool>) return os << (v ? "True" : "False");
      else if constexpr (std::is_integral_v<T>) return os << static_cast<int64_t>(v);
      else if constexpr (std::is_floating_point_v<T>) return os << scalar_repr(v);
      else return os << complex_repr(complex128(v), false);
    });
  }
  if (a.size() == 0) return os << "[]";
  bool summarize = a.size() > kSummaryThreshold;
  auto items = format_elements(a, summarize);
  print_level(os, a, items, 0, 0, a.size(), summarize, 0);
  return os;
}

std::string to_string(const NDArray& a) {
  std::ostringstream os;
  os << a;
  return os.str();
}

}  // namespace theon
