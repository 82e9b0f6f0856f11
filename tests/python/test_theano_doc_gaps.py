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
