"""theon.tensor.nnet.abstract_conv: Theano's convolution interface.

    from theon.tensor.nnet import abstract_conv
    y = abstract_conv.conv2d(x, w, border_mode='half', subsample=(2, 2))

conv2d / conv3d and their gradients with respect to inputs and weights are three ops of
the core (include/theon/conv.hpp, docs/conv.md), float32 and float64, with gradients of
any order. Border modes 'valid', 'full', 'half', an int or a tuple of ints; subsample,
filter_dilation and num_groups as Theano's. Shape hints are checked when the function
runs. Unshared convolutions, asymmetric padding and bilinear_upsampling are left out.
"""
from theon._theon import tensor as _T

_core = _T.nnet


def _check_unshared(unshared):
    if unshared:
        raise NotImplementedError("unshared convolutions (a filter per output position) are "
                                  "not implemented in Theon")


def _full_shape(shape, ndim):
    """A full (batch, channels, spatial...) shape for the core: only the spatial entries
    are read, so unknown batch and channel entries (None) become 0."""
    if shape is None:
        raise ValueError("the shape of the result is needed: give input_shape / filter_shape")
    if hasattr(shape, "ndim") and not isinstance(shape, (tuple, list)):
        return shape  # a symbolic int vector
    shape = list(shape)
    if len(shape) != ndim:
        raise ValueError("expected a shape of %d entries, got %r" % (ndim, shape))
    for i in range(2, ndim):
        if shape[i] is None:
            raise ValueError("the spatial entries of the shape must be known, got %r" % (shape,))
    return [0 if (s is None and i < 2) else s for i, s in enumerate(shape)]


def conv2d(input, filters, input_shape=None, filter_shape=None, border_mode='valid',
           subsample=(1, 1), filter_flip=True, filter_dilation=(1, 1), num_groups=1,
           unshared=False):
    """The 2-d convolution of (batch, channels, rows, cols) images with (out_channels,
    channels / num_groups, rows, cols) filters (flipped unless filter_flip is False)."""
    _check_unshared(unshared)
    return _core.conv2d(input, filters, input_shape, filter_shape, border_mode, subsample,
                        filter_flip, filter_dilation, num_groups)


def conv3d(input, filters, input_shape=None, filter_shape=None, border_mode='valid',
           subsample=(1, 1, 1), filter_flip=True, filter_dilation=(1, 1, 1), num_groups=1):
    """The 3-d convolution of (batch, channels, depth, rows, cols) inputs."""
    return _core.conv3d(input, filters, input_shape, filter_shape, border_mode, subsample,
                        filter_flip, filter_dilation, num_groups)


def conv2d_grad_wrt_inputs(output_grad, filters, input_shape, filter_shape=None,
                           border_mode='valid', subsample=(1, 1), filter_flip=True,
                           filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The gradient of conv2d with respect to its input (the transposed convolution);
    input_shape's spatial entries (ints or symbolic) give the input's size."""
    _check_unshared(unshared)
    return _core.conv2d_grad_wrt_inputs(output_grad, filters, _full_shape(input_shape, 4),
                                        filter_shape, border_mode, subsample, filter_flip,
                                        filter_dilation, num_groups)


def conv3d_grad_wrt_inputs(output_grad, filters, input_shape, filter_shape=None,
                           border_mode='valid', subsample=(1, 1, 1), filter_flip=True,
                           filter_dilation=(1, 1, 1), num_groups=1):
    """The gradient of conv3d with respect to its input."""
    return _core.conv3d_grad_wrt_inputs(output_grad, filters, _full_shape(input_shape, 5),
                                        filter_shape, border_mode, subsample, filter_flip,
                                        filter_dilation, num_groups)


def conv2d_grad_wrt_weights(input, output_grad, filter_shape, input_shape=None,
                            border_mode='valid', subsample=(1, 1), filter_flip=True,
                            filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The gradient of conv2d with respect to its filters; filter_shape's spatial entries
    give the kernel's size."""
    _check_unshared(unshared)
    return _core.conv2d_grad_wrt_weights(input, output_grad, _full_shape(filter_shape, 4),
                                         input_shape, border_mode, subsample, filter_flip,
                                         filter_dilation, num_groups)


def conv3d_grad_wrt_weights(input, output_grad, filter_shape, input_shape=None,
                            border_mode='valid', subsample=(1, 1, 1), filter_flip=True,
                            filter_dilation=(1, 1, 1), num_groups=1):
    """The gradient of conv3d with respect to its filters."""
    return _core.conv3d_grad_wrt_weights(input, output_grad, _full_shape(filter_shape, 5),
                                         input_shape, border_mode, subsample, filter_flip,
                                         filter_dilation, num_groups)


def get_conv_shape_1axis(image_shape, kernel_shape, border_mode, subsample, dilation=1):
    """The output length along one axis, or None when the image or kernel length is."""
    if image_shape is None or kernel_shape is None:
        return None
    return _core.get_conv_shape_1axis(int(image_shape), int(kernel_shape), border_mode,
                                      int(subsample), int(dilation))


def get_conv_output_shape(image_shape, kernel_shape, border_mode, subsample,
                          filter_dilation=None):
    """The output shape (batch, out_channels, spatial...) of a convolution of these
    shapes; None where unknown."""
    spatial = len(image_shape) - 2
    if filter_dilation is None:
        filter_dilation = (1,) * spatial
    if isinstance(border_mode, (tuple, list)):
        modes = list(border_mode)
    else:
        modes = [border_mode] * spatial
    out = [image_shape[0], kernel_shape[0]]
    for a in range(spatial):
        out.append(get_conv_shape_1axis(image_shape[2 + a], kernel_shape[2 + a], modes[a],
                                        subsample[a], filter_dilation[a]))
    return tuple(out)


__all__ = ["conv2d", "conv3d", "conv2d_grad_wrt_inputs", "conv2d_grad_wrt_weights",
           "conv3d_grad_wrt_inputs", "conv3d_grad_wrt_weights", "get_conv_shape_1axis",
           "get_conv_output_shape"]
