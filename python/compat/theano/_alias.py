"""How `import theano.X` finds its module.

In order:
1. a file of this package (python/compat/theano/X.py or X/): modules that only make
   sense under Theano's name (theano.compile's submodules, theano.compat);
2. Theon's module of the same path (theano.tensor.nlinalg is theon.tensor.nlinalg,
   the same object, not a second copy), or the one RENAMED lists;
3. a module Theano had and Theon lacks (UNAVAILABLE): importing it works, and each of
   its names raises NotImplementedError("theano.X.f is not available in Theon yet")
   when used, so that a program gets as far as it can.
Anything else is a ModuleNotFoundError, as before.
"""
import importlib
import importlib.abc
import importlib.util
import os
import sys
import types

_HERE = os.path.dirname(os.path.abspath(__file__))

# Theano modules whose names live in a Theon module of another path.
RENAMED = {
    "theano.tensor.basic": "theon.tensor",
    "theano.tensor.type": "theon.tensor",
    "theano.tensor.var": "theon.tensor",
    "theano.tensor.sharedvar": "theon.tensor",
    "theano.scan_module.scan": "theon.scan_module",
    "theano.sandbox.linalg": "theon.tensor.nlinalg",
}

# Modules Theano had that Theon lacks, with the values some of their names must have
# for a program to take its CPU path (GPU probes answer False).
UNAVAILABLE = {
    "theano.sandbox": {},
    "theano.tensor.signal.conv": {},
    "theano.tensor.nnet.neighbours": {},
    "theano.tensor.nnet.blocksparse": {},
    "theano.tensor.nnet.ctc": {},
    "theano.tensor.raw_random": {},
    "theano.tensor.opt": {},
    "theano.tensor.blas": {},
    "theano.tensor.elemwise": {},
    "theano.tensor.fft": {},
    "theano.gof.opt": {},
    "theano.gof.utils": {},
    "theano.compile.builders": {},
    "theano.sparse": {"enable_sparse": False},
    "theano.sparse.basic": {},
    "theano.typed_list": {},
    "theano.sandbox.cuda": {"cuda_available": False, "cuda_enabled": False},
    "theano.sandbox.cuda.dnn": {"dnn_available": lambda *a, **k: False},
    "theano.sandbox.cuda.basic_ops": {},
    "theano.sandbox.cuda.var": {},
    "theano.gpuarray": {"pygpu_activated": False},
    "theano.gpuarray.dnn": {"dnn_available": lambda *a, **k: False},
    "theano.gpuarray.type": {},
}

# Names Theano had on modules that Theon has, and that Theon still lacks.
UNAVAILABLE_NAMES = {
    "theano": ["OpFromGraph", "Constant", "Type", "Generic",
               "sparse", "sandbox_cuda"],
    "theano.tensor": ["Elemwise", "DimShuffle", "CAReduce", "Subtensor",
                      "Join", "Split", "batched_tensordot", "choose", "chi2sf",
                      "j0", "j1", "i0", "i1"],
    "theano.tensor.nnet": ["neighbours", "images2neibs", "neibs2images", "ctc", "h_softmax",
                           "separable_conv2d"],
    "theano.gradient": ["subgraph_grad", "numeric_grad"],
    "theano.gof": ["Constant", "Type", "Generic", "FunctionGraph", "Container", "COp", "OpenMPOp",
                   "local_optimizer", "opt", "utils"],
}


def unavailable(qualname):
    """A class standing for Theano's `qualname`: it can be imported, named and
    subclassed, and raises NotImplementedError when called or instantiated."""
    message = "%s is not available in Theon yet" % qualname

    def refuse(cls, *args, **kwargs):
        raise NotImplementedError(message)

    return type(qualname.rsplit(".", 1)[-1], (), {
        "__new__": refuse, "__doc__": message, "__module__": qualname.rsplit(".", 1)[0]})


class UnavailableModule(types.ModuleType):
    """A Theano module Theon lacks: every public name is unavailable(...)."""

    def __init__(self, name, values):
        super().__init__(name, "Theano's %s: not available in Theon yet." % name)
        self.__dict__.update(values)

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        qualname = self.__name__ + "." + attr
        if qualname in UNAVAILABLE or qualname in RENAMED:  # a submodule: import it
            return importlib.import_module(qualname)
        value = unavailable(qualname)
        setattr(self, attr, value)
        return value


def _lacking_names_getattr(module_name, names, previous):
    names = frozenset(names)

    def __getattr__(attr):
        if previous is not None:
            try:
                return previous(attr)
            except AttributeError:
                pass
        if attr in names:
            qualname = module_name + "." + attr
            if qualname in UNAVAILABLE:  # a missing submodule (theano.tensor.nnet.neighbours)
                return importlib.import_module(qualname)
            return unavailable(qualname)
        raise AttributeError("module %r has no attribute %r" % (module_name, attr))

    return __getattr__


def add_unavailable_names(module, theano_name):
    """Makes the names Theano had on `theano_name` and Theon lacks resolve (at attribute
    lookup, PEP 562) to unavailable(...) on `module`."""
    names = UNAVAILABLE_NAMES.get(theano_name)
    if names:
        previous = module.__dict__.get("__getattr__")
        module.__getattr__ = _lacking_names_getattr(theano_name, names, previous)


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, make):
        self._make = make
        self._spec = None

    def create_module(self, spec):
        module = self._make()
        self._spec = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module):
        # The import system stamped Theano's spec on Theon's module: give it its own back.
        if self._spec is not None:
            module.__spec__ = self._spec
        add_unavailable_names(module, self._theano_name)


class TheanoFinder(importlib.abc.MetaPathFinder):
    """Resolves theano.X as the module docstring says; first on sys.meta_path."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith("theano.") or self._is_compat_file(fullname):
            return None
        theon_name = RENAMED.get(fullname, "theon." + fullname[len("theano."):])
        if self._theon_has(theon_name):
            loader = _AliasLoader(lambda: importlib.import_module(theon_name))
        elif fullname in UNAVAILABLE:
            loader = _AliasLoader(lambda: UnavailableModule(fullname, UNAVAILABLE[fullname]))
        else:
            return None
        loader._theano_name = fullname
        is_package = fullname in UNAVAILABLE or self._theon_is_package(theon_name)
        return importlib.util.spec_from_loader(fullname, loader, is_package=is_package)

    @staticmethod
    def _is_compat_file(fullname):
        base = os.path.join(_HERE, *fullname.split(".")[1:])
        return os.path.isfile(base + ".py") or os.path.isfile(os.path.join(base, "__init__.py"))

    @staticmethod
    def _theon_has(name):
        if name in sys.modules:
            return True
        try:
            return importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            return False

    @staticmethod
    def _theon_is_package(name):
        module = sys.modules.get(name)
        if module is not None:
            return hasattr(module, "__path__")
        spec = importlib.util.find_spec(name)
        return spec is not None and spec.submodule_search_locations is not None


def install():
    """Puts the finder first on sys.meta_path (once), and aliases the modules already
    imported."""
    if not any(isinstance(f, TheanoFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, TheanoFinder())
