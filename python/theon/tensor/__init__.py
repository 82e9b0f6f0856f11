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

# Theano's rounding modes: round(a, mode) and iround, round then cast to int64. The
# default, as Theano 1.0's, rounds halves to even (the core's round, as numpy.round).
round_half_to_even = round


def round_half_away_from_zero(a):
    """a rounded to the nearest integer, halves away from zero (2.5 -> 3, -2.5 -> -3)."""
    whole = trunc(a)  # a - whole is exact, so 0.49999999999999994 stays below a half
    return switch(ge(abs(a - whole), 0.5), whole + sgn(a), whole)


def round(a, mode=None):  # noqa: A001 (Theano's name)
    """round_half_to_even(a), or round_half_away_from_zero(a) with mode='half_away_from_zero'."""
    if mode is None or mode == "half_to_even":
        return round_half_to_even(a)
    if mode == "half_away_from_zero":
        return round_half_away_from_zero(a)
    raise ValueError("round: mode must be 'half_to_even' or 'half_away_from_zero', not %r" % (mode,))


def iround(a, mode=None):
    """cast(round(a, mode), 'int64')."""
    return cast(round(a, mode), "int64")



def shape_padleft(t, n_ones=1):
    """t with n_ones broadcastable dimensions added on the left."""
    return t.dimshuffle(["x"] * n_ones + list(range(t.ndim)))


def shape_padright(t, n_ones=1):
    """t with n_ones broadcastable dimensions added on the right."""
    return t.dimshuffle(list(range(t.ndim)) + ["x"] * n_ones)


def shape_padaxis(t, axis):
    """t with one broadcastable dimension inserted at `axis` (negative counts from the end)."""
    ndim = t.ndim + 1
    if not -ndim <= axis < ndim:
        raise IndexError("shape_padaxis: axis %d is out of range for %d dimensions" % (axis, ndim))
    axis = axis % ndim
    pattern = list(range(t.ndim))
    pattern.insert(axis, "x")
    return t.dimshuffle(pattern)


# The star import brought the core's nnet submodule; T.nnet is the Python module that
# wraps it (an import, not an attribute lookup, which would find the core's).
import importlib as _importlib  # noqa: E402

nnet = _importlib.import_module(__name__ + ".nnet")
# T.nlinalg and T.slinalg (Theano's theano.tensor.nlinalg and slinalg).
nlinalg = _importlib.import_module(__name__ + ".nlinalg")
slinalg = _importlib.import_module(__name__ + ".slinalg")
# T.extra_ops (Theano's theano.tensor.extra_ops); its cumsum, repeat, sort, tile, roll...
# came with the star import. where is redefined to refuse numpy's one-argument form.
extra_ops = _importlib.import_module(__name__ + ".extra_ops")
where = extra_ops.where
stacklists = extra_ops.stacklists
# Matrix builders and NumPy-style helpers written with the core's ops; diag, diagonal
# and trace are nlinalg's; T.shared_randomstreams is Theano's RandomStreams module.
from .matrix_builders import eye, identity_like, mgrid, ogrid, tri, tril, triu  # noqa: E402,F401
from .numpy_helpers import allclose, isclose, largest, ptp, smallest, take  # noqa: E402,F401
from ..gof import Apply, Op  # noqa: E402,F401  (Theano's theano.tensor.Op)
diag = nlinalg.diag
diagonal = nlinalg.diagonal
trace = nlinalg.trace
shared_randomstreams = _importlib.import_module(__name__ + ".shared_randomstreams")

_core_prod = prod


def prod(input, axis=None, dtype=None, keepdims=False, acc_dtype=None, no_zeros_in_input=False):
    """The product over `axis`. no_zeros_in_input is Theano's promise that lets its gradient
    divide by the input; Theon's gradient is exact with zeros, so it is accepted and unused."""
    return _core_prod(input, axis, dtype, keepdims, acc_dtype)

# Theano's type names (TensorType(float64, matrix)) and `x.type is T.dmatrix`.
from . import type_names as _type_names  # noqa: E402
_type_names.install(globals())
