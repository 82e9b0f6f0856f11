"""theon.tensor.nnet (T.nnet): Theano's neural-network operations.

    import theon.tensor.nnet as nnet
    loss = T.mean(nnet.categorical_crossentropy(nnet.softmax(x), labels))

The core's own versions (include/theon/nnet.hpp: stable for inputs of +-1000, with
dedicated gradients) are used when the core has them; otherwise the same formulas are
written here from core operations.
"""
from theon._theon import tensor as _T

_core = getattr(_T, "nnet", None)

sigmoid = _T.sigmoid
softplus = _T.softplus
ultra_fast_sigmoid = _T.sigmoid


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: clip(0.2 * x + 0.5, 0, 1)."""
    return _T.clip(0.2 * x + 0.5, 0, 1)


def relu(x, alpha=0):
    """x where x > 0, alpha * x elsewhere (alpha = 0: max(x, 0))."""
    if _core is not None and isinstance(alpha, (int, float)):
        return _core.relu(x, float(alpha))
    if alpha == 0:
        return 0.5 * (x + abs(x))
    return 0.5 * (1 + alpha) * x + 0.5 * (1 - alpha) * abs(x)


def elu(x, alpha=1):
    """x where x > 0, alpha * (exp(x) - 1) elsewhere."""
    if _core is not None and isinstance(alpha, (int, float)):
        return _core.elu(x, float(alpha))
    return _T.switch(x > 0, x, alpha * _T.expm1(_T.minimum(x, 0)))


def softmax(c, axis=-1):
    """exp(c) / sum(exp(c)) along `axis` (the rows of a matrix), computed after
    subtracting the maximum so that large values do not overflow."""
    if _core is not None:
        return _core.softmax(c, axis)
    e = _T.exp(c - _T.max(c, axis=axis, keepdims=True))
    return e / _T.sum(e, axis=axis, keepdims=True)


def logsoftmax(c, axis=-1):
    """log(softmax(c)), exact where softmax underflows to 0."""
    if _core is not None:
        return _core.log_softmax(c, axis)
    shifted = c - _T.max(c, axis=axis, keepdims=True)
    return shifted - _T.log(_T.sum(_T.exp(shifted), axis=axis, keepdims=True))


log_softmax = logsoftmax


def binary_crossentropy(output, target):
    """-(target * log(output) + (1 - target) * log(1 - output)), element-wise."""
    if _core is not None:
        return _core.binary_crossentropy(output, target)
    return -(target * _T.log(output) + (1 - target) * _T.log(1 - output))


def sigmoid_binary_crossentropy(output, target):
    """binary_crossentropy(sigmoid(output), target) computed stably from the logits."""
    if _core is not None:
        return _core.sigmoid_binary_crossentropy(output, target)
    return target * _T.softplus(-output) + (1 - target) * _T.softplus(output)


def categorical_crossentropy(coding_dist, true_dist):
    """-sum(true_dist * log(coding_dist)) per row; true_dist may also be a vector of
    integer labels, one per row."""
    if _core is not None:
        return _core.categorical_crossentropy(coding_dist, true_dist)
    if true_dist.ndim == coding_dist.ndim:
        return -_T.sum(true_dist * _T.log(coding_dist), axis=coding_dist.ndim - 1)
    if true_dist.ndim == coding_dist.ndim - 1:
        classes = _T.arange(coding_dist.shape[coding_dist.ndim - 1])
        one_hot = _T.eq(true_dist.dimshuffle(0, "x"), classes.dimshuffle("x", 0))
        return -_T.sum(_T.cast(one_hot, coding_dist.dtype) * _T.log(coding_dist), axis=1)
    raise TypeError("categorical_crossentropy: true_dist must have the rank of coding_dist or one less")


__all__ = ["sigmoid", "softplus", "ultra_fast_sigmoid", "hard_sigmoid", "relu", "elu", "softmax",
           "logsoftmax", "log_softmax", "binary_crossentropy", "sigmoid_binary_crossentropy",
           "categorical_crossentropy"]
