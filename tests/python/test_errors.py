"""C++ errors as Python exceptions with the core's message and the user's Python line."""
import os

import numpy as np
import pytest

import theon
import theon.tensor as T

HERE = os.path.basename(__file__)


def test_type_error():
    v = T.dvector("v")
    with pytest.raises(TypeError, match="v"):
        T.and_(v, 1)  # bitwise operations need integers


def test_shape_error_is_value_error_and_names_line():
    x = T.dvector("x")  # the line this variable is made at
    line = test_shape_error_is_value_error_and_names_line.__code__.co_firstlineno + 1
    y = T.dvector("y")
    f = theon.function([x, y], x + y)
    with pytest.raises(theon.ShapeError) as info:
        f(np.zeros(3), np.zeros(4))
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert "%s:%d" % (HERE, line) in message, message


def test_variables_record_python_locations():
    x = T.dscalar("x")
    line = test_variables_record_python_locations.__code__.co_firstlineno + 1
    assert x.loc.startswith("python/%s:%d" % (HERE, line)) or ("%s:%d" % (HERE, line)) in x.loc
    y = x * 2
    assert ("%s:%d" % (HERE, line + 3)) in y.owner.loc


def test_argument_type_error():
    i = T.iscalar("i")
    f = theon.function([i], i * 2)
    with pytest.raises(TypeError, match="i"):
        f(1.5)
    with pytest.raises(TypeError):
        f()


def test_index_error():
    x = T.dvector("x")
    f = theon.function([x], x[5])
    with pytest.raises(IndexError):
        f(np.zeros(3))


def test_update_type_mismatch():
    s = theon.shared(np.zeros(2, dtype=np.float32), name="s")
    with pytest.raises(TypeError, match="s"):
        theon.function([], [], updates=[(s, T.cast(s, "float64") * 2)])


def test_failed_call_changes_no_shared_variable():
    s = theon.shared(1.0)
    x = T.dvector("x")
    f = theon.function([x], x + x[:2], updates=[(s, s + 1)])
    with pytest.raises(ValueError):
        f(np.zeros(3))
    assert s.get_value() == 1.0
