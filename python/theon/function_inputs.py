"""A function's inputs as Theano has them: In, the values a function holds, and access.

    inc = theon.function([x, In(s, value=0.0, update=s + x)], [])
    inc(5); inc(2)
    inc[s]             # array(7.0): the value the function holds for s
    inc['s'] = 10      # set it between calls (f.value[s] and f.container[s].value too)

An input with a `value` may be left out of a call: the call uses the held value. With an
`update`, the held value is replaced after every call by the update's value (computed,
like every update, from the values before the call); an explicit argument overrides the
held value for that call, and the update then replaces it. Without an update an explicit
argument is used for that call only.
"""
import numpy as np

__all__ = ["In", "Out", "Container", "SymbolicInput", "SymbolicOutput"]


class In:
    """An input with options (Theano's In / SymbolicInput).

    variable: the symbolic input. name: the keyword a call may pass it by (default: the
    variable's name; autoname=False keeps it None). value: the value held by the
    function, used when a call leaves the input out. update: an expression whose value
    replaces the held value after each call. strict: an argument must be an ndarray of
    the input's dtype exactly. allow_downcast: this input accepts arguments that convert
    only with loss. implicit: never an argument (positional or keyword), always the held
    value (default: True when `value` is another function's Container, whose storage
    this input then shares, as in Theano). mutable and borrow: Theano's permission for the function to overwrite or keep
    the caller's array; Theon never writes into an argument, and borrow=True makes
    f[name] = array hold that array itself rather than a copy.
    """

    def __init__(self, variable, name=None, value=None, update=None, mutable=False, strict=False,
                 allow_downcast=None, autoname=True, implicit=None, borrow=False, shared=False):
        if implicit is None:
            implicit = isinstance(value, Container)
        if name is None and autoname:
            name = getattr(variable, "name", None)
        if implicit and value is None:
            raise TypeError("In(%s, implicit=True): an implicit input needs a value" % (variable,))
        self.variable = variable
        self.name = name
        self.value = value
        self.update = update
        self.mutable = bool(mutable)
        self.strict = bool(strict)
        self.allow_downcast = allow_downcast
        self.implicit = bool(implicit)
        self.borrow = bool(borrow)
        self.shared = bool(shared)

    def __repr__(self):
        return "In(%s)" % (self.variable,)

    def __str__(self):
        return str(self.variable)


class Out:
    """An output with options. Out(y, borrow=True) lets a call return the output as a
    view of an argument or of a shared variable's value when the graph computes it as
    one (x[::-1]); without it such an output is copied, so that changing the argument
    afterwards leaves the result alone. Views of constants are always copied. Theon
    never overwrites an array it has returned while the caller still holds it."""

    def __init__(self, variable, borrow=False):
        self.variable = variable
        self.borrow = bool(borrow)

    def __repr__(self):
        return "Out(%s)" % (self.variable,)


SymbolicInput = In
SymbolicOutput = Out


def as_in(spec):
    """Theano's input shortcuts: r, (name, r), (r, value), ((r, update), value),
    (name, r, value) and (name, (r, update), value), as In objects."""
    if isinstance(spec, In):
        return spec
    if isinstance(spec, tuple):
        if len(spec) == 2 and isinstance(spec[0], str):
            return In(spec[1], name=spec[0])
        if len(spec) == 2 and isinstance(spec[0], tuple):
            (variable, update), value = spec
            return In(variable, value=value, update=update)
        if len(spec) == 2:
            return In(spec[0], value=spec[1])
        if len(spec) == 3 and isinstance(spec[0], str):
            name, variable, value = spec
            if isinstance(variable, tuple):
                variable, update = variable
                return In(variable, name=name, value=value, update=update)
            return In(variable, name=name, value=value)
        raise TypeError("function: cannot read the input %r (expected a variable, an In, or one of "
                        "Theano's tuples (r, value), ((r, update), value), (name, r, value))" % (spec,))
    return In(spec)


def filter_value(value, ttype, strict, allow_downcast, borrow, what):
    """`value` as an ndarray of type `ttype`, as Theano's TensorType.filter converts it;
    TypeError naming `what` when it cannot be converted without loss (unless
    allow_downcast) or has the wrong rank."""
    dtype = np.dtype(ttype.dtype)
    if strict:
        if not isinstance(value, np.ndarray) or value.dtype != dtype:
            got = ("an ndarray of dtype %s" % value.dtype if isinstance(value, np.ndarray)
                   else type(value).__name__)
            raise TypeError("%s: a strict input takes only a numpy.ndarray of dtype %s, got %s"
                            % (what, dtype, got))
        array = value
    else:
        array = np.asarray(value)
        if array.dtype != dtype:
            converted = array.astype(dtype)
            python_float = isinstance(value, float) and dtype.kind == "f"
            ok = (allow_downcast or np.can_cast(array.dtype, dtype) or (allow_downcast is None and python_float)
                  or (not isinstance(value, np.ndarray) and np.array_equal(converted, array)))
            if not ok:
                raise TypeError("%s: %r (%s) does not convert exactly to %s; cast it, or use "
                                "allow_downcast=True" % (what, value, array.dtype, dtype))
            array = converted
    if array.ndim != ttype.ndim:
        raise TypeError("%s: expected %d dimension(s) (%s), got an array of shape %s"
                        % (what, ttype.ndim, ttype, array.shape))
    for axis, broadcastable in enumerate(ttype.broadcastable):
        if broadcastable and array.shape[axis] != 1:
            raise TypeError("%s: axis %d is broadcastable in %s, so it must have length 1; got shape %s"
                            % (what, axis, ttype, array.shape))
    if array is value and not borrow:
        array = array.copy()
    return array


class Container:
    """The storage of one input (Theano's Container): .value (or .data) is the value the
    function holds for it; setting it converts to the input's type. `storage` is the
    one-item list the compiled function reads and writes. In(x, value=container) makes
    another function's input share it (f.container[name])."""

    @staticmethod
    def for_input(symbolic_input):
        """The container of `symbolic_input`: a new one, or the Container given as its
        value (shared with the function that made it; the types must be equal)."""
        value = symbolic_input.value
        if not isinstance(value, Container):
            return Container(symbolic_input, value)
        if value.variable.type != symbolic_input.variable.type:
            raise TypeError("In(%s, value=container): the container holds a %s, the input is a %s"
                            % (symbolic_input.variable, value.variable.type, symbolic_input.variable.type))
        return value

    def __init__(self, symbolic_input, value=None):
        self.input = symbolic_input
        self.variable = symbolic_input.variable
        self.name = symbolic_input.name
        self.strict = symbolic_input.strict
        self.allow_downcast = symbolic_input.allow_downcast
        self.implicit = symbolic_input.implicit
        self.required = symbolic_input.value is None
        self.storage = [None]
        if value is not None:
            self.value = value

    @property
    def type(self):
        return self.variable.type

    @property
    def value(self):
        return self.storage[0]

    @value.setter
    def value(self, value):
        what = "input %s" % (self.name or self.variable,)
        self.storage[0] = None if value is None else filter_value(
            value, self.variable.type, self.strict, self.allow_downcast, self.input.borrow, what)

    data = value

    def copied(self):
        """A new container holding a copy of the value (f.copy(share_memory=False))."""
        out = Container.__new__(Container)
        out.__dict__.update(self.__dict__)
        out.storage = [None if self.storage[0] is None else np.array(self.storage[0], copy=True)]
        return out

    def __repr__(self):
        return "<%s>" % (self.storage[0],)


class SharedContainer:
    """A shared variable's storage as a function input (f.input_storage after the
    user's inputs): .value reads and writes the shared variable itself."""

    def __init__(self, variable):
        self.variable = variable
        self.name = variable.name
        self.implicit = True
        self.required = False

    @property
    def value(self):
        return self.variable.get_value(borrow=True)

    @value.setter
    def value(self, value):
        self.variable.set_value(value)

    data = value

    @property
    def storage(self):
        return [self.value]

    def __repr__(self):
        return "<%s>" % (self.value,)


class InputAccess:
    """f.value and f.container: the held values (or containers) by input position,
    name or variable."""

    def __init__(self, fn, values):
        self._fn = fn
        self._values = values

    def _find(self, key):
        fn = self._fn
        containers = fn.input_storage
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            return containers[key]
        # By this function's own names and variables (a container shared with another
        # function keeps that function's).
        specs = list(getattr(fn, "_in_specs", ()))
        entries = [(spec.name, spec.variable, c) for spec, c in zip(specs, containers)]
        entries += [(c.name, c.variable, c) for c in containers[len(specs):]]
        if isinstance(key, str):
            found = [c for name, _, c in entries if name == key]
            if len(found) > 1:
                raise TypeError("%s: Ambiguous name: %s - please check the names of the inputs of "
                                "your function for duplicates." % (_display(fn), key))
        else:
            found = [c for _, variable, c in entries if variable == key]
        if not found:
            raise TypeError("%s: Unknown input or state: %s" % (_display(fn), key))
        return found[0]

    def __getitem__(self, key):
        container = self._find(key)
        return container.value if self._values else container

    def __setitem__(self, key, value):
        if not self._values:
            raise TypeError("f.container is read-only; set f.container[key].value or f[key]")
        self._find(key).value = value

    def __contains__(self, key):
        try:
            self._find(key)
        except (TypeError, IndexError):
            return False
        return True


def _display(fn):
    return "function %s" % fn.name if fn.name else "function call"
