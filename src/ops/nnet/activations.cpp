// hard_sigmoid, relu and elu as element-wise graphs (sigmoid and softplus are rows of scalar_ops.def).
#include "theon/nnet.hpp"

namespace theon::tensor::nnet {

Var hard_sigmoid(VarArg x) {
  const Loc& loc = x.loc;
  const Var line = VarArg(VarArg(0.2, loc) * x.var, loc) + VarArg(0.5, loc);
  return clip(VarArg(line, loc), VarArg(0, loc), VarArg(1, loc));
}

// switch(x > 0, x, alpha * x): the switch's pullback sends the gradient to the taken
// branch, so d/dx is 1 for x > 0 and alpha for x <= 0.
Var relu(VarArg x, double alpha) {
  const Loc& loc = x.loc;
  const Var positive = gt(x, VarArg(0, loc));
  if (alpha == 0) return switch_(VarArg(positive, loc), x, VarArg(0, loc));
  return switch_(VarArg(positive, loc), x, VarArg(alpha, loc) * x.var);
}

// The negative branch takes min(x, 0): expm1 of a large positive x would be inf, and
// although the switch discards it, its gradient (0 * inf) would be NaN.
Var elu(VarArg x, double alpha) {
  const Loc& loc = x.loc;
  const Var positive = gt(x, VarArg(0, loc));
  const Var negative_part = expm1(VarArg(minimum(x, VarArg(0, loc)), loc));
  return switch_(VarArg(positive, loc), x, VarArg(alpha, loc) * negative_part);
}

}  // namespace theon::tensor::nnet
