"""theano.compile.function: `from theano.compile.function import function`."""
from theon.compile import function  # noqa: F401
