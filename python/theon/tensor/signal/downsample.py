"""theon.tensor.signal.downsample: the module Theano 0.x had before pool, kept for old
programs. Its names are pool's, with the old argument names (ds, st, padding)."""
import warnings

from theon.tensor.signal import pool as _pool
from theon.tensor.signal.pool import max_pool_2d_same_size  # noqa: F401

DownsampleFactorMax = _pool.Pool
DownsampleFactorMaxGrad = _pool.MaxPoolGrad
DownsampleFactorMaxGradGrad = _pool.DownsampleFactorMaxGradGrad


def max_pool_2d(input, ds, ignore_border=None, st=None, padding=(0, 0), mode="max"):
    """Theano 0.x's max_pool_2d: pool_2d(input, ws=ds, ignore_border, stride=st,
    pad=padding, mode). The module name is deprecated (use theano.tensor.signal.pool)."""
    warnings.warn("downsample.max_pool_2d is deprecated: use pool.pool_2d (theano.tensor."
                  "signal.pool) instead", DeprecationWarning, stacklevel=2)
    if ignore_border is None:
        warnings.warn("max_pool_2d() will have the parameter ignore_border default value "
                      "changed to True (currently False). To have consistent behavior with "
                      "all Theano versions, explicitly add the parameter ignore_border=True.",
                      stacklevel=2)
        ignore_border = False
    return _pool.pool_2d(input, ws=ds, ignore_border=ignore_border, stride=st, pad=padding,
                         mode=mode)


__all__ = ["max_pool_2d", "max_pool_2d_same_size", "DownsampleFactorMax",
           "DownsampleFactorMaxGrad", "DownsampleFactorMaxGradGrad"]
