"""Theon: a symbolic tensor compiler in the tradition of Theano, with Theano's API.

    import numpy as np
    import theon
    import theon.tensor as T

    a, b = T.dscalars('a', 'b')
    f = theon.function([a, b], a * b)
    f(1.5, 3)                      # array(4.5)

Types, graphs, compilation and execution live in the C++ core (theon._theon); this
package only arranges its names the way Theano's modules did.
"""
import os as _os

# oneDNN's OpenMP threads spin for a while after each convolution and so take a core
# from Theon's own thread pool (20-35% on LeNet's layers, docs/conv_algorithms.md);
# sleeping at once costs nothing measurable there. OpenMP reads this when it loads.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from . import _theon  # noqa: E402

# Variables record the Python line that made them (for error messages); frames inside
# this package are skipped so that the user's line is the one recorded.
_here = _os.path.dirname(__file__)
_theon._set_internal_paths(sorted({_here + _os.sep, _os.path.abspath(_here) + _os.sep,
                                   _os.path.realpath(_here) + _os.sep}))

from ._theon import GradientError, InternalError, ShapeError, SharedVariable, TensorType, TensorVariable  # noqa: E402,F401
from .configparser import config  # noqa: E402
from .compile import FunctionGraph, In, Out, clone, function, shared  # noqa: E402
from . import variable  # noqa: E402,F401
from . import serialization  # noqa: E402,F401  (pickling: docs/pickling.md)
from .gof import Apply, Op  # noqa: E402,F401
from . import gradient, ifelse, printing, tensor  # noqa: E402
from .gradient import grad  # noqa: E402
from .printing import debugprint, pp  # noqa: E402
from .profiling import ProfileStats  # noqa: E402
from . import scan_module  # noqa: E402
from .scan_module import foldl, foldr, map, reduce, scan  # noqa: E402,A004

from ._theon import wait_for_native_code  # noqa: E402,F401

Variable = TensorVariable
Function = _theon.Function

__version__ = "0.1.0"
__all__ = [
    "config", "function", "shared", "clone", "In", "Out", "grad", "pp", "debugprint",
    "tensor", "gradient", "ifelse", "printing", "ShapeError", "InternalError",
    "TensorType", "TensorVariable", "SharedVariable", "Variable", "Function", "FunctionGraph",
    "scan", "map", "reduce", "foldl", "foldr", "scan_module", "ProfileStats",
]
