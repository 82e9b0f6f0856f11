"""theon.tensor.xlogx: x * log(x) and x * log(y) with Theano's convention 0 * log(0) = 0.

Both are written in terms of switch so that the gradient is finite where x = 0 (the log
reads 1 there instead of 0).
"""
from theon._theon import tensor as _T


def xlogx(x):
    """x * log(x), and 0 where x == 0."""
    x = _T.as_tensor_variable(x)
    return x * _T.log(_T.switch(_T.eq(x, 0), 1, x))


def xlogy0(x, y):
    """x * log(y), and 0 where x == 0 (whatever y is there)."""
    x, y = _T.as_tensor_variable(x), _T.as_tensor_variable(y)
    return x * _T.log(_T.switch(_T.eq(x, 0), 1, y))


__all__ = ["xlogx", "xlogy0"]
