"""Python-side conveniences of variables: eval, tag and clone, as Theano's."""
import types

from . import _theon


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
    tag = self.__dict__.get("_tag")
    if tag is None:
        tag = self.__dict__["_tag"] = types.SimpleNamespace()
    return tag


def _clone(self):
    """A new variable of the same type and name, without an owner."""
    return self.type(self.name)


_theon.TensorVariable.eval = _eval
_theon.TensorVariable.tag = property(_tag)
_theon.TensorVariable.clone = _clone
