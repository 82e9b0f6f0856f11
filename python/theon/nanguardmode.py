"""NanGuardMode: Theano's theano.compile.nanguardmode.NanGuardMode.

    f = theano.function([x], T.log(x), mode=NanGuardMode(nan_is_error=True,
                                                         inf_is_error=True,
                                                         big_is_error=True))
    f(numpy.array([0.0]))   # theon.NanGuardError (an AssertionError): Inf in output 0 of log ...

Every call checks each node's outputs as soon as they are computed, and the function's
inputs and shared variables before the first node that reads them; the first NaN, Inf
or value with |x| > 1e10 raises, naming the node, the line that made it, the output's
dtype and shape, and whether each input of the node was finite. Integer arrays are not
checked. The call that raises changes no shared variable. Arguments left as None take
config.NanGuardMode.* (nan_is_error, inf_is_error, big_is_error, action: 'raise',
'warn' or 'pdb', which raises as well). See docs/debugging.md.
"""
from . import _theon
from .mode import Mode


class NanGuardMode(Mode):
    """NanGuardMode(nan_is_error=None, inf_is_error=None, big_is_error=None,
    optimizer='default', linker=None): a Mode whose functions check every node."""

    def __init__(self, nan_is_error=None, inf_is_error=None, big_is_error=None,
                 optimizer="default", linker=None, **kwargs):
        from .configparser import config
        flags = config.NanGuardMode
        self.nan_is_error = flags.nan_is_error if nan_is_error is None else bool(nan_is_error)
        self.inf_is_error = flags.inf_is_error if inf_is_error is None else bool(inf_is_error)
        self.big_is_error = flags.big_is_error if big_is_error is None else bool(big_is_error)
        self.action = flags.action
        if self.action not in ("raise", "warn", "pdb"):
            raise ValueError("NanGuardMode: config.NanGuardMode.action must be 'raise', 'warn' "
                             "or 'pdb', got %r" % (self.action,))
        super().__init__(linker=linker, optimizer=optimizer, **kwargs)

    def _node_observers(self):
        return [_theon._nan_guard(self.nan_is_error, self.inf_is_error, self.big_is_error,
                                  self.action)]

    def __repr__(self):
        return ("NanGuardMode(nan_is_error=%r, inf_is_error=%r, big_is_error=%r, optimizer=%r)"
                % (self.nan_is_error, self.inf_is_error, self.big_is_error, self.optimizer))


NanGuardError = _theon.NanGuardError

__all__ = ["NanGuardMode", "NanGuardError"]
