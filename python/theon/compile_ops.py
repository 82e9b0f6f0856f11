"""theon.compile_ops: Theano's theano.compile.ops.as_op, an op made from a Python function.

    @as_op(itypes=[T.fmatrix, T.fmatrix], otypes=[T.fmatrix])
    def numpy_dot(a, b):
        return numpy.dot(a, b)

    z = numpy_dot(x, y)        # a node; the function runs when theon.function does

The function receives NumPy arrays (read-only) and returns one array per otype (a list
when there are several); it must return new memory. The op has no gradient. infer_shape
is accepted and unused (docs/custom_ops.md).
"""
from .gof.op import Op
from .gof.graph import Apply

__all__ = ["as_op", "FromFunctionOp"]


class FromFunctionOp(Op):
    """The op as_op builds: calls `fn` on the input arrays. Two are equal when they wrap
    the same function with the same types."""
    __props__ = ("fn", "itypes", "otypes", "infer_shape")

    def __init__(self, fn, itypes, otypes, infer_shape=None):
        self.fn = fn
        self.itypes = tuple(itypes)
        self.otypes = tuple(otypes)
        self.infer_shape = infer_shape
        self.__name__ = getattr(fn, "__name__", type(self).__name__)
        self.__doc__ = getattr(fn, "__doc__", None)

    def __str__(self):
        return "FromFunctionOp{%s}" % self.__name__

    def make_node(self, *inputs):
        from . import tensor
        if len(inputs) != len(self.itypes):
            raise TypeError("%s: expected %d inputs, got %d"
                            % (self, len(self.itypes), len(inputs)))
        inputs = [tensor.as_tensor_variable(x) for x in inputs]
        for i, (x, want) in enumerate(zip(inputs, self.itypes)):
            if x.type != want:
                raise TypeError("%s: input %d is %s, expected %s (the itypes of as_op)"
                                % (self, i, x.type, want))
        return Apply(self, inputs, [t() for t in self.otypes])

    def perform(self, node, inputs, output_storage):
        outs = self.fn(*inputs)
        if len(self.otypes) == 1:
            outs = [outs]
        elif not isinstance(outs, (list, tuple)) or len(outs) != len(self.otypes):
            raise TypeError("%s: the function must return %d values (one per otype)"
                            % (self, len(self.otypes)))
        for storage, value in zip(output_storage, outs):
            storage[0] = value


def as_op(itypes, otypes, infer_shape=None):
    """Decorator: the Python function becomes an op of inputs `itypes` and outputs
    `otypes` (lists of TensorTypes, such as T.fmatrix)."""
    if not isinstance(itypes, (list, tuple)):
        itypes = [itypes]
    if not isinstance(otypes, (list, tuple)):
        otypes = [otypes]
    if infer_shape is not None and not callable(infer_shape):
        raise TypeError("as_op: infer_shape must be callable (node, input_shapes)")

    def make_op(fn):
        return FromFunctionOp(fn, itypes, otypes, infer_shape)

    return make_op
