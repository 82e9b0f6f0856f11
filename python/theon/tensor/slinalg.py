"""theon.tensor.slinalg: Theano's theano.tensor.slinalg (scipy.linalg's names and
arguments), computed by LAPACK; SciPy is not needed.

    from theon.tensor.slinalg import cholesky, solve
    x = solve(a, b)                  # a x = b
    l = cholesky(a)                  # a = l l^T

See docs/linalg.md for what each op computes and which gradients exist.
"""
from theon._theon import LinAlgError  # noqa: F401
from theon._theon import tensor as _T

_core = _T._slinalg
cholesky = _core.cholesky
solve_lower_triangular = _core.solve_lower_triangular
solve_upper_triangular = _core.solve_upper_triangular
solve_symmetric = _core.solve_symmetric
expm = _core.expm
kron = _core.kron

def eigvalsh(a, b=None, lower=True):
    """Eigenvalues (ascending) of the symmetric matrix a, read from its lower or upper
    triangle; Theano's generalized form (b given) is not supported."""
    if b is not None:
        raise NotImplementedError("eigvalsh: the generalized problem (a, b) is not supported")
    return _core.eigvalsh(a, lower)


_TRANS = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2}


def solve(a, b, assume_a="gen", lower=False, **scipy_flags):
    """x with a x = b (scipy.linalg.solve); assume_a is 'gen', 'sym', 'her' or 'pos'.
    SciPy's overwrite_* and check_finite flags are accepted and ignored (the op never
    writes its inputs)."""
    _accept_scipy_flags("solve", scipy_flags)
    return _core.solve(a, b, assume_a, lower)


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, **scipy_flags):
    """x with op(a) x = b for a triangular a (scipy.linalg.solve_triangular)."""
    _accept_scipy_flags("solve_triangular", scipy_flags)
    if trans not in _TRANS:
        raise ValueError("solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got %r" % (trans,))
    return _core.solve_triangular(a, b, _TRANS[trans], lower, unit_diagonal)


def _accept_scipy_flags(op, flags):
    unknown = set(flags) - {"overwrite_a", "overwrite_b", "check_finite", "debug"}
    if unknown:
        raise TypeError("%s: unexpected keyword arguments %s" % (op, sorted(unknown)))


class Cholesky(object):
    """Theano's op class: Cholesky(lower=True)(x). on_error='raise' only."""

    def __init__(self, lower=True, on_error="raise"):
        if on_error != "raise":
            raise NotImplementedError("Cholesky: on_error=%r is not supported (only 'raise')" % (on_error,))
        self.lower = lower

    def __call__(self, x):
        return cholesky(x, self.lower)


class Solve(object):
    """Theano's op class: Solve(A_structure='general', lower=False)(a, b), with
    A_structure one of 'general', 'symmetric', 'lower_triangular', 'upper_triangular'."""

    def __init__(self, A_structure="general", lower=False, overwrite_A=False, overwrite_b=False):
        if A_structure not in ("general", "symmetric", "lower_triangular", "upper_triangular"):
            raise ValueError("Solve: invalid A_structure %r" % (A_structure,))
        self.A_structure, self.lower = A_structure, lower

    def __call__(self, a, b):
        return _core.solve(a, b, self.A_structure, self.lower)


class Eigvalsh(object):
    """Theano's op class: Eigvalsh(lower=True)(a); the generalized form (a, b) is not
    supported."""

    def __init__(self, lower=True):
        self.lower = lower

    def __call__(self, a, b=None):
        return eigvalsh(a, b, self.lower)


class Expm(object):
    """Theano's op class: Expm()(A)."""

    def __call__(self, A):
        return expm(A)


__all__ = ["cholesky", "solve", "solve_triangular", "solve_lower_triangular",
           "solve_upper_triangular", "solve_symmetric", "expm", "eigvalsh", "kron",
           "LinAlgError", "Cholesky", "Solve", "Eigvalsh", "Expm"]
