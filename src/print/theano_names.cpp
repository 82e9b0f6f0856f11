#include "print/theano_names.hpp"

namespace theon::detail {

std::string cat(std::initializer_list<std::string_view> parts) {
  size_t n = 0;
  for (std::string_view p : parts) n += p.size();
  std::string s;
  s.reserve(n);
  for (std::string_view p : parts) s.append(p);
  return s;
}

std::string theano_type_str(const TensorType& t) {
  const BroadcastPattern& b = t.broadcastable;
  std::string pattern;
  if (b.empty()) pattern = "scalar";
  else if (b.size() == 1 && !b[0]) pattern = "vector";
  else if (b.size() == 2 && !b[0] && !b[1]) pattern = "matrix";
  else if (b.size() == 2 && b[0] && !b[1]) pattern = "row";
  else if (b.size() == 2 && !b[0] && b[1]) pattern = "col";
  else {
    bool any = false;
    for (bool x : b) any = any || x;
    if (!any) {
      pattern = std::to_string(b.size()) + "D";
    } else {
      pattern = "(";
      for (size_t i = 0; i < b.size(); ++i) pattern.append(i ? ", " : "").append(b[i] ? "True" : "False");
      pattern.append(b.size() == 1 ? ",)" : ")");
    }
  }
  return std::string("TensorType(").append(dtype_name(t.dtype)).append(", ").append(pattern).append(")");
}

std::string source_label(const Var& v) {
  if (v.is_constant()) {
    const NDArray& a = v.constant_value();
    if (a.size() <= 8) return cat({"TensorConstant{", to_string(a), "}"});
    return cat({"TensorConstant{", dtype_name(a.dtype()), ", shape ", shape_str(a.shape()), "}"});
  }
  return v.name();
}

}  // namespace theon::detail
