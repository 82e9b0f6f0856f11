"""printing.Print: Theano's identity op that prints its input whenever it is computed.

    x = T.dvector('x')
    y = Print('x is', attrs=('__str__', 'shape'))(x) * 2
    f = theano.function([x], y)
    f([1, 2])    # prints "x is __str__ = [1. 2.]" and "x is shape = (2,)"

For each name in `attrs`, global_fn(op, value) (by default) prints
`message attr = value.attr` (called first when it is a method: 'sum', 'argmax', ...).
The value is a NumPy array. Rewrites never fold, merge or remove a Print whose output
is used, and the gradient passes through it unchanged (without printing). As in Theano,
a Print whose output nothing depends on does not run, and a Print stops rewrites that
would look through it (log(Print(softmax(x))) is not turned into log_softmax).
"""
from . import _theon


def _print_fn(op, xin):
    for attr in op.attrs:
        value = getattr(xin, attr)
        print(op.message, attr, "=", value() if callable(value) else value)


class Print:
    """Print(message='', attrs=('__str__',), global_fn=_print_fn): call it on a variable
    to get a variable equal to it that prints when computed."""

    def __init__(self, message="", attrs=("__str__",), global_fn=_print_fn):
        if isinstance(attrs, str):
            attrs = (attrs,)
        self.message = str(message)
        self.attrs = tuple(attrs)
        self.global_fn = global_fn

    def __call__(self, x):
        return self.make_node(x).outputs[0]

    def make_node(self, x):
        return _theon._print(x, self.message, list(self.attrs),
                             lambda value: self.global_fn(self, value)).owner

    def __eq__(self, other):
        return (type(self) is type(other) and self.message == other.message
                and self.attrs == other.attrs and self.global_fn == other.global_fn)

    def __hash__(self):
        return hash((type(self), self.message, self.attrs))

    def __str__(self):
        return "Print{%s}" % self.message


__all__ = ["Print"]
