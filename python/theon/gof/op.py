"""theon.gof.op: ops defined in Python, as Theano's theano.Op / theano.gof.Op.

    class DoubleOp(theano.Op):
        __props__ = ()

        def make_node(self, x):
            x = theano.tensor.as_tensor_variable(x)
            return theano.Apply(self, [x], [x.type()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0] * 2

        def grad(self, inputs, output_grads):          # optional
            return [output_grads[0] * 2]

    y = DoubleOp()(x)

Each node holds the Python op in a C++ Op (python/src/py_op.hpp): the VM calls perform
with the GIL held for that call only, inputs as read-only NumPy views, and checks each
output against the type make_node declared. Two ops are equal (and their nodes merge)
when their classes and __props__ values are equal; without __props__, when __eq__ says
so (by default: only the same instance). grad, or L_op, gives the gradient; R_op and
infer_shape are accepted and unused (Theon's Rop is built from grad, and shapes are
computed when the function runs). See docs/custom_ops.md.
"""
import threading

from .. import _theon
from .graph import Apply, DisconnectedType, NullType
from ..test_values import debug_error_message, get_test_value  # noqa: F401 (Theano has them here)

__all__ = ["Op", "PureOp", "Apply"]


class Op:
    """The base class of ops written in Python. Subclasses define make_node and perform
    and may define __props__, grad (or L_op), R_op, infer_shape and __str__."""

    # Which output op(...) returns when the node has several (None: all, as a list).
    default_output = None

    def make_node(self, *inputs):
        raise NotImplementedError("%s.make_node is not defined: an op builds its nodes "
                                  "there (return theano.Apply(self, inputs, outputs))"
                                  % type(self).__name__)

    def perform(self, node, inputs, output_storage):
        raise NotImplementedError("%s.perform is not defined: Theon runs ops defined in "
                                  "Python through perform" % type(self).__name__)

    def __call__(self, *inputs, **kwargs):
        node = self.make_node(*inputs, **kwargs)
        if not isinstance(node, Apply):
            raise TypeError("%s.make_node must return theano.Apply(self, inputs, outputs), "
                            "got %r" % (type(self).__name__, node))
        outputs = node.outputs
        if self.default_output is not None:
            return outputs[self.default_output]
        return outputs[0] if len(outputs) == 1 else outputs

    # ---- identity, from __props__ (Theano's) ----
    def _props(self):
        """The values of the attributes named in __props__, as a tuple."""
        return tuple(getattr(self, name) for name in getattr(self, "__props__", ()))

    def _props_dict(self):
        return {name: getattr(self, name) for name in getattr(self, "__props__", ())}

    def __eq__(self, other):
        if not hasattr(self, "__props__"):
            return self is other
        return type(self) is type(other) and self._props() == other._props()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        if not hasattr(self, "__props__"):
            return object.__hash__(self)
        return hash((type(self), self._props()))

    def __str__(self):
        props = getattr(self, "__props__", ())
        if not props:
            return type(self).__name__
        return "%s{%s}" % (type(self).__name__,
                           ", ".join("%s=%r" % (name, getattr(self, name)) for name in props))

    __repr__ = __str__

    def L_op(self, inputs, outputs, output_grads):
        """The gradients of the inputs given those of the outputs: by default grad's."""
        grad = getattr(self, "grad", None)
        if grad is None:
            raise TypeError("%s is not differentiable: it defines neither grad nor L_op"
                            % self)
        return grad(inputs, output_grads)

    def R_op(self, inputs, eval_points):
        raise NotImplementedError("%s has no R_op (Theon's Rop does not need it: it is "
                                  "built from grad)" % self)

    def do_constant_folding(self, node):
        return True


# Theano's name for the same base class.
PureOp = Op


# ---- the op's identity as a label: equal ops get the same one ----
_labels_lock = threading.Lock()
_label_of_key = {}   # identity key -> label
_keys_of_text = {}   # str(op) -> number of keys printed so


def _identity_key(op):
    # With __props__: the class and the values. Without: the op itself, so that its own
    # __eq__ / __hash__ decide (by default: identity, as Theano's). The key is kept for
    # the life of the process, so that a label is never given to a second identity.
    try:
        if hasattr(op, "__props__"):
            key = (type(op), op._props())
        else:
            key = op
        hash(key)
    except TypeError as e:
        raise TypeError("%s: the values of __props__ must be hashable (Theano compares "
                        "and hashes them to merge equal ops): %s" % (type(op).__name__, e))
    return key


def _label(op):
    """The op's printed name, unique per identity: str(op), with '#2', '#3'... for a
    second and third op that print the same but are not equal."""
    key = _identity_key(op)
    with _labels_lock:
        label = _label_of_key.get(key)
        if label is None:
            text = str(op)
            n = _keys_of_text.get(text, 0) + 1
            _keys_of_text[text] = n
            label = text if n == 1 else "%s#%d" % (text, n)
            _label_of_key[key] = label
    return label


def _make_apply(op, inputs, outputs):
    """The node behind theano.Apply(op, inputs, outputs)."""
    from .. import tensor
    name = type(op).__name__
    if not isinstance(op, Op):
        raise TypeError("theano.Apply: the op must be a theano.Op instance, got %r" % (op,))
    inputs = [tensor.as_tensor_variable(x) for x in inputs]
    types, names = [], []
    for i, out in enumerate(outputs):
        if isinstance(out, _theon.TensorVariable):
            types.append(out.type)
            names.append(out.name or "")
        elif isinstance(out, _theon.TensorType):
            types.append(out)
            names.append("")
        else:
            raise TypeError("%s.make_node: output %d must be a variable (x.type()) or a "
                            "TensorType, got %r" % (name, i, out))
    if not types:
        raise TypeError("%s.make_node: an Apply node needs at least one output" % name)
    return _theon._pyop_apply(op, _label(op), inputs, types, names)


def _output_types(op, inputs):
    """The output types make_node gives on new inputs (when a clone changes their types)."""
    return [out.type for out in op.make_node(*inputs).outputs]


def _is_missing(g):
    return g is None or isinstance(g, DisconnectedType.Variable)


def _pullback(op, node, output_grads):
    """The gradients of node's inputs (None: none), from op.L_op / op.grad. An output
    that does not reach the cost gets zeros, as Theano gives an op's grad."""
    from .. import tensor
    outputs = node.outputs
    grads = [tensor.zeros_like(out) if g is None else g
             for g, out in zip(output_grads, outputs)]
    result = op.L_op(list(node.inputs), outputs, grads)
    if result is None or len(result) != len(node.inputs):
        raise TypeError("%s.grad returned %s gradients for %d inputs"
                        % (op, "no" if result is None else len(result), len(node.inputs)))
    out = []
    for i, (g, x) in enumerate(zip(result, node.inputs)):
        if _is_missing(g):
            out.append(None)
        elif isinstance(g, NullType.Variable):
            # Theano raises when grad() meets it; here the gradient is a node that raises
            # when it runs, so that asking for the other inputs' gradients still works.
            out.append(_UndefinedGradient(str(op), i, g.type.why_null)(x))
        else:
            g = tensor.as_tensor_variable(g)
            if g.ndim != x.ndim:
                raise TypeError("%s.grad: the gradient of input %d has %d dimensions, the "
                                "input %d" % (op, i, g.ndim, x.ndim))
            out.append(g)
    return out


class _UndefinedGradient(Op):
    """Stands for a gradient the op's grad declared undefined (NullType, grad_undefined):
    running it raises, naming the op, the input and the reason."""
    __props__ = ("op", "index", "why")

    def __init__(self, op, index, why):
        self.op, self.index, self.why = op, index, why

    def make_node(self, x):
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        raise TypeError("the gradient of input %d of %s is undefined: %s"
                        % (self.index, self.op, self.why))
