"""theano.tests.unittest_tools: Theano's helpers for testing ops, over Theon.

verify_grad and the rest of theon.gradient; seed_rng / fetch_seed (the seed is
config.unittests.rseed when set, else 666, as in Theano); assert_allclose with Theano's
default tolerances; InferShapeTester, whose _compile_and_check checks that an op's
infer_shape gives the shapes of its outputs without computing them.
"""
import unittest
import warnings

import numpy

import theon
from theon.gradient import *  # noqa: F401,F403
from theon.gradient import verify_grad  # noqa: F401

_DEFAULT_SEED = 666


def fetch_seed(pseed=None):
    """The seed tests use: pseed, else config.unittests.rseed, else 666."""
    if pseed is not None:
        return int(pseed)
    unittests = getattr(theon.config, "unittests", None)
    seed = getattr(unittests, "rseed", None) if unittests is not None else None
    try:
        return int(seed)
    except (TypeError, ValueError):
        return _DEFAULT_SEED


def seed_rng(pseed=None):
    """Seeds NumPy's global generator with fetch_seed(pseed) and returns the seed."""
    seed = fetch_seed(pseed)
    numpy.random.seed(seed)
    return seed


class WrongValue(AssertionError):
    """assert_allclose's failure."""


def _tolerances(*arrays):
    narrowest = min((numpy.asarray(a).dtype for a in arrays), key=lambda d: d.itemsize
                    if d.kind in "fc" else 16)
    if narrowest.kind in "fc" and narrowest.itemsize <= 4:
        return 1e-4, 1e-5
    return 1e-5, 1e-8


def assert_allclose(expected, value, rtol=None, atol=None):
    """Raises WrongValue unless value equals expected within Theano's tolerances for
    their dtypes (float32: rtol 1e-4, atol 1e-5; else rtol 1e-5, atol 1e-8)."""
    default_rtol, default_atol = _tolerances(expected, value)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    try:
        numpy.testing.assert_allclose(value, expected, rtol=rtol, atol=atol)
    except AssertionError as e:
        raise WrongValue(str(e)) from None


class InferShapeTester(unittest.TestCase):
    """Base class for testing an op's infer_shape (Theano's utt.InferShapeTester)."""

    def setUp(self):
        seed_rng()
        self.mode = theon.mode.get_default_mode()

    def _compile_and_check(self, inputs, outputs, numeric_inputs, cls, excluding=None,
                           warn=True, check_topo=True):
        """Compiles outputs and their shapes from inputs, checks that the shapes agree with
        the outputs' values on numeric_inputs, and (check_topo) that no node of class `cls`
        is left in the function that computes only the shapes."""
        del excluding  # Theano's rewrite exclusions; Theon computes shapes the same way
        if warn:
            for value in numeric_inputs:
                shape = numpy.shape(value)
                if len(set(shape)) < len(shape):
                    warnings.warn("_compile_and_check: an input has shape %s, with equal "
                                  "dimensions: a swapped shape would go unnoticed" % (shape,))
                    break
        outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        values = theon.function(inputs, outputs, mode=self.mode)(*numeric_inputs)
        shapes_fn = theon.function(inputs, [o.shape for o in outputs], mode=self.mode,
                                   on_unused_input="ignore")
        shapes = shapes_fn(*numeric_inputs)
        for i, (value, shape) in enumerate(zip(values, shapes)):
            assert tuple(numpy.shape(value)) == tuple(int(s) for s in shape), (
                "output %d: infer_shape gives %s, the value has shape %s"
                % (i, tuple(shape), numpy.shape(value)))
        if check_topo and isinstance(cls, type):
            left = [node for node in shapes_fn.maker.fgraph.toposort() if isinstance(node.op, cls)]
            assert not left, "the shape function still computes %s: %s" % (cls.__name__, left)
