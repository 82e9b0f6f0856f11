"""How a TensorType prints and which object `x.type` is, as in Theano 1.0.

- repr: `TensorType(float64, scalar)`, `vector`, `matrix`, `row`, `col`, `3D`,
  `4D`, ..., or the broadcastable pattern itself when it has a True other than a row's or
  a column's (`TensorType(float32, (True, False, True))`). Theano's docs and programs
  show these. str() keeps Theon's short spelling (`float64 scalar`), the one its error
  messages use.
- identity: `x.type` is the one TensorType object of its (dtype, broadcastable), the same
  object as the constructor of that name, so that `T.dscalar('x').type is T.dscalar`
  holds as in Theano (`==` held already). Types made with TensorType(...) are their own
  objects until a variable's `.type` hands out the first one of their kind.
"""
from theon._theon import SharedVariable, TensorType, TensorVariable

_NAMED_PATTERNS = {(): "scalar", (False,): "vector", (False, False): "matrix",
                   (True, False): "row", (False, True): "col"}


def theano_type_name(tensor_type):
    """Theano's spelling of a tensor type: TensorType(float64, matrix)."""
    pattern = tuple(tensor_type.broadcastable)
    kind = _NAMED_PATTERNS.get(pattern)
    if kind is None:
        kind = str(pattern) if any(pattern) else "%dD" % len(pattern)
    return "TensorType(%s, %s)" % (tensor_type.dtype, kind)


# One TensorType object per (dtype, broadcastable): the first registered, which for the
# typed constructors (T.dmatrix, ...) is the constructor itself. TensorType hashes and
# compares by dtype and pattern, so it is its own key.
_CANONICAL = {}


def canonical_type(tensor_type):
    """The one object standing for tensor_type's kind (see the module docstring)."""
    return _CANONICAL.setdefault(tensor_type, tensor_type)


def install(constructors):
    """Gives TensorType Theano's repr and `.type` its identity; `constructors` is the
    namespace (theon.tensor's) whose TensorType instances become the canonical ones."""
    if getattr(TensorType, "_theano_names_installed", False):
        return
    for value in list(constructors.values()):
        if isinstance(value, TensorType):
            canonical_type(value)
    TensorType.__repr__ = theano_type_name
    for cls in (TensorVariable, SharedVariable):
        native = cls.__dict__.get("type")
        if isinstance(native, property):
            setattr(cls, "type", property(lambda v, _get=native.fget: canonical_type(_get(v)),
                                          doc="The variable's TensorType (one object per kind)."))
    TensorType._theano_names_installed = True
