"""Test values, as Theano's: with config.compute_test_value on, each op computes its
output's value from its inputs' test values at the line that applies it, so a shape
error shows there, before any function is compiled (docs/test_values.md).

    theon.config.compute_test_value = 'raise'
    x = T.matrix('x')
    x.tag.test_value = np.random.rand(5, 10)
    h = T.dot(x, W)          # ValueError/ShapeError here when W has the wrong shape

The values live in the C++ core (theon/test_value.hpp): `x.tag.test_value` reads and
writes them, converting as Theano's TensorType.filter does (a safe upcast or a Python
value that converts exactly; never a lossy cast).
"""
import os
import sys
import types
import warnings

import numpy as np

from . import _theon

__all__ = ["get_test_value", "debug_error_message"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _filter(var, value):
    """`value` as an array of var's type, or TypeError in Theano's words."""
    dtype = np.dtype(var.dtype)
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        if arr.dtype != dtype:
            if not np.can_cast(arr.dtype, dtype, "safe"):
                raise TypeError(
                    "test value for %s: %s cannot store a value of dtype %s without risking "
                    "loss of precision; cast the value to %s" % (var, var.type, arr.dtype, dtype))
            arr = arr.astype(dtype)
    else:
        from .configparser import config
        original = np.asarray(value)
        if original.dtype == object:
            raise TypeError("test value for %s: %r is not an array of numbers" % (var, value))
        arr = np.asarray(value, dtype=dtype)
        exact = isinstance(value, float) and dtype == np.dtype(config.floatX)
        if not exact and not np.array_equal(original, arr):
            raise TypeError(
                "test value for %s: %r does not convert to %s without changing its value"
                % (var, value, dtype))
    if arr.ndim != var.ndim:
        raise TypeError("test value for %s: wrong number of dimensions: expected %d, got %d "
                        "with shape %s" % (var, var.ndim, arr.ndim, arr.shape))
    for axis, (b, n) in enumerate(zip(var.broadcastable, arr.shape)):
        if b and n != 1:
            raise TypeError("test value for %s: non-unit value on shape on a broadcastable "
                            "dimension (axis %d of shape %s)" % (var, axis, arr.shape))
    return arr


class Tag(types.SimpleNamespace):
    """x.tag: free attributes, as Theano's scratchpad; test_value is the core's."""

    def __init__(self, var):
        super().__init__()
        # A strong reference (a cycle through the wrapper's __dict__, which the garbage
        # collector frees): `f(x).tag.test_value` outlives its temporary wrapper.
        object.__setattr__(self, "_variable", var)

    def __repr__(self):
        shown = {k: v for k, v in vars(self).items() if k != "_variable"}
        return "Tag(%s)" % ", ".join("%s=%r" % kv for kv in shown.items())

    @property
    def test_value(self):
        var = self._variable
        value = _theon._get_test_value(var)
        if value is None:
            raise AttributeError("%s has no test value" % (var,))
        return value

    @test_value.setter
    def test_value(self, value):
        var = self._variable
        _theon._set_test_value(var, _filter(var, value))

    @test_value.deleter
    def test_value(self):
        _theon._clear_test_value(self._variable)


def get_test_value(v):
    """v's test value (Theano's theano.gof.op.get_test_value): a constant's value, a shared
    variable's value, or v.tag.test_value; a number or array is its own. AttributeError
    when there is none."""
    if not isinstance(v, _theon.TensorVariable):
        from .tensor import as_tensor_variable
        v = as_tensor_variable(v)
    value = _theon._get_test_value(v)
    if value is None:
        raise AttributeError("%s has no test value" % (v,))
    return value


def debug_error_message(msg):
    """Reports an error found in test values, as Theano's: a ValueError with 'raise',
    'pdb' and 'ignore', a warning with 'warn'."""
    from .configparser import config
    action = config.compute_test_value
    if action == "off":
        raise ValueError("debug_error_message needs compute_test_value on: %s" % msg)
    if action == "warn":
        warnings.warn(msg, stacklevel=2)
        return
    raise ValueError(msg)


def _user_frame():
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
    return frame


def _warn(message):
    """compute_test_value = 'warn': a UserWarning at the user's line (frames inside the
    package skipped), so the default filter shows it once per line."""
    frame = _user_frame()
    if frame is None:
        warnings.warn(message, UserWarning)
        return
    registry = frame.f_globals.setdefault("__warningregistry__", {})
    warnings.warn_explicit(message, UserWarning, frame.f_code.co_filename, frame.f_lineno,
                           frame.f_globals.get("__name__"), registry)


def _debug_hook(message):
    """compute_test_value = 'pdb': the core calls this just before it raises. With a
    terminal, pdb opens at the user's line (the error is raised when it continues);
    without one, the error is raised as with 'raise'."""
    stdin = sys.stdin
    if stdin is None or not hasattr(stdin, "isatty") or not stdin.isatty():
        return
    import pdb
    sys.stderr.write("theon: error while computing test values (the debugger opens at the "
                     "line that built the node; 'c' raises it):\n%s\n" % message)
    frame = _user_frame()
    pdb.Pdb().set_trace(frame)


def _repr(self, _base=_theon.TensorVariable.__repr__):
    text = _base(self)
    from .configparser import config
    if config.print_test_value:
        value = _theon._get_test_value(self)
        if value is not None:
            text += "\n" + repr(value)
    return text


_theon.TensorVariable.__repr__ = _repr
