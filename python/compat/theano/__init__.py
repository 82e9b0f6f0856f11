"""`theano` as an alias of Theon, so that Theano scripts run unchanged:

    PYTHONPATH=python/compat:build/python python3 my_theano_script.py

theano, theano.tensor, theano.tensor.nnet, theano.ifelse, theano.printing and
theano.gradient are Theon's modules themselves (theano.tensor is theon.tensor).
Not installed by `cmake --install`: it is opt-in. THEANO_FLAGS is read for the flags
Theon knows (floatX, optimizer, ...); others are ignored.
"""
import os as _os
import sys as _sys

import theon as _theon
from theon import *  # noqa: F401,F403
from theon import (FunctionGraph, In, Out, clone, config, debugprint, function, gradient, grad,  # noqa: F401
                   ifelse, pp, printing, shared, tensor)

_theon._theon._set_internal_paths([_os.path.dirname(_os.path.abspath(__file__)) + _os.sep])

for _name in ("tensor", "tensor.nnet", "ifelse", "printing", "gradient", "compile", "configparser", "scan_module"):
    _sys.modules["theano." + _name] = _sys.modules["theon." + _name]
compile = _sys.modules["theon.compile"]


def _apply_theano_flags(flags):
    for item in flags.split(","):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            continue
        try:
            setattr(config, key, value.strip())
        except (AttributeError, ValueError):
            pass


_apply_theano_flags(_os.environ.get("THEANO_FLAGS", ""))

__version__ = "1.0.5+theon." + _theon.__version__
