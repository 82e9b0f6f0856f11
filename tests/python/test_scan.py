"""theon.scan with Theano's signature: arguments, return values, updates, gradients."""
import os
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.tensor as T
from conftest import BUILD_PYTHON, COMPAT, ROOT
from theon.mode import get_mode


def test_scan_returns_outputs_and_updates():
    x = T.dvector("x")
    out, updates = theon.scan(lambda x_t, acc: acc + x_t, sequences=x, outputs_info=T.constant(0.0))
    assert isinstance(updates, OrderedDict) and len(updates) == 0
    f = theon.function([x], out, updates=updates)
    assert_allclose(f([1.0, 2.0, 3.0]), [1.0, 3.0, 6.0])


def test_literal_initial_value_takes_the_step_dtype():
    y = T.dvector("y")
    out, _ = theon.scan(lambda y_t, acc: acc + y_t * 0.5, sequences=y, outputs_info=0)
    assert out.dtype == "float64"
    assert_allclose(theon.function([y], out)([1.0, 2.0]), [0.5, 1.5])


def test_sequence_and_output_taps_as_dicts():
    x = T.dvector("x")
    init = T.dvector("init")
    out, _ = theon.scan(lambda a, b, h2, h1: h1 + h2 + a * b,
                        sequences=dict(input=x, taps=[-1, 1]),
                        outputs_info=dict(initial=init, taps=[-2, -1]))
    f = theon.function([x, init], out)
    xv = np.array([1.0, 2.0, 3.0, 4.0])
    h = [0.0, 1.0]
    for t in range(2):
        h.append(h[-1] + h[-2] + xv[t] * xv[t + 2])
    assert_allclose(f(xv, [0.0, 1.0]), h[2:])


def test_none_outputs_info_and_non_sequences():
    x = T.dmatrix("x")
    w = T.dvector("w")
    (rows, total), _ = theon.scan(lambda r, acc, w: [T.dot(r, w), acc + r.sum()], sequences=[x],
                                  outputs_info=[None, T.constant(0.0)], non_sequences=w)
    f = theon.function([x, w], [rows, total])
    got = f(np.arange(6.0).reshape(3, 2), np.array([1.0, -1.0]))
    assert_allclose(got[0], [-1.0, -1.0, -1.0])
    assert_allclose(got[1], [1.0, 6.0, 15.0])


def test_n_steps_powers():
    A = T.dvector("A")
    k = T.iscalar("k")
    result, updates = theon.scan(fn=lambda prior, A: prior * A, outputs_info=T.ones_like(A),
                                 non_sequences=A, n_steps=k)
    f = theon.function([A, k], result[-1], updates=updates)
    assert_allclose(f(np.arange(5.0), 3), np.arange(5.0) ** 3)


def test_step_updates_shared_variable():
    count = theon.shared(0, name="count")
    x = T.dvector("x")

    def step(x_t):
        return x_t * 2, {count: count + 1}

    out, updates = theon.scan(step, sequences=x)
    assert list(updates.keys()) == [count]
    f = theon.function([x], out, updates=updates)
    assert_allclose(f([1.0, 2.0, 3.0]), [2.0, 4.0, 6.0])
    assert count.get_value() == 3


def test_go_backwards_and_return_list():
    x = T.dvector("x")
    out, _ = theon.scan(lambda v: v * 1, sequences=x, go_backwards=True, return_list=True)
    assert isinstance(out, list) and len(out) == 1
    assert_allclose(theon.function([x], out[0])([1.0, 2.0, 3.0]), [3.0, 2.0, 1.0])


def test_map_reduce_foldl_foldr():
    x = T.dvector("x")
    squares, _ = theon.map(lambda v: v ** 2, x)
    total, _ = theon.reduce(lambda v, acc: acc + v, x, T.constant(0.0))
    left, _ = theon.foldl(lambda v, acc: acc * 10 + v, x, T.constant(0.0))
    right, _ = theon.foldr(lambda v, acc: acc * 10 + v, x, T.constant(0.0))
    f = theon.function([x], [squares, total, left, right])
    got = f([1.0, 2.0, 3.0])
    assert_allclose(got[0], [1.0, 4.0, 9.0])
    assert_allclose([got[1], got[2], got[3]], [6.0, 123.0, 321.0])


def test_gradient_through_scan():
    x = T.dvector("x")
    w = T.dscalar("w")
    out, _ = theon.scan(lambda x_t, h, w: w * h + x_t, sequences=x, outputs_info=T.constant(0.0),
                        non_sequences=w)
    gx, gw = theon.grad(out[-1], [x, w])
    f = theon.function([x, w], [gx, gw])
    got = f([1.0, 2.0, 3.0], 0.5)
    assert_allclose(got[0], [0.25, 0.5, 1.0])
    # h2 = w^2 x0 + w x1 + x2: d/dw = 2 w x0 + x1
    assert_allclose(got[1], 3.0)


def test_truncate_gradient():
    x = T.dvector("x")
    out, _ = theon.scan(lambda x_t, h: 0.5 * h + x_t, sequences=x, outputs_info=T.constant(0.0),
                        truncate_gradient=2)
    f = theon.function([x], theon.grad(out[-1], x))
    assert_allclose(f([1.0, 1.0, 1.0, 1.0]), [0.0, 0.0, 0.5, 1.0])


def test_verify_grad_through_scan():
    rng = np.random.RandomState(0)

    def fn(x, h0, W):
        out, _ = theon.scan(lambda x_t, h, W: T.tanh(T.dot(W, h) + x_t), sequences=x,
                            outputs_info=h0, non_sequences=W)
        return out

    T.verify_grad(fn, [rng.randn(4, 3), rng.randn(3), rng.randn(3, 3) * 0.5], rng=rng)


def test_errors_name_scan():
    x = T.dvector("x")
    with pytest.raises(TypeError, match="float32"):
        theon.scan(lambda x_t, h: h + x_t, sequences=x, outputs_info=T.fscalar("h0"))
    n = T.iscalar("n")
    out, _ = theon.scan(lambda h: h * 2, outputs_info=T.constant(1.0), n_steps=n)
    f = theon.function([n], out)
    assert f(0).shape == (0,)
    with pytest.raises(ValueError, match="scan"):
        f(-1)


def test_theano_alias_has_scan():
    code = ("import theano, theano.tensor as T; from theano.scan_module import scan; "
            "o, u = theano.scan(lambda v: v + 1, sequences=T.dvector('x')); print(type(u).__name__)")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([COMPAT, BUILD_PYTHON]))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "OrderedUpdates"


def _run_example(name, tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([BUILD_PYTHON] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "python", name)], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_scan_powers(tmp_path):
    out = _run_example("scan_powers.py", tmp_path)
    assert out.split("[")[1].split("]")[0].split() == ["0.", "1.", "4.", "9.", "16.", "25.", "36.", "49.", "64.", "81."]


def test_scan_polynomial(tmp_path):
    assert _run_example("scan_polynomial.py", tmp_path).split() == ["19.0", "19.0"]


def test_scan_reduce_sum(tmp_path):
    assert _run_example("scan_reduce_sum.py", tmp_path).split() == ["sum", "10.0", "foldl", "1234.0", "foldr", "4321.0"]


def test_scan_rnn(tmp_path):
    out = _run_example("scan_rnn.py", tmp_path)
    assert "(learned)" in out
    lines = (tmp_path / "py_scan_rnn_cost.csv").read_text().splitlines()
    assert lines[0] == "step,cost" and len(lines) == 301


def _gru_like_cost():
    rng = np.random.RandomState(3)
    U = theon.shared(rng.uniform(-0.5, 0.5, (2, 4, 3)), name="U")
    W = theon.shared(rng.uniform(-0.5, 0.5, (2, 4, 4)), name="W")
    b = theon.shared(np.zeros((2, 4)), name="b")
    x = T.dmatrix("x")

    def step(x_t, h):
        z = T.nnet.sigmoid(U[0].dot(x_t) + W[0].dot(h) + b[0])
        c = T.tanh(U[1].dot(x_t) + W[1].dot(h) + b[1])
        return (1 - z) * c + z * h

    h, _ = theon.scan(step, sequences=x, outputs_info=T.zeros(4))
    return x, T.sum(h ** 2), [U, W, b]


def _scan_nodes(f):
    return [n for n in f.maker.fgraph.toposort() if str(n.op).startswith("scan")]


def test_gradients_taken_one_by_one_share_one_backward_scan():
    # The tutorials' style: one T.grad per parameter. Each builds its own backward
    # loop; the loops are identical, so the compiled function runs one.
    x, cost, params = _gru_like_cost()
    separate = theon.function([x], [T.grad(cost, p) for p in params])
    together = theon.function([x], T.grad(cost, params))
    assert len(_scan_nodes(separate)) == 2  # forward and backward
    assert len(_scan_nodes(together)) == 2
    xs = np.random.RandomState(4).uniform(-1, 1, (5, 3))
    for a, b in zip(separate(xs), together(xs)):
        assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_scans_with_equal_steps_print_and_compare_equal():
    x = T.dvector("x")
    a, _ = theon.scan(lambda x_t, s: s + x_t, sequences=x, outputs_info=T.constant(0.0), name="a")
    b, _ = theon.scan(lambda x_t, s: s + x_t, sequences=x, outputs_info=T.constant(0.0), name="b")
    c, _ = theon.scan(lambda x_t, s: s * x_t, sequences=x, outputs_info=T.constant(1.0))
    scan_a, scan_b, scan_c = (v.owner.inputs[0].owner.op for v in (a, b, c))
    assert str(scan_a) == str(scan_b) != str(scan_c)
    mode = get_mode("FAST_RUN").excluding("scanOp_merge", "scanOp_merge_inouts")
    f = theon.function([x], [a, b * 2], mode=mode)
    assert len(_scan_nodes(f)) == 1
    assert_allclose(f([1.0, 2.0]), [[1.0, 3.0], [2.0, 6.0]])
