"""theano.compile.function_module: the compiled function's class and its maker."""
from theon.compile import FunctionMaker, function  # noqa: F401
from theon._theon import Function  # noqa: F401
