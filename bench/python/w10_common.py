"""W10 (one epoch of the classic minibatch loop): the data, initial values and constants
every W10 runner shares (bench/cpp/w10_epoch.cpp builds the same bit for bit).

50 000 synthetic MNIST-shaped samples (784 float32 pixels in [0, 1)), minibatches of 20,
2 500 calls per epoch, a 784-500-10 tanh MLP, NLL loss, SGD with learning rate 0.01.
The label of a sample is floor(10 * its first pixel), computed from the pixel's float64
hash value: a function the net can learn, so that the loss falls during the epoch and a
wrong gradient shows in the check values.
"""
import math

import numpy as np

import bench_common as bc

N_SAMPLES, N_IN, N_HIDDEN, N_OUT = 50_000, 784, 500, 10
BATCH = 20
CALLS = N_SAMPLES // BATCH  # calls per epoch
LEARNING_RATE = 0.01
X_SEED, W1_SEED, W2_SEED = 40, 41, 42
# The check: the first epoch from the fixed start (also the warm-up).
LAST_CALLS = 100  # the check's "final loss": the mean loss of the epoch's last 100 calls
# FLOPs of the products of one step: forward x.W1, h.W2; backward dW2 = h^T d2,
# dh = d2 W2^T, dW1 = x^T dz1 (no dx: x is data).
STEP_GFLOP = 2 * BATCH * (2 * N_IN * N_HIDDEN + 3 * N_HIDDEN * N_OUT) / 1e9


def hash_rows(first_row, rows, seed):
    """Rows [first_row, first_row + rows) of the N_SAMPLES x N_IN hash matrix, float64."""
    return bc.hash_uniform(rows * N_IN, seed, first=first_row * N_IN).reshape(rows, N_IN)


def data():
    """train_x (50 000 x 784 float32), train_y (50 000 int64), in chunks to bound memory."""
    x = np.empty((N_SAMPLES, N_IN), np.float32)
    y = np.empty(N_SAMPLES, np.int64)
    chunk = 5000
    for start in range(0, N_SAMPLES, chunk):
        block = hash_rows(start, chunk, X_SEED)
        x[start:start + chunk] = block
        y[start:start + chunk] = np.floor(block[:, 0] * 10).astype(np.int64)
    return x, y


def initial_params():
    """W1 (784 x 500), b1, W2 (500 x 10), b2: uniform in +-sqrt(6 / (fan_in + fan_out)) as
    the tutorial's tanh layer draws them (its logistic layer starts at zero; here W2 is
    drawn the same way, so that the first steps already move W1), biases zero."""

    def uniform(fan_in, fan_out, seed):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return bc.hash_uniform(fan_in * fan_out, seed, -limit, limit).reshape(fan_in, fan_out).astype(np.float32)

    return [uniform(N_IN, N_HIDDEN, W1_SEED), np.zeros(N_HIDDEN, np.float32),
            uniform(N_HIDDEN, N_OUT, W2_SEED), np.zeros(N_OUT, np.float32)]


def check_values(losses, params):
    """The check after the first epoch: the first call's loss, the mean loss of the
    epoch's last LAST_CALLS calls, the mean over the epoch, and sums of W2, b1 and b2."""
    w1, b1, w2, b2 = (np.asarray(p, dtype=np.float64) for p in params)
    return [float(losses[0]), float(np.mean(losses[-LAST_CALLS:])), float(np.mean(losses)),
            float(w2.sum()), float(np.abs(w2).sum()), float(b1.sum()), float(b2.sum()),
            float((w1 * w1).sum())]


def run(args, impl, step, params_now, settle=None):
    """The check epoch, then `repeats` timed epochs of scaled(CALLS) calls; the time is
    reported per epoch (per call x CALLS). `step(i)` trains on minibatch i and returns
    the loss; `params_now()` gives W1, b1, W2, b2 as arrays; `settle()`, called after
    the fourth call, waits for Theon's native code (planned at call 3), so that the
    check covers the code that is timed."""
    losses = []
    for i in range(CALLS):
        losses.append(float(step(i)))
        if i == 3 and settle is not None:
            settle()
    bc.emit_check("W10", impl, "epoch", check_values(losses, params_now()))
    calls = bc.scaled(CALLS, args)
    k = [0]

    def body():
        step(k[0])
        k[0] = (k[0] + 1) % CALLS

    bc.emit_time("W10", impl, "epoch", "ms", bc.time_per_call(args.repeats, calls, 1e3 * CALLS, body),
                 calls)
