"""theon.Mode: Theano's compilation modes as objects.

    f = theon.function([x], y, mode=theon.Mode(optimizer="fast_compile"))
    f = theon.function([x], y, mode=theon.compile.mode.get_default_mode().excluding("fusion"))

A mode is a rewrite level (Theano's optimizer: fast_run, fast_compile, None) plus
rewrite tags to add or remove. Theano's linkers (py, c, cvm, vm, c|py) all mean Theon's
executor, which interprets the graph at once and switches to native code when it is
compiled; the linker is recorded and otherwise ignored.
"""
from .rewrite_names import theon_names

# Theano's optimizer names, as Theon's rewrite levels (docs/debugging.md).
_LEVELS = {"fast_run": "FAST_RUN", "fast_compile": "FAST_COMPILE", "merge": "FAST_COMPILE",
           "None": "NONE", None: "NONE", "o4": "FAST_RUN", "o3": "FAST_RUN", "o2": "FAST_RUN",
           "o1": "FAST_COMPILE", "fast_run_stable": "FAST_RUN", "unsafe": "FAST_RUN",
           "stabilize": "FAST_RUN", "default": None}
# What an optimizer name leaves out of its level: Theano's 'stabilize' is merge,
# canonicalize and stabilize only.
_LEVEL_EXCLUDING = {"stabilize": ("specialize", "fusion", "blas")}
# Theano's linkers. All of them run Theon's executor (see the module docstring).
LINKERS = ("cvm", "cvm_nogc", "vm", "vm_nogc", "py", "c", "c|py", "c|py_nogc", "debug")


class Mode:
    """Mode(linker=None, optimizer='default'): 'default' is config.optimizer."""

    def __init__(self, linker=None, optimizer="default", including=(), excluding=()):
        if optimizer not in _LEVELS:
            raise ValueError("Mode: optimizer must be one of %s, got %r"
                             % (", ".join(repr(k) for k in _LEVELS), optimizer))
        if isinstance(linker, str) and linker not in LINKERS:
            raise ValueError("Mode: linker must be one of %s, got %r" % (", ".join(LINKERS), linker))
        self.linker = linker or "cvm"
        self.optimizer = optimizer
        self._including = theon_names(including, "Mode including")
        self._excluding = theon_names(excluding, "Mode excluding") + _LEVEL_EXCLUDING.get(optimizer, ())

    @property
    def name(self):
        """The rewrite level function() compiles with: FAST_RUN, FAST_COMPILE or NONE."""
        level = _LEVELS[self.optimizer]
        if level is None:
            from .configparser import config
            level = _LEVELS.get(config.optimizer, "FAST_RUN")
        return level

    @property
    def optimizer_including(self):
        return ":".join(self._including)

    @property
    def optimizer_excluding(self):
        return ":".join(self._excluding)

    def _with(self, including=(), excluding=()):
        mode = type(self).__new__(type(self))
        mode.__dict__.update(self.__dict__)
        mode._including = self._including + theon_names(including, "Mode.including")
        mode._excluding = self._excluding + theon_names(excluding, "Mode.excluding")
        return mode

    def including(self, *tags):
        """A copy of this mode that also runs the rewrites tagged or named `tags`."""
        return self._with(including=tags)

    def excluding(self, *tags):
        """A copy of this mode without the rewrites tagged or named `tags`."""
        return self._with(excluding=tags)

    def requiring(self, *tags):
        """Theano's requiring(): here the same as including()."""
        return self._with(including=tags)

    def __eq__(self, other):
        return (isinstance(other, Mode) and self.name == other.name
                and self._including == other._including and self._excluding == other._excluding)

    def __hash__(self):
        return hash((self.name, self._including, self._excluding))

    def __repr__(self):
        return "Mode(linker=%r, optimizer=%r)" % (self.linker, self.optimizer)


class DebugMode(Mode):
    """Theano's DebugMode: Theon's CHECK mode, which verifies every rewrite on each call."""

    def __init__(self, optimizer="fast_run", **kwargs):
        super().__init__(linker="debug", optimizer=optimizer)

    @property
    def name(self):
        return "CHECK"


FAST_RUN = Mode(optimizer="fast_run")
FAST_COMPILE = Mode(optimizer="fast_compile")

predefined_modes = {"FAST_RUN": FAST_RUN, "FAST_COMPILE": FAST_COMPILE,
                    "DebugMode": DebugMode(), "DEBUG_MODE": DebugMode()}


def get_mode(mode):
    """The Mode for `mode`: a Mode, a name of predefined_modes, or None (config.mode)."""
    if isinstance(mode, Mode):
        return mode
    if mode is None:
        from .configparser import config
        mode = config.mode
    if mode in ("DebugMode", "DEBUG_MODE"):
        return DebugMode(optimizer=_config_optimizer())
    if mode == "NanGuardMode":  # as Theano: every check on, config.optimizer
        from .nanguardmode import NanGuardMode
        return NanGuardMode(True, True, True, optimizer=_config_optimizer())
    if mode in predefined_modes:
        return predefined_modes[mode]
    if mode in ("Mode", "NONE", "None"):
        return Mode(optimizer=None if mode != "Mode" else "default")
    if mode in ("ProfileMode", "PROFILE_MODE"):
        raise ValueError("get_mode: ProfileMode was removed in Theano 1.0; use "
                         "function(..., profile=True) or config.profile = True")
    raise ValueError("get_mode: unknown mode %r (expected one of %s)"
                     % (mode, ", ".join(sorted(set(predefined_modes) | {"Mode", "NanGuardMode"}))))


def _config_optimizer():
    from .configparser import config
    return config.optimizer if config.optimizer in _LEVELS else "default"


def get_default_mode():
    """The mode function() uses when given none (config.mode)."""
    return get_mode(None)


__all__ = ["Mode", "DebugMode", "FAST_RUN", "FAST_COMPILE", "predefined_modes", "get_mode",
           "get_default_mode"]
