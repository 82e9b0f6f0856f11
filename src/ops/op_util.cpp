#include "ops/op_util.hpp"

#include "ops/shape_ops.hpp"

namespace theon::detail {

std::string describe_inputs(std::span<const Var> inputs) {
  std::string s;
  for (size_t i = 0; i < inputs.size(); ++i)
    s += "\n  input " + std::to_string(i) + "  " + describe(inputs[i]);
  return s;
}

std::string describe_inputs(std::span<const Var> inputs, std::span<const NDArray* const> values) {
  std::string s;
  for (size_t i = 0; i < inputs.size(); ++i) {
    s += "\n  input " + std::to_string(i) + "  " + describe(inputs[i]);
    if (i < values.size() && values[i] && values[i]->defined())
      s += "  shape " + shape_str(values[i]->shape());
  }
  return s;
}

std::optional<int64_t> constant_int(const Var& v) {
  if (!v.is_constant() || v.ndim() != 0 || is_inexact(v.dtype())) return std::nullopt;
  return v.constant_value().item<int64_t>();
}

std::optional<double> constant_real(const Var& v) {
  if (!v.is_constant() || v.ndim() != 0 || is_complex(v.dtype())) return std::nullopt;
  return v.constant_value().item<double>();
}

std::optional<std::vector<std::optional<int64_t>>> constant_elements(const Var& v) {
  if (v.ndim() != 1) return std::nullopt;
  if (v.is_constant()) {
    const NDArray& a = v.constant_value();
    std::vector<std::optional<int64_t>> out;
    for (int64_t i = 0; i < a.shape(0); ++i) out.push_back(a.at<int64_t>({i}));
    return out;
  }
  if (v.owner() && dynamic_cast<const MakeVector*>(&v.owner()->op())) {
    std::vector<std::optional<int64_t>> out;
    for (const Var& e : v.owner()->inputs) out.push_back(constant_int(e));
    return out;
  }
  return std::nullopt;
}

void expect_float(std::string_view op, const Var& v, bool allow_complex) {
  THEON_CHECK_USER(is_float(v.dtype()) || (allow_complex && is_complex(v.dtype())), TypeError)
      << op << ": needs a float input, got " << describe(v);
}

void expect_int_scalar(std::string_view op, const Var& v) {
  THEON_CHECK_USER(v.ndim() == 0 && is_discrete(v.dtype()), TypeError)
      << op << ": needs an integer scalar, got " << describe(v);
}

int64_t scalar_to_int(const NDArray& a, std::string_view op) {
  THEON_CHECK_USER(a.ndim() == 0 && is_discrete(a.dtype()), TypeError)
      << op << ": needs an integer scalar, got a " << dtype_name(a.dtype()) << " array of shape "
      << shape_str(a.shape());
  return a.item<int64_t>();
}

}  // namespace theon::detail
