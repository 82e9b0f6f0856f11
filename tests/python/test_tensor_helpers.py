"""Theano's matrix builders, grids, NumPy-style helpers and the smaller nnet functions
(python/theon/tensor/matrix_builders.py, numpy_helpers.py, nnet.py) against NumPy."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.gradient import verify_grad


def run(inputs, outputs, *args):
    return theon.function(inputs, outputs, on_unused_input="ignore")(*args)


@pytest.mark.parametrize("n, m, k", [(3, None, 0), (3, 5, 1), (4, 2, -1), (0, 3, 0), (3, 3, 5)])
def test_eye_and_tri_match_numpy(n, m, k):
    np.testing.assert_array_equal(T.eye(n, m, k).eval(), np.eye(n, m, k))
    np.testing.assert_array_equal(T.tri(n, m, k, dtype="int32").eval(), np.tri(n, m, k, dtype="int32"))
    assert T.eye(3, dtype="int8").dtype == "int8" and T.eye(3).dtype == theon.config.floatX


def test_sizes_may_be_symbolic():
    n = T.lscalar("n")
    np.testing.assert_array_equal(run([n], T.eye(n, n + 1, 1), 3), np.eye(3, 4, 1))
    x = T.dmatrix("x")
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(run([x], T.identity_like(x), a), np.eye(2, 3))


@pytest.mark.parametrize("k", [-2, -1, 0, 1, 3])
def test_tril_triu_match_numpy_and_have_gradients(k):
    x = T.dmatrix("x")
    a = np.random.default_rng(k + 5).normal(size=(4, 3))
    np.testing.assert_array_equal(run([x], T.tril(x, k), a), np.tril(a, k))
    np.testing.assert_array_equal(run([x], T.triu(x, k), a), np.triu(a, k))
    np.testing.assert_array_equal(run([x], T.tril(x, k), a.T), np.tril(a.T, k))  # strided input
    verify_grad(lambda m: T.tril(m, k) * 2, [a])
    verify_grad(lambda m: T.triu(m, k) ** 2, [a])


def test_tril_of_a_stack_of_matrices():
    x = T.tensor3("x", dtype="float64")
    a = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(run([x], T.tril(x), a), np.tril(a))


def test_mgrid_and_ogrid_match_numpy():
    got = [g.eval() for g in T.mgrid[0:3, 1:7:2]]
    for g, want in zip(got, np.mgrid[0:3, 1:7:2]):
        np.testing.assert_array_equal(g, want)
    got = [g.eval() for g in T.ogrid[0:3, 0:4]]
    for g, want in zip(got, np.ogrid[0:3, 0:4]):
        np.testing.assert_array_equal(g, want)
    n = T.lscalar("n")
    np.testing.assert_array_equal(run([n], T.mgrid[0:n, 0:2][1], 2), np.mgrid[0:2, 0:2][1])
    with pytest.raises(TypeError, match="stop"):
        T.mgrid[0:]


def test_take_matches_numpy():
    x = T.dmatrix("x")
    i = T.lvector("i")
    a = np.arange(12.0).reshape(3, 4)
    idx = np.array([2, -1, 0])
    np.testing.assert_array_equal(run([x, i], T.take(x, i), a, idx), np.take(a, idx))
    np.testing.assert_array_equal(run([x, i], T.take(x, i, axis=1), a, idx), np.take(a, idx, axis=1))
    np.testing.assert_array_equal(run([x, i], T.take(x, i, axis=-2), a, idx), np.take(a, idx, axis=-2))
    with pytest.raises(IndexError):
        run([x, i], T.take(x, i, axis=0), a, np.array([3]))
    with pytest.raises(IndexError):
        T.take(x, i, axis=2)
    verify_grad(lambda m: T.take(m, np.array([1, 1, 0]), axis=0), [a])


def test_largest_smallest_ptp():
    x, y, z = T.dvectors("x", "y", "z")
    a, b, c = np.array([1.0, 5, -2]), np.array([3.0, 0, -1]), np.array([2.0, 2, -3])
    np.testing.assert_array_equal(run([x, y, z], T.largest(x, y, z), a, b, c), np.maximum(np.maximum(a, b), c))
    np.testing.assert_array_equal(run([x, y, z], T.smallest(x, y, z), a, b, c), np.minimum(np.minimum(a, b), c))
    m = T.dmatrix("m")
    v = np.array([[1.0, 7, 3], [4, -2, 0]])
    np.testing.assert_array_equal(run([m], T.ptp(m), v), np.ptp(v))
    np.testing.assert_array_equal(run([m], T.ptp(m, axis=1), v), np.ptp(v, axis=1))
    with pytest.raises(TypeError):
        T.largest()


def test_isclose_and_allclose_match_numpy():
    x, y = T.dvectors("x", "y")
    a = np.array([1.0, 1.0, np.inf, np.inf, np.nan, 0.0, 1e-9])
    b = np.array([1.0 + 1e-6, 1.1, np.inf, -np.inf, np.nan, 1e-9, 0.0])
    np.testing.assert_array_equal(run([x, y], T.isclose(x, y), a, b), np.isclose(a, b))
    np.testing.assert_array_equal(run([x, y], T.isclose(x, y, equal_nan=True), a, b), np.isclose(a, b, equal_nan=True))
    np.testing.assert_array_equal(run([x, y], T.isclose(x, y, rtol=0.2), a, b), np.isclose(a, b, rtol=0.2))
    assert bool(run([x, y], T.allclose(x, y), a[:1], b[:1])) is True
    assert bool(run([x, y], T.allclose(x, y), a, b)) is False


def test_selu_softsign_and_crossentropy_pair():
    x = T.dvector("x")
    v = np.array([-3.0, -0.5, 0.0, 0.7, 4.0])
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    np.testing.assert_allclose(run([x], T.nnet.selu(x), v), scale * np.where(v > 0, v, alpha * np.expm1(v)))
    np.testing.assert_allclose(run([x], T.nnet.softsign(x), v), v / (1 + np.abs(v)))
    verify_grad(T.nnet.softsign, [v])
    m = T.dmatrix("m")
    y = T.lvector("y")
    z = np.random.default_rng(0).normal(size=(4, 3))
    labels = np.array([0, 2, 1, 2])
    nll, sm = run([m, y], list(T.nnet.crossentropy_softmax_1hot(m, y)), z, labels)
    want_sm = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(sm, want_sm)
    np.testing.assert_allclose(nll, -np.log(want_sm[np.arange(4), labels]))
    b = T.dvector("b")
    bias = np.array([0.1, -0.2, 0.3])
    np.testing.assert_allclose(run([m, b], T.nnet.softmax_with_bias(m, b), z, bias),
                               np.exp(z + bias) / np.exp(z + bias).sum(axis=1, keepdims=True))


def test_theano_names_on_tensor():
    for name in ("diag", "diagonal", "trace", "eye", "tril", "triu", "take", "mgrid", "isclose"):
        assert callable(getattr(T, name)) or name in ("mgrid",)
    assert T.shared_randomstreams.RandomStreams is not None
    np.testing.assert_array_equal(T.diag(T.constant(np.array([1.0, 2.0]))).eval(), np.diag([1.0, 2.0]))


@pytest.mark.parametrize("L", [1, 2, 3, np.inf])
def test_variable_norm(L):
    m = T.dmatrix("m")
    a = np.array([[3.0, -4.0, 1.0], [0.5, 2.0, -2.0]])
    np.testing.assert_allclose(run([m], m.norm(L, axis=1), a), np.linalg.norm(a, L, axis=1))
    want = np.abs(a).max() if L == np.inf else (np.abs(a) ** L).sum() ** (1.0 / L)
    np.testing.assert_allclose(run([m], m.norm(L), a), want)
    with pytest.raises(ValueError):
        m.norm(0)


def test_prod_accepts_theanos_no_zeros_hint():
    v = T.dvector("v")
    f = theon.function([v], T.grad(T.prod(v, no_zeros_in_input=True), v))
    np.testing.assert_allclose(f(np.array([2.0, 0.0, 3.0])), [0.0, 6.0, 0.0])
