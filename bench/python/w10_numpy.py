"""W10's NumPy peer: the same epoch with the forward and backward pass written by hand,
parameters updated in place, float32 throughout. Its check values are the reference.

    python3 w10_numpy.py --workload W10 [--repeats 5] [--scale 1]
"""
import numpy as np

import bench_common as bc
import w10_common as wc

IMPL = "numpy"


def run_w10(args):
    train_x, train_y = wc.data()
    w1, b1, w2, b2 = wc.initial_params()
    lr = np.float32(wc.LEARNING_RATE)
    n = wc.BATCH
    rows = np.arange(n)

    def step(i):
        nonlocal w1, b1, w2, b2  # updated in place; named here for the -= below
        x = train_x[i * n:(i + 1) * n]
        y = train_y[i * n:(i + 1) * n]
        h = np.tanh(x @ w1 + b1)
        z = h @ w2 + b2
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[rows, y]))
        d2 = p
        d2[rows, y] -= 1
        d2 /= np.float32(n)
        dz1 = (d2 @ w2.T) * (1 - h * h)
        w2 -= lr * (h.T @ d2)
        b2 -= lr * d2.sum(axis=0)
        w1 -= lr * (x.T @ dz1)
        b1 -= lr * dz1.sum(axis=0)
        return loss

    wc.run(args, IMPL, step, lambda: [w1, b1, w2, b2])
    assert w1.dtype == np.float32 and b1.dtype == np.float32, (w1.dtype, b1.dtype)


if __name__ == "__main__":
    bc.run_selected(bc.parse_args(), {"W10": run_w10}, IMPL)
