#include "ops/extra/axis_lines.hpp"

#include "ops/op_util.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail {

AxisInput flatten_unless_axis(const VarArg& x, std::optional<int> axis, std::string_view op) {
  if (!axis) return {x.var.ndim() == 1 ? x.var : tensor::flatten(x, 1), 0};
  THEON_CHECK_USER(x.var.ndim() > 0, ValueError)
      << op << ": axis " << *axis << " given for a 0-d tensor " << describe(x.var);
  return {x.var, normalize_axis(*axis, x.var.ndim(), op)};
}

void expect_integer(std::string_view op, const Var& v, std::string_view what) {
  THEON_CHECK_USER(is_discrete(v.dtype()), TypeError)
      << op << ": " << what << " must have an integer dtype, got " << describe(v);
}

}  // namespace theon::detail
