"""theon.tensor.nnet.conv3d2d: Theano's conv3d with (batch, time, channels, rows, cols)
signals and (out_channels, time, channels, rows, cols) filters.

    from theon.tensor.nnet.conv3d2d import conv3d
    y = conv3d(signals, filters)        # (batch, time_out, out_channels, rows_out, cols_out)

A true 3-d convolution (the filters flipped along time, rows and cols, as Theano's),
computed by the 3-d convolution op on dimshuffled operands.
"""
from theon._theon import tensor as _T
from theon.tensor.nnet import abstract_conv as _abstract


def _to_channels_first(shape):
    if shape is None:
        return None
    s = list(shape)
    return (s[0], s[2], s[1], s[3], s[4])


def conv3d(signals, filters, signals_shape=None, filters_shape=None, border_mode='valid'):
    """Convolves every signal with every filter; border_mode 'valid' or 'full' (or a
    tuple of three equal modes)."""
    modes = border_mode if isinstance(border_mode, (tuple, list)) else (border_mode,) * 3
    if len(modes) != 3 or any(m != modes[0] for m in modes) or modes[0] not in ('valid', 'full'):
        raise NotImplementedError("conv3d2d.conv3d: border_mode must be 'valid' or 'full' on "
                                  "every axis, got %r" % (border_mode,))
    s = _T.as_tensor_variable(signals).dimshuffle(0, 2, 1, 3, 4)
    f = _T.as_tensor_variable(filters).dimshuffle(0, 2, 1, 3, 4)
    out = _abstract.conv3d(s, f, _to_channels_first(signals_shape),
                           _to_channels_first(filters_shape), border_mode=modes[0])
    return out.dimshuffle(0, 2, 1, 3, 4)


__all__ = ["conv3d"]
