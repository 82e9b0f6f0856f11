// Print: Theano's printing.Print, an identity op that reports its input when computed.
#include <iostream>
#include <sstream>

#include "theon/debug.hpp"
#include "theon/shape.hpp"
#include "theon/side_effect.hpp"

namespace theon {
namespace {

constexpr const char* kAttrs[] = {"__str__", "shape", "dtype", "sum", "min", "max", "mean", "size", "ndim"};

bool known_attr(const std::string& attr) {
  for (const char* a : kAttrs)
    if (attr == a) return true;
  return false;
}

// sum, min, max or mean of a real array, computed in float64 (as NumPy prints them).
std::string statistic(const NDArray& a, const std::string& attr) {
  if (a.size() == 0) return attr == "sum" ? "0.0" : "nan";
  const NDArray d = a.astype(DType::Float64).contiguous();
  const double* p = d.data<double>();
  double acc = attr == "sum" || attr == "mean" ? 0.0 : p[0];
  for (int64_t i = 0; i < d.size(); ++i) {
    if (attr == "min") acc = std::min(acc, p[i]);
    else if (attr == "max") acc = std::max(acc, p[i]);
    else acc += p[i];
  }
  if (attr == "mean") acc /= static_cast<double>(d.size());
  std::ostringstream s;
  s.precision(17);
  s << acc;
  return s.str();
}

std::string attr_value(const NDArray& a, const std::string& attr) {
  if (attr == "__str__") return to_string(a);
  if (attr == "shape") return shape_str(a.shape());
  if (attr == "dtype") return std::string(dtype_name(a.dtype()));
  if (attr == "size") return std::to_string(a.size());
  if (attr == "ndim") return std::to_string(a.ndim());
  return statistic(a, attr);
}

class Print final : public Op, public SideEffect {
 public:
  Print(std::string message, std::vector<std::string> attrs, PrintCallback callback)
      : message_(std::move(message)), attrs_(std::move(attrs)), callback_(std::move(callback)) {}

  std::string name() const override { return "Print"; }
  std::string props() const override {
    std::string s = "message=" + message_ + ", attrs=(";
    for (size_t i = 0; i < attrs_.size(); ++i) s += (i ? ", " : "") + attrs_[i];
    return s + ")";
  }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {inputs[0].type()};
  }
  // The output is the input itself, as Theano's view_map {0: [0]}.
  int view_of(int) const override { return 0; }
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    if (callback_) {
      callback_(message_, *in[0]);
    } else {
      for (const std::string& attr : attrs_)
        std::cout << message_ << ' ' << attr << " = " << attr_value(*in[0], attr) << '\n';
      std::cout.flush();
    }
    *out[0] = *in[0];
  }
  // d Print(x) / dx = 1: the gradient passes through, without printing.
  Vars pullback(const ApplyNode&, std::span<const Var> output_grads) const override {
    return {output_grads[0]};
  }
  std::string print(std::span<const std::string> args) const override {
    return "Print{" + message_ + "}(" + args[0] + ")";
  }

 private:
  std::string message_;
  std::vector<std::string> attrs_;
  PrintCallback callback_;
};

}  // namespace

Var print(const Var& x, const std::string& message, std::vector<std::string> attrs,
          PrintCallback callback, const Loc& loc) {
  if (!callback)
    for (const std::string& attr : attrs)
      THEON_CHECK_USER(known_attr(attr), ValueError)
          << "Print: unknown attribute '" << attr << "' (C++ Print knows __str__, shape, dtype, "
          << "sum, min, max, mean, size, ndim)  made at " << format_loc(loc);
  return make_apply1(std::make_shared<const Print>(message, std::move(attrs), std::move(callback)),
                     {x}, loc);
}

}  // namespace theon
