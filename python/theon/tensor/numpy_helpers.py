"""Theano's NumPy-style helpers built from the core's ops: take, largest, smallest, ptp,
isclose, allclose."""
from theon._theon import tensor as _T


def take(a, indices, axis=None, mode="raise"):
    """numpy.take: a.flatten()[indices], or the entries `indices` along `axis`. Only
    mode='raise' (out-of-range indices are an IndexError) is supported."""
    if mode != "raise":
        raise NotImplementedError("take: only mode='raise' is supported, got %r" % (mode,))
    a = _T.as_tensor_variable(a)
    if axis is None:
        return a.flatten()[indices]
    axis = axis + a.ndim if axis < 0 else axis
    if not 0 <= axis < a.ndim:
        raise IndexError("take: axis %d is out of range for a %d-d tensor" % (axis, a.ndim))
    return a[(slice(None),) * axis + (indices,)]


def largest(*args):
    """The element-wise maximum of all arguments (Theano's T.largest)."""
    if not args:
        raise TypeError("largest: needs at least one argument")
    out = _T.as_tensor_variable(args[0])
    for a in args[1:]:
        out = _T.maximum(out, a)
    return out


def smallest(*args):
    """The element-wise minimum of all arguments (Theano's T.smallest)."""
    if not args:
        raise TypeError("smallest: needs at least one argument")
    out = _T.as_tensor_variable(args[0])
    for a in args[1:]:
        out = _T.minimum(out, a)
    return out


def ptp(a, axis=None):
    """Range of values (maximum - minimum) along `axis` (all axes when None)."""
    return _T.max(a, axis) - _T.min(a, axis)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """numpy.isclose: |a - b| <= atol + rtol * |b| element-wise; infinities are close only
    to themselves, NaN to nothing unless equal_nan."""
    a, b = _T.as_tensor_variable(a), _T.as_tensor_variable(b)
    diff = abs(a - b)
    close = _T.and_(_T.le(diff, atol + rtol * abs(b)), _T.invert(_T.isinf(diff)))
    close = _T.or_(close, _T.eq(a, b))  # equal infinities (their difference is NaN)
    if equal_nan:
        close = _T.or_(close, _T.and_(_T.isnan(a), _T.isnan(b)))
    return close


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True (a 0-d bool) when isclose holds everywhere."""
    return _T.all(isclose(a, b, rtol, atol, equal_nan))


__all__ = ["take", "largest", "smallest", "ptp", "isclose", "allclose"]
