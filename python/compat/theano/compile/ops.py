"""theano.compile.ops: as_op, an op made from a Python function (theon.compile_ops)."""
from theon.compile_ops import *  # noqa: F401,F403
from theon.compile_ops import FromFunctionOp, as_op  # noqa: F401
