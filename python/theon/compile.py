"""theon.function, theon.shared, theon.clone, In and Out: Theano's compile API.

The arguments are normalized here; compiling and calling happen in C++. The object
function() returns is the C++ function itself, so a call runs no Python code.
"""
from collections import OrderedDict

from . import _theon
from . import profiling as _profiling
from .configparser import config
from .function_inputs import (Container, In, InputAccess, Out, SharedContainer,  # noqa: F401
                              SymbolicInput, SymbolicOutput, as_in)

# Theano's mode names: a rewrite level, or DebugMode, which runs Theon's CHECK mode
# (every rewrite verified on each call). Other names run FAST_RUN.
_MODES = {"FAST_RUN": "FAST_RUN", "FAST_COMPILE": "FAST_COMPILE", "NONE": "NONE", "None": "NONE",
          "DebugMode": "CHECK", "DEBUG_MODE": "CHECK", "CHECK": "CHECK"}


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
    """What built a function (f.maker), for inspection: f.maker.fgraph.toposort().
    inputs: In objects (Theano's SymbolicInput: .variable, .name, .value, .update,
    .mutable, .borrow, .strict, .implicit, .shared), the user's inputs, then one
    implicit In per shared variable the function reads (shared=True). outputs: Out
    objects (.variable, .borrow)."""

    def __init__(self, fn):
        self.fgraph = FunctionGraph(fn)
        self.function = fn
        self.inputs = list(getattr(fn, "_in_specs", ())) + [
            In(c.variable, implicit=True, value=c.value, shared=True)
            for c in _shared_containers(fn)]
        arguments = getattr(fn, "_arguments", {})
        outs = arguments.get("outputs")
        outs = [] if outs is None else list(outs) if isinstance(outs, (list, tuple)) else [outs]
        self.outputs = [o if isinstance(o, Out) else Out(o) for o in outs]
        self.mode = arguments.get("mode")
        self.on_unused_input = arguments.get("on_unused_input")


def _shared_containers(fn):
    """A container per shared variable the compiled graph reads (cached on fn)."""
    cached = fn.__dict__.get("_shared_storage")
    if cached is None:
        cached = [SharedContainer(v) for v in fn._variables()
                  if isinstance(v, _theon.SharedVariable)]
        fn._shared_storage = cached
    return cached


def _input_storage(fn):
    """f.input_storage: a container per input (the user's, then the shared variables')."""
    return list(getattr(fn, "_containers", ())) + _shared_containers(fn)


def _get_arguments(fn):
    """What built `fn` (for pickling and deepcopy), its inputs as In objects holding the
    values the function holds now (an In input keeps its state across a round trip)."""
    try:
        arguments = dict(fn.__dict__["_built_arguments"])
    except KeyError:
        raise AttributeError("_arguments") from None
    containers, specs = fn.__dict__.get("_containers"), fn.__dict__.get("_in_specs")
    if containers and specs:
        inputs = []
        for spec, container in zip(specs, containers):
            now = In.__new__(In)
            now.__dict__.update(spec.__dict__)
            if container.storage[0] is not None:
                now.value = container.storage[0]
            inputs.append(now)
        arguments["inputs"] = inputs
    return arguments


def _set_arguments(fn, arguments):
    fn.__dict__["_built_arguments"] = arguments


_theon.Function._arguments = property(_get_arguments, _set_arguments)
_theon.Function.maker = property(FunctionMaker)
_theon.Function.trust_input = False
_theon.Function.input_storage = property(_input_storage)
_theon.Function.value = property(lambda fn: InputAccess(fn, values=True))
_theon.Function.container = property(lambda fn: InputAccess(fn, values=False))
_theon.Function.__getitem__ = lambda fn, key: InputAccess(fn, values=True)[key]
_theon.Function.__setitem__ = lambda fn, key, value: InputAccess(fn, values=True).__setitem__(key, value)
_theon.Function.__contains__ = lambda fn, key: key in InputAccess(fn, values=True)


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


def _held_update(spec):
    """In(update=...)'s expression, as the input's type (an exact cast is added when the
    dtype differs but converts safely)."""
    import numpy as np
    update, variable = spec.update, spec.variable
    if update.ndim != variable.ndim:
        raise TypeError("function: the update of input %s has %d dimension(s), the input %d"
                        % (spec.name or variable, update.ndim, variable.ndim))
    if update.dtype != variable.dtype:
        if not np.can_cast(update.dtype, variable.dtype) and not spec.allow_downcast:
            raise TypeError("function: the update of input %s is %s, the input %s (cast the "
                            "expression, or pass In(..., allow_downcast=True))"
                            % (spec.name or variable, update.dtype, variable.dtype))
        update = update.astype(variable.dtype)
    return update


def function(inputs, outputs=None, mode=None, updates=None, givens=None, no_default_updates=False,
             accept_inplace=False, name=None, rebuild_strict=True, allow_input_downcast=None,
             profile=None, on_unused_input=None, trust_input=False):
    """Compiles the graph from `inputs` to `outputs` into a callable.

    outputs: one variable (a call returns one NumPy array, 0-d for scalars) or a list
    (a call returns a list). updates: pairs (shared variable, new value expression) or
    an OrderedDict, applied after every output is computed. givens: pairs (variable,
    replacement) substituted before compiling. no_default_updates: True, or a list of
    shared variables, turns off their default updates (random states advance through
    them: docs/random.md). Inputs may be In objects (values held by the function,
    updates, keywords, strict: docs/function_api.md). trust_input is accepted and
    recorded as f.trust_input; arguments are still checked (the checks run in C++).
    """
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("function: inputs must be a list of variables, got %r" % (inputs,))
    specs = [as_in(i) for i in inputs]
    variables = [i.variable for i in specs]
    names = [i.name or "" for i in specs]
    containers = [Container.for_input(i) for i in specs]
    held_updates = [k for k, i in enumerate(specs) if i.update is not None]
    single = outputs is not None and not isinstance(outputs, (list, tuple))
    if outputs is None:
        outs = []
    elif single:
        outs = [outputs]
    else:
        outs = list(outputs)
    borrow = [bool(o.borrow) if isinstance(o, Out) else False for o in outs]
    outs = [o.variable if isinstance(o, Out) else o for o in outs]
    n_outputs = len(outs)
    outs += [_held_update(specs[k]) for k in held_updates]
    borrow += [False] * len(held_updates)
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
        [c.storage for c in containers], names, borrow, getattr(mode, "optimizer_including", ""),
        getattr(mode, "optimizer_excluding", ""),
        no_default_updates if isinstance(no_default_updates, bool) else list(no_default_updates or []),
        observers, n_outputs, held_updates, [i.implicit for i in specs], [i.strict for i in specs],
        [bool(i.allow_downcast) for i in specs])
    fn._in_specs = specs
    fn._containers = containers
    if trust_input:
        fn.trust_input = True
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
    new = function(**copy.deepcopy(fn._arguments, memo))
    for mine, theirs in zip(new._containers, fn._containers):  # the values held now
        mine.storage[0] = copy.deepcopy(theirs.storage[0], memo)
    return new


_theon.Function.__deepcopy__ = _deepcopy_function


def _copy_function(fn, share_memory=False, swap=None, delete_updates=False, name=None, profile=None):
    """Theano's f.copy(): a new function over the same compiled graph (nothing is
    rewritten or compiled again) with its own call state.

    share_memory: True shares the values held for In inputs (a call of either updates
    both); False gives the copy copies of them. Shared variables are shared either way.
    swap: {old shared variable: new one}: the copy reads and updates the new one instead.
    delete_updates: the copy applies no update (neither shared variables' nor In's).
    name: the copy's name (default: the original's).
    """
    containers = list(fn._containers) if share_memory else [c.copied() for c in fn._containers]
    new = fn._copy(swap, bool(delete_updates), name or "", [c.storage for c in containers])
    new._containers = containers
    new._in_specs = list(fn._in_specs)
    arguments = dict(fn._arguments)
    if name is not None:
        arguments["name"] = name
    if delete_updates:
        arguments["updates"] = []
        arguments["no_default_updates"] = True
    new._arguments = arguments
    new.trust_input = fn.trust_input
    if "profile" in fn.__dict__:  # the copy records into the same profile (same C++ stats)
        new.profile = fn.profile
    return new


_theon.Function.copy = _copy_function


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


__all__ = ["function", "shared", "clone", "In", "Out", "FunctionGraph", "FunctionMaker", "Container",
           "SymbolicInput", "SymbolicOutput"]
