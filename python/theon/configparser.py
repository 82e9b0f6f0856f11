"""theon.config: Theano's configuration object.

The flags the C++ core reads (floatX, optimizer, ...) live there and are read from
THEON_FLAGS; setting them here changes them for everything built afterwards:

    theon.config.floatX = 'float32'     # T.matrix() is now float32

A few Theano flags that have no effect in Theon are accepted so that scripts setting
them keep running.
"""
from . import _theon

_CPP_FLAGS = frozenset(_theon._config_names())

# Theano flags without a meaning here, with Theano's defaults.
_PYTHON_FLAGS = {
    "device": "cpu",
    "mode": "FAST_RUN",
    "on_unused_input": "raise",
    "compute_test_value": "off",
    "warn_float64": "ignore",
    "cast_policy": "custom",
    "allow_gc": True,
    "openmp": False,
    "profile": False,
    "deterministic": "default",
    "print_active_device": True,
    "cxx": "g++",
}


class TheonConfig:
    """Attribute access to the flags: config.floatX, config.floatX = 'float32'."""

    def __init__(self):
        object.__setattr__(self, "_values", dict(_PYTHON_FLAGS))

    def __getattr__(self, name):
        if name in _CPP_FLAGS:
            return _theon._config_get(name)
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        raise AttributeError("theon.config has no flag %r" % name)

    def __setattr__(self, name, value):
        if name in _CPP_FLAGS:
            _theon._config_set(name, value)
        elif name in self._values:
            self._values[name] = value
        else:
            raise AttributeError("theon.config has no flag %r" % name)

    def flags(self):
        """Every flag and its value, as a dict."""
        out = {name: _theon._config_get(name) for name in sorted(_CPP_FLAGS)}
        out.update(self._values)
        return out

    def __str__(self):
        return "\n".join("%s = %r" % kv for kv in self.flags().items())


config = TheonConfig()
