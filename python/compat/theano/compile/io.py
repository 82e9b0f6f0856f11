"""theano.compile.io: In and Out (Theano's SymbolicInput/SymbolicOutput are the same)."""
from theon.compile import In, Out  # noqa: F401

SymbolicInput = In
SymbolicOutput = Out
