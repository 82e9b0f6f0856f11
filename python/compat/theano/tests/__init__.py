"""theano.tests: the helpers of Theano's test suite that programs and op authors use
(unittest_tools, test_rop.RopLop_checker). Theano's own test modules are not here; their
other submodules (theano.tests.breakpoint, ...) are the alias's placeholder modules
(_alias.py): their names raise NotImplementedError when used."""
from .. import _alias
from . import test_rop, unittest_tools  # noqa: F401  (before __getattr__ could shadow them)


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    # Theano's other theano.tests.X are modules (breakpoint, main, ...): each is a
    # placeholder module whose names raise NotImplementedError when used.
    module = _alias.UnavailableModule("theano.tests." + name, {})
    globals()[name] = module
    return module
