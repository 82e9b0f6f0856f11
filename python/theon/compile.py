"""theon.function, theon.shared, theon.clone, In and Out: Theano's compile API.

The arguments are normalized here; compiling and calling happen in C++. The object
function() returns is the C++ function itself, so a call runs no Python code.
"""
from collections import OrderedDict

from . import _theon
from . import profiling as _profiling
from .configparser import config

# Theano's mode names: a rewrite level, or DebugMode, which runs Theon's CHECK mode
# (every rewrite verified on each call). Other names run FAST_RUN.
_MODES = {"FAST_RUN": "FAST_RUN", "FAST_COMPILE": "FAST_COMPILE", "NONE": "NONE", "None": "NONE",
          "DebugMode": "CHECK", "DEBUG_MODE": "CHECK", "CHECK": "CHECK"}


class In:
    """An input with options: In(x, value=1.5, name='x') gives x a default value and
    lets calls pass it by keyword."""

    def __init__(self, variable, name=None, value=None, update=None, mutable=False, strict=False,
                 allow_downcast=None, autoname=True, implicit=False, borrow=False, shared=False):
        if update is not None:
            raise NotImplementedError("In(update=...) is not supported; use function(updates=...)")
        self.variable = variable
        self.name = name
        self.value = value
        self.mutable = mutable
        self.strict = strict
        self.allow_downcast = allow_downcast
        self.borrow = borrow


class Out:
    """An output with options. Out(y, borrow=True) lets a call return the output as a
    view of an argument or of a shared variable's value when the graph computes it as
    one (x[::-1]); without it such an output is copied, so that changing the argument
    afterwards leaves the result alone. Views of constants are always copied. Theon
    never overwrites an array it has returned while the caller still holds it."""

    def __init__(self, variable, borrow=False):
        self.variable = variable
        self.borrow = borrow


class FunctionGraph:
    """The compiled graph of a function, after rewrites: f.maker.fgraph."""

    def __init__(self, fn):
        self._fn = fn

    @property
    def inputs(self):
        return self._fn._fgraph_inputs

    @property
    def outputs(self):
        return self._fn._fgraph_outputs

    @property
    def variables(self):
        return self._fn._variables()

    @property
    def apply_nodes(self):
        return set(self._fn._toposort())

    def toposort(self):
        """The nodes, each after the nodes it reads from; each has .op, .inputs, .outputs."""
        return self._fn._toposort()

    def __str__(self):
        return "FunctionGraph(%s)" % ", ".join(str(v) for v in self.outputs)


class FunctionMaker:
    """What built a function (f.maker), for inspection: f.maker.fgraph.toposort()."""

    def __init__(self, fn):
        self.fgraph = FunctionGraph(fn)
        self.inputs = fn._inputs
        self.outputs = fn._fgraph_outputs


_theon.Function.maker = property(FunctionMaker)
_theon.Function.trust_input = False


def _pairs(mapping, what):
    if mapping is None:
        return []
    if isinstance(mapping, (dict, OrderedDict)):
        return list(mapping.items())
    pairs = list(mapping)
    for p in pairs:
        if not isinstance(p, (list, tuple)) or len(p) != 2:
            raise TypeError("function: %s must be pairs (variable, value) or a dict, got %r" % (what, p))
    return [tuple(p) for p in pairs]


def function(inputs, outputs=None, mode=None, updates=None, givens=None, no_default_updates=False,
             accept_inplace=False, name=None, rebuild_strict=True, allow_input_downcast=None,
             profile=None, on_unused_input=None):
    """Compiles the graph from `inputs` to `outputs` into a callable.

    outputs: one variable (a call returns one NumPy array, 0-d for scalars) or a list
    (a call returns a list). updates: pairs (shared variable, new value expression) or
    an OrderedDict, applied after every output is computed. givens: pairs (variable,
    replacement) substituted before compiling. no_default_updates: True, or a list of
    shared variables, turns off their default updates (random states advance through
    them: docs/random.md).
    """
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("function: inputs must be a list of variables, got %r" % (inputs,))
    variables, defaults, names = [], [], []
    for i in inputs:
        if isinstance(i, In):
            variables.append(i.variable)
            defaults.append(i.value)
            names.append(i.name or "")
        else:
            variables.append(i)
            defaults.append(None)
            names.append("")
    single = outputs is not None and not isinstance(outputs, (list, tuple))
    if outputs is None:
        outs = []
    elif single:
        outs = [outputs]
    else:
        outs = list(outputs)
    borrow = [bool(o.borrow) if isinstance(o, Out) else False for o in outs]
    outs = [o.variable if isinstance(o, Out) else o for o in outs]
    mode = _named_mode(mode)
    mode_name = mode if isinstance(mode, str) else getattr(mode, "name", None) if mode is not None else None
    if mode_name is not None:
        mode_name = _MODES.get(mode_name, "FAST_RUN")
    update_pairs, given_pairs = _pairs(updates, "updates"), _pairs(givens, "givens")
    # Debugging modes (NanGuardMode, MonitorMode) watch every node through observers.
    observers = list(mode._node_observers()) if hasattr(mode, "_node_observers") else []
    profile = _profiling.as_profile(profile, name)  # f.profile: theon/profiling.py
    if profile is not None:
        observers.append(profile._stats._request())
    fn = _theon._function(
        variables, outs, single, update_pairs, given_pairs,
        bool(allow_input_downcast), on_unused_input or config.on_unused_input, name, mode_name,
        defaults, names, borrow, getattr(mode, "optimizer_including", ""),
        getattr(mode, "optimizer_excluding", ""),
        no_default_updates if isinstance(no_default_updates, bool) else list(no_default_updates or []),
        observers)
    # What built it, for copy.deepcopy: a model holding functions and the shared
    # variables they read copies into one consistent model (see _deepcopy_function).
    fn.profile = profile
    fn._arguments = dict(inputs=list(inputs), outputs=outputs, mode=mode, updates=update_pairs,
                         givens=given_pairs, no_default_updates=no_default_updates, name=name,
                         allow_input_downcast=allow_input_downcast,
                         on_unused_input=on_unused_input)
    return fn


def _named_mode(mode):
    """Theano's mode names that stand for a mode object (NanGuardMode, and config.mode
    when no mode is given) as that object; other names and modes as they are."""
    from . import mode as modes
    if mode is None and config.mode not in ("FAST_RUN", "Mode"):
        return modes.get_mode(config.mode)
    if isinstance(mode, str) and mode in ("NanGuardMode", "ProfileMode", "PROFILE_MODE"):
        return modes.get_mode(mode)
    return mode


def _deepcopy_function(fn, memo):
    """A new function over deep copies of the graph: its shared variables are new ones
    holding copies of the values (the same copies as the rest of the copied object's)."""
    import copy
    return function(**copy.deepcopy(fn._arguments, memo))


_theon.Function.__deepcopy__ = _deepcopy_function


def shared(value, name=None, strict=False, allow_downcast=None, borrow=False, broadcastable=None,
           **kwargs):
    """A shared variable: a value that lives between calls, read by every function that
    uses it and changed by updates. borrow=True uses a NumPy value in place."""
    return _theon.shared(value, name, borrow, broadcastable)


def clone(output, replace=None, strict=True, share_inputs=True, copy_inputs=None):
    """A copy of the graph of `output` (a variable or a list) where each key of
    `replace` is read as its value."""
    single = not isinstance(output, (list, tuple))
    outs = _theon._clone([output] if single else list(output), _pairs(replace, "replace"))
    return outs[0] if single else outs


__all__ = ["function", "shared", "clone", "In", "Out", "FunctionGraph", "FunctionMaker"]
