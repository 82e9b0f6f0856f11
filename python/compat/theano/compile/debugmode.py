"""theano.compile.debugmode: DebugMode runs Theon's CHECK mode."""
from theon.mode import DebugMode  # noqa: F401
