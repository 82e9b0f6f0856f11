"""theon.tensor.nnet.bn (Theano's theano.tensor.nnet.bn): batch normalization.

    from theon.tensor.nnet import bn
    out, mean, invstd, new_rm, new_rv = bn.batch_normalization_train(
        x, gamma, beta, 'spatial', running_mean=rm, running_var=rv)
    f = theon.function([x], out, updates=[(rm, new_rm), (rv, new_rv)])

The operations are the core's (include/theon/bn.hpp): the training form is one op with
its own gradient op; the test form and batch_normalization are element-wise graphs that
the fusion phase turns into one loop. See docs/batchnorm.md.
"""
from theon._theon import tensor as _T

_core = _T.nnet.bn


def batch_normalization_train(inputs, gamma, beta, axes="per-activation", epsilon=1e-4,
                              running_average_factor=0.1, running_mean=None, running_var=None):
    """Normalizes `inputs` with the batch's mean and variance over `axes`
    ('per-activation' = (0,), 'spatial' = all axes but 1, or a tuple):
        out = (inputs - mean) * gamma * invstd + beta,  invstd = 1 / sqrt(var + epsilon).
    Returns (out, mean, invstd), plus (new_running_mean, new_running_var) when both
    running averages are given; the running variance is updated with the unbiased
    variance var * m / (m - 1)."""
    return _core.batch_normalization_train(inputs, gamma, beta, axes, epsilon,
                                           running_average_factor, running_mean, running_var)


def batch_normalization_test(inputs, gamma, beta, mean, var, axes="per-activation",
                             epsilon=1e-4):
    """Normalizes `inputs` with given statistics (the running averages, at inference):
        (inputs - mean) * gamma / sqrt(var + epsilon) + beta."""
    return _core.batch_normalization_test(inputs, gamma, beta, mean, var, axes, epsilon)


def batch_normalization(inputs, gamma, beta, mean, std, mode="low_mem"):
    """Theano's older element-wise form, with ordinary broadcasting:
    'low_mem': (inputs - mean) / std * gamma + beta; 'high_mem': (inputs - mean) *
    (gamma / std) + beta."""
    return _core.batch_normalization(inputs, gamma, beta, mean, std, mode)


__all__ = ["batch_normalization_train", "batch_normalization_test", "batch_normalization"]
