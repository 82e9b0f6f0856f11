"""theano.compile.io: In and Out (Theano's SymbolicInput/SymbolicOutput are the same)."""
from theon.function_inputs import Container, In, Out, SymbolicInput, SymbolicOutput  # noqa: F401
