"""NumPy runners for W1-W5, W7 and R1: forward and gradient written by hand. Their check
values are the reference every other runner is compared with (R1's, random draws, are
checked by their statistics, like every runner's).

    python3 numpy_runner.py --workload W2 [--repeats 7] [--scale 1]
"""
import numpy as np

import bench_common as bc

IMPL = "numpy"


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def run_w1(args):
    theta1, theta2 = (t.copy() for t in bc.w1_init())
    one = np.ones(1)

    def step(x, y):
        nonlocal theta1, theta2
        a0 = np.concatenate([x, one])
        h1 = sigmoid(theta1.T @ a0)
        a1 = np.concatenate([h1, one])
        o = sigmoid(theta2.T @ a1)
        err = o.sum() - y
        dz2 = 2.0 * err * o * (1.0 - o)            # d cost / d z2, shape (1,)
        dz1 = (theta2[:3] @ dz2) * h1 * (1.0 - h1)  # back through theta2 (bias row dropped)
        theta2 = theta2 - 0.1 * np.outer(a1, dz2)
        theta1 = theta1 - 0.1 * np.outer(a0, dz1)
        return err * err

    samples, targets = list(bc.XOR_SAMPLES), list(bc.XOR_TARGETS)
    cost = None
    for i in range(bc.CHECK_CALLS):
        cost = step(samples[i % 4], targets[i % 4])
    bc.emit_check("W1", IMPL, "train", list(theta1.ravel()) + list(theta2.ravel()) + [cost])

    calls = bc.scaled(bc.W1_CALLS, args)
    k = [0]

    def body():
        i = k[0]
        step(samples[i], targets[i])
        k[0] = (i + 1) & 3

    bc.emit_time("W1", IMPL, "call", "us", bc.time_per_call(args.repeats, calls, 1e6, body), calls)


def run_w2(args):
    w1, w2, w3, b1, b2 = bc.w2_init()
    x, t = bc.XNOR_INPUTS, bc.XNOR_TARGETS
    lr = 0.01

    def step():
        nonlocal w1, w2, w3, b1, b2
        a1 = sigmoid(x @ w1 + b1)
        a2 = sigmoid(x @ w2 + b1)
        h = np.stack([a1, a2], axis=1)
        a3 = sigmoid(h @ w3 + b2)
        cost = -np.sum(t * np.log(a3) + (1 - t) * np.log(1 - a3))
        dz3 = a3 - t                     # binary cross-entropy through the sigmoid
        dz1 = dz3 * w3[0] * a1 * (1 - a1)
        dz2 = dz3 * w3[1] * a2 * (1 - a2)
        w1, w2, w3 = w1 - lr * (x.T @ dz1), w2 - lr * (x.T @ dz2), w3 - lr * (h.T @ dz3)
        b1, b2 = b1 - lr * (dz1.sum() + dz2.sum()), b2 - lr * dz3.sum()
        return a3, cost

    for _ in range(bc.CHECK_CALLS):
        _, cost = step()
    bc.emit_check("W2", IMPL, "train", list(w1) + list(w2) + list(w3) + [b1, b2, cost])
    calls = bc.scaled(bc.W2_CALLS, args)
    bc.emit_time("W2", IMPL, "step", "us", bc.time_per_call(args.repeats, calls, 1e6, step), calls)


def run_w3(args):
    x = bc.w3_data()
    bc.emit_check("W3", IMPL, "fwd", bc.summary(1 / (1 + np.exp(-x))))
    bc.emit_time("W3", IMPL, "fwd", "ms",
                 bc.time_per_call(args.repeats, 1, 1e3, lambda: 1 / (1 + np.exp(-x))))


def run_w4(args):
    x = bc.w4_data()

    def fwd():
        return np.exp(np.sin(x * x))

    def both():
        s = x * x
        f = np.exp(np.sin(s))
        return f, f * np.cos(s) * (2 * x)

    bc.emit_check("W4", IMPL, "fwd", bc.summary(fwd()))
    bc.emit_time("W4", IMPL, "fwd", "ms", bc.time_per_call(args.repeats, 1, 1e3, fwd))
    f, g = both()
    bc.emit_check("W4", IMPL, "fwd+grad", bc.summary(f) + bc.summary(g))
    bc.emit_time("W4", IMPL, "fwd+grad", "ms", bc.time_per_call(args.repeats, 1, 1e3, both))


def run_w5(args):
    x, labels, params = bc.w5_data()
    w1, b1, w2, b2, w3, b3 = params
    n = x.shape[0]
    onehot = np.zeros((n, 10), np.float32)
    onehot[np.arange(n), labels] = 1
    lr = np.float32(0.01)

    def step():
        nonlocal w1, b1, w2, b2, w3, b3
        z1 = x @ w1 + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2 + b2
        h2 = np.maximum(z2, 0)
        z3 = h2 @ w3 + b3
        z3 = z3 - z3.max(axis=1, keepdims=True)
        e = np.exp(z3)
        p = e / e.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[np.arange(n), labels]))
        d3 = (p - onehot) / np.float32(n)
        dw3, db3 = h2.T @ d3, d3.sum(axis=0)
        d2 = (d3 @ w3.T) * (z2 > 0)
        dw2, db2 = h1.T @ d2, d2.sum(axis=0)
        d1 = (d2 @ w2.T) * (z1 > 0)
        dw1, db1 = x.T @ d1, d1.sum(axis=0)
        w1, b1, w2, b2 = w1 - lr * dw1, b1 - lr * db1, w2 - lr * dw2, b2 - lr * db2
        w3, b3 = w3 - lr * dw3, b3 - lr * db3
        return loss

    first = step()
    for _ in range(bc.W5_CHECK_STEPS - 1):
        last = step()
    assert w1.dtype == np.float32, w1.dtype
    bc.emit_check("W5", IMPL, "train", [first, last, float(w3.sum(dtype=np.float64)),
                                        float(w2.sum(dtype=np.float64))])
    calls = bc.scaled(bc.W5_CALLS, args)
    bc.emit_time("W5", IMPL, "step", "ms", bc.time_per_call(args.repeats, calls, 1e3, step), calls)


def run_w7(args):
    x = bc.w7_data()

    def naive():
        e = np.exp(x)
        return np.log(e / e.sum(axis=1, keepdims=True))

    # The reference is the stable form; the naive one is what is timed, as written.
    shifted = x - x.max(axis=1, keepdims=True)
    stable = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    bc.emit_check("W7", IMPL, "naive", [0.0] + bc.summary(stable))
    with np.errstate(all="ignore"):
        bad = int((~np.isfinite(naive())).sum())
        bc.emit_note("W7", IMPL, "naive", "%d of %d outputs inf/nan" % (bad, x.size))
        bc.emit_time("W7", IMPL, "naive", "ms", bc.time_per_call(args.repeats, 1, 1e3, naive),
                     stable=bad == 0)


def run_r1(args):
    """NumPy's Generator (PCG64): uniform float32 draws and the dropout mask as a NumPy
    user writes it."""
    gen = np.random.default_rng(bc.R1_SEED)
    n = bc.R1_UNIFORM_N
    x = bc.r1_data()
    half = np.float32(0.5)

    def uniform():
        return gen.random(n, dtype=np.float32)

    def dropout():
        return x * (gen.random(x.shape, dtype=np.float32) < half) / half

    calls = bc.scaled(bc.R1_CALLS, args)
    bc.emit_check("R1", IMPL, "uniform", bc.uniform_stats(uniform(), uniform()))
    bc.emit_time("R1", IMPL, "uniform", "ms", bc.time_per_call(args.repeats, calls, 1e3, uniform), calls)
    bc.emit_check("R1", IMPL, "dropout", bc.dropout_stats(x, dropout(), dropout()))
    bc.emit_time("R1", IMPL, "dropout", "ms", bc.time_per_call(args.repeats, calls, 1e3, dropout), calls)


if __name__ == "__main__":
    bc.run_selected(bc.parse_args(), {"W1": run_w1, "W2": run_w2, "W3": run_w3, "W4": run_w4,
                                      "W5": run_w5, "W7": run_w7, "R1": run_r1}, IMPL)
