"""theon.gradient: symbolic differentiation (Theano's theano.gradient).

grad(cost, wrt) returns one variable per wrt (a list when wrt is a list), built as
more graph: T.grad(x ** 3, x) is 3 * x ** 2, symbolically. verify_grad(fun, points)
checks a gradient against finite differences and raises GradientError on a mismatch.
"""
from ._theon import (GradientError, Lop, Rop, disconnected_grad, grad, grad_clip, hessian,  # noqa: F401
                     jacobian, verify_grad, zero_grad)
from .gof.graph import DisconnectedType, NullType, grad_not_implemented, grad_undefined  # noqa: F401

# Theano's older name: identity forward, zero gradient backward.
consider_constant = zero_grad

__all__ = ["grad", "jacobian", "hessian", "Lop", "Rop", "zero_grad", "disconnected_grad",
           "grad_clip", "consider_constant", "verify_grad", "GradientError"]
