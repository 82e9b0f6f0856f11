"""Pickling of Theon objects: shared variables, symbolic graphs and compiled functions.

    pickle.dump(classifier, f)     # an object holding shared variables and functions
    pickle.dump(f, out)            # a compiled function: loading compiles it again
    pickle.dumps(cost)             # a variable, with the whole graph it is computed from

How each pickles:
- a shared variable as its value (a NumPy array), name, broadcastable pattern and
  default update;
- an input variable (no owner) as its type and name;
- any other variable as the bytes of its graph (theon/serialize.hpp), whose inputs and
  shared variables are pickled as Python objects beside it, so that pickle's memo keeps
  each one a single object across everything pickled together (two functions over one
  shared variable still share it after loading);
- a function as the arguments that built it (inputs, outputs, updates, givens, mode...):
  loading calls theon.function again. Rewrites run again (fast); native code already in
  the disk cache is found there, not compiled again.

Python gives each C++ variable a new wrapper object each time it returns one, and
pickle's memo identifies objects by id(): each variable therefore pickles through one
canonical wrapper (_canonical), which the memo then sees once.

Every pickle records the Theon version that made it; another version refuses to load it
(VersionError), rather than risk misreading it.
"""
import weakref

import numpy as np

from . import _theon

# The C++ version (theon_version() in theon/serialize.hpp): both formats carry the same.
VERSION = _theon.theon_version() if hasattr(_theon, "theon_version") else "unknown"


class VersionError(ValueError):
    """A pickle made by another Theon version."""


def _check_version(version, what):
    if version != VERSION:
        raise VersionError(
            "cannot load this %s: it was pickled by Theon %s, and this is Theon %s; load it "
            "with Theon %s and save its values (theon.misc.pkl_utils keeps them as .npy files)"
            % (what, version, VERSION, version))


_canonical_wrappers = weakref.WeakValueDictionary()


def _canonical(var):
    key = hash(var)  # the C++ node's address, unique while the node lives
    found = _canonical_wrappers.get(key)
    if found is None:
        _canonical_wrappers[key] = found = var
    return found


def _same(obj):
    return obj


def _rebuild_shared(version, value, name, broadcastable):
    _check_version(version, "shared variable")
    return _theon.shared(np.asarray(value), name, True, list(broadcastable))


def _set_shared_state(shared, state):
    update = state.get("default_update")
    if update is not None:
        shared.default_update = update


def _rebuild_input(version, dtype, broadcastable, name):
    _check_version(version, "variable")
    return _theon.TensorType(dtype, list(broadcastable))(name)


def _rebuild_graph(version, data, externals):
    _check_version(version, "graph")
    return _theon._deserialize_graph(data, list(externals))[0]


def _reduce_variable(self, protocol=2):
    canonical = _canonical(self)
    if canonical is not self:
        return _same, (canonical,)
    shared = self if isinstance(self, _theon.SharedVariable) else _theon._as_shared(self)
    if shared is not None:
        state = {"default_update": shared.default_update}
        return (_rebuild_shared,
                (VERSION, shared.get_value(borrow=False), shared.name or None, tuple(shared.broadcastable)),
                state, None, None, _set_shared_state)
    if self.owner is None and not self.is_constant():
        return _rebuild_input, (VERSION, self.type.dtype, tuple(self.type.broadcastable), self.name or None)
    data, externals = _theon._serialize_graph([self])
    return _rebuild_graph, (VERSION, data, tuple(externals))


class _VarRef:
    """Stands for the index-th variable of a function's saved graph in its arguments."""

    def __init__(self, index):
        self.index = index


def _substitute(obj, replace):
    """`obj` with every variable inside lists, tuples, dicts and In/Out objects replaced
    by replace(variable) (other objects are kept as they are)."""
    from .compile import In, Out
    if isinstance(obj, (_theon.TensorVariable, _VarRef)):
        return replace(obj)
    if isinstance(obj, (list, tuple)):
        items = [_substitute(o, replace) for o in obj]
        return type(obj)(items) if type(obj) in (list, tuple) else items
    if isinstance(obj, dict):
        return type(obj)((_substitute(k, replace), _substitute(v, replace)) for k, v in obj.items())
    if isinstance(obj, (In, Out)):
        new = object.__new__(type(obj))
        new.__dict__.update({k: _substitute(v, replace) for k, v in obj.__dict__.items()})
        return new
    return obj


def _rebuild_function(version, data, externals, arguments):
    _check_version(version, "function")
    from .compile import function
    from .configparser import config
    if not config.unpickle_function:  # Theano's flag: functions load as None
        return None
    variables = _theon._deserialize_graph(data, list(externals))
    return function(**_substitute(arguments, lambda ref: variables[ref.index]))


def _reduce_function(self, protocol=2):
    """A function pickles as the arguments that built it, with every variable they name
    in one saved graph: subgraphs its outputs and updates share stay shared (a scan read
    by the cost and by its gradient stays one scan)."""
    arguments = getattr(self, "_arguments", None)
    if arguments is None:
        raise TypeError("cannot pickle %r: it was not made by theon.function, so its graph as "
                        "built is unknown" % (self,))
    variables = []

    def take(v):
        variables.append(v)
        return _VarRef(len(variables) - 1)

    template = _substitute(dict(arguments), take)
    data, externals = _theon._serialize_graph(variables)
    return _rebuild_function, (VERSION, data, tuple(externals), template)


_theon.TensorVariable.__reduce_ex__ = _reduce_variable
_theon.Function.__reduce_ex__ = _reduce_function


def save_graph(outputs, path):
    """Saves the graph of `outputs` (a variable or a list) to `path` in Theon's own file
    format (the one C++ theon::load_graph reads): values included, nothing pickled."""
    single = not isinstance(outputs, (list, tuple))
    _theon.save_graph([outputs] if single else list(outputs), path)


_kept_default_updates = []


def load_graph(path):
    """The outputs saved by save_graph (or C++ theon::save), as a list."""
    outputs, keep = _theon._load_graph(path)
    # Shared variables hold their default update weakly; a loaded graph keeps them.
    _kept_default_updates.extend(keep)
    return outputs


__all__ = ["VersionError", "save_graph", "load_graph", "VERSION"]
