"""theon.tensor.nlinalg: Theano's theano.tensor.nlinalg, computed by LAPACK.

    from theon.tensor.nlinalg import matrix_inverse, det, eigh
    w, v = eigh(a)

The operations are the core's (include/theon/linalg.hpp and docs/linalg.md): matrices
of float32 or float64 (integers are cast to float), a LinAlgError (also a ValueError and
a numpy.linalg.LinAlgError) for a singular matrix, ShapeError for a non-square one.
"""
from theon._theon import LinAlgError  # noqa: F401
from theon._theon import tensor as _T

_core = _T._nlinalg
matrix_inverse = _core.matrix_inverse
det = _core.det
eig = _core.eig
eigh = _core.eigh
svd = _core.svd
pinv = _core.pinv
qr = _core.qr
trace = _core.trace
diag = _core.diag
diagonal = _core.diagonal
extract_diag = _core.extract_diag
alloc_diag = _core.alloc_diag
matrix_dot = _core.matrix_dot
matrix_power = _core.matrix_power


def norm(x, ord=None):
    """numpy.linalg.norm(x, ord) of a vector or a matrix; ord is None, a number
    (numpy.inf included), 'fro', 'nuc', 'inf' or '-inf'."""
    return _core.norm(x, ord)


class _OpLike(object):
    """Theano's op instances (MatrixInverse()(x)): a callable over the function."""

    def __init__(self, fn, *args, **kwargs):
        self._fn, self._args, self._kwargs = fn, args, kwargs

    def __call__(self, x):
        return self._fn(x, *self._args, **self._kwargs)


def MatrixInverse():
    return _OpLike(matrix_inverse)


def MatrixPinv():
    return _OpLike(pinv)


def Det():
    return _OpLike(det)


def Eig():
    return _OpLike(eig)


def Eigh(UPLO="L"):
    return _OpLike(eigh, UPLO)


def SVD(full_matrices=True, compute_uv=True):
    return _OpLike(svd, full_matrices, compute_uv)


def ExtractDiag(offset=0):
    return _OpLike(extract_diag, offset)


def AllocDiag(offset=0):
    return _OpLike(alloc_diag, offset)


__all__ = ["matrix_inverse", "det", "eig", "eigh", "svd", "pinv", "qr", "trace", "diag",
           "diagonal", "extract_diag", "alloc_diag", "norm", "matrix_dot", "matrix_power",
           "LinAlgError", "MatrixInverse", "MatrixPinv", "Det", "Eig", "Eigh", "SVD",
           "ExtractDiag", "AllocDiag"]
