"""theon.tensor (import theon.tensor as T): Theano's theano.tensor.

Type constructors (T.dscalar, T.fmatrix, T.matrix, T.dmatrices, T.TensorType(dtype,
broadcastable)), element-wise operations under Theano's names (T.exp, T.log, T.sqr,
T.switch, T.lt, ...), reductions, shape operations, products, indexing helpers and
gradients. Everything is bound from the C++ core; this module adds Theano's aliases.
"""
from theon._theon.tensor import *  # noqa: F401,F403
from theon._theon.tensor import (and_, or_, xor, invert, abs, sqr, switch, second, reciprocal,  # noqa: F401
                                 true_div, floor_div, pow, identity, sgn, neg, std, grad,
                                 jacobian, hessian, as_tensor_variable)
from theon._theon import SharedVariable, TensorType, TensorVariable  # noqa: F401

# Theano's other spellings of the same operations.
abs_ = abs
square = sqr
where = switch
fill = second
inv = reciprocal
true_divide = true_div
int_div = floor_div
power = pow
tensor_copy = identity
sign = sgn
bitwise_and = and_
bitwise_or = or_
bitwise_xor = xor
bitwise_not = invert
as_tensor = as_tensor_variable
Variable = TensorVariable
TensorSharedVariable = SharedVariable

from . import nnet  # noqa: E402,F401
