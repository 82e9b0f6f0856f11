"""theano.compile: Theano's compile package, over theon.compile and theon.mode."""
from theon.compile import *  # noqa: F401,F403
from theon.compile import FunctionGraph, FunctionMaker, In, Out, clone, function, shared  # noqa: F401
from theon.mode import (FAST_COMPILE, FAST_RUN, DebugMode, Mode, get_default_mode,  # noqa: F401
                        get_mode, predefined_modes)
from theon._theon import Function, SharedVariable  # noqa: F401
from theon.monitormode import MonitorMode  # noqa: F401
from theon.nanguardmode import NanGuardMode  # noqa: F401

from . import (debugmode, function, function_module, io, mode, monitormode, nanguardmode,  # noqa: F401,E402,F811
               sharedvalue)  # noqa: F401,E402,F811

# theano.compile.function is the function, as in Theano: the submodule is imported
# first, so that a later `import theano.compile.function` leaves this name alone.
from .function import function  # noqa: E402,F811
