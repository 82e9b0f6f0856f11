"""theano.tensor.signal.pool and .downsample: the Python names with Theano's arguments
against a NumPy reference, the deprecated names, the op-class spellings, gradients, and
the arg-max rewrite seen from Python."""
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.tensor as T
from theon.gradient import verify_grad
from theon.tensor.signal import downsample, pool

RNG = np.random.RandomState(0)
MODES = ["max", "sum", "average_inc_pad", "average_exc_pad"]


def out_len(n, ws, st, pad, ignore_border):
    v = n + 2 * pad
    if ignore_border:
        return max(0, (v - ws) // st + 1)
    if v == 0:
        return 0
    return (v - 1) // st + 1 if st >= ws else max(0, (v - 1 - ws + st) // st) + 1


def np_pool(x, ws, ignore_border, stride, pad, mode):
    """Pooling over the last len(ws) axes, written with a NaN-padded copy of x."""
    nd = len(ws)
    stride = ws if stride is None else stride
    lead = x.shape[:-nd]
    padded = np.full(lead + tuple(n + 2 * p for n, p in zip(x.shape[-nd:], pad)), np.nan)
    padded[(Ellipsis,) + tuple(slice(p, p + n) for n, p in zip(x.shape[-nd:], pad))] = x
    outs = [out_len(n, w, s, p, ignore_border) for n, w, s, p in zip(x.shape[-nd:], ws, stride, pad)]
    y = np.zeros(lead + tuple(outs))
    for o in np.ndindex(*outs):
        window = padded[(Ellipsis,) + tuple(slice(i * s, i * s + w) for i, s, w in zip(o, stride, ws))]
        flat = window.reshape(lead + (-1,))
        real = ~np.isnan(flat)
        if mode == "max":
            v = np.where(real, flat, -np.inf).max(axis=-1)
        else:
            v = np.where(real, flat, 0).sum(axis=-1)
            if mode == "average_inc_pad":
                v = v / flat.shape[-1]
            elif mode == "average_exc_pad":
                v = v / real.sum(axis=-1)
        y[(Ellipsis,) + o] = v
    return y


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", [
    ((2, 3, 7, 6), (2, 2), True, None, (0, 0)),
    ((2, 3, 7, 6), (3, 2), False, (1, 3), (0, 0)),
    ((1, 2, 5, 5), (3, 3), True, (2, 2), (1, 2)),
    ((4, 5), (6, 2), False, (2, 1), (0, 0)),      # window taller than the image
    ((2, 1, 2, 9, 8), (2, 3), True, (3, 2), (1, 1)),
])
def test_pool_2d_matches_numpy(case, mode):
    shape, ws, ignore_border, stride, pad = case
    x = T.tensor("float64", (False,) * len(shape))
    value = RNG.uniform(-1, 1, shape)
    f = theon.function([x], pool.pool_2d(x, ws=ws, ignore_border=ignore_border, stride=stride,
                                         pad=pad, mode=mode))
    assert_allclose(f(value), np_pool(value, ws, ignore_border, stride, pad, mode), rtol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_pool_3d_matches_numpy_float32(mode):
    x = T.ftensor5("x")
    value = RNG.uniform(-1, 1, (2, 2, 5, 4, 6)).astype("float32")
    args = dict(ws=(2, 3, 2), ignore_border=True, stride=(2, 1, 3), pad=(1, 1, 0), mode=mode)
    y = theon.function([x], pool.pool_3d(x, **args))(value)
    assert y.dtype == np.float32
    assert_allclose(y, np_pool(value.astype("float64"), (2, 3, 2), True, (2, 1, 3), (1, 1, 0), mode),
                    rtol=1e-5, atol=1e-6)


def test_non_contiguous_input():
    x = T.dtensor4("x")
    value = RNG.uniform(-1, 1, (3, 2, 8, 10)).transpose(1, 0, 3, 2)[:, :, ::2, :]
    assert not value.flags.c_contiguous
    f = theon.function([x], pool.pool_2d(x, (2, 3), ignore_border=False, mode="average_exc_pad"))
    assert_allclose(f(value), np_pool(value, (2, 3), False, None, (0, 0), "average_exc_pad"))


@pytest.mark.parametrize("mode", MODES)
def test_gradients(mode):
    value = RNG.uniform(-1, 1, (2, 2, 5, 6)) + np.arange(30).reshape(1, 1, 5, 6) * 0.1
    verify_grad(lambda x: pool.pool_2d(x, (2, 3), ignore_border=True, stride=(2, 2), pad=(1, 1),
                                       mode=mode), [value], rng=np.random.RandomState(1))


def test_gradient_ops_by_their_theano_names():
    x, gz = T.dtensor4("x"), T.dtensor4("gz")
    y = pool.Pool(ignore_border=True)(x, (2, 2))
    gx = pool.MaxPoolGrad(ignore_border=True)(x, y, gz, (2, 2))
    value = np.arange(16.0).reshape(1, 1, 4, 4)
    g = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    want = np.zeros((1, 1, 4, 4))
    want[0, 0, 1, 1], want[0, 0, 1, 3], want[0, 0, 3, 1], want[0, 0, 3, 3] = 1, 2, 3, 4
    assert_allclose(theon.function([x, gz], gx)(value, g), want)
    avg = pool.AveragePoolGrad(ignore_border=True, mode="average_inc_pad")(x, gz, (2, 2))
    assert_allclose(theon.function([x, gz], avg)(value, g), np.kron(g, np.ones((2, 2))) / 4)
    gg = pool.DownsampleFactorMaxGradGrad(ignore_border=True)(x, y, x, (2, 2))
    assert_allclose(theon.function([x], gg)(value), [[[[5.0, 7.0], [13.0, 15.0]]]])
    assert pool.Pool.out_shape((3, 4, 7, 6), (2, 2), ignore_border=False) == [3, 4, 4, 3]
    assert pool.Pool.out_shape((3, 4, 7, 6), (3, 3), True, (2, 2), (1, 1)) == [3, 4, 4, 3]


def test_max_pool_2d_same_size():
    x = T.dmatrix("x")
    value = np.array([[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 1.0]])
    y = theon.function([x], pool.max_pool_2d_same_size(x, (2, 2)))(value)
    assert_allclose(y, [[0.0, 5.0, 0.0, 0.0], [0.0, 0.0, 8.0, 0.0]])


def test_deprecated_argument_names_warn():
    x = T.dtensor4("x")
    value = RNG.uniform(-1, 1, (1, 2, 6, 6))
    with pytest.warns(DeprecationWarning, match="'ds'"):
        y = pool.pool_2d(x, ds=(2, 2), ignore_border=True)
    with pytest.warns(DeprecationWarning, match="'st'"):
        pool.pool_2d(x, (2, 2), ignore_border=True, st=(1, 1))
    with pytest.warns(DeprecationWarning, match="'padding'"):
        pool.pool_2d(x, (2, 2), ignore_border=True, padding=(1, 1))
    assert_allclose(theon.function([x], y)(value), np_pool(value, (2, 2), True, None, (0, 0), "max"))
    with pytest.raises(ValueError, match="both"):
        pool.pool_2d(x, ws=(2, 2), ds=(2, 2), ignore_border=True)
    with pytest.raises(ValueError, match="window size"):
        pool.pool_2d(x, ignore_border=True)


def test_ignore_border_none_warns_and_means_false():
    x = T.dmatrix("x")
    with pytest.warns(UserWarning, match="ignore_border"):
        y = pool.pool_2d(x, (2, 2))
    assert theon.function([x], y)(np.ones((5, 5))).shape == (3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pool.pool_2d(x, (2, 2), ignore_border=True)


def test_downsample_max_pool_2d():
    x = T.dtensor4("x")
    value = RNG.uniform(-1, 1, (2, 1, 5, 7))
    with pytest.warns(DeprecationWarning):
        y = downsample.max_pool_2d(x, (2, 2), ignore_border=False, st=(2, 3))
    assert_allclose(theon.function([x], y)(value), np_pool(value, (2, 2), False, (2, 3), (0, 0), "max"))
    assert downsample.DownsampleFactorMax is pool.Pool


def test_argmax_rewrite_visible_and_values_kept():
    x = T.ftensor4("x")
    y = pool.pool_2d(x, (2, 2), ignore_border=True)
    gx = T.grad((y ** 2).sum(), x)
    f = theon.function([x], [y, gx])
    names = [n.op.name for n in f.maker.fgraph.toposort()]
    assert "pool_argmax" in names and "max_pool_argmax_grad" in names
    assert "max_pool_grad" not in names
    assert "pool_argmax" in theon.printing.debugprint(f, file="str")
    value = RNG.uniform(-1, 1, (4, 3, 12, 12)).astype("float32")
    plain = theon.function([x], [y, gx], mode="NONE")
    for a, b in zip(f(value), plain(value)):
        assert_allclose(a, b, rtol=0, atol=0)


def test_errors():
    x = T.dtensor4("x")
    with pytest.raises(ValueError, match="ignore_border=True"):
        pool.pool_2d(x, (2, 2), ignore_border=False, pad=(1, 1))
    with pytest.raises(ValueError, match="mode"):
        pool.pool_2d(x, (2, 2), ignore_border=True, mode="median")
    with pytest.raises(TypeError, match="symbolic"):
        pool.pool_2d(x, T.ivector("ws"), ignore_border=True)
    with pytest.raises(TypeError, match="float input"):
        pool.pool_2d(T.itensor4("i"), (2, 2), ignore_border=True, mode="sum")
    with pytest.raises(NotImplementedError):
        pool.pool_3d(T.dmatrix("m"), (2, 2, 2), ignore_border=True)
