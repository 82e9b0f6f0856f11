"""Theano's matrix builders and grids, written with the core's ops (so their gradients
come for free): eye, tri, tril, triu, identity_like, mgrid, ogrid.

    T.eye(3)                  # 3 x 3 identity, floatX
    T.tril(A, k=-1)           # A below its diagonal, zeros elsewhere
    xs, ys = T.mgrid[0:n, 0:m]

Sizes may be Python ints or symbolic integer scalars, as in Theano.
"""
from theon._theon import tensor as _T
from theon.configparser import config as _config


def _row_col(n, m, k):
    """Row and column indices of an n x m matrix as an (n, 1) column and a (1, m) row,
    with the row shifted by k (the diagonal where row + k == column)."""
    rows = _T.arange(n).dimshuffle(0, "x") + k
    cols = _T.arange(m).dimshuffle("x", 0)
    return rows, cols


def eye(n, m=None, k=0, dtype=None):
    """An n x m matrix with ones on diagonal k (0: the main one) and zeros elsewhere."""
    rows, cols = _row_col(n, n if m is None else m, k)
    return _T.cast(_T.eq(rows, cols), dtype or _config.floatX)


def identity_like(x):
    """The identity matrix of x's shape and dtype."""
    x = _T.as_tensor_variable(x)
    return eye(x.shape[0], x.shape[1], k=0, dtype=x.dtype)


def tri(N, M=None, k=0, dtype=None):  # noqa: N803 (NumPy's argument names)
    """An N x M matrix with ones at and below diagonal k, zeros above."""
    rows, cols = _row_col(N, N if M is None else M, k)
    return _T.cast(_T.ge(rows, cols), dtype or _config.floatX)


def tril(m, k=0):
    """m with the elements above diagonal k zeroed (the last two axes are the matrix)."""
    m = _T.as_tensor_variable(m)
    return m * tri(m.shape[-2], m.shape[-1], k=k, dtype=m.dtype)


def triu(m, k=0):
    """m with the elements below diagonal k zeroed (the last two axes are the matrix)."""
    m = _T.as_tensor_variable(m)
    return m * (1 - tri(m.shape[-2], m.shape[-1], k=k - 1, dtype=m.dtype))


class _Grid:
    """T.mgrid[a:b, c:d] (dense, like numpy.mgrid) and T.ogrid[...] (open: each axis
    keeps length 1 on the others). Each slice needs a stop; start and step default to
    0 and 1, and may be symbolic."""

    def __init__(self, sparse):
        self._sparse = sparse

    def __getitem__(self, key):
        slices = key if isinstance(key, tuple) else (key,)
        for s in slices:
            if not isinstance(s, slice) or s.stop is None:
                raise TypeError("%s: expected slices with a stop, like [0:n, 0:m], got %r"
                                % ("ogrid" if self._sparse else "mgrid", key))
        ranges = [_T.arange(0 if s.start is None else s.start, s.stop, 1 if s.step is None else s.step)
                  for s in slices]
        ndim = len(ranges)
        axes = []
        for axis, r in enumerate(ranges):
            pattern = ["x"] * ndim
            pattern[axis] = 0
            axes.append(r.dimshuffle(*pattern))
        if self._sparse:
            return axes
        # Dense: each grid broadcast against all the others' shapes.
        zero = sum(_T.zeros_like(a) for a in axes)
        return [a + zero for a in axes]


mgrid = _Grid(sparse=False)
ogrid = _Grid(sparse=True)

__all__ = ["eye", "identity_like", "tri", "tril", "triu", "mgrid", "ogrid"]
