"""Gradients through recurrent cells under scan, as the RNN tutorials use them (issue 18):
verify_grad through a GRU and an LSTM scan (truncate_gradient too), separate T.grad calls
against one call, and a GRU language model's SGD step against a hand-written NumPy
forward + backward pass of one tiny sentence."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.tensor as T
from theon.gradient import verify_grad

STEPS, N_IN, HIDDEN = 4, 2, 3


def gru_step(x_t, h, W, U, b):
    z = T.nnet.sigmoid(T.dot(W[0], x_t) + T.dot(U[0], h) + b[0])
    r = T.nnet.sigmoid(T.dot(W[1], x_t) + T.dot(U[1], h) + b[1])
    c = T.tanh(T.dot(W[2], x_t) + T.dot(U[2], h * r) + b[2])
    return (1 - z) * c + z * h


def lstm_step(x_t, h, c, W, U, b):
    i, f, o = [T.nnet.sigmoid(T.dot(W[k], x_t) + T.dot(U[k], h) + b[k]) for k in range(3)]
    g = T.tanh(T.dot(W[3], x_t) + T.dot(U[3], h) + b[3])
    c_new = f * c + i * g
    return [o * T.tanh(c_new), c_new]


def gru_points(rng, gates=3):
    return [rng.uniform(-1, 1, (STEPS, N_IN)), rng.uniform(-1, 1, HIDDEN),
            rng.uniform(-0.8, 0.8, (gates, HIDDEN, N_IN)), rng.uniform(-0.8, 0.8, (gates, HIDDEN, HIDDEN)),
            rng.uniform(-0.5, 0.5, (gates, HIDDEN))]


@pytest.mark.parametrize("truncate", [-1, STEPS])
def test_verify_grad_through_gru_scan(truncate):
    """W.r.t. the input sequence, the initial state and the weights; truncate_gradient >=
    n_steps truncates nothing."""
    def fn(x, h0, W, U, b):
        out, _ = theon.scan(gru_step, sequences=x, outputs_info=h0, non_sequences=[W, U, b],
                            truncate_gradient=truncate)
        return out

    rng = np.random.RandomState(1)
    verify_grad(fn, gru_points(rng), rng=rng)


def test_verify_grad_through_lstm_scan():
    def fn(x, h0, c0, W, U, b):
        (h, c), _ = theon.scan(lstm_step, sequences=x, outputs_info=[h0, c0], non_sequences=[W, U, b])
        return h + 0.5 * c

    rng = np.random.RandomState(2)
    x, h0, W, U, b = gru_points(rng, gates=4)
    verify_grad(fn, [x, h0, rng.uniform(-1, 1, HIDDEN), W, U, b], rng=rng)


def test_truncated_lstm_gradient_cuts_the_early_steps():
    """truncate_gradient=k: the unrolled loop whose first steps are disconnected_grad."""
    k = 2
    rng = np.random.RandomState(3)
    x, h0, W, U, b = gru_points(rng, gates=4)
    c0 = rng.uniform(-1, 1, HIDDEN)
    xs, h0s, c0s, Ws, Us, bs = T.dmatrix("x"), T.dvector("h0"), T.dvector("c0"), T.tensor3("W"), \
        T.tensor3("U"), T.dmatrix("b")
    proj = rng.uniform(0.5, 1.5, (STEPS, HIDDEN))
    (h, c), _ = theon.scan(lstm_step, sequences=xs, outputs_info=[h0s, c0s], non_sequences=[Ws, Us, bs],
                           truncate_gradient=k)
    cost = T.sum((h + 0.5 * c) * proj)
    state, outs = [h0s, c0s], []
    for t in range(STEPS):
        state = lstm_step(xs[t], state[0], state[1], Ws, Us, bs)
        if t < STEPS - k:
            state = [theon.gradient.disconnected_grad(s) for s in state]
        outs.append(state[0] + 0.5 * state[1])
    reference = T.sum(T.stack(outs) * proj)
    wrt = [xs, Ws, Us, bs]
    f = theon.function([xs, h0s, c0s, Ws, Us, bs],
                       theon.grad(cost, wrt + [h0s, c0s]) + theon.grad(reference, wrt))
    got = f(x, h0, c0, W, U, b)
    for i in range(len(wrt)):
        assert_allclose(got[i], got[6 + i], rtol=1e-10, atol=1e-12)
    assert_allclose(got[4], 0.0)
    assert_allclose(got[5], 0.0)
    assert np.all(got[0][:STEPS - k] == 0) and np.any(got[0][STEPS - k:] != 0)


# ---- a one-layer GRU language model (the tutorial's, shrunk), Theon against NumPy ----

VOCAB, H, SENTENCE, LR = 7, 4, 5, 0.1


def lm_values(seed=4):
    rng = np.random.RandomState(seed)
    return dict(E=rng.uniform(-1, 1, (H, VOCAB)), U=rng.uniform(-1, 1, (3, H, H)),
                W=rng.uniform(-1, 1, (3, H, H)), V=rng.uniform(-1, 1, (VOCAB, H)),
                b=rng.uniform(-3, 3, (3, H)),  # some gates saturate: hard_sigmoid's flat parts
                c=rng.uniform(-0.5, 0.5, VOCAB))


NAMES = ["E", "U", "W", "V", "b", "c"]


def theon_lm(values, truncate=-1):
    p = {n: theon.shared(values[n].copy(), name=n) for n in NAMES}
    x, y = T.ivector("x"), T.ivector("y")

    def step(x_t, s):
        x_e = p["E"][:, x_t]
        z = T.nnet.hard_sigmoid(p["U"][0].dot(x_e) + p["W"][0].dot(s) + p["b"][0])
        r = T.nnet.hard_sigmoid(p["U"][1].dot(x_e) + p["W"][1].dot(s) + p["b"][1])
        c = T.tanh(p["U"][2].dot(x_e) + p["W"][2].dot(s * r) + p["b"][2])
        s_new = (T.ones_like(z) - z) * c + z * s
        return [T.nnet.softmax(p["V"].dot(s_new) + p["c"])[0], s_new]

    [o, _], _ = theon.scan(step, sequences=x, outputs_info=[None, dict(initial=T.zeros(H))],
                           truncate_gradient=truncate)
    cost = T.sum(T.nnet.categorical_crossentropy(o, y))
    return p, x, y, cost


def numpy_lm(values, xs, ys, truncate=-1):
    """Cost and gradients of the GRU LM, forward and backward written out by hand."""
    E, U, W, V, b, c = (values[n] for n in NAMES)

    def hard_sigmoid(a):
        return np.clip(0.2 * a + 0.5, 0.0, 1.0)

    def hard_sigmoid_slope(a):
        return np.where(np.abs(a) < 2.5, 0.2, 0.0)

    s, cost, tape = np.zeros(H), 0.0, []
    for x_t, y_t in zip(xs, ys):
        xe = E[:, x_t]
        az = U[0] @ xe + W[0] @ s + b[0]
        ar = U[1] @ xe + W[1] @ s + b[1]
        z, r = hard_sigmoid(az), hard_sigmoid(ar)
        cc = np.tanh(U[2] @ xe + W[2] @ (s * r) + b[2])
        s_new = (1 - z) * cc + z * s
        logits = V @ s_new + c
        o = np.exp(logits - logits.max())
        o /= o.sum()
        cost -= np.log(o[y_t])
        tape.append((x_t, y_t, xe, s, az, ar, z, r, cc, s_new, o))
        s = s_new
    g = {n: np.zeros_like(values[n]) for n in NAMES}
    first = 0 if truncate < 0 else max(0, len(xs) - truncate)
    ds = np.zeros(H)  # gradient reaching the state a step hands on
    for x_t, y_t, xe, s, az, ar, z, r, cc, s_new, o in reversed(tape[first:]):
        dlogits = o.copy()
        dlogits[y_t] -= 1
        g["V"] += np.outer(dlogits, s_new)
        g["c"] += dlogits
        dtotal = ds + V.T @ dlogits
        dz, dcc, ds = dtotal * (s - cc), dtotal * (1 - z), dtotal * z
        dac = dcc * (1 - cc ** 2)
        g["U"][2] += np.outer(dac, xe)
        g["W"][2] += np.outer(dac, s * r)
        g["b"][2] += dac
        dxe = U[2].T @ dac
        dsr = W[2].T @ dac
        ds = ds + dsr * r
        da = [dz * hard_sigmoid_slope(az), dsr * s * hard_sigmoid_slope(ar)]
        for k in range(2):
            g["U"][k] += np.outer(da[k], xe)
            g["W"][k] += np.outer(da[k], s)
            g["b"][k] += da[k]
            dxe += U[k].T @ da[k]
            ds = ds + W[k].T @ da[k]
        g["E"][:, x_t] += dxe
    return cost, [g[n] for n in NAMES]


XS = np.array([3, 0, 6, 3, 1], dtype="int32")
YS = np.array([0, 6, 3, 1, 5], dtype="int32")


@pytest.mark.parametrize("truncate", [-1, 2])
def test_gru_lm_gradient_matches_numpy_and_separate_calls_equal_one(truncate):
    values = lm_values()
    p, x, y, cost = theon_lm(values, truncate)
    params = [p[n] for n in NAMES]
    separate = theon.function([x, y], [cost] + [T.grad(cost, q) for q in params])(XS, YS)
    one = theon.function([x, y], T.grad(cost, params))(XS, YS)
    want_cost, want = numpy_lm(values, XS, YS, truncate)
    assert_allclose(separate[0], want_cost, rtol=1e-12)
    for name, got_sep, got_one, ref in zip(NAMES, separate[1:], one, want):
        assert_allclose(got_sep, ref, rtol=1e-10, atol=1e-12, err_msg=name)
        assert_allclose(got_one, got_sep, rtol=1e-12, atol=1e-14, err_msg=name)


def test_gru_lm_sgd_step_updates_shared_parameters_as_numpy():
    values = lm_values(5)
    p, x, y, cost = theon_lm(values)
    params = [p[n] for n in NAMES]
    grads = [T.grad(cost, q) for q in params]  # the tutorial's dE = T.grad(cost, E); ...
    lr = T.dscalar("learning_rate")
    sgd_step = theon.function([x, y, lr], [], updates=[(q, q - lr * g) for q, g in zip(params, grads)])
    current = {n: v.copy() for n, v in values.items()}
    for _ in range(2):  # the second step starts from the first one's parameters
        sgd_step(XS, YS, LR)
        _, want = numpy_lm(current, XS, YS)
        current = {n: current[n] - LR * g for n, g in zip(NAMES, want)}
        for name in NAMES:
            assert_allclose(p[name].get_value(), current[name], rtol=1e-10, atol=1e-12, err_msg=name)
    assert not np.allclose(p["E"].get_value(), values["E"])


def test_rnn_lm_benchmark_runs_and_agrees_with_pytorch(tmp_path):
    """bench/python/rnn_lm.py, one short repeat at the small sizes: Theon's costs and
    gradients of the tutorials' GRU and simple RNN (truncate_gradient=4) equal PyTorch's
    autograd."""
    pytest.importorskip("torch")
    import json
    import os
    import subprocess
    import sys

    from conftest import BUILD_PYTHON, COMPAT, ROOT
    out = tmp_path / "rnn_lm.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([COMPAT, BUILD_PYTHON]))
    result = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "python", "rnn_lm.py"), "--model", "gru,rnn_small",
                             "--repeats", "1", "--repeat-seconds", "0.001", "--json", str(out)],
                            env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert sorted(report["checks"]) == ["gru", "rnn_small"]
    for model, check in report["checks"].items():
        assert check["cost_relative"] < 1e-12, model
        assert check["grad_separate_vs_torch"] < 1e-8, model
        assert check["grad_one_vs_separate"] < 1e-10, model
    assert len(report["rows"]) == 14 and all(r["median_ms"] > 0 for r in report["rows"])
