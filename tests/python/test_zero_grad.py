"""Zero gradients through the `theano` alias (issue 18): T.grad through //, T.round (both
modes), T.argmax, comparisons and integer casts gives zeros, connected (no
disconnected error), and the compiled gradient holds nothing of the zero branch."""
import sys

import numpy as np
from numpy.testing import assert_allclose

from conftest import COMPAT

if COMPAT not in sys.path:
    sys.path.insert(0, COMPAT)

import theano  # noqa: E402  (the alias, from python/compat)
import theano.tensor as T  # noqa: E402


def _grad_values(cost, x, value):
    return theano.function([x], T.grad(cost, x))(value)


def test_floor_division_has_zero_gradient():
    x = T.dvector("x")
    value = np.array([1.5, -2.0, 3.25])
    assert_allclose(_grad_values(T.sum(x // 2), x, value), np.zeros(3))
    assert_allclose(_grad_values(T.sum(x ** 2) // 3 + T.sum(x), x, value), np.ones(3))


def test_round_in_every_mode_has_zero_gradient():
    x = T.dvector("x")
    value = np.array([0.4, 2.5, -1.7])
    for mode in ("half_to_even", "half_away_from_zero"):
        got = _grad_values(T.sum(T.round(x, mode) * 2 + x), x, value)
        assert_allclose(got, np.ones(3))


def test_argmax_comparisons_and_int_casts_have_zero_gradients():
    x = T.dmatrix("x")
    value = np.arange(6.0).reshape(2, 3)
    for cost in (T.cast(T.argmax(x, axis=1), "float64").sum(),
                 T.cast(T.gt(x, 2.0), "float64").sum(),
                 T.cast(T.cast(x * 3, "int32"), "float64").sum(),
                 T.sum(T.floor(x) + T.ceil(x) + T.sgn(x))):
        assert_allclose(_grad_values(cost, x, value), np.zeros((2, 3)))


def test_zero_branch_leaves_nothing_in_the_compiled_gradient():
    x = T.dmatrix("x")
    w = T.dmatrix("w")
    h = T.nnet.sigmoid(T.dot(x, w))
    J = T.reshape(h * (1 - h), (4, 1, 5)) * T.reshape(w, (1, 3, 5))
    f = theano.function([x, w], T.grad(T.sum(h) + T.sum(J ** 2) // 4, w))
    nodes = f.maker.fgraph.toposort()
    assert all(out.ndim < 3 for node in nodes for out in node.outputs), nodes
    rng = np.random.RandomState(0)
    xv, wv = rng.rand(4, 3), rng.rand(3, 5)
    want = theano.function([x, w], T.grad(T.sum(h), w))(xv, wv)
    assert_allclose(f(xv, wv), want)
