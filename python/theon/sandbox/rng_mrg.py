"""theon.sandbox.rng_mrg: Theano's MRG_RandomStreams, with its signatures and defaults.

Theano's MRG_RandomStreams runs the MRG31k3p generator; Theon runs the same Philox4x32-10
streams as RandomStreams for both (docs/random.md), so seeds give other values than
Theano's but the semantics carry over: each draw has a state shared variable whose
default update advances it (state_updates lists them), get_value/set_value replay a
sequence, and dtype defaults follow floatX.
"""
from theon.tensor.shared_randomstreams import RandomStreams, _multinomial
from theon import _theon


class MRG_RandomStreams(RandomStreams):
    """Symbolic random draws (theano.sandbox.rng_mrg.MRG_RandomStreams)."""

    def __init__(self, seed=12345, use_cuda=None):
        RandomStreams.__init__(self, seed)

    def uniform(self, size, low=0.0, high=1.0, ndim=None, dtype=None, nstreams=None, **kwargs):
        return RandomStreams.uniform(self, size, low, high, ndim, dtype)

    def normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None, truncate=False,
               **kwargs):
        if truncate:
            raise NotImplementedError("MRG_RandomStreams.normal: truncate=True is not supported")
        return RandomStreams.normal(self, size, avg, std, ndim, dtype)

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype="int64", nstreams=None, **kwargs):
        if size is None:
            size = _theon.tensor.shape(p) if isinstance(p, _theon.TensorVariable) else ()
        return RandomStreams.binomial(self, size, n, p, ndim, dtype)

    def multinomial(self, size=None, n=1, pvals=None, ndim=None, dtype="int64", nstreams=None,
                    **kwargs):
        return _multinomial(self._streams, size, n, pvals, dtype)

    def choice(self, size=1, a=None, replace=True, p=None, ndim=None, dtype="int64", nstreams=None,
               **kwargs):
        if a is None:
            raise TypeError("choice: a (the number of items) is required")
        return RandomStreams.choice(self, size, a, replace, p, ndim, dtype)

    def get_substream_rstates(self, *args, **kwargs):
        raise NotImplementedError("MRG_RandomStreams.get_substream_rstates: Theon's streams are "
                                  "counter-based (Philox) and have no MRG substreams")


__all__ = ["MRG_RandomStreams"]
