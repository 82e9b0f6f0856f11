"""The convolution names of theano.tensor.nnet itself: conv2d (with the image_shape
alias of input_shape) and conv2d_transpose. The ops are abstract_conv's."""
from theon.tensor.nnet import abstract_conv as _abstract


def conv2d(input, filters, input_shape=None, filter_shape=None, border_mode='valid',
           subsample=(1, 1), filter_flip=True, image_shape=None, filter_dilation=(1, 1),
           num_groups=1, unshared=False, **kwargs):
    """Theano's theano.tensor.nnet.conv2d; image_shape is the old name of input_shape."""
    if kwargs:
        raise TypeError("conv2d: unexpected arguments %s" % sorted(kwargs))
    if image_shape is not None:
        if input_shape is not None:
            raise ValueError("conv2d: give input_shape or image_shape, not both")
        input_shape = image_shape
    return _abstract.conv2d(input, filters, input_shape, filter_shape, border_mode, subsample,
                            filter_flip, filter_dilation, num_groups, unshared)


def conv2d_transpose(input, filters, output_shape, filter_shape=None, border_mode='valid',
                     input_dilation=(1, 1), filter_flip=True, filter_dilation=(1, 1),
                     num_groups=1, unshared=False):
    """The transposed convolution (the gradient of conv2d with respect to its input):
    upsamples `input` to `output_shape` with stride input_dilation."""
    return _abstract.conv2d_grad_wrt_inputs(input, filters, output_shape, filter_shape,
                                            border_mode, input_dilation, filter_flip,
                                            filter_dilation, num_groups, unshared)
