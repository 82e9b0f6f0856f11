"""Test values (config.compute_test_value, x.tag.test_value), as Theano's debugging FAQ
uses them: errors at the line that builds the bad node, before any function exists."""
import os
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.tensor as T
from conftest import BUILD_PYTHON, COMPAT


@pytest.fixture
def mode():
    """Sets compute_test_value for one test: mode('raise')."""
    saved = theon.config.compute_test_value

    def set_mode(value):
        theon.config.compute_test_value = value

    yield set_mode
    theon.config.compute_test_value = saved


# Theano's doc/tutorial/debug_faq.txt, "Using Test Values", with the test value given.
DEBUG_FAQ = textwrap.dedent("""\
    import numpy
    import theano
    import theano.tensor as T

    theano.config.compute_test_value = 'raise'

    W1val = numpy.random.rand(2, 10, 10).astype(theano.config.floatX)
    W1 = theano.shared(W1val, 'W1')
    W2val = numpy.random.rand(15, 20).astype(theano.config.floatX)
    W2 = theano.shared(W2val, 'W2')

    x = T.matrix('x')
    x.tag.test_value = numpy.random.rand(5, 10)

    func_of_W1 = W1.dimshuffle(2, 0, 1).flatten(2).T

    h1 = T.dot(x, func_of_W1)

    h2 = T.dot(h1, W2.T)
    print("not reached")
    """)


def test_debug_faq_example_raises_at_the_product(tmp_path):
    script = tmp_path / "debug_faq.py"
    script.write_text(DEBUG_FAQ)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([COMPAT, BUILD_PYTHON])
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "not reached" not in result.stdout
    line = DEBUG_FAQ.splitlines().index("h1 = T.dot(x, func_of_W1)") + 1
    # The traceback's last line of the script is the product, and the message names it.
    script_lines = [ln for ln in result.stderr.splitlines() if 'debug_faq.py", line' in ln]
    assert script_lines and script_lines[-1].strip().startswith('File "%s", line %d' % (script, line)), \
        result.stderr
    assert "debug_faq.py:%d" % line in result.stderr
    assert "computing test values" in result.stderr
    assert "(5, 10)" in result.stderr and "(20, 10)" in result.stderr


def test_values_flow_through_ops(mode):
    mode("raise")
    x = T.dmatrix("x")
    x.tag.test_value = np.array([[1.0, 2.0], [3.0, 4.0]])
    W = theon.shared(np.array([[1.0, -1.0], [0.5, 2.0]]), "W")
    y = T.sum(T.exp(T.dot(x, W)), axis=1)[1:]
    xv, wv = x.tag.test_value, W.get_value()
    assert_allclose(y.tag.test_value, np.exp(xv @ wv).sum(axis=1)[1:])


def test_off_computes_nothing(mode):
    mode("off")
    x = T.dvector("x")
    x.tag.test_value = np.ones(3)
    y = x * 2
    assert not hasattr(y.tag, "test_value")


def test_raise_on_missing_value_names_the_variable(mode):
    mode("raise")
    x = T.dvector("x")
    x.tag.test_value = np.ones(3)
    missing = T.dvector("missing")
    with pytest.raises(ValueError, match="missing"):
        x + missing


def test_pdb_without_a_terminal_raises(mode):
    mode("pdb")
    with pytest.raises(ValueError, match="has no test value"):
        T.exp(T.dvector("v"))


def test_warn_warns_and_computes_nothing(mode):
    mode("warn")
    x = T.dvector("x")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = T.exp(x)
    assert not hasattr(y.tag, "test_value")
    assert len(caught) == 1 and "has no test value" in str(caught[0].message)
    assert caught[0].filename == __file__


def test_ignore_is_silent(mode):
    mode("ignore")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = T.exp(T.dvector("x"))
    assert not hasattr(y.tag, "test_value")


def test_tag_test_value_converts_like_theano(mode):
    mode("raise")
    x = T.fmatrix("x")
    x.tag.test_value = [[1, 2], [3, 4]]  # ints that fit exactly
    assert x.tag.test_value.dtype == np.float32
    x.tag.test_value = np.ones((2, 2), dtype=np.int8)  # a safe upcast
    assert x.tag.test_value.dtype == np.float32
    with pytest.raises(TypeError, match="loss of precision"):
        x.tag.test_value = np.ones((2, 2), dtype=np.float64)
    with pytest.raises(TypeError, match="wrong number of dimensions"):
        x.tag.test_value = np.ones(3, dtype=np.float32)
    r = T.drow("r")
    with pytest.raises(TypeError, match="broadcastable"):
        r.tag.test_value = np.ones((2, 3))
    i = T.ivector("i")
    with pytest.raises(TypeError, match="without changing its value"):
        i.tag.test_value = [1.5, 2.0]


def test_tag_is_shared_by_every_wrapper_of_a_variable(mode):
    mode("raise")
    x = T.dvector("x")
    x.tag.test_value = np.arange(3.0)
    y = x + 1
    same_x = y.owner.inputs[0]  # another Python wrapper of x
    assert_allclose(same_x.tag.test_value, np.arange(3.0))
    x.tag.note = "free attributes still work"
    assert x.tag.note == "free attributes still work"
    del x.tag.test_value
    assert not hasattr(x.tag, "test_value")


def test_get_test_value_and_debug_error_message(mode):
    mode("raise")
    from theon.gof.op import debug_error_message, get_test_value
    assert get_test_value(3.0) == 3.0
    s = theon.shared(np.arange(2.0))
    assert_allclose(get_test_value(s), [0.0, 1.0])
    with pytest.raises(AttributeError):
        get_test_value(T.dvector())
    with pytest.raises(ValueError, match="bad"):
        debug_error_message("bad")
    mode("warn")
    with pytest.warns(UserWarning, match="bad"):
        debug_error_message("bad")


def test_print_test_value_in_repr(mode):
    mode("raise")
    x = T.dvector("x")
    x.tag.test_value = np.array([1.5, 2.5])
    saved = theon.config.print_test_value
    try:
        theon.config.print_test_value = True
        assert "1.5" in repr(x)
        theon.config.print_test_value = False
        assert "1.5" not in repr(x)
    finally:
        theon.config.print_test_value = saved


def test_scan_and_ifelse_values(mode):
    mode("raise")
    from theon.ifelse import ifelse
    x = T.dvector("x")
    x.tag.test_value = np.array([1.0, 2.0, 3.0])
    out, _ = theon.scan(lambda v, acc: acc + v, sequences=[x], outputs_info=[np.float64(0.0)])
    assert_allclose(out.tag.test_value, [1.0, 3.0, 6.0])
    g = T.grad(T.sum(out ** 2), x)  # scan's gradient: a second loop, valued as well
    assert_allclose(g.tag.test_value, theon.function([x], g)(x.tag.test_value))
    c = T.iscalar("c")
    c.tag.test_value = 0
    other = T.dvector("other")  # no value: not the branch taken
    assert_allclose(ifelse(c, other, x * 2).tag.test_value, [2.0, 4.0, 6.0])


def test_functions_ignore_test_values(mode):
    mode("raise")
    x = T.dvector("x")
    x.tag.test_value = np.zeros(2)
    y = T.log(1 + T.exp(x)) + T.grad(T.sum(x ** 2), x)
    f = theon.function([x], y)
    v = np.array([0.5, -1.0])
    assert_allclose(f(v), np.log1p(np.exp(v)) + 2 * v)
    assert_allclose(y.tag.test_value, np.log(2.0) * np.ones(2))
