"""Small functions run as one generated native function once planned (their third
call) and compiled: results and shared-variable updates equal the interpreter's, and
numpy arguments of another shape fall back to the interpreter."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import _theon


def train_logistic(steps):
    x, y = T.dmatrix("x"), T.dvector("y")
    w = theon.shared(np.array([0.5, -0.25, 0.125]), name="w")
    b = theon.shared(0.1, name="b")
    p = T.nnet.sigmoid(T.dot(x, w) + b)
    cost = -(y * T.log(p) + (1 - y) * T.log(1 - p)).mean()
    gw, gb = T.grad(cost, [w, b])
    step = theon.function([x, y], [p, cost], updates=[(w, w - 0.5 * gw), (b, b - 0.5 * gb)])
    rng = np.random.default_rng(3)
    xs = rng.normal(size=(8, 3))
    ys = (xs @ np.array([1.0, -2.0, 0.5]) > 0).astype(float)
    outs = None
    for i in range(steps):
        outs = step(xs, ys)
        if i == 3:
            theon.wait_for_native_code()
    return step, w.get_value(), float(b.get_value()), outs


@pytest.fixture
def graph_flag():
    yield
    _theon._apply_flags("cgen_graph=1")


def test_native_training_matches_interpreter(graph_flag):
    _theon._apply_flags("cgen_graph=0")
    _, w_ref, b_ref, outs_ref = train_logistic(60)
    _theon._apply_flags("cgen_graph=1")
    step, w, b, outs = train_logistic(60)
    np.testing.assert_allclose(w, w_ref, rtol=1e-12, atol=1e-12)
    assert b == pytest.approx(b_ref, rel=1e-12, abs=1e-12)
    for got, want in zip(outs, outs_ref):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    # Another batch size: not the recorded layout, so interpreted, and still right.
    p, _ = step(np.ones((5, 3)), np.ones(5))
    assert p.shape == (5,)
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-(np.ones((5, 3)) @ w + b))), rtol=1e-12)
