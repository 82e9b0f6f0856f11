"""Pickling functions whose graphs hold the ops saved by the codecs of
src/serialize/codecs_grad_ops.cpp and friends: gradient ops private to their C++ files,
jacobian rows (an inner graph), Print, the counting and index ops."""
import pickle

import numpy as np
from numpy.testing import assert_allclose

import theon
import theon.tensor as T
from theon.printing import Print


def round_trip(f):
    return pickle.loads(pickle.dumps(f))


def test_gradients_of_sort_cumprod_repeat_and_expm_pickle():
    m = T.dmatrix("m")
    c = T.dmatrix("c")
    outs = [theon.grad((T.sort(m, 1) * c).sum(), m),
            theon.grad((T.extra_ops.cumprod(m, 0) * c).sum(), m),
            theon.grad((T.extra_ops.repeat(m, 2, 0) * T.concatenate([c, c], 0)).sum(), m),
            theon.grad((T.slinalg.expm(m * 0.1) * c).sum(), m)]
    f = theon.function([m, c], outs)
    g = round_trip(f)
    rng = np.random.RandomState(0)
    args = [rng.rand(3, 3), rng.rand(3, 3)]
    for want, got in zip(f(*args), g(*args)):
        assert_allclose(got, want)


def test_jacobian_and_hessian_pickle_and_read_the_loaded_shared_variable():
    x = T.dvector("x")
    W = theon.shared(np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]]), name="W")
    f = theon.function([x], [theon.gradient.jacobian(T.tanh(T.dot(W, x)), x),
                             theon.gradient.hessian((T.exp(x) * W.sum(0)).sum(), x)])
    W2, g = round_trip([W, f])
    at = np.array([0.3, -0.2, 0.5])
    for want, got in zip(f(at), g(at)):
        assert_allclose(got, want)
    W.set_value(W.get_value() * 2)
    W2.set_value(W2.get_value() * 2)
    for want, got in zip(f(at), g(at)):
        assert_allclose(got, want)


def test_print_pickles_and_prints_after_loading(capfd):
    x = T.dvector("x")
    f = theon.function([x], Print("twice")(x * 2).sum())
    g = round_trip(f)
    capfd.readouterr()
    assert g(np.array([1.0, 2.0])) == 6.0
    assert "twice __str__ = [2. 4.]" in "".join(capfd.readouterr())


def test_counting_and_index_ops_pickle():
    y = T.lvector("y")
    m = T.dmatrix("m")
    outs = [T.extra_ops.to_one_hot(y, 4), T.extra_ops.bincount(y), m.nonzero()[1]]
    f = theon.function([y, m], outs)
    g = round_trip(f)
    args = [np.array([0, 3, 3, 1]), np.array([[0.0, 1.0], [2.0, 0.0]])]
    for want, got in zip(f(*args), g(*args)):
        assert_allclose(got, want)
