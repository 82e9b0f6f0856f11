"""Convolution under Theano's names (theano.tensor.nnet.conv2d / conv3d / conv2d_transpose,
abstract_conv, the legacy nnet.conv and conv3d2d) against a NumPy reference written here:
border modes, strides, dilation, groups, flip, shape hints, dtypes, errors, verify_grad."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.tensor as T
from theon.gradient import verify_grad
from theon.tensor import nnet
from theon.tensor.nnet import abstract_conv, conv as legacy_conv, conv3d2d

RNG = np.random.RandomState(14)


def pads_of(border_mode, kernel, dilation):
    if border_mode == "valid":
        return [0] * len(kernel)
    if border_mode == "full":
        return [d * (k - 1) for k, d in zip(kernel, dilation)]
    if border_mode == "half":
        return [d * (k // 2) for k, d in zip(kernel, dilation)]
    if isinstance(border_mode, int):
        return [border_mode] * len(kernel)
    return list(border_mode)


def reference(x, w, border_mode="valid", subsample=None, flip=True, dilation=None, groups=1):
    """Convolution from its definition, one kernel tap at a time, in float64."""
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    nd = x.ndim - 2
    subsample = subsample or (1,) * nd
    dilation = dilation or (1,) * nd
    if flip:
        w = w[(slice(None), slice(None)) + (slice(None, None, -1),) * nd]
    kernel = w.shape[2:]
    pads = pads_of(border_mode, kernel, dilation)
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in pads])
    out_len = [(xp.shape[2 + a] - dilation[a] * (kernel[a] - 1) - 1) // subsample[a] + 1
               for a in range(nd)]
    n, c = x.shape[:2]
    oc = w.shape[0]
    cg, og = c // groups, oc // groups
    y = np.zeros((n, oc) + tuple(out_len))
    for g in range(groups):
        xg = xp[:, g * cg:(g + 1) * cg]
        wg = w[g * og:(g + 1) * og]
        for tap in np.ndindex(*kernel):
            index = tuple(slice(tap[a] * dilation[a],
                                tap[a] * dilation[a] + (out_len[a] - 1) * subsample[a] + 1,
                                subsample[a]) for a in range(nd))
            patch = xg[(slice(None), slice(None)) + index]  # (n, cg, out...)
            y[:, g * og:(g + 1) * og] += np.einsum("nc...,oc->no...", patch,
                                                   wg[(slice(None), slice(None)) + tap])
    return y


def run(inputs, outputs, *values):
    return theon.function(inputs, outputs)(*values)


@pytest.mark.parametrize("border_mode", ["valid", "full", "half", 1, (2, 0)])
@pytest.mark.parametrize("subsample,dilation,groups,flip", [
    ((1, 1), (1, 1), 1, True), ((2, 1), (1, 2), 2, False), ((1, 3), (2, 1), 1, True)])
def test_conv2d_matches_the_reference(border_mode, subsample, dilation, groups, flip):
    x = RNG.uniform(-1, 1, (3, 4, 9, 8))
    w = RNG.uniform(-1, 1, (6, 4 // groups, 3, 2))
    xs, ws = T.dtensor4("x"), T.dtensor4("w")
    y = nnet.conv2d(xs, ws, border_mode=border_mode, subsample=subsample, filter_flip=flip,
                    filter_dilation=dilation, num_groups=groups)
    assert_allclose(run([xs, ws], y, x, w),
                    reference(x, w, border_mode, subsample, flip, dilation, groups), atol=1e-12)


def test_conv2d_float32_stays_float32_and_shape_hints_pass():
    x = RNG.uniform(-1, 1, (5, 1, 28, 28)).astype("float32")
    w = RNG.uniform(-1, 1, (20, 1, 5, 5)).astype("float32")
    xs, ws = T.ftensor4("x"), T.ftensor4("w")
    y = nnet.conv2d(xs, ws, input_shape=(None, 1, 28, 28), filter_shape=(20, 1, 5, 5))
    assert y.dtype == "float32"
    got = run([xs, ws], y, x, w)
    assert got.dtype == np.float32 and got.shape == (5, 20, 24, 24)
    assert_allclose(got, reference(x, w), rtol=1e-4, atol=1e-4)


def test_image_shape_is_the_old_name_of_input_shape():
    xs, ws = T.dtensor4("x"), T.dtensor4("w")
    f = theon.function([xs, ws], nnet.conv2d(xs, ws, image_shape=(2, 1, 6, 6)))
    with pytest.raises(theon.ShapeError, match=r"input_shape hint \(2, 1, 6, 6\)"):
        f(np.zeros((3, 1, 6, 6)), np.zeros((1, 1, 3, 3)))


def test_conv2d_gradients_and_their_own_functions_match_the_reference():
    x = RNG.uniform(-1, 1, (2, 2, 7, 6))
    w = RNG.uniform(-1, 1, (3, 2, 3, 3))
    xs, ws, gys = T.dtensor4("x"), T.dtensor4("w"), T.dtensor4("gy")
    kw = dict(border_mode="half", subsample=(2, 2))
    y = nnet.conv2d(xs, ws, **kw)
    gy = RNG.uniform(-1, 1, run([xs, ws], y, x, w).shape)
    gx, gw = T.grad(T.sum(y * gys), [xs, ws])
    gx2 = abstract_conv.conv2d_grad_wrt_inputs(gys, ws, (None, None, 7, 6), **kw)
    gw2 = abstract_conv.conv2d_grad_wrt_weights(xs, gys, (3, 2, 3, 3), **kw)
    got = run([xs, ws, gys], [gx, gw, gx2, gw2], x, w, gy)
    # Numeric adjoints from the reference: <conv(x, w), gy> is linear in x and in w.
    eps = 1e-6
    num_gx = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        num_gx[i] = np.sum((reference(x + d, w, "half", (2, 2)) - reference(x, w, "half", (2, 2)))
                           * gy) / eps
    assert_allclose(got[0], num_gx, atol=1e-6)
    assert_allclose(got[2], got[0], atol=1e-12)
    assert_allclose(got[3], got[1], atol=1e-12)


def test_conv2d_transpose_is_the_adjoint_and_upsamples():
    x = RNG.uniform(-1, 1, (2, 3, 7, 8))
    w = RNG.uniform(-1, 1, (4, 3, 3, 3))
    ys = T.dtensor4("y")
    ws = T.dtensor4("w")
    up = nnet.conv2d_transpose(ys, ws, output_shape=(2, 3, 7, 8), border_mode=1,
                               input_dilation=(2, 2))
    yv = RNG.uniform(-1, 1, (2, 4, 4, 4))
    got = run([ys, ws], up, yv, w)
    assert got.shape == (2, 3, 7, 8)
    lhs = np.sum(reference(x, w, 1, (2, 2)) * yv)
    assert_allclose(np.sum(x * got), lhs, rtol=1e-10)


def test_conv3d_matches_the_reference():
    x = RNG.uniform(-1, 1, (2, 2, 5, 4, 6))
    w = RNG.uniform(-1, 1, (3, 2, 2, 3, 2))
    xs = T.TensorType("float64", (False,) * 5)("x")
    ws = T.TensorType("float64", (False,) * 5)("w")
    y = nnet.conv3d(xs, ws, border_mode="full", subsample=(1, 2, 1), filter_dilation=(2, 1, 1))
    assert_allclose(run([xs, ws], y, x, w),
                    reference(x, w, "full", (1, 2, 1), True, (2, 1, 1)), atol=1e-12)


def test_conv3d2d_layout_is_batch_time_channels_rows_cols():
    s = RNG.uniform(-1, 1, (2, 5, 3, 6, 7))   # (batch, time, channels, rows, cols)
    f = RNG.uniform(-1, 1, (4, 2, 3, 3, 2))   # (out, time, channels, rows, cols)
    ss = T.TensorType("float64", (False,) * 5)("s")
    fs = T.TensorType("float64", (False,) * 5)("f")
    got = run([ss, fs], conv3d2d.conv3d(ss, fs, signals_shape=s.shape, filters_shape=f.shape),
              s, f)
    want = reference(s.transpose(0, 2, 1, 3, 4), f.transpose(0, 2, 1, 3, 4)).transpose(0, 2, 1, 3, 4)
    assert got.shape == (2, 4, 4, 4, 6)
    assert_allclose(got, want, atol=1e-12)


def test_legacy_conv2d_flips_and_allows_valid_and_full_only():
    x = RNG.uniform(-1, 1, (2, 3, 6, 6))
    w = RNG.uniform(-1, 1, (2, 3, 3, 3))
    xs, ws = T.dtensor4("x"), T.dtensor4("w")
    y = legacy_conv.conv2d(xs, ws, filter_shape=w.shape, image_shape=x.shape, border_mode="full")
    assert_allclose(run([xs, ws], y, x, w), reference(x, w, "full"), atol=1e-12)
    with pytest.raises(ValueError, match="'valid' or 'full'"):
        legacy_conv.conv2d(xs, ws, border_mode="half")


def test_output_shape_helpers():
    assert abstract_conv.get_conv_shape_1axis(28, 5, "valid", 1) == 24
    assert abstract_conv.get_conv_shape_1axis(7, 3, 1, 2) == 4
    assert abstract_conv.get_conv_shape_1axis(None, 3, "full", 1) is None
    assert abstract_conv.get_conv_output_shape((8, 3, 9, 9), (4, 3, 3, 3), "half", (2, 2)) == \
        (8, 4, 5, 5)


def test_errors_name_the_op():
    xs, ws = T.dtensor4("x"), T.dtensor4("w")
    with pytest.raises(TypeError, match="conv2d.*float32 or float64"):
        nnet.conv2d(T.ltensor4("xi"), ws)
    with pytest.raises(ValueError, match="border_mode"):
        nnet.conv2d(xs, ws, border_mode="same")
    with pytest.raises(NotImplementedError, match="unshared"):
        nnet.conv2d(xs, ws, unshared=True)
    f = theon.function([xs, ws], nnet.conv2d(xs, ws))
    with pytest.raises(theon.ShapeError, match="conv2d.*3 channels"):
        f(np.zeros((1, 3, 5, 5)), np.zeros((2, 2, 3, 3)))
    with pytest.raises(ValueError, match="larger than the padded image"):
        f(np.zeros((1, 1, 2, 2)), np.zeros((2, 1, 3, 3)))


def test_non_contiguous_values():
    x = RNG.uniform(-1, 1, (2, 2, 6, 7)).transpose(0, 1, 3, 2)
    w = RNG.uniform(-1, 1, (3, 2, 2, 2))[:, :, ::-1]
    xs, ws = T.dtensor4("x"), T.dtensor4("w")
    assert_allclose(run([xs, ws], nnet.conv2d(xs, ws), x, w), reference(x, w), atol=1e-12)


def test_verify_grad_of_conv2d_and_its_gradient_ops():
    rng = np.random.RandomState(1)
    x = rng.uniform(-1, 1, (2, 2, 5, 4))
    w = rng.uniform(-1, 1, (2, 1, 2, 3))
    verify_grad(lambda a, b: nnet.conv2d(a, b, border_mode=1, subsample=(2, 1), num_groups=2),
                [x, w], rng=rng)
    gy = rng.uniform(-1, 1, (2, 2, 4, 2))
    verify_grad(lambda g, b: abstract_conv.conv2d_grad_wrt_inputs(g, b, (2, 2, 5, 4)),
                [gy, w.reshape(2, 1, 2, 3).repeat(2, axis=1)], rng=rng)
    verify_grad(lambda a, g: abstract_conv.conv2d_grad_wrt_weights(a, g, (2, 2, 2, 3)),
                [x, gy], rng=rng)
