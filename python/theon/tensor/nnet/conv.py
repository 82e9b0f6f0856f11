"""theon.tensor.nnet.conv: Theano's legacy 2-d convolution (theano.tensor.nnet.conv).

    from theon.tensor.nnet import conv
    y = conv.conv2d(x, w, filter_shape=(20, 1, 5, 5), image_shape=(128, 1, 28, 28))

A true convolution (the filters flipped, as the legacy op computed), border modes
'valid' and 'full' only; it runs the same ops as theon.tensor.nnet.conv2d.
"""
from theon.tensor.nnet import abstract_conv as _abstract


def conv2d(input, filters, filter_shape=None, image_shape=None, border_mode='valid',
           subsample=(1, 1), **kargs):
    """The legacy conv2d: (batch, channels, rows, cols) images, (out_channels, channels,
    rows, cols) filters; the shapes, when given, are checked when the function runs."""
    if border_mode not in ('valid', 'full'):
        raise ValueError("theano.tensor.nnet.conv.conv2d: border_mode must be 'valid' or "
                         "'full', got %r" % (border_mode,))
    return _abstract.conv2d(input, filters, input_shape=image_shape, filter_shape=filter_shape,
                            border_mode=border_mode, subsample=tuple(subsample))


__all__ = ["conv2d"]
