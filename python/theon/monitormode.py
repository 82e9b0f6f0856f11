"""MonitorMode: Theano's theano.compile.monitormode.MonitorMode.

    def detect_nan(i, node, fn):
        for output in fn.outputs:
            if numpy.isnan(output[0]).any():
                print('*** NaN detected ***', node)

    f = theano.function([x], [T.log(x) * x], mode=MonitorMode(post_func=detect_nan))

pre_func(i, node, fn) runs before each node computes and post_func(i, node, fn) after:
`i` is the node's position in the order the function runs its nodes, `node` the Apply
node (the same objects as f.maker.fgraph.toposort()), and fn.inputs / fn.outputs are
lists of one-element lists holding the node's arrays, as Theano's thunks (fn.outputs
holds None cells before the node has run). An exception raised by a callback ends the
call with that exception, and the call changes no shared variable.
"""
from . import _theon
from .mode import Mode


class Thunk:
    """What pre_func / post_func get as `fn`: the node's storage cells."""

    __slots__ = ("inputs", "outputs")

    def __init__(self, inputs, outputs):
        self.inputs = inputs
        self.outputs = outputs

    def __repr__(self):
        return "Thunk(inputs=%r, outputs=%r)" % (self.inputs, self.outputs)


class MonitorMode(Mode):
    """MonitorMode(pre_func=None, post_func=None, optimizer='default', linker=None)."""

    def __init__(self, pre_func=None, post_func=None, optimizer="default", linker=None,
                 **kwargs):
        for what, func in (("pre_func", pre_func), ("post_func", post_func)):
            if func is not None and not callable(func):
                raise TypeError("MonitorMode: %s must be callable (i, node, fn), got %r"
                                % (what, func))
        self.pre_func = pre_func
        self.post_func = post_func
        super().__init__(linker=linker, optimizer=optimizer, **kwargs)

    def _node_observers(self):
        if self.pre_func is None and self.post_func is None:
            return []
        return [_theon._monitor(self.pre_func, self.post_func, Thunk)]

    def __repr__(self):
        return "MonitorMode(pre_func=%r, post_func=%r, optimizer=%r)" % (
            self.pre_func, self.post_func, self.optimizer)


__all__ = ["MonitorMode"]
