"""Profiling compiled functions, as Theano's theano.compile.profiling.

    f = theon.function([x, y], cost, updates=updates, profile=True)
    for batch in batches:
        f(*batch)
    f.profile.summary()                    # to stderr: Function summary, Class, Ops, Apply, Memory
    f.profile.fct_callcount, f.profile.fct_call_time, f.profile.apply_time[node], ...

`profile=True` makes a ProfileStats named after the function, `profile='name'` one with
that message, `profile=ProfileStats(...)` uses that object (several functions may share
one: their calls and nodes add up). With config.profile (THEON_FLAGS=profile=True or
THEANO_FLAGS=profile=True) every function is profiled, and at exit the summaries of
every profile made with atexit_print (the default) are written to
config.profiling.destination ('stderr', 'stdout' or a file name), followed by their sum
when there are several, as Theano 1.0 does; with the flag off nothing prints at exit.

The times are measured in C++ (theon/profile.hpp): a call's time runs from binding the
arguments to committing the updates (the conversion of Python arguments and results is
outside it), and a profiled function runs node by node in the interpreter, never as one
native kernel. docs/profiling.md says what each number means.
"""
import atexit
import sys

from . import _theon

__all__ = ["ProfileStats"]

_atexit_print_list = []


class ProfiledApply:
    """A node of a profiled function: the keys of ProfileStats.apply_time and friends.

    .id is its position in the function's run order, .op the op with its parameters
    ("fused{exp(i0)}"), .op_class the op's C++ class ("Elemwise"), .function the
    function's name; str() is the apply as the summary prints it."""

    __slots__ = ("id", "op", "op_class", "function", "description", "_key")

    def __init__(self, id, function, op_class, op, description):  # noqa: A002 (Theano's name)
        self.id, self.function, self.op_class, self.op, self.description = (
            id, function, op_class, op, description)
        self._key = (function, id, description)

    def __eq__(self, other):
        return isinstance(other, ProfiledApply) and self._key == other._key

    def __hash__(self):
        return hash(self._key)

    def __str__(self):
        return self.description

    def __repr__(self):
        return "<Apply %d %s>" % (self.id, self.description)


class ProfileStats:
    """Runtime, compile-time and memory profile of one function or several (Theano's).

    Attributes Theano's scripts read: message, fct_callcount, fct_call_time,
    vm_call_time, compile_time, optimizer_time, linker_time, validate_time,
    apply_time / apply_callcount / apply_cimpl / variable_shape (dicts keyed by node),
    memory_peak (bytes), compile_phases (list of (phase, seconds)).
    """

    def __init__(self, atexit_print=True, flag_time_thunks=None, message=None, **kwargs):
        object.__setattr__(self, "_stats", _theon._ProfileStats(message or ""))
        object.__setattr__(self, "_keys", {})
        self.flag_time_thunks = True if flag_time_thunks is None else flag_time_thunks
        for name, value in kwargs.items():  # Theano's initializers; measured ones stay measured
            if not isinstance(getattr(type(self), name, None), property) or name == "message":
                setattr(self, name, value)
        if atexit_print:
            _atexit_print_list.append(self)

    # ---- Theano's scalar attributes ----
    @property
    def message(self):
        return self._stats.message

    @message.setter
    def message(self, value):
        self._stats.message = "" if value is None else str(value)

    fct_callcount = property(lambda self: self._stats.fct_callcount)
    fct_call_time = property(lambda self: self._stats.fct_call_time)
    # Theano's time in the VM: here the same as the call's (no Python layer in between).
    vm_call_time = property(lambda self: self._stats.fct_call_time)
    compile_time = property(lambda self: self._stats.compile_time)
    optimizer_time = property(lambda self: self._stats.optimizer_time)
    linker_time = property(lambda self: self._stats.linker_time)
    validate_time = 0.0  # part of each rewrite phase in Theon, not measured apart
    import_time = 0.0
    memory_peak = property(lambda self: self._stats.memory_peak)
    compile_phases = property(lambda self: list(self._stats.compile_phases))
    optimizer_profile = None

    # ---- per node ----
    def _nodes(self):
        out = []
        for (id_, function, op_class, op, description, calls, seconds, impl, inputs) in self._stats.nodes():
            key = (function, id_, description)
            apply = self._keys.get(key)
            if apply is None:
                apply = self._keys[key] = ProfiledApply(id_, function, op_class, op, description)
            out.append((apply, calls, seconds, impl, inputs))
        return out

    @property
    def apply_time(self):
        """node -> seconds spent in it, over all calls."""
        return {a: t for a, _, t, _, _ in self._nodes()}

    @property
    def apply_callcount(self):
        return {a: c for a, c, _, _, _ in self._nodes()}

    @property
    def apply_cimpl(self):
        """node -> True: every Theon op runs compiled C++ (apply_impl says which kind)."""
        return {a: True for a, _, _, _, _ in self._nodes()}

    @property
    def apply_impl(self):
        """node -> 'C' (built-in kernel), 'N' (fused kernel, generated native code) or
        'I' (fused kernel, interpreted)."""
        return {a: impl for a, _, _, impl, _ in self._nodes()}

    @property
    def variable_shape(self):
        """node -> the dtype and shape of each input at the last call ('float64 (64, 784)')."""
        return {a: list(inputs) for a, _, _, _, inputs in self._nodes()}

    def class_time(self):
        return {r[0]: r[1] for r in self._rows("op_class")}

    def class_callcount(self):
        return {r[0]: r[2] for r in self._rows("op_class")}

    def class_nodes(self):
        return {r[0]: r[3] for r in self._rows("op_class")}

    def op_time(self):
        return {r[0]: r[1] for r in self._rows("op")}

    def op_callcount(self):
        return {r[0]: r[2] for r in self._rows("op")}

    def op_nodes(self):
        return {r[0]: r[3] for r in self._rows("op")}

    def _rows(self, attr):
        rows = {}
        for apply, calls, seconds, _, _ in self._nodes():
            key = getattr(apply, attr)
            t, c, n = rows.get(key, (0.0, 0, 0))
            rows[key] = (t + seconds, c + calls, n + 1)
        return [(k, t, c, n) for k, (t, c, n) in rows.items()]

    # ---- printing ----
    def summary(self, file=sys.stderr, n_ops_to_print=20, n_apply_to_print=20):
        """Writes Theano's layout (Function summary, Class, Ops, Apply, Memory) to `file`."""
        file.write(self._stats.summary(int(n_ops_to_print), int(n_apply_to_print)))
        file.write("\n")

    def __str__(self):
        return self._stats.summary(20, 20)

    def merge(self, other):
        """Adds `other`'s calls, times and nodes to this one."""
        self._stats.merge(other._stats)
        return self


def as_profile(profile, name):
    """function(profile=...)'s argument as a ProfileStats, or None (not profiled)."""
    from .configparser import config
    if isinstance(profile, ProfileStats):
        return profile
    if profile is None or profile is False:
        # Python's config.profile (THEANO_FLAGS, config.profile = True) or the core's
        # (THEON_FLAGS=profile=True).
        if not (config.profile or _theon._profile_flag()):
            return None
        profile = True
    message = profile if isinstance(profile, str) else name
    return ProfileStats(message=message)


def _destination():
    from .configparser import config
    where = config.profiling.destination
    if where == "stderr":
        return sys.stderr, False
    if where == "stdout":
        return sys.stdout, False
    return open(where, "w"), True


def _print_at_exit():
    """Theano's _atexit_print_fn: with config.profile on, the profiles that ran or
    compiled, then their sum (f.profile alone, with the flag off, prints nothing)."""
    from .configparser import config
    printed = []
    if config.profile or _theon._profile_flag():
        printed = [ps for ps in _atexit_print_list if ps.fct_callcount or ps.compile_time > 0]
    cpp = _theon._profiles_at_exit()  # profiles the C++ core made itself (THEON_FLAGS)
    if not printed and not cpp:
        return
    out, close = _destination()
    try:
        for ps in printed:
            ps.summary(file=out, n_ops_to_print=config.profiling.n_ops,
                       n_apply_to_print=config.profiling.n_apply)
        if len(printed) > 1:
            total = ProfileStats(atexit_print=False, message="Sum of all printed profiles at exit")
            for ps in printed:
                total.merge(ps)
            total.summary(file=out, n_ops_to_print=config.profiling.n_ops,
                          n_apply_to_print=config.profiling.n_apply)
        out.write(cpp)
        out.flush()
    finally:
        if close:
            out.close()


atexit.register(_print_at_exit)
