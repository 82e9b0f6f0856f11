"""Operators on variables, including the reflected forms for Python and NumPy scalars."""
import operator

import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.tensor as T

X = np.array([0.5, 1.0, 2.0])


def run(expr, x):
    return theon.function([x], expr)(X)


@pytest.mark.parametrize("op", [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow,
                                operator.floordiv, operator.mod])
@pytest.mark.parametrize("scalar", [3, 2.5, np.float64(2.5), np.int32(3)])
def test_binary_and_reflected(op, scalar):
    x = T.dvector("x")
    assert_allclose(run(op(x, scalar), x), op(X, scalar))
    assert_allclose(run(op(scalar, x), x), op(scalar, X))


@pytest.mark.parametrize("op", [operator.lt, operator.le, operator.gt, operator.ge])
def test_comparisons(op):
    x = T.dvector("x")
    assert list(run(op(x, 1.0), x)) == list(op(X, 1.0))
    assert list(run(op(1.0, x), x)) == list(op(1.0, X))
    assert list(run(op(np.float64(1.0), x), x)) == list(op(1.0, X))


def test_unary():
    x = T.dvector("x")
    f = theon.function([x], [-x, abs(x - 1), +x, x ** 2])
    n, a, p, s = f(X)
    assert_allclose(n, -X)
    assert_allclose(a, np.abs(X - 1))
    assert_allclose(p, X)
    assert_allclose(s, X ** 2)


def test_array_operands():
    x = T.dvector("x")
    assert_allclose(run(x + np.array([1.0, 2.0, 3.0]), x), X + [1, 2, 3])
    assert_allclose(run(np.array([1.0, 2.0, 3.0]) * x, x), X * [1, 2, 3])


def test_bitwise():
    i = T.ivector("i")
    f = theon.function([i], [i & 6, 6 | i, i ^ 3, ~i])
    v = np.array([1, 2, 3], dtype=np.int32)
    for got, want in zip(f(v), [v & 6, 6 | v, v ^ 3, ~v]):
        assert list(got) == list(want)


def test_eq_is_identity_and_only_comparisons_refuse_bool():
    x = T.dscalar("x")
    assert x == x and not (x == T.dscalar("y")) and x != T.dscalar("z")
    assert len({x, x}) == 1
    # Theano's rule: `if not W:` works on any variable; a chained comparison does not.
    assert bool(x) and bool(x + 1) and not (not x)
    for cond in (x < 1, x <= 1, x > 1, x >= 1):
        with pytest.raises(TypeError, match="boolean operations"):
            bool(cond)
    with pytest.raises(TypeError):
        0 < x < 1
    with pytest.raises(TypeError):
        iter(x)


def test_unsupported_operand_raises_type_error():
    x = T.dscalar("x")
    with pytest.raises(TypeError):
        x + "a"
    with pytest.raises(TypeError):
        x + object()
