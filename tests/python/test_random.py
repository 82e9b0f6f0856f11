"""Random streams from Python: RandomStreams and MRG_RandomStreams with Theano's
signatures, default updates, state save/replay, dropout under grad, symbolic sizes and
errors. The distributions' math is checked in C++ (tests/cpp/random); these check the
bindings, with moments as a guard against a wrong scale or offset."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.sandbox.rng_mrg import MRG_RandomStreams
from theon.tensor.shared_randomstreams import RandomStreams


@pytest.fixture(params=[RandomStreams, MRG_RandomStreams])
def srng(request):
    return request.param(1234)


def test_uniform_moments_dtype_and_range(srng):
    f = theon.function([], srng.uniform((100, 100), low=-1.0, high=3.0, dtype="float32"))
    v = f()
    assert v.dtype == np.float32 and v.shape == (100, 100)
    assert v.min() >= -1.0 and v.max() < 3.0
    assert abs(v.mean() - 1.0) < 5 * (4 / np.sqrt(12)) / 100
    assert abs(v.var() - 16 / 12.0) < 0.05


def test_normal_moments_default_dtype_is_floatX(srng):
    v = theon.function([], srng.normal((20000,), avg=2.0, std=0.5))()
    assert v.dtype == np.dtype(theon.config.floatX)
    assert abs(v.mean() - 2.0) < 5 * 0.5 / np.sqrt(20000)
    assert abs(v.std() - 0.5) < 0.01


def test_binomial_mask(srng):
    v = theon.function([], srng.binomial(size=(200, 50), p=0.25, dtype="float32"))()
    assert v.dtype == np.float32
    assert set(np.unique(v)) <= {0.0, 1.0}
    assert abs(v.mean() - 0.25) < 5 * np.sqrt(0.25 * 0.75 / 1e4)


def test_mrg_binomial_default_dtype_is_int64():
    v = theon.function([], MRG_RandomStreams(1).binomial(size=(10,), p=0.5))()
    assert v.dtype == np.int64


def test_multinomial_counts_rows(srng):
    pvals = np.array([[0.1, 0.9], [1.0, 0.0]], dtype=theon.config.floatX)
    v = theon.function([], srng.multinomial(n=1000, pvals=pvals))()
    assert v.dtype == np.int64 and v.shape == (2, 2)
    assert list(v.sum(axis=1)) == [1000, 1000]
    assert v[1, 0] == 1000 and abs(v[0, 1] - 900) < 5 * np.sqrt(90)


def test_permutation_choice_random_integers_shuffle():
    srng = RandomStreams(5)
    p = theon.function([], srng.permutation(size=(2,), n=10))()
    assert p.shape == (2, 10) and all(sorted(r) == list(range(10)) for r in p)
    c = theon.function([], srng.choice(size=(8,), a=8, replace=False))()
    assert sorted(c) == list(range(8))
    r = theon.function([], srng.random_integers(size=(5000,), low=3, high=5))()
    assert set(np.unique(r)) == {3, 4, 5}
    x = T.dmatrix("x")
    s = theon.function([x], srng.shuffle_row_elements(x))(np.arange(12.0).reshape(3, 4))
    assert np.array_equal(np.sort(s, axis=1), np.arange(12.0).reshape(3, 4))


def test_default_update_gives_new_values_each_call(srng):
    f = theon.function([], srng.uniform((4,)))
    assert not np.array_equal(f(), f())


def test_no_default_updates_repeats_the_sample(srng):
    u = srng.uniform((4,))
    f = theon.function([], u, no_default_updates=True)
    assert np.array_equal(f(), f())
    state = srng.state_updates[0][0]
    g = theon.function([], u, no_default_updates=[state])
    assert np.array_equal(g(), g())


def test_explicit_updates_replace_the_default(srng):
    u = srng.uniform((4,))
    state, new_state = srng.state_updates[0]
    f = theon.function([], u, updates=[(state, state)])  # the user's update wins: no advance
    assert np.array_equal(f(), f())


def test_saved_state_replays(srng):
    f = theon.function([], srng.normal((6,)))
    saved = [s.get_value() for s, _ in srng.state_updates]
    first = f()
    f()
    for (s, _), v in zip(srng.state_updates, saved):
        s.set_value(v)
    assert np.array_equal(f(), first)


def test_same_seed_same_values_and_seed_restarts():
    a, b = RandomStreams(7), RandomStreams(7)
    fa = theon.function([], a.uniform((5,)))
    fb = theon.function([], b.uniform((5,)))
    first = fa()
    assert np.array_equal(first, fb())
    a.seed(7)
    assert np.array_equal(fa(), first)


def test_symbolic_sizes(srng):
    x = T.fmatrix("x")
    n = T.lscalar("n")
    f = theon.function([x, n], [srng.uniform(x.shape, dtype="float32"), srng.normal((n, 3))])
    a, b = f(np.zeros((2, 5), np.float32), 4)
    assert a.shape == (2, 5) and b.shape == (4, 3)


def test_dropout_gradient_flows_through_the_mask(srng):
    x = T.dvector("x")
    mask = srng.binomial(size=x.shape, p=0.5, dtype="float64")
    g = T.grad(T.sum(x * mask / 0.5), x)
    f = theon.function([x], [g, mask], no_default_updates=True)
    grad, m = f(np.full(50, 3.0))
    assert np.array_equal(grad, m / 0.5)


def test_dropout_training_step_learns(srng):
    rng = np.random.RandomState(0)
    data = rng.randn(64, 8)
    target = data @ rng.randn(8)
    x, y = T.dmatrix("x"), T.dvector("y")
    w = theon.shared(np.zeros(8), "w")
    keep = srng.binomial(size=x.shape, p=0.8, dtype="float64")
    cost = T.mean((T.dot(x * keep / 0.8, w) - y) ** 2)
    step = theon.function([x, y], cost, updates=[(w, w - 0.05 * T.grad(cost, w))])
    costs = [float(step(data, target)) for _ in range(60)]
    assert costs[-1] < 0.5 * costs[0]


def test_default_update_attribute():
    c = theon.shared(0, "c")
    c.default_update = c + 1
    f = theon.function([], c * 2)
    f()
    f()
    assert c.get_value() == 2
    # Default updates are collected when compiling: a new function sees the change.
    c.default_update = None
    assert c.default_update is None
    g = theon.function([], c * 2)
    g()
    assert c.get_value() == 2


def test_errors(srng):
    with pytest.raises(ValueError, match="negative"):
        srng.uniform((-1, 3))
    with pytest.raises(TypeError, match="int32"):
        srng.normal((3,), dtype="int32")
    n = T.lscalar("n")
    f = theon.function([n], srng.uniform((n,)))
    with pytest.raises(ValueError, match="negative length"):
        f(-2)
    p = T.dscalar("p")
    g = theon.function([p], srng.binomial(size=(3,), n=2, p=p))
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        g(1.5)


def test_draws_inside_scan_advance_step_by_step_and_call_by_call(srng):
    # Gibbs sampling draws inside the loop (an RBM's chain): each step and each call
    # gets new numbers, through the updates scan returns (Theano's rule).
    def step(prev):
        return prev + srng.uniform(size=(3,), dtype="float64")

    steps, updates = theon.scan(step, outputs_info=T.zeros((3,), dtype="float64"), n_steps=4)
    assert len(updates) == 1  # the state of the draw in the step
    f = theon.function([], steps, updates=updates)
    first, second = f(), f()
    increments = np.diff(np.vstack([np.zeros(3), first]), axis=0)
    assert len({tuple(row) for row in increments}) == 4  # a new draw at every step
    assert ((increments >= 0) & (increments < 1)).all()
    assert not np.array_equal(first, second)  # and at every call


def test_forgetting_scans_updates_says_what_to_do(srng):
    steps, _ = theon.scan(lambda prev: prev * srng.uniform(size=(2,), dtype="float64"),
                          outputs_info=T.ones((2,), dtype="float64"), n_steps=3)
    with pytest.raises(ValueError, match="updates scan returns"):
        theon.function([], steps)
    # Without default updates at all, the loop's draws stay where they were.
    f = theon.function([], steps, no_default_updates=True)
    np.testing.assert_array_equal(f(), f())


def test_a_draw_sized_by_an_input_that_givens_replaces(srng):
    # Dropout sized by x.shape, x given as a minibatch of a shared dataset: the state's
    # default update reads x, which givens supplies (the tutorials' pattern).
    data = theon.shared(np.ones((6, 3)))
    x = T.dmatrix("x")
    index = T.lscalar("index")
    mask = srng.binomial(size=x.shape, p=0.5, dtype="float64")
    f = theon.function([index], x * mask, givens={x: data[index * 2:(index + 1) * 2]})
    first, second = f(0), f(0)
    assert first.shape == (2, 3) and set(np.unique(first)) <= {0.0, 1.0}
    assert not np.array_equal(first, second) or not np.array_equal(second, f(0))


# ---- draws evaluated inside fused loops (issue 13: dropout masks cost no extra pass) ----

def _dropout(seed, mode=None, dtype="float32"):
    x = T.matrix("x", dtype=dtype)
    srng = RandomStreams(seed)
    y = x * srng.binomial(size=x.shape, p=0.5, dtype=dtype) / 0.5
    return theon.function([x], y, mode=mode), srng


def _op_names(f):
    return [node.op.name for node in f.maker.fgraph.toposort()]


def test_dropout_mask_is_drawn_inside_the_fused_loop_with_the_ops_values():
    from theon.mode import Mode
    fused, s1 = _dropout(5)
    ops = _op_names(fused)
    assert "random_uniform" not in ops and "random_advance" in ops, ops
    plain, s2 = _dropout(5, Mode().excluding("fusion"))
    assert "random_uniform" in _op_names(plain)
    x = np.random.default_rng(0).standard_normal((301, 257)).astype("float32")
    for _ in range(3):  # each call draws anew, and the states advance alike
        np.testing.assert_array_equal(fused(x), plain(x))
        for (a, _), (b, _) in zip(s1.state_updates, s2.state_updates):
            np.testing.assert_array_equal(a.get_value(), b.get_value())


def test_fused_uniform_values_are_the_ops_bit_for_bit():
    from theon.mode import Mode
    for dtype in ("float32", "float64"):
        outs = []
        for mode in (None, Mode().excluding("fuse_random")):
            x = T.matrix("x", dtype=dtype)
            srng = RandomStreams(9)
            f = theon.function([x], srng.uniform(size=x.shape, dtype=dtype) * x, mode=mode)
            ones = np.ones((129, 1031), dtype=dtype)
            outs.append([f(ones) for _ in range(2)])
        for a, b in zip(*outs):
            np.testing.assert_array_equal(a, b)


def test_a_sample_read_elsewhere_is_still_written():
    x = T.fmatrix("x")
    srng = RandomStreams(2)
    u = srng.uniform(size=x.shape, dtype="float32")
    f = theon.function([x], [x * u, u])
    assert "random_uniform" in _op_names(f)
    data = np.full((10, 20), 2.0, dtype="float32")
    y, sample = f(data)
    np.testing.assert_array_equal(y, 2 * sample)


def test_fused_draws_do_not_depend_on_the_thread_count():
    # Large enough that the fused loop splits over threads when it has several.
    import os
    import subprocess
    import sys
    from conftest import BUILD_PYTHON
    code = ("import numpy as np, theon, theon.tensor as T, hashlib\n"
            "from theon.tensor.shared_randomstreams import RandomStreams\n"
            "x = T.fmatrix('x'); srng = RandomStreams(3)\n"
            "f = theon.function([x], x * srng.binomial(size=x.shape, p=0.3, dtype='float32')"
            " + srng.uniform(size=x.shape, dtype='float32'))\n"
            "assert 'random_uniform' not in [n.op.name for n in f.maker.fgraph.toposort()]\n"
            "d = np.ones((1500, 1001), dtype='float32')\n"
            "print(hashlib.sha256(f(d).tobytes() + f(d).tobytes()).hexdigest())\n")
    digests = set()
    for threads in ("1", "3"):
        env = dict(os.environ, OMP_NUM_THREADS=threads, PYTHONPATH=BUILD_PYTHON)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        digests.add(out.stdout.strip())
    assert len(digests) == 1, digests
