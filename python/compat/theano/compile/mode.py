"""theano.compile.mode: Mode, get_mode, get_default_mode and the predefined modes."""
from theon.mode import *  # noqa: F401,F403
from theon.mode import FAST_COMPILE, FAST_RUN, DebugMode, Mode, get_default_mode, get_mode, predefined_modes  # noqa: F401
