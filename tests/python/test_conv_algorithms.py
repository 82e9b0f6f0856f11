"""The convolution algorithms behind theano.tensor.nnet.conv2d (docs/conv_algorithms.md):
under every THEON_FLAGS conv_algorithm value, float32 conv2d and its two gradients agree
with a float64 NumPy reference, on the shapes where each algorithm runs (LeNet-like
1 and 20 input channels, a 3x3 stride-1 shape whose channels fill oneDNN's blocks)."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.tensor as T
from theon import _theon
from theon.tensor import nnet

ALGORITHMS = ["auto", "im2col", "onednn", "onednn_plain", "onednn_winograd", "direct", "lanes"]
# batch, in channels, out channels, image, kernel, pad
SHAPES = [(3, 1, 20, 13, 5, 0), (2, 20, 6, 9, 5, 0), (2, 16, 16, 10, 3, 1)]


@pytest.fixture
def algorithm(request):
    _theon._apply_flags("conv_algorithm=" + request.param)
    yield request.param
    _theon._apply_flags("conv_algorithm=auto")


def correlate(x, w, pad):
    """valid cross-correlation of the padded input, in float64, one tap at a time."""
    x = np.pad(x.astype(np.float64), [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    w = w.astype(np.float64)
    k = w.shape[2]
    oh, ow = x.shape[2] - k + 1, x.shape[3] - k + 1
    y = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for i in range(k):
        for j in range(k):
            y += np.einsum("nchw,oc->nohw", x[:, :, i:i + oh, j:j + ow], w[:, :, i, j])
    return y


@pytest.mark.parametrize("algorithm", ALGORITHMS, indirect=True)
@pytest.mark.parametrize("shape", SHAPES, ids=["lenet1", "lenet2", "3x3x16"])
def test_conv2d_and_gradients_match_reference(algorithm, shape):
    batch, cin, cout, image, kernel, pad = shape
    rng = np.random.RandomState(sum(shape))
    xv = rng.uniform(-1, 1, (batch, cin, image, image)).astype(np.float32)
    wv = rng.uniform(-1, 1, (cout, cin, kernel, kernel)).astype(np.float32)
    gv = rng.uniform(-1, 1, (batch, cout, image + 2 * pad - kernel + 1,
                             image + 2 * pad - kernel + 1)).astype(np.float32)
    x, w, g = T.tensor4("x", dtype="float32"), T.tensor4("w", dtype="float32"), \
        T.tensor4("g", dtype="float32")
    y = nnet.conv2d(x, w, border_mode=pad, filter_flip=False)
    cost = (y * g).sum()
    f = theon.function([x, w, g], [y] + T.grad(cost, [x, w]))
    y_got, gx_got, gw_got = f(xv, wv, gv)
    assert y_got.dtype == np.float32
    want = correlate(xv, wv, pad)
    assert_allclose(y_got, want, rtol=1e-4, atol=1e-4)
    # The adjoints from their definitions: every tap scatters g back onto the padded
    # input (grad wrt x) and gathers g times the shifted input (grad wrt w).
    xp = np.pad(xv.astype(np.float64), [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    oh = gv.shape[2]
    gx_want = np.zeros(xp.shape)
    gw_want = np.zeros(wv.shape)
    for i in range(kernel):
        for j in range(kernel):
            gx_want[:, :, i:i + oh, j:j + oh] += np.einsum("nohw,oc->nchw", gv, wv[:, :, i, j])
            gw_want[:, :, i, j] = np.einsum("nohw,nchw->oc", gv, xp[:, :, i:i + oh, j:j + oh])
    gx_want = gx_want[:, :, pad:pad + image, pad:pad + image]
    assert_allclose(gx_got, gx_want, rtol=1e-4, atol=1e-4)
    assert_allclose(gw_got, gw_want, rtol=1e-4, atol=1e-3)


def test_unknown_algorithm_is_a_value_error():
    with pytest.raises(ValueError, match="conv_algorithm"):
        _theon._apply_flags("conv_algorithm=fft")


def test_config_attribute_reads_and_sets_the_flag():
    # theon.config.conv_algorithm is the THEON_FLAGS flag, read at every call.
    assert theon.config.conv_algorithm == "auto"
    try:
        theon.config.conv_algorithm = "im2col"
        assert theon.config.conv_algorithm == "im2col"
        with pytest.raises(ValueError, match="conv_algorithm"):
            theon.config.conv_algorithm = "fastest"
        assert theon.config.conv_algorithm == "im2col"
    finally:
        theon.config.conv_algorithm = "auto"
