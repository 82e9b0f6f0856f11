"""theano.tensor.nnet.bn (python/theon/tensor/nnet/bn.py) against NumPy: the training
and test forms for both axes modes and explicit axes, running averages kept in shared
variables through a function's updates, gradients, the element-wise form's two modes,
and T.nnet.relu / elu / selu."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.gradient import verify_grad
from theon.tensor.nnet import bn


def numpy_bn(x, gamma, beta, axes, epsilon):
    mean = x.mean(axes, keepdims=True)
    var = x.var(axes, keepdims=True)
    invstd = 1 / np.sqrt(var + epsilon)
    return (x - mean) * gamma * invstd + beta, mean, invstd, var


def resolve(axes, ndim):
    if axes == "per-activation":
        return (0,)
    if axes == "spatial":
        return (0,) + tuple(range(2, ndim))
    return tuple(sorted(axes))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape, axes", [((6, 4), "per-activation"), ((3, 4, 5, 2), "spatial"),
                                         ((2, 3, 2, 3, 4), "spatial"), ((3, 4, 5, 2), "per-activation"),
                                         ((4, 3, 5), (0, 2)), ((4, 3, 5), [2, 1])])
def test_train_matches_numpy(shape, axes, dtype):
    rng = np.random.default_rng(0)
    axes_t = resolve(axes, len(shape))
    stats = tuple(1 if d in axes_t else n for d, n in enumerate(shape))
    x = rng.normal(2, 3, shape).astype(dtype)
    g = rng.uniform(0.5, 1.5, stats).astype(dtype)
    b = rng.normal(0, 1, stats).astype(dtype)
    xs, gs, bs = (T.TensorType(dtype, (False,) * len(shape))(n) for n in ("x", "g", "b"))
    out, mean, invstd = bn.batch_normalization_train(xs, gs, bs, axes, epsilon=1e-3)
    got = theon.function([xs, gs, bs], [out, mean, invstd])(x, g, b)
    want = numpy_bn(x.astype("float64"), g, b, axes_t, 1e-3)
    tol = 1e-10 if dtype == "float64" else 1e-4
    for a, w in zip(got, want):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, w, rtol=tol, atol=tol)


def test_vector_parameters_and_non_contiguous_input():
    rng = np.random.default_rng(1)
    x = T.ftensor4("x")
    g, b = T.fvector("g"), T.fvector("b")
    out, mean, invstd = bn.batch_normalization_train(x, g, b, "spatial")
    assert mean.ndim == 1 and invstd.ndim == 1
    f = theon.function([x, g, b], [out, mean, invstd])
    xv = rng.normal(size=(5, 3, 6, 4)).astype("float32").transpose(3, 1, 0, 2)  # (4, 3, 5, 6)
    gv, bv = rng.uniform(0.5, 1.5, 3).astype("float32"), rng.normal(size=3).astype("float32")
    got = f(xv, gv, bv)
    want = numpy_bn(xv.astype("float64"), gv.reshape(1, 3, 1, 1), bv.reshape(1, 3, 1, 1), (0, 2, 3), 1e-4)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got[1], want[1].ravel(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got[2], want[2].ravel(), rtol=1e-4)


def test_running_averages_update_shared_variables():
    rng = np.random.default_rng(2)
    x = T.dtensor4("x")
    g, b = T.dvector("g"), T.dvector("b")
    rm = theon.shared(np.zeros(3), "running_mean")
    rv = theon.shared(np.ones(3), "running_var")
    out, mean, invstd, new_rm, new_rv = bn.batch_normalization_train(
        x, g, b, "spatial", running_average_factor=0.2, running_mean=rm, running_var=rv)
    f = theon.function([x, g, b], out, updates=[(rm, new_rm), (rv, new_rv)])
    xv = rng.normal(1, 2, (4, 3, 2, 3))
    want_m, want_v = np.zeros(3), np.ones(3)
    m = xv.size / 3
    for _ in range(3):
        f(xv, np.ones(3), np.zeros(3))
        want_m = want_m * 0.8 + xv.mean((0, 2, 3)) * 0.2
        want_v = want_v * 0.8 + xv.var((0, 2, 3)) * m / (m - 1) * 0.2
    np.testing.assert_allclose(rm.get_value(), want_m, rtol=1e-12)
    np.testing.assert_allclose(rv.get_value(), want_v, rtol=1e-12)
    # At inference the running averages normalize.
    test = theon.function([x, g, b], bn.batch_normalization_test(x, g, b, rm, rv, "spatial"))
    gv, bv = rng.uniform(0.5, 1.5, 3), rng.normal(size=3)
    sh = (1, 3, 1, 1)
    want = (xv - want_m.reshape(sh)) * gv.reshape(sh) / np.sqrt(want_v.reshape(sh) + 1e-4) + bv.reshape(sh)
    np.testing.assert_allclose(test(xv, gv, bv), want, rtol=1e-12)


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 2, 3))
    g, b = rng.uniform(0.5, 1.5, 2), rng.normal(size=2)
    verify_grad(lambda x, g, b: bn.batch_normalization_train(x, g, b, "spatial")[0], [x, g, b])
    verify_grad(lambda x, g, b: bn.batch_normalization_train(x, g, b, (0,))[0],
                [rng.normal(size=(5, 3)), rng.uniform(0.5, 1.5, 3), rng.normal(size=3)])
    # Through the statistics too.
    verify_grad(lambda x, g, b: bn.batch_normalization_train(x, g, b, "spatial")[2] * 2, [x, g, b])


def test_gradient_equals_the_plain_graph():
    rng = np.random.default_rng(4)
    x, g, b = T.dmatrix("x"), T.dvector("g"), T.dvector("b")
    out = bn.batch_normalization_train(x, g, b)[0]
    plain = (x - x.mean(0, keepdims=True)) * g / T.sqrt(x.var(0, keepdims=True) + 1e-4) + b
    w = rng.normal(size=(6, 3))
    grads = theon.function([x, g, b], T.grad(T.sum(out * w), [x, g, b]))
    plain_grads = theon.function([x, g, b], T.grad(T.sum(plain * w), [x, g, b]))
    args = rng.normal(size=(6, 3)), rng.uniform(0.5, 1.5, 3), rng.normal(size=3)
    for a, p in zip(grads(*args), plain_grads(*args)):
        np.testing.assert_allclose(a, p, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mode", ["low_mem", "high_mem"])
def test_elementwise_form_modes(mode):
    rng = np.random.default_rng(5)
    x, g, b, m, s = T.dmatrix("x"), T.dvector("g"), T.dvector("b"), T.dvector("m"), T.dvector("s")
    f = theon.function([x, g, b, m, s], bn.batch_normalization(x, g, b, m, s, mode=mode))
    xv = rng.normal(size=(4, 3))
    gv, bv, mv, sv = rng.uniform(0.5, 1.5, 3), rng.normal(size=3), rng.normal(size=3), rng.uniform(0.5, 2, 3)
    np.testing.assert_allclose(f(xv, gv, bv, mv, sv), (xv - mv) / sv * gv + bv, rtol=1e-12)
    assert T.nnet.batch_normalization is bn.batch_normalization


def test_errors():
    x, g, b = T.dmatrix("x"), T.dvector("g"), T.dvector("b")
    with pytest.raises(ValueError, match="invalid axes"):
        bn.batch_normalization_train(x, g, b, "channels")
    with pytest.raises(ValueError, match="running_mean and running_var"):
        bn.batch_normalization_train(x, g, b, running_mean=g)
    with pytest.raises(ValueError, match="low_mem"):
        bn.batch_normalization(x, g, b, g, g, mode="fast")
    f = theon.function([x, g, b], bn.batch_normalization_train(x, g, b)[0])
    with pytest.raises(ValueError, match="empty"):
        f(np.zeros((0, 3)), np.ones(3), np.zeros(3))


def test_relu_elu_selu_match_numpy():
    v = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    x = T.dvector("x")
    f = theon.function([x], [T.nnet.relu(x), T.nnet.relu(x, 0.1), T.nnet.elu(x), T.nnet.selu(x)])
    relu, leaky, elu, selu = f(v)
    np.testing.assert_allclose(relu, np.maximum(v, 0))
    np.testing.assert_allclose(leaky, np.where(v > 0, v, 0.1 * v))
    np.testing.assert_allclose(elu, np.where(v > 0, v, np.expm1(v)), rtol=1e-12)
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    np.testing.assert_allclose(selu, scale * np.where(v > 0, v, alpha * np.expm1(v)), rtol=1e-12)
