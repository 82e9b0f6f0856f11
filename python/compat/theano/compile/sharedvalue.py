"""theano.compile.sharedvalue: shared variables."""
from theon.compile import shared  # noqa: F401
from theon._theon import SharedVariable  # noqa: F401
