"""theon.gof.graph: Theano's Apply and Variable names, and the marker types a Python op's
grad returns (theano.gradient's DisconnectedType and NullType).

theano.Apply(op, inputs, outputs) builds the node at once and returns it: Theon's nodes
are immutable and typed when made, so the outputs are new variables of the types of
`outputs` (with their names), not the objects passed in. Every node, whatever made it,
is an instance of Apply (isinstance(v.owner, theano.Apply)).
"""
from .. import _theon

Variable = _theon.TensorVariable

__all__ = ["Apply", "Variable", "DisconnectedType", "NullType", "grad_undefined", "grad_not_implemented"]


class _IsNode(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, _theon.Apply)

    def __subclasscheck__(cls, sub):
        return issubclass(sub, _theon.Apply)


class Apply(metaclass=_IsNode):
    """Apply(op, inputs, outputs): a node of the Python op `op` on `inputs`; what an
    op's make_node returns. `outputs` are variables (x.type()) or TensorTypes."""

    def __new__(cls, op, inputs, outputs):
        from .op import _make_apply
        return _make_apply(op, list(inputs), list(outputs))


class DisconnectedType:
    """What grad returns for an input the outputs do not depend on:
    `return [DisconnectedType()()]`. Theon treats it as no gradient (as None)."""

    class Variable:
        def __init__(self, type):
            self.type = type

        def __str__(self):
            return "<DisconnectedType>"

    def __call__(self, name=None):
        return DisconnectedType.Variable(self)

    def __eq__(self, other):
        return type(self) is type(other)

    def __hash__(self):
        return hash(type(self))

    def __str__(self):
        return "DisconnectedType"


class NullType:
    """The type of an undefined gradient: `return [NullType("why")()]` (or
    theano.gradient.grad_undefined). The gradient raises when a function computes it."""

    class Variable:
        def __init__(self, type):
            self.type = type

        def __str__(self):
            return "<NullType: %s>" % self.type.why_null

    def __init__(self, why_null="(no explanation given)"):
        self.why_null = why_null

    def __call__(self, name=None):
        return NullType.Variable(self)

    def __str__(self):
        return "NullType"


def grad_undefined(op, x_pos, x, comment=""):
    """Theano's theano.gradient.grad_undefined: the gradient of input `x_pos` of `op`
    is mathematically undefined."""
    return NullType("%s: the gradient of input %d is undefined. %s" % (op, x_pos, comment))()


def grad_not_implemented(op, x_pos, x, comment=""):
    """Theano's theano.gradient.grad_not_implemented: `op` does not implement the
    gradient of input `x_pos`."""
    return NullType("%s does not implement the gradient of input %d. %s"
                    % (op, x_pos, comment))()
