// nonzero and what builds on it (flatnonzero, nonzero_values, compress), and bartlett.
#include <vector>

#include "ops/extra/axis_lines.hpp"
#include "ops/op_util.hpp"
#include "theon/extra_ops.hpp"
#include "theon/shape_ops.hpp"
#include "theon/subtensor.hpp"

namespace theon::detail {
namespace {

// a -> the (ndim, count) int64 matrix of the coordinates of a's nonzero elements, in C
// order (numpy.nonzero's arrays stacked).
class Nonzero final : public Op {
 public:
  std::string name() const override { return "nonzero"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {TensorType(DType::Int64, {inputs[0].ndim() == 1, false})};
  }
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray a = in[0]->astype(DType::Bool).contiguous();
    const int nd = a.ndim();
    const bool* ap = a.data<bool>();
    int64_t count = 0;
    for (int64_t j = 0; j < a.size(); ++j) count += ap[j] ? 1 : 0;
    NDArray& o = reuse_or_allocate(*out[0], DType::Int64, {nd, count});
    int64_t* op = o.data<int64_t>();
    int64_t at = 0;
    for (int64_t j = 0; j < a.size(); ++j) {
      if (!ap[j]) continue;
      int64_t rest = j;
      for (int d = nd - 1; d >= 0; --d) {
        op[d * count + at] = rest % a.shape(d);
        rest /= a.shape(d);
      }
      ++at;
    }
  }
  Vars pullback(const ApplyNode&, std::span<const Var>) const override { return {Var()}; }
};

Var nonzero_matrix(const VarArg& a) {
  THEON_CHECK_USER(a.var.ndim() >= 1, ValueError)
      << "nonzero: needs at least one dimension, got " << describe(a.var);
  return make_apply1(std::make_shared<const Nonzero>(), {a.var}, a.loc);
}

}  // namespace
}  // namespace theon::detail

namespace theon::tensor {

std::vector<Var> nonzero(VarArg a) {
  const Var m = detail::nonzero_matrix(a);
  std::vector<Var> rows;
  for (int d = 0; d < a.var.ndim(); ++d) rows.push_back(index(VarArg(m, a.loc), {IndexArg(VarArg(d, a.loc))}));
  return rows;
}

Var flatnonzero(VarArg a) {
  const Var flat = a.var.ndim() == 1 ? a.var : flatten(a, 1);
  return nonzero(VarArg(flat, a.loc))[0];
}

Var nonzero_values(VarArg a) {
  const Var flat = a.var.ndim() == 1 ? a.var : flatten(a, 1);
  return index(VarArg(flat, a.loc), {IndexArg(VarArg(flatnonzero(VarArg(flat, a.loc)), a.loc))});
}

Var compress(VarArg condition, VarArg x, std::optional<int> axis) {
  THEON_CHECK_USER(condition.var.ndim() == 1, TypeError)
      << "compress: condition must be a vector, got " << describe(condition.var);
  const detail::AxisInput in = detail::flatten_unless_axis(x, axis, "compress");
  // Only the first len(x) entries count; a longer condition is an error, as in NumPy.
  const Var positions = flatnonzero(condition);
  std::vector<IndexArg> entries(static_cast<size_t>(in.axis), IndexArg(slice()));
  entries.emplace_back(VarArg(positions, x.loc));
  return index(VarArg(in.x, x.loc), entries);
}

Var bartlett(VarArg M) {
  detail::expect_int_scalar("bartlett", M.var);
  const Loc& loc = M.loc;
  const Var m = cast(M, DType::Float64);
  const Var n = arange(VarArg(0, loc), M, VarArg(1, loc), DType::Float64);
  // 1 - |2n / (M - 1) - 1| is the triangle; M = 1 is a single 1 (0 / 0 otherwise).
  const Var triangle = VarArg(1.0, loc) - abs(VarArg(VarArg(2.0, loc) * n / (m - 1.0), loc) - 1.0);
  return switch_(VarArg(eq(M, VarArg(1, loc)), loc), VarArg(1.0, loc), VarArg(triangle, loc));
}

}  // namespace theon::tensor
