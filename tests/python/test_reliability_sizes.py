"""Sizes from user numbers never wrap (MemoryError naming the shape and the bytes, or
ValueError for a negative length), slice steps at the int64 extremes are steps, and
user mistakes get user-facing errors rather than internal ones."""
import os
import subprocess
import sys

import numpy as np
import pytest

import theon
import theon.tensor as T
from conftest import BUILD_PYTHON

# The three reports of issue 12, each of which crashed the process (SIGSEGV) or returned
# a wrong value: run in a child so that a regression fails this test, not the whole run.
REPRODUCERS = r"""
import numpy as np
import theon
import theon.tensor as T

n = T.lscalar("n")
def outcome(call):
    try:
        return "value %r" % (call(),)
    except (MemoryError, ValueError) as e:  # the first line: the rest names the node
        return "%s: %s" % (type(e).__name__, str(e).splitlines()[0])

print(outcome(lambda: theon.function([n], T.zeros((n, n)))(2**31)))
print(outcome(lambda: theon.function([n], T.alloc(np.float64(1.0), n, 4).sum())(2**62)))
h0 = T.dscalar("h0")
out, _ = theon.scan(lambda h: h * 0.5 + 1, outputs_info=h0, n_steps=n)
print(outcome(lambda: theon.function([h0, n], out)(0.0, 2**61)))
"""


def test_issue_reproducers_raise_memory_error():
    env = dict(os.environ, PYTHONPATH=BUILD_PYTHON)
    run = subprocess.run([sys.executable, "-c", REPRODUCERS], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    zeros, alloc_sum, scan = run.stdout.splitlines()
    assert zeros.startswith("MemoryError") and "(2147483648, 2147483648)" in zeros, zeros
    assert alloc_sum.startswith("MemoryError") and "(4611686018427387904, 4)" in alloc_sum, alloc_sum
    assert scan.startswith("MemoryError") and "2305843009213693953" in scan, scan


def test_plausible_but_too_large_says_how_many_bytes():
    n = T.lscalar("n")
    f = theon.function([n], T.alloc(np.float64(1.0), n))
    with pytest.raises(MemoryError, match=r"8000000000000 bytes \(7\.28 TiB\).*\(1000000000000,\).*float64"):
        f(10**12)
    assert f(3).tolist() == [1.0, 1.0, 1.0]


def test_negative_length_is_value_error():
    n = T.lscalar("n")
    with pytest.raises(ValueError, match="negative") as info:
        theon.function([n], T.alloc(np.float64(1.0), n, 2))(-1)
    # The op lists its inputs, and the interpreter adds only the node: once each.
    assert str(info.value).count("input 0") == 1
    with pytest.raises(ValueError, match="negative"):
        T.alloc(np.float64(1.0), -1, 2)


def test_reshape_with_wrapping_lengths_is_memory_error():
    x = T.dvector("x")
    a, b = T.lscalar("a"), T.lscalar("b")
    f = theon.function([x, a, b], x.reshape((a, b, -1), ndim=3))
    # 2^62 * 8 wraps to 0: the -1 must not be solved against the wrapped product.
    with pytest.raises(MemoryError, match="reshape"):
        f(np.zeros(4), 2**62, 8)
    assert f(np.arange(4.0), 1, 2).shape == (1, 2, 2)


def test_arange_and_split_lengths_do_not_wrap():
    n = T.lscalar("n")
    with pytest.raises(MemoryError, match="arange"):
        theon.function([n], T.arange(-2**63, n))(2**63 - 1)
    x = T.dvector("x")
    lengths = [T.lscalar(name) for name in "abcd"]
    f = theon.function([x] + lengths, T.split(x, lengths, 4))
    # Lengths that sum to 5 only after wrapping around 2^64.
    with pytest.raises(ValueError, match="lengths"):
        f(np.arange(5.0), 2**62, 2**62, 2**62, 2**62 + 5)
    assert [p.tolist() for p in f(np.arange(5.0), 1, 0, 4, 0)] == [[0.0], [], [1.0, 2.0, 3.0, 4.0], []]


def test_shape_entries_too_large_for_int64_are_overflow_errors():
    with pytest.raises(OverflowError, match="1180591620717411303424"):
        T.zeros((2**70,))
    with pytest.raises(OverflowError, match="18446744073709551616"):
        T.dvector("x").reshape((2**64,))
    with pytest.raises(TypeError, match="shape entry"):
        T.zeros((1.5,))
    with pytest.raises(OverflowError, match="axis 1180591620717411303424"):
        T.dvector("x").sum(axis=2**70)
    with pytest.raises(ValueError, match="axis 1099511627776 is out of range"):
        T.dvector("x").sum(axis=2**40)


def test_slice_step_minus_two_to_the_63_is_a_step():
    x = T.lvector("x")
    s = T.lscalar("s")
    f = theon.function([x, s], x[::s])
    values = np.arange(6)
    for step in [-2**63, 2**63 - 1, -2, 3]:
        assert f(values, step).tolist() == values[::step].tolist(), step
    start = T.lscalar("start")
    g = theon.function([x, start, s], x[start::s])
    assert g(values, 3, -2**63).tolist() == [3]
    assert g(values, -2**63, -1).tolist() == []


def test_too_many_dimensions_is_value_error_naming_the_limit():
    x = T.dvector("x")
    with pytest.raises(ValueError, match="at most 64 dimensions"):
        x.dimshuffle(*([0] + ["x"] * 69))


def test_shared_of_a_huge_int_is_overflow_error():
    with pytest.raises(OverflowError, match="1180591620717411303424.*int64"):
        theon.shared(2**70)
    assert theon.shared(2**63 - 1).get_value() == 2**63 - 1


def test_missing_argument_names_the_function_once():
    x = T.dvector("x")
    f = theon.function([x], x * 2)
    with pytest.raises(TypeError) as info:
        f()
    message = str(info.value)
    assert "argument 0 (x)" in message and message.count("function call") == 1, message


def test_dot_and_broadcast_results_too_large_are_memory_errors():
    # Inputs that hold no elements (or one, broadcast), results of 2^80 elements.
    a, b = T.dmatrix("a"), T.dmatrix("b")
    f = theon.function([a, b], T.dot(a, b))
    with pytest.raises(MemoryError, match=r"\(1099511627776, 1099511627776\)"):
        f(np.zeros((2**40, 0)), np.zeros((0, 2**40)))
    x = T.dvector("x")
    outer = theon.function([x], x.dimshuffle(0, "x") * x.dimshuffle("x", 0))
    with pytest.raises(MemoryError, match=r"\(1099511627776, 1099511627776\)"):
        outer(np.broadcast_to(np.float64(1), (2**40,)))
