"""theon.gof: what Theano's theano.gof offered for writing ops in Python: Op, Apply,
Variable (docs/custom_ops.md)."""
from . import graph, op  # noqa: F401
from .graph import Apply, Variable  # noqa: F401
from .op import Op, PureOp  # noqa: F401

__all__ = ["Op", "PureOp", "Apply", "Variable", "graph", "op"]
