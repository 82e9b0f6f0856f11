"""theon.gradient: symbolic differentiation (Theano's theano.gradient).

grad(cost, wrt) returns one variable per wrt (a list when wrt is a list), built as
more graph: T.grad(x ** 3, x) is 3 * x ** 2, symbolically.
"""
from ._theon import (Lop, Rop, disconnected_grad, grad, grad_clip, hessian, jacobian,  # noqa: F401
                     zero_grad)

# Theano's older name: the variable is a constant for differentiation.
consider_constant = disconnected_grad

__all__ = ["grad", "jacobian", "hessian", "Lop", "Rop", "zero_grad", "disconnected_grad",
           "grad_clip", "consider_constant"]
