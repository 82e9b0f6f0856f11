"""theon.tensor.extra_ops: Theano's theano.tensor.extra_ops, and the helpers Theano kept
beside it (sort, tile, roll, where, stacklists, specify_shape, the broadcast patterns).

    from theon.tensor.extra_ops import cumsum, repeat, to_one_hot
    running = cumsum(x, axis=1)
    codes = to_one_hot(labels, 10)

The operations are the core's (include/theon/extra_ops.hpp); docs/extra_ops.md says where
Theano and NumPy differ and which side each one takes.
"""
from theon._theon import tensor as _T

cumsum = _T.cumsum
cumprod = _T.cumprod
diff = _T.diff
repeat = _T.repeat
bincount = _T.bincount
squeeze = _T.squeeze
fill_diagonal = _T.fill_diagonal
fill_diagonal_offset = _T.fill_diagonal_offset
to_one_hot = _T.to_one_hot
unravel_index = _T.unravel_index
ravel_multi_index = _T.ravel_multi_index
searchsorted = _T.searchsorted
compress = _T.compress
bartlett = _T.bartlett
sort = _T.sort
argsort = _T.argsort
tile = _T.tile
roll = _T.roll
specify_shape = _T.specify_shape
patternbroadcast = _T.patternbroadcast
addbroadcast = _T.addbroadcast
unbroadcast = _T.unbroadcast
nonzero = _T.nonzero
flatnonzero = _T.flatnonzero
nonzero_values = _T.nonzero_values


def where(condition, x=None, y=None):
    """numpy.where(condition, x, y): x where condition is true, y elsewhere, the three
    broadcast together (Theano's switch). The one-argument form (numpy's nonzero) did not
    exist in Theano: call nonzero(condition) for it."""
    if x is None or y is None:
        raise TypeError("where: needs three arguments (condition, x, y); for the indices of "
                        "the true elements, as numpy.where(condition), use T.nonzero(condition)")
    return _T.switch(condition, x, y)


def stacklists(arg):
    """Nested lists of variables (or numbers) as one tensor: stacklists([[a, b], [c, d]])
    of scalars is a 2x2 matrix, of matrices a 4-d tensor (as numpy.array of nested lists)."""
    if isinstance(arg, (tuple, list)):
        if not arg:
            raise ValueError("stacklists: cannot stack an empty list")
        return _T.stack([stacklists(item) for item in arg])
    return _T.as_tensor_variable(arg)


__all__ = ["cumsum", "cumprod", "diff", "repeat", "bincount", "squeeze", "fill_diagonal",
           "fill_diagonal_offset", "to_one_hot", "unravel_index", "ravel_multi_index",
           "searchsorted", "compress", "bartlett", "sort", "argsort", "tile", "roll",
           "specify_shape", "patternbroadcast", "addbroadcast", "unbroadcast", "nonzero",
           "flatnonzero", "nonzero_values", "where", "stacklists"]
