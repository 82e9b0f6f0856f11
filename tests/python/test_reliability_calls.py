"""The call path under stress: threads, Ctrl-C, unsigned dtypes, shared variables as
inputs, outputs that view arguments or constants, failures after the computation."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import theon
import theon.tensor as T


# ---- threads ----

class ArrayLike:
    """An array-like whose conversion runs Python code (a thread switch may happen)."""

    def __init__(self, values):
        self.values = values

    def __array__(self, dtype=None):
        time.sleep(0)
        return np.asarray(self.values, dtype=dtype)


def test_one_function_from_several_python_threads():
    x, y, z = T.dvector("x"), T.dvector("y"), T.dvector("z")
    f = theon.function([x, y, z], x * 2 + y - z)
    wrong, errors = [], []

    def work(k):
        try:
            for i in range(200):
                a = [float(k), float(i), 1.0]
                b = ArrayLike([1.0, 1.0, float(k)])
                c = np.array([0.0, float(i), 0.0])
                out = f(a, b, c) if i % 2 else f(x=a, y=b, z=c)
                want = np.array(a) * 2 + np.array(b.values) - c
                if not np.array_equal(out, want):
                    wrong.append((k, i))
        except Exception as e:  # noqa: BLE001 - the test reports every failure
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert wrong == []


def test_long_calls_let_other_threads_run():
    n = T.lscalar("n")
    r, _ = theon.scan(lambda h: h * 0.5 + 1.0, outputs_info=[T.constant(0.0)], n_steps=n)
    f = theon.function([n], r[-1])
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)

    t = threading.Thread(target=ticker)
    f(2000)
    start = time.monotonic()
    t.start()
    f(200000)
    elapsed = time.monotonic() - start
    done.set()
    t.join()
    if elapsed > 0.2:  # only meaningful when the call is long enough to observe
        assert len(ticks) >= 5


# ---- unsigned dtypes ----

INPUTS = {"int8": T.bvector, "int16": T.wvector, "int32": T.ivector, "int64": T.lvector,
          "float32": T.fvector, "float64": T.dvector}


@pytest.mark.parametrize("unsigned", ["uint8", "uint16", "uint32", "uint64"])
@pytest.mark.parametrize("target", sorted(INPUTS))
def test_unsigned_arrays_follow_numpy_casting(unsigned, target):
    x = INPUTS[target]("x")
    f = theon.function([x], x)
    data = np.array([0, 1, np.iinfo(unsigned).max], dtype=unsigned)
    if np.can_cast(unsigned, target):
        out = f(data)
        assert out.dtype == np.dtype(target)
        assert np.array_equal(out, data.astype(target))
    else:
        with pytest.raises(TypeError):
            f(data)


def test_uint64_into_float_vector_is_exact():
    x = T.dvector("x")
    f = theon.function([x], x)
    out = f(np.array([2 ** 64 - 1], dtype=np.uint64))
    assert out[0] == 1.8446744073709552e19
    assert f([2 ** 64 - 1])[0] == 1.8446744073709552e19


def test_big_python_ints_never_wrap():
    d, l = T.dscalar("d"), T.lscalar("l")
    assert theon.function([d], d)(2 ** 64 - 1) == 1.8446744073709552e19
    with pytest.raises(TypeError):
        theon.function([l], l)(2 ** 64 - 1)
    with pytest.raises(TypeError):
        theon.function([l], l)(np.uint64(2 ** 64 - 1))


def test_uint64_shared_value_never_wraps():
    with pytest.raises(TypeError):
        theon.shared(np.array([2 ** 64 - 1], dtype=np.uint64))
    small = theon.shared(np.array([5], dtype=np.uint64))
    assert small.get_value().tolist() == [5]


# ---- shared variables as inputs ----

def test_shared_variable_as_input_is_refused():
    w = theon.shared(np.zeros(3), "w")
    with pytest.raises(TypeError, match="givens"):
        theon.function([w], w * 2)
    x = T.dvector("x")
    g = theon.function([x], w * 2, givens=[(w, x)])
    assert np.array_equal(g(np.ones(3)), [2.0, 2.0, 2.0])


# ---- outputs that view arguments, shared values or constants ----

def test_output_viewing_an_argument_is_a_copy():
    x = T.dvector("x")
    f = theon.function([x], x[::-1])
    a = np.arange(100.0)
    y = f(a)
    a[:] = 0
    assert np.array_equal(y, np.arange(100.0)[::-1])


def test_borrowed_output_may_view_the_argument():
    x = T.dvector("x")
    f = theon.function([x], theon.Out(x[::-1], borrow=True))
    a = np.arange(100.0)
    assert np.shares_memory(f(a), a)


def test_output_viewing_a_shared_value_is_a_copy():
    w = theon.shared(np.arange(100.0), "w")
    f = theon.function([], w[::-1])
    y = f()
    y[:] = -1
    assert np.array_equal(w.get_value(), np.arange(100.0))


def test_writing_into_a_result_never_changes_a_constant():
    c = T.constant(np.arange(100.0))
    f = theon.function([], c[::-1], mode="NONE")
    y = f()
    y[:] = 7
    assert np.array_equal(f(), np.arange(100.0)[::-1])
    assert np.array_equal(theon.function([], c * 1, mode="NONE")(), np.arange(100.0))


# ---- nothing commits when the call fails ----

def test_update_not_committed_when_the_output_cannot_become_numpy():
    w = theon.shared(np.array(1.0), "w")
    x = T.dvector("x")
    big = x.dimshuffle(["x"] * 32 + [0])  # 33 dimensions: more than NumPy takes
    f = theon.function([x], big, updates=[(w, w + 1)])
    with pytest.raises(ValueError):
        f(np.ones(2))
    assert w.get_value() == 1.0


def test_missing_argument_message_names_the_function_once():
    a, b = T.dscalars("a", "b")
    f = theon.function([a, b], a + b)
    with pytest.raises(TypeError) as info:
        f(b=1.0)
    assert str(info.value).count("function call") == 1
    assert "Missing required input: argument 0 (a)" in str(info.value)  # Theano's wording


# ---- Ctrl-C ----

CHILD = textwrap.dedent("""
    import signal, sys, time
    import numpy as np
    import theon, theon.tensor as T

    # Python's own Ctrl-C handling, even when this test runs in a background job, which
    # starts every process with SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    n = T.lscalar("n")
    total = theon.shared(np.array(0.0), "total")
    r, _ = theon.scan(lambda h: h * 0.5 + 1.0, outputs_info=[T.constant(0.0)], n_steps=n)
    f = theon.function([n], r[-1], updates=[(total, total + r[-1])])
    for _ in range(5):
        f(100)  # warm: short calls keep the GIL
    before = float(total.get_value())
    print("ready", flush=True)
    try:
        f(2_000_000_000)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted %.6f" % time.monotonic(), flush=True)
    print("unchanged" if float(total.get_value()) == before else "changed", flush=True)
    print("again %.3f" % float(f(10)), flush=True)
""")


def test_ctrl_c_stops_a_long_call_and_commits_nothing():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.5)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    lines = out.split("\n")
    assert lines[0].startswith("interrupted"), out
    assert float(lines[0].split()[1]) - sent < 1.0
    assert lines[1] == "unchanged"
    assert lines[2].startswith("again 1.99"), out
