// Symbolic differentiation. grad returns new variables (more graph): it never computes
// numbers. The graph it builds is rewritten and compiled like any other.
//
//   auto x = T::dscalar("x");
//   auto dy = T::grad(T::pow(x, 3), x);            // 3 * x**2, symbolically
//   theon::function({x}, dy)(4);                   // 48
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "theon/tensor.hpp"

namespace theon {

struct GradOptions {
  // Variables treated as constants: no gradient flows through them.
  std::vector<Var> consider_constant;
  // Gradients given for intermediate variables (each pair: variable, its gradient);
  // with known_grads the cost may be undefined.
  std::vector<std::pair<Var, Var>> known_grads;
  // What to do when a wrt variable does not reach the cost: "raise", "warn", "ignore".
  std::string disconnected_inputs = "raise";
  // For such a variable: "zero" returns zeros of its shape, "none" an undefined Var.
  std::string return_disconnected = "zero";
};

namespace tensor {

// The gradient of the scalar `cost` with respect to each of `wrt` (variables of the
// graph, shared variables included). Integer-typed wrt get zeros, as in Theano.
Vars grad(const Var& cost, const Vars& wrt, const GradOptions& options = {},
          Loc loc = Loc::current());
Var grad(const Var& cost, const Var& wrt, const GradOptions& options = {},
         Loc loc = Loc::current());

// The Jacobian of `expr` with respect to `wrt`: shape expr.shape + wrt.shape. Computed
// row by row (one gradient per element of expr, in a loop at run time), so it works for
// any expression.
Var jacobian(const Var& expr, const Var& wrt, Loc loc = Loc::current());
// The Hessian of the scalar `cost`: the Jacobian of its gradient.
Var hessian(const Var& cost, const Var& wrt, Loc loc = Loc::current());
// Vector-Jacobian products: the gradients of sum_i(f[i] * eval_points[i]) with respect
// to wrt (the "left" product, reverse mode).
Vars Lop(const Vars& f, const Vars& wrt, const Vars& eval_points, Loc loc = Loc::current());
// Jacobian-vector products: for each f, the sum over wrt[j] of J_f,wrt[j] . eval_points[j]
// (the "right" product, forward mode), built as the transpose of Lop.
Vars Rop(const Vars& f, const Vars& wrt, const Vars& eval_points, Loc loc = Loc::current());

// Identity in the forward pass; in the backward pass zero_grad gives zero,
// disconnected_grad cuts the graph (no gradient at all), grad_clip clips the gradient
// element-wise to [lo, hi].
Var zero_grad(VarArg x);
Var disconnected_grad(VarArg x);
Var grad_clip(VarArg x, double lo, double hi);

}  // namespace tensor
}  // namespace theon
