"""Python-side conveniences of variables: eval, tag, clone and deepcopy, as Theano's."""
from . import _theon
from .test_values import Tag


def _eval(self, inputs_to_values=None):
    """The variable's value, given values for the inputs it needs: y.eval({x: 2.0}).
    The compiled function is cached on the variable, so repeated calls are cheap."""
    from .compile import function

    values = {} if inputs_to_values is None else inputs_to_values
    keys = list(values)
    cache = self.__dict__.setdefault("_eval_cache", {})
    key = tuple(hash(k) for k in keys)
    fn = cache.get(key)
    if fn is None:
        fn = cache[key] = function(keys, self, on_unused_input="ignore")
    return fn(*[values[k] for k in keys])


def _tag(self):
    """Theano's scratchpad: free attributes, and test_value (the core's, test_values.py)."""
    tag = self.__dict__.get("_tag")
    if tag is None:
        tag = self.__dict__["_tag"] = Tag(self)
    return tag


def _clone(self):
    """A new variable of the same type and name, without an owner."""
    return self.type(self.name)


def _norm(self, L, axis=None):
    """The L-norm over `axis` (all axes when None): sum(|x| ** L) ** (1 / L), Theano's
    x.norm(L, axis). L must be positive; inf is the largest |x|."""
    from . import tensor as T
    if L == float("inf"):
        return T.max(abs(self), axis)
    if not L > 0:
        raise ValueError("norm: L must be positive (or inf), got %r" % (L,))
    if L == 1:
        return T.sum(abs(self), axis)
    if L == 2:
        return T.sqrt(T.sum(T.sqr(self), axis))
    return T.sum(abs(self) ** L, axis) ** (1.0 / L)


_theon.TensorVariable.eval = _eval
_theon.TensorVariable.norm = _norm
_theon.TensorVariable.tag = property(_tag)
_theon.TensorVariable.clone = _clone


def _graph_roots(var):
    """The variables without an owner that `var` is computed from (an explicit stack:
    no recursion on graph depth)."""
    seen, roots, stack = set(), [], [var]
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        if v.owner is None:
            roots.append(v)
        else:
            stack.extend(v.owner.inputs)
    return roots


def _copied(memo):
    # Python wrappers of one variable differ (id() does not identify a variable; its
    # hash does), so deepcopy's own memo cannot tell that two wrappers are one
    # variable: the copies are kept here, under a key copy.deepcopy never uses.
    return memo.setdefault("theon.variables", {})


def _deepcopy_variable(self, memo):
    """A copy of the graph of `self` over copies of its inputs: within one deepcopy,
    each input and shared variable is copied once, so everything the copied object
    holds (expressions, functions, parameters) refers to the same new variables."""
    copies = _copied(memo)
    if self in copies:
        return copies[self]
    if self.owner is None:
        if self.is_constant():
            new = self
        elif isinstance(self, _theon.SharedVariable):
            from .compile import shared
            new = copies[self] = shared(self.get_value(borrow=False), name=self.name,
                                        broadcastable=self.broadcastable)
            update = self.default_update  # a random state's advance, say: over the copy
            if update is not None:
                new.default_update = _deepcopy_variable(update, memo)
        else:
            new = self.type(self.name)
    else:
        from .compile import clone
        replace = [(r, _deepcopy_variable(r, memo)) for r in _graph_roots(self)
                   if not r.is_constant()]
        new = clone(self, replace=replace)
    copies[self] = new
    return new


_theon.TensorVariable.__deepcopy__ = _deepcopy_variable
