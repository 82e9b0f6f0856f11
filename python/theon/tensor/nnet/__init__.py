"""theon.tensor.nnet (T.nnet): Theano's neural-network operations.

    import theon.tensor.nnet as nnet
    loss = T.mean(nnet.categorical_crossentropy(nnet.softmax(x), labels))

The operations are the core's (include/theon/nnet.hpp: stable for inputs of +-1000,
with their own gradients); this module adds Theano's argument names and aliases.
"""
from theon._theon import tensor as _T

# The core's submodule is an attribute of the extension, not an importable module.
_core = _T.nnet
sigmoid = _core.sigmoid
softplus = _core.softplus
binary_crossentropy = _core.binary_crossentropy
sigmoid_binary_crossentropy = _core.sigmoid_binary_crossentropy
categorical_crossentropy = _core.categorical_crossentropy

# Theano's ultra_fast_sigmoid was a piecewise approximation (error up to ~0.02) for speed;
# here it is the exact, overflow-free sigmoid, which costs no more.
ultra_fast_sigmoid = sigmoid


def softmax(c, axis=-1):
    """exp(c) / sum(exp(c)) along `axis`. A vector comes back as a 1 x n row, as in
    Theano, so that code written for it (argmax(p, axis=1), p[0]) runs unchanged."""
    c = _T.as_tensor_variable(c)
    if c.ndim == 1:
        c = c.dimshuffle("x", 0)
        axis = -1 if axis in (0, -1) else axis
    return _core.softmax(c, axis)


def log_softmax(c, axis=-1):
    """log(softmax(c)), computed stably; a vector comes back as a 1 x n row, as softmax."""
    c = _T.as_tensor_variable(c)
    if c.ndim == 1:
        c = c.dimshuffle("x", 0)
        axis = -1 if axis in (0, -1) else axis
    return _core.log_softmax(c, axis)


logsoftmax = log_softmax


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: clip(0.2 * x + 0.5, 0, 1)."""
    return _T.clip(0.2 * x + 0.5, 0, 1)


def relu(x, alpha=0):
    """x where x > 0, alpha * x elsewhere (alpha = 0: max(x, 0)). A symbolic alpha uses
    Theano's formula 0.5 * (1 + alpha) * x + 0.5 * (1 - alpha) * |x|."""
    if isinstance(alpha, (int, float)):
        return _core.relu(x, float(alpha))
    return 0.5 * (1 + alpha) * x + 0.5 * (1 - alpha) * abs(x)


def elu(x, alpha=1):
    """x where x > 0, alpha * (exp(x) - 1) elsewhere."""
    if isinstance(alpha, (int, float)):
        return _core.elu(x, float(alpha))
    return _T.switch(x > 0, x, alpha * _T.expm1(_T.minimum(x, 0)))


def selu(x):
    """Scaled exponential linear unit (Klambauer et al. 2017): scale * elu(x, alpha) with
    the paper's alpha and scale, which keep activations near zero mean and unit variance."""
    return 1.0507009873554804934193349852946 * elu(x, 1.6732632423543772848170429916717)


def softsign(x):
    """x / (1 + |x|)."""
    return x / (1 + abs(x))


def softmax_with_bias(x, b):
    """softmax(x + b), b a vector added to every row (Theano's op of that name)."""
    return softmax(x + b)


def crossentropy_softmax_1hot(x, y_idx):
    """(-log softmax(x)[i, y_idx[i]] for each row i, softmax(x)): Theano's pair. The first
    compiles to the fused softmax cross-entropy op."""
    sm = softmax(x)
    return categorical_crossentropy(sm, y_idx), sm


def crossentropy_softmax_1hot_with_bias(x, b, y_idx):
    """crossentropy_softmax_1hot(x + b, y_idx)."""
    return crossentropy_softmax_1hot(x + b, y_idx)


__all__ = ["selu", "softsign", "softmax_with_bias", "crossentropy_softmax_1hot",
           "crossentropy_softmax_1hot_with_bias", "sigmoid", "softplus", "ultra_fast_sigmoid", "hard_sigmoid", "relu", "elu", "softmax",
           "logsoftmax", "log_softmax", "binary_crossentropy", "sigmoid_binary_crossentropy",
           "categorical_crossentropy"]

# Batch normalization (theano.tensor.nnet.bn); Theano also had batch_normalization here.
from theon.tensor.nnet import bn  # noqa: E402
from theon.tensor.nnet.bn import batch_normalization  # noqa: E402

__all__ += ["bn", "batch_normalization"]

# Convolution (theano.tensor.nnet.abstract_conv, the legacy .conv, .conv3d2d).
from theon.tensor.nnet import abstract_conv, conv, conv3d2d  # noqa: E402
from theon.tensor.nnet._conv import conv2d, conv2d_transpose  # noqa: E402
from theon.tensor.nnet.abstract_conv import conv3d  # noqa: E402

__all__ += ["abstract_conv", "conv", "conv3d2d", "conv2d", "conv2d_transpose", "conv3d"]
