"""theon.tensor.shared_randomstreams: Theano's RandomStreams.

Each draw gets its own random state, a shared variable (an int64 vector [key, stream,
block] of the Philox4x32-10 generator), whose default update advances it: every function
that computes a sample draws new values on each call, with no updates to list.
`state_updates` holds the (state, new state) pairs; `state.get_value()` /
`state.set_value(saved)` replay a sequence. The values differ from Theano's (another
generator); docs/random.md says what carries over.
"""
import os

from theon import _theon

_INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "bool")


def _check_size(size, ndim, what):
    """size as the C++ streams take it: an int, a tuple of ints and int scalars, or an int
    vector (x.shape)."""
    if size is None:
        size = ()
    if isinstance(size, (list, tuple)):
        for s in size:
            if isinstance(s, int) and s < 0:
                raise ValueError("%s: negative length %d in size %r" % (what, s, tuple(size)))
        if ndim is not None and len(size) != ndim:
            raise ValueError("%s: size %r has %d entries but ndim is %d" % (what, tuple(size), len(size), ndim))
    elif isinstance(size, int):
        size = (size,)
    return size


def _dtype_name(dtype):
    if dtype is None:
        return None
    name = getattr(dtype, "__name__", None) or str(dtype)
    return "float64" if name == "float" else name


class RandomStreams(object):
    """Symbolic random draws (theano.tensor.shared_randomstreams.RandomStreams)."""

    def __init__(self, seed=None):
        if seed is None:
            seed = int.from_bytes(os.urandom(4), "little")
        self.default_instance_seed = seed
        self._streams = _theon.Streams(int(seed))

    def __deepcopy__(self, memo):
        # copy.deepcopy of a model holding this object: the copied graph's draws read
        # copies of their state variables (copied with the graph, default updates
        # included); the copy's later draws come from streams keyed apart from these.
        import copy
        twin = type(self).__new__(type(self))
        memo[id(self)] = twin
        for name, value in self.__dict__.items():
            if name != "_streams":
                twin.__dict__[name] = copy.deepcopy(value, memo)
        key = (int(self.default_instance_seed) * 1000003 + len(self.state_updates) + 1) % (2 ** 31)
        twin._streams = _theon.Streams(key)
        return twin

    @property
    def state_updates(self):
        """(random state shared variable, its next value) for each draw, in order."""
        return self._streams.state_updates

    def updates(self):
        return list(self.state_updates)

    def seed(self, seed=None):
        """Restarts every state made so far as if this object had been made with `seed`."""
        if seed is None:
            seed = self.default_instance_seed
        self._streams.seed(int(seed))

    def uniform(self, size=(), low=0.0, high=1.0, ndim=None, dtype=None):
        """Floats uniform in [low, high); dtype defaults to floatX."""
        return self._streams.uniform(_check_size(size, ndim, "uniform"), low, high, _dtype_name(dtype))

    def normal(self, size=(), avg=0.0, std=1.0, ndim=None, dtype=None):
        """Floats from a normal distribution of mean avg and standard deviation std."""
        return self._streams.normal(_check_size(size, ndim, "normal"), avg, std, _dtype_name(dtype))

    def binomial(self, size=(), n=1, p=0.5, ndim=None, dtype="int64", prob=None):
        """Successes in n trials of probability p (n=1: a 0/1 mask, as for dropout)."""
        if prob is not None:
            p = prob
        return self._streams.binomial(_check_size(size, ndim, "binomial"), n, p, _dtype_name(dtype))

    def random_integers(self, size=(), low=0, high=1, ndim=None, dtype="int64"):
        """Integers uniform in [low, high], both ends included."""
        out = self._streams.random_integers(_check_size(size, ndim, "random_integers"), low, high)
        return out if _dtype_name(dtype) == "int64" else _theon.tensor.cast(out, _dtype_name(dtype))

    def choice(self, size=(), a=2, replace=True, p=None, ndim=None, dtype="int64"):
        """Indices in [0, a), uniform or with probabilities p, with or without replacement."""
        out = self._streams.choice(_check_size(size, ndim, "choice"), a, replace, p)
        return out if _dtype_name(dtype) == "int64" else _theon.tensor.cast(out, _dtype_name(dtype))

    def permutation(self, size=(), n=1, ndim=None, dtype="int64"):
        """Random orderings of range(n): shape size + (n,)."""
        out = self._streams.permutation(_check_size(size, ndim, "permutation"), n)
        return out if _dtype_name(dtype) == "int64" else _theon.tensor.cast(out, _dtype_name(dtype))

    def multinomial(self, size=(), n=1, pvals=None, ndim=None, dtype="int64"):
        """Counts of n draws from each row of pvals (a matrix, or one vector)."""
        return _multinomial(self._streams, size, n, pvals, dtype)

    def shuffle_row_elements(self, input):
        """input with the elements of each row (last axis) in a random order."""
        return self._streams.shuffle_row_elements(input)


def _multinomial(streams, size, n, pvals, dtype):
    if pvals is None:
        raise TypeError("multinomial: pvals is required")
    pv = _theon.tensor.as_tensor_variable(pvals)
    if pv.ndim == 1:
        out = streams.multinomial(pv.dimshuffle("x", 0), n, _dtype_name(dtype))
        if size not in (None, ()):
            raise NotImplementedError("multinomial: a size with a vector of pvals; pass a matrix of pvals")
        return out[0]
    if pv.ndim != 2:
        raise TypeError("multinomial: pvals must be a vector or a matrix (one distribution per row)")
    return streams.multinomial(pv, n, _dtype_name(dtype))


__all__ = ["RandomStreams"]
