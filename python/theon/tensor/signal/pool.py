"""theon.tensor.signal.pool: Theano's theano.tensor.signal.pool.

    from theon.tensor.signal import pool
    y = pool.pool_2d(x, ws=(2, 2), ignore_border=True)             # max pooling
    y = pool.pool_2d(x, ws=(3, 3), stride=(2, 2), pad=(1, 1),
                     ignore_border=True, mode="average_exc_pad")

The operations are the core's (include/theon/pool.hpp, docs/pool.md): threaded
kernels, gradients as ops of their own, and a compile-time rewrite that makes max
pooling record its arg-max when the graph also takes its gradient. This module adds
Theano 1.0's argument names, its deprecated 0.x names (ds, st, padding) with a
DeprecationWarning, the ignore_border=None warning, and the op-class spellings (Pool,
MaxPoolGrad, AveragePoolGrad, DownsampleFactorMaxGradGrad) that Theano programs call.

ws, stride and pad are Python ints (tuples or lists); symbolic ones are not supported.
"""
import warnings

from theon._theon import TensorVariable as _Variable
from theon._theon import tensor as _T

_core = _T.signal

_MODES = ("max", "sum", "average_inc_pad", "average_exc_pad")


def _window(value, nd, name):
    """`value` as a tuple of nd Python ints; TypeError for symbolic or non-int values."""
    if isinstance(value, _Variable):
        raise TypeError("%s must be a tuple of %d Python ints: symbolic window parameters "
                        "are not supported" % (name, nd))
    if hasattr(value, "tolist"):  # a NumPy array
        value = value.tolist()
    try:
        items = tuple(value)
    except TypeError:
        raise TypeError("%s must be a tuple of %d ints, got %r" % (name, nd, value)) from None
    out = []
    for v in items:
        if isinstance(v, bool) or not hasattr(v, "__index__"):
            raise TypeError("%s must hold Python ints (symbolic window parameters are not "
                            "supported), got %r" % (name, value))
        out.append(int(v))
    if len(out) != nd:
        raise ValueError("%s needs %d entries (one per pooled axis), got %r" % (name, nd, value))
    return out


def _mode(mode):
    # Theano's CPU max pooling is deterministic already; cuDNN's name means the same here.
    return "max" if mode == "max_deterministic" else mode


def _renamed(new, new_name, old, old_name, default=None, stacklevel=3):
    """The value of a parameter that Theano 1.0 renamed: `old` (the 0.x name) is still
    accepted with a DeprecationWarning; both at once is an error."""
    if old is None:
        return new
    if new is not None and new != default:
        raise ValueError("You can't provide a value to both '%s' and '%s'. Please provide a "
                         "value only to '%s'." % (new_name, old_name, new_name))
    warnings.warn("the '%s' parameter is deprecated: use '%s' instead" % (old_name, new_name),
                  DeprecationWarning, stacklevel=stacklevel)
    return old


def _ignore_border(ignore_border, fn, nd):
    if ignore_border is None:
        warnings.warn(
            "%s() will have the parameter ignore_border default value changed to True "
            "(currently False). To have consistent behavior with all Theano versions, "
            "explicitly add the parameter ignore_border=True." % fn, stacklevel=4)
        return False
    return bool(ignore_border)


def _pool(fn, nd, input, ws, ignore_border, stride, pad, mode, ds, st, padding):
    zero = (0,) * nd
    ws = _renamed(ws, "ws", ds, "ds", stacklevel=4)
    if ws is None:
        raise ValueError("You must provide a tuple value for the window size.")
    stride = _renamed(stride, "stride", st, "st", stacklevel=4)
    pad = _renamed(pad, "pad", padding, "padding", default=zero, stacklevel=4)
    input = _T.as_tensor_variable(input)
    if input.ndim < nd:
        raise NotImplementedError("%s requires a dimension >= %d" % (fn, nd))
    ignore_border = _ignore_border(ignore_border, fn, nd)
    ws = _window(ws, nd, "ws")
    stride = [] if stride is None else _window(stride, nd, "stride")
    pad = [] if pad is None else _window(pad, nd, "pad")
    core = _core.pool_2d if nd == 2 else _core.pool_3d
    return core(input, ws, ignore_border, stride, pad, _mode(mode))


def pool_2d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0), mode="max",
            ds=None, st=None, padding=None):
    """Pools the last two axes of `input` (any rank >= 2) with windows of ws = (rows, cols):
    mode 'max', 'sum', 'average_inc_pad' (padding counts in the divisor) or
    'average_exc_pad'. stride defaults to ws; pad (zeros on both sides, never the max)
    needs ignore_border=True. ignore_border=False keeps partial windows at the end."""
    return _pool("pool_2d", 2, input, ws, ignore_border, stride, pad, mode, ds, st, padding)


def pool_3d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0, 0), mode="max",
            ds=None, st=None, padding=None):
    """pool_2d over the last three axes (input of rank >= 3)."""
    return _pool("pool_3d", 3, input, ws, ignore_border, stride, pad, mode, ds, st, padding)


def max_pool_2d_same_size(input, patch_size):
    """`input` with everything but the (first) maximum of each non-overlapping
    patch_size patch set to zero; same shape as the input."""
    return _core.max_pool_2d_same_size(input, _window(patch_size, 2, "patch_size"))


def _params(nd, ws, stride, pad):
    ws = _window(ws, nd, "ws")
    stride = [] if stride is None else _window(stride, nd, "stride")
    pad = [] if pad is None else _window(pad, nd, "pad")
    return ws, stride, pad


class Pool(object):
    """Theano's op class: Pool(ignore_border, mode, ndim)(input, ws, stride, pad)."""

    def __init__(self, ignore_border=False, mode="max", ndim=2, openmp=None):
        mode = _mode(mode)
        if mode not in _MODES and mode != "average":
            raise ValueError("Pool mode parameter only support 'max', 'sum', 'average_inc_pad' "
                             "and 'average_exc_pad'. Got %s" % mode)
        self.ignore_border, self.mode, self.ndim = bool(ignore_border), mode, ndim

    def __call__(self, input, ws, stride=None, pad=None):
        ws, stride, pad = _params(self.ndim, ws, stride, pad)
        core = _core.pool_2d if self.ndim == 2 else _core.pool_3d
        return core(input, ws, self.ignore_border, stride, pad, self.mode)

    @staticmethod
    def out_shape(imgshape, ws=None, ignore_border=False, stride=None, pad=None, ndim=2,
                  ds=None, st=None, padding=None):
        """The output shape for an input of shape `imgshape` (ints): the last ndim
        lengths become the pooled ones."""
        ws = _renamed(ws, "ws", ds, "ds")
        stride = _renamed(stride, "stride", st, "st")
        pad = _renamed(pad, "pad", padding, "padding")
        if len(imgshape) < ndim:
            raise TypeError("imgshape must have at least %d dimensions" % ndim)
        ws = _window(ws, ndim, "ws")
        stride = ws if stride is None else _window(stride, ndim, "stride")
        pad = [0] * ndim if pad is None else _window(pad, ndim, "pad")
        lead = list(imgshape[:-ndim])
        return lead + [_core.pool_output_length(int(n), w, s, p, bool(ignore_border))
                       for n, w, s, p in zip(imgshape[-ndim:], ws, stride, pad)]


class MaxPoolGrad(object):
    """Theano's op class: MaxPoolGrad(ignore_border, ndim)(x, maxout, gz, ws, stride, pad).
    gz goes to the first element of each window equal to maxout (Theano: every such
    element; see docs/pool.md)."""

    def __init__(self, ignore_border, ndim=2, openmp=None):
        self.ignore_border, self.ndim = bool(ignore_border), ndim

    def __call__(self, x, maxout, gz, ws, stride=None, pad=None):
        ws, stride, pad = _params(self.ndim, ws, stride, pad)
        return _core.max_pool_grad(x, maxout, gz, ws, self.ignore_border, stride, pad)


class AveragePoolGrad(object):
    """Theano's op class: AveragePoolGrad(ignore_border, mode, ndim)(x, gz, ws, stride, pad)."""

    def __init__(self, ignore_border, mode="average_inc_pad", ndim=2, openmp=None):
        self.ignore_border, self.mode, self.ndim = bool(ignore_border), mode, ndim

    def __call__(self, x, gz, ws, stride=None, pad=None):
        ws, stride, pad = _params(self.ndim, ws, stride, pad)
        return _core.average_pool_grad(x, gz, ws, self.ignore_border, stride, pad, self.mode)


class DownsampleFactorMaxGradGrad(object):
    """Theano's op class: (x, maxout, ggx, ws, stride, pad) -> ggx read at each window's
    maximum (the gradient of MaxPoolGrad with respect to gz)."""

    def __init__(self, ignore_border, mode="max", ndim=2, openmp=None):
        self.ignore_border, self.mode, self.ndim = bool(ignore_border), mode, ndim

    def __call__(self, x, maxout, gz, ws, stride=None, pad=None):
        ws, stride, pad = _params(self.ndim, ws, stride, pad)
        return _core.max_pool_grad_grad(x, maxout, gz, ws, self.ignore_border, stride, pad)


__all__ = ["pool_2d", "pool_3d", "max_pool_2d_same_size", "Pool", "MaxPoolGrad",
           "AveragePoolGrad", "DownsampleFactorMaxGradGrad"]
