"""theon.grad / T.grad and friends: Theano's argument conventions (values are checked in C++)."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.tensor as T


def test_single_and_list_wrt():
    x, y = T.dscalars("x", "y")
    c = x ** 2 * y
    gx = T.grad(c, x)
    gx2, gy = theon.grad(c, [x, y])
    f = theon.function([x, y], [gx, gx2, gy])
    assert [float(v) for v in f(3.0, 2.0)] == [12.0, 12.0, 9.0]


def test_grad_of_shared_in_training_step():
    w = theon.shared(np.array([0.2, 0.7]), "w")
    x = T.dvector("x")
    cost = T.sqr(20 - (x * w).sum())
    (gw,) = T.grad(cost, [w])
    f = theon.function([x], cost, updates=[(w, w - 0.1 * gw)])
    f([1.0, 1.0])
    assert_allclose(w.get_value(), [0.2 + 3.82, 0.7 + 3.82])


def test_disconnected_inputs():
    x, y = T.dscalars("x", "y")
    with pytest.raises(ValueError):
        T.grad(x * 2, y)
    g = T.grad(x * 2, y, disconnected_inputs="ignore")
    assert float(theon.function([y], g, on_unused_input="ignore")(1.0)) == 0.0
    assert T.grad(x * 2, y, disconnected_inputs="ignore", return_disconnected="None") is None


def test_consider_constant_and_known_grads():
    x = T.dscalar("x")
    y = x * 3
    z = y * x
    g = T.grad(z, x, consider_constant=[y])
    assert float(theon.function([x], g)(2.0)) == 6.0
    k = T.grad(None, x, known_grads={y: T.constant(1.0)})
    assert float(theon.function([x], k, on_unused_input="ignore")(2.0)) == 3.0


def test_jacobian_and_hessian():
    x = T.dvector("x")
    j = T.jacobian(x ** 2, x)
    h = T.hessian((x ** 3).sum(), x)
    f = theon.function([x], [j, h])
    jv, hv = f(np.array([1.0, 2.0]))
    assert_allclose(jv, np.diag([2.0, 4.0]))
    assert_allclose(hv, np.diag([6.0, 12.0]))
    assert isinstance(theon.gradient.jacobian(x ** 2, [x]), list)


def test_zero_and_disconnected_grad():
    x = T.dscalar("x")
    g = T.grad(x * theon.gradient.zero_grad(x), x)
    assert float(theon.function([x], g)(3.0)) == 3.0
    g = T.grad(x * theon.gradient.disconnected_grad(x) + x, x)
    assert float(theon.function([x], g)(3.0)) == 4.0


def test_verify_grad_passes_and_fails():
    rng = np.random.RandomState(0)
    theon.gradient.verify_grad(lambda a, b: T.exp(a) * b, [rng.rand(3, 2), rng.rand(3, 2)], rng=rng)
    with pytest.raises(theon.GradientError) as info:
        theon.gradient.verify_grad(lambda a: theon.gradient.zero_grad(a) * a, [rng.rand(3)])
    assert isinstance(info.value, ValueError)
    assert info.value.input == 0 and abs(info.value.numeric - 2 * info.value.analytic) < 1e-4
