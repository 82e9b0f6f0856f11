// BatchedDot, and the public batched_dot: numpy.einsum('bij,bjk->bik') and its vector
// forms ('bi,bij->bj', 'bij,bj->bi', 'bi,bi->b').
#include "ops/blas.hpp"
#include "ops/dimshuffle.hpp"
#include "ops/op_util.hpp"
#include "theon/blas.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail {

std::vector<TensorType> BatchedDot::make_types(std::span<const Var> inputs) const {
  THEON_ASSERT(inputs.size() == 2) << "batched_dot takes two operands";
  const Var& a = inputs[0];
  const Var& b = inputs[1];
  THEON_CHECK_USER(a.ndim() >= 2 && a.ndim() <= 3 && b.ndim() >= 2 && b.ndim() <= 3, TypeError)
      << "batched_dot: the BatchedDot node takes operands of rank 2 or 3"
      << describe_inputs(inputs);
  THEON_ASSERT(a.dtype() == b.dtype())
      << "batched_dot: operands of different dtypes" << describe_inputs(inputs);
  auto ba = known_length(a, 0), bb = known_length(b, 0);
  THEON_CHECK_USER(!ba || !bb || *ba == *bb, ShapeError)
      << "batched_dot: shapes " << static_shape_str(a) << " and " << static_shape_str(b)
      << " have different batch sizes: " << *ba << " != " << *bb << describe_inputs(inputs);
  auto ka = known_length(a, a.ndim() - 1), kb = known_length(b, 1);
  THEON_CHECK_USER(!ka || !kb || *ka == *kb, ShapeError)
      << "batched_dot: shapes " << static_shape_str(a) << " and " << static_shape_str(b)
      << " not aligned: " << *ka << " (dim " << a.ndim() - 1 << ") != " << *kb << " (dim 1)"
      << describe_inputs(inputs);
  // The batch lengths agree at run time, so one broadcastable operand would do; keeping
  // the flag only when both have it is the safe choice.
  BroadcastPattern pattern{a.broadcastable()[0] && b.broadcastable()[0]};
  if (a.ndim() == 3) pattern.push_back(a.broadcastable()[1]);
  if (b.ndim() == 3) pattern.push_back(b.broadcastable()[2]);
  return {TensorType(a.dtype(), pattern)};
}

void BatchedDot::perform(const ApplyNode& /*node*/, std::span<const NDArray* const> in,
                         std::span<NDArray* const> out) const {
  const NDArray& a = *in[0];
  const NDArray& b = *in[1];
  THEON_CHECK_USER(a.shape(0) == b.shape(0), ShapeError)
      << "batched_dot: shapes " << shape_str(a.shape()) << " and " << shape_str(b.shape())
      << " have different batch sizes: " << a.shape(0) << " != " << b.shape(0);
  const int axis_a = a.ndim() - 1;
  THEON_CHECK_USER(a.shape(axis_a) == b.shape(1), ShapeError)
      << "batched_dot: shapes " << shape_str(a.shape()) << " and " << shape_str(b.shape())
      << " not aligned: " << a.shape(axis_a) << " (dim " << axis_a << ") != " << b.shape(1)
      << " (dim 1)";
  Shape shape{a.shape(0)};
  if (a.ndim() == 3) shape.push_back(a.shape(1));
  if (b.ndim() == 3) shape.push_back(b.shape(2));
  NDArray& result = reuse_or_allocate(*out[0], a.dtype(), shape);
  for (int64_t i = 0; i < a.shape(0); ++i) {
    NDArray slot = result.index(0, i);  // contiguous, since result is
    dot_into(a.index(0, i), b.index(0, i), slot);
  }
}

// Theano's BatchedDot.grad: the per-batch Dot gradients, with the outer products of
// the vector cases written as broadcast multiplications.
Vars BatchedDot::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& gz = output_grads[0];
  if (!gz.defined()) return {Var(), Var()};
  const Var& x = node.inputs[0];
  const Var& y = node.inputs[1];
  const Loc& loc = node.loc;
  if (is_discrete(x.dtype()))
    return {tensor::zeros_like(VarArg(x, loc), gz.dtype()),
            tensor::zeros_like(VarArg(y, loc), gz.dtype())};
  auto ds = [&](const Var& v, std::vector<DimEntry> pattern) {
    return dimshuffle_at(v, pattern, loc);
  };
  auto mul = [&](const Var& p, const Var& q) {
    return tensor::mul(VarArg(p, loc), VarArg(q, loc));
  };
  Var gx, gy;
  if (gz.ndim() == 1) {  // (B, n).(B, n)
    gx = mul(ds(gz, {0, 'x'}), y);
    gy = mul(ds(gz, {0, 'x'}), x);
  } else if (x.ndim() == 2 && y.ndim() == 3) {  // (B, m).(B, m, p)
    gx = batched_dot_at(gz, ds(y, {0, 2, 1}), loc);
    gy = mul(ds(x, {0, 1, 'x'}), ds(gz, {0, 'x', 1}));
  } else if (x.ndim() == 3 && y.ndim() == 2) {  // (B, n, m).(B, m)
    gx = mul(ds(gz, {0, 1, 'x'}), ds(y, {0, 'x', 1}));
    gy = batched_dot_at(ds(x, {0, 2, 1}), gz, loc);
  } else {
    gx = batched_dot_at(gz, ds(y, {0, 2, 1}), loc);
    gy = batched_dot_at(ds(x, {0, 2, 1}), gz, loc);
  }
  return {like_input(gx, x, loc), like_input(gy, y, loc)};
}

// Theano's batched_dot: a vector operand scales each batch of the other.
Var batched_dot_at(const Var& a, const Var& b, const Loc& loc) {
  THEON_CHECK_USER(a.ndim() >= 1 && b.ndim() >= 1, TypeError)
      << "batched_dot: operands need a batch axis\n  a  " << describe(a) << "\n  b  "
      << describe(b);
  THEON_CHECK_USER(a.ndim() <= 3 && b.ndim() <= 3, TypeError)
      << "batched_dot: operands of rank 1 to 3 only\n  a  " << describe(a) << "\n  b  "
      << describe(b);
  auto scale = [&](const Var& v, int ndim) {
    std::vector<DimEntry> pattern{0};
    pattern.insert(pattern.end(), ndim - 1, DimEntry('x'));
    return dimshuffle_at(v, pattern, loc);
  };
  if (a.ndim() == 1) return tensor::mul(VarArg(scale(a, b.ndim()), loc), VarArg(b, loc));
  if (b.ndim() == 1) return tensor::mul(VarArg(a, loc), VarArg(scale(b, a.ndim()), loc));
  auto [x, y] = same_dtype(a, b, loc);
  return apply_op<BatchedDot>(loc, {x, y});
}

}  // namespace theon::detail

namespace theon::tensor {

Var batched_dot(VarArg a, VarArg b) { return detail::batched_dot_at(a.var, b.var, a.loc); }

}  // namespace theon::tensor
