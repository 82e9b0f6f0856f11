"""Gaps that Theano's documentation examples showed (scripts/check_theano_doc_examples.py,
docs/theano_doc_examples.md), each fixed and checked here on our own examples."""
import os
import subprocess
import sys

import numpy as np
import pytest

import theon
import theon.tensor as T
from conftest import BUILD_PYTHON, COMPAT


# ---- TensorType prints as Theano's, and x.type is the constructor of its kind ----

@pytest.mark.parametrize("ctor, text", [
    (T.dscalar, "TensorType(float64, scalar)"), (T.fvector, "TensorType(float32, vector)"),
    (T.imatrix, "TensorType(int32, matrix)"), (T.drow, "TensorType(float64, row)"),
    (T.lcol, "TensorType(int64, col)"), (T.dtensor3, "TensorType(float64, 3D)"),
    (T.TensorType("float32", (False,) * 5), "TensorType(float32, 5D)"),
    (T.TensorType("int8", (True, False, True)), "TensorType(int8, (True, False, True))"),
    (T.TensorType("float64", (True,)), "TensorType(float64, (True,))"),
])
def test_tensor_type_prints_theano_name(ctor, text):
    assert repr(ctor) == text
    assert repr(ctor("v").type) == text


def test_variable_type_is_the_constructor_of_its_kind():
    x = T.dscalar("x")
    assert x.type is T.dscalar
    assert (x * 2 + 1).type is T.dscalar
    assert T.fmatrix().T.type is T.fmatrix
    assert theon.shared(np.zeros((2, 3))).type is T.dmatrix
    # A TensorType built by hand still equals (and hashes as) the constructor.
    made = T.TensorType("float64", ())
    assert made == T.dscalar and hash(made) == hash(T.dscalar)
    assert T.TensorType("float64", (False,) * 6)("a").type is T.TensorType("float64", (False,) * 6)("b").type


def test_type_str_stays_short():
    assert str(T.dmatrix) == "float64 matrix"
    assert str(T.dvector()) == "<TensorType(float64, vector)>"


# ---- theano.printing.pprint is pp ----

def test_printing_pprint_is_pp():
    x = T.dvector("x")
    assert theon.printing.pprint(T.exp(x) + 1) == theon.printing.pp(T.exp(x) + 1)
    assert "pprint" in theon.printing.__all__


# ---- theano.tests.unittest_tools and theano.tests.test_rop (op authors' test helpers) ----

def run_theano(code):
    import textwrap
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([COMPAT, BUILD_PYTHON])
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_unittest_tools_infer_shape_tester_and_assert_allclose():
    out = run_theano("""
        import numpy as np, theano, theano.tensor as T
        from theano.tests import unittest_tools as utt

        assert utt.fetch_seed() == 666 and utt.fetch_seed(3) == 3
        utt.seed_rng(); a = np.random.rand(); utt.seed_rng(); assert np.random.rand() == a
        utt.assert_allclose(np.float32([1, 2]), np.float32([1, 2.00001]))
        try:
            utt.assert_allclose(np.float64([1, 2]), np.float64([1, 2.001]))
        except AssertionError:
            print("WrongValue")

        class DoubleOp(theano.Op):  # no infer_shape: its shape needs its value
            __props__ = ()
            def make_node(self, x):
                x = T.as_tensor_variable(x)
                return theano.Apply(self, [x], [x.type()])
            def perform(self, node, inputs, out):
                out[0][0] = inputs[0] * 2

        class Case(utt.InferShapeTester):
            def runTest(self):
                pass

        case = Case(); case.setUp()
        x = T.matrix()
        value = np.random.rand(3, 4).astype(theano.config.floatX)
        case._compile_and_check([x], [x.T * 2, x.sum(axis=0)], [value], None)
        case._compile_and_check([x], [DoubleOp()(x)], [value], DoubleOp, check_topo=False)
        try:
            case._compile_and_check([x], [DoubleOp()(x)], [value], DoubleOp)
        except AssertionError as e:
            print("caught", "still computes DoubleOp" in str(e))
    """)
    assert out.split() == ["WrongValue", "caught", "True"]


def test_roplop_checker_checks_rop_and_lop_against_the_jacobian():
    out = run_theano("""
        import theano.tensor as T
        from theano.tests.test_rop import RopLop_checker

        class Case(RopLop_checker):
            def runTest(self):
                pass

        case = Case(); case.setUp()
        assert case.x.ndim == 1 and case.mx.ndim == 2 and 5 <= case.in_shape[0] <= 7
        case.check_rop_lop(T.tanh(case.x) * case.x, case.in_shape)
        case.check_mat_rop_lop(T.exp(case.mx).sum(axis=1), (case.mat_in_shape[0],))
        print("ok")
    """)
    assert out.split() == ["ok"]


def test_other_theano_tests_names_are_placeholders():
    out = run_theano("""
        import theano.tests
        try:
            theano.tests.breakpoint.PdbBreakpoint("x")
        except NotImplementedError as e:
            print("NotImplementedError", "theano.tests.breakpoint" in str(e))
    """)
    assert out.split() == ["NotImplementedError", "True"]
