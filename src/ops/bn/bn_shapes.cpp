// Shapes and counts shared by the batch-normalization ops.
#include <sstream>

#include "ops/bn/bn_ops.hpp"
#include "ops/op_util.hpp"
#include "theon/reduce.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail::bn {

Var count_per_channel(const Var& x, const std::vector<int>& axes, DType dtype, const Loc& loc) {
  using namespace tensor;
  Var count;
  for (int a : axes) {
    const Var length = shape_i(VarArg(x, loc), a);
    count = count.defined() ? VarArg(count, loc) * length : length;
  }
  return cast(VarArg(count, loc), dtype);
}

std::string axes_str(const std::vector<int>& axes) {
  std::ostringstream os;
  os << "(";
  for (size_t i = 0; i < axes.size(); ++i) os << (i ? ", " : "") << axes[i];
  os << (axes.size() == 1 ? ",)" : ")");
  return os.str();
}

std::vector<bool> normalized_mask(int ndim, const std::vector<int>& axes) {
  std::vector<bool> mask(static_cast<size_t>(ndim), false);
  for (int a : axes) mask[static_cast<size_t>(a)] = true;
  return mask;
}

Shape statistics_shape(const Shape& x, const std::vector<int>& axes) {
  Shape shape = x;
  for (int a : axes) shape[a] = 1;
  return shape;
}

void check_statistics_shape(std::string_view op, std::string_view what, const NDArray& value,
                            const Shape& expected, const Shape& x) {
  THEON_CHECK_USER(value.shape() == expected, ShapeError)
      << op << ": " << what << " has shape " << value.shape() << " where the statistics of inputs "
      << x << " have shape " << expected;
}

void expect_like_inputs(std::string_view op, std::span<const Var> in, const char* const* names) {
  expect_float(op, in[0]);
  for (size_t i = 1; i < in.size(); ++i)
    THEON_CHECK_USER(in[i].dtype() == in[0].dtype() && in[i].ndim() == in[0].ndim(), TypeError)
        << op << ": " << names[i] << " must have the dtype and rank of inputs " << describe_inputs(in);
}

}  // namespace theon::detail::bn
