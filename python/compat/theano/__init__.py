"""`theano` as an alias of Theon, so that Theano scripts run unchanged:

    PYTHONPATH=python/compat:build/python python3 my_theano_script.py

theano.X is Theon's theon.X itself (theano.tensor is theon.tensor, theano.sandbox.rng_mrg
is theon.sandbox.rng_mrg); a few modules exist only under Theano's name (theano.compile's
submodules, theano.compat); modules and names Theano had and Theon still lacks import
fine and raise NotImplementedError when used (_alias.py). Not installed by
`cmake --install`: it is opt-in. THEANO_FLAGS is read for the flags Theon knows
(floatX, optimizer, ...) and Theano's other flags are accepted (config.warn.*, ...).
"""
import os as _os
import sys as _sys

import theon as _theon
from theon import *  # noqa: F401,F403
from theon import (FunctionGraph, In, Out, clone, config, debugprint, function, gradient, grad,  # noqa: F401
                   ifelse, pp, printing, shared, tensor)
from theon.mode import Mode  # noqa: F401
from theon.gof import Apply, Op  # noqa: F401
from theon.tensor import dot  # noqa: F401

from . import _alias

_theon._theon._set_internal_paths([_os.path.dirname(_os.path.abspath(__file__)) + _os.sep])
_alias.install()

for _name in ("tensor", "tensor.nnet", "ifelse", "printing", "gradient", "configparser", "scan_module"):
    _sys.modules["theano." + _name] = _sys.modules["theon." + _name]
    _alias.add_unavailable_names(_sys.modules["theon." + _name], "theano." + _name)

from . import compile  # noqa: E402,F401,A004
from . import gof  # noqa: E402,F401  (theon.gof, through the alias: theano.gof.Op)
from theon import scalar  # noqa: E402,F401
from theon.tensor import xlogx as _xlogx  # noqa: E402,F401  (theano.tensor.xlogx)


def Param(variable, default=None, name=None, mutable=False, strict=False, allow_downcast=None,  # noqa: N802
          implicit=None, borrow=None):
    """Theano's old name for an input with a default value: In(variable, value=default)."""
    return In(variable, name=name, value=default, mutable=mutable, strict=strict,
              allow_downcast=allow_downcast, implicit=implicit, borrow=bool(borrow))


def __getattr__(name):
    # Names Theano had at its top level that Theon still lacks (PEP 562).
    if name in _alias.UNAVAILABLE_NAMES["theano"]:
        return _alias.unavailable("theano." + name)
    raise AttributeError("module 'theano' has no attribute %r" % name)


# THEANO_FLAGS: every Theano 1.0 flag is accepted; an unknown one is reported and skipped.
_theon.configparser.apply_flags(_os.environ.get("THEANO_FLAGS", ""))

__version__ = "1.0.5+theon." + _theon.__version__
