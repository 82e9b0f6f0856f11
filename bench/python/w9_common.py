"""W9 (one training step of an LSTM through scan): the data, initial values and
constants every W9 runner shares (bench/cpp/w9_lstm.cpp builds the same bit for bit).

Sequence length 100, batch 32, input 128, hidden 256, float32. The classic Theano LSTM:
per step one product for the four gates, z = x_t W + h U + b (W 128x1024, U 256x1024),
columns sliced as [i | f | o | g]; i, f, o = sigmoid, g = tanh; c_t = f c + i g,
h_t = o tanh(c_t); h_0 = c_0 = 0. The loss is on the last state only:
loss = sum(h_T ** 2) / batch (the mean over the batch of |h_T|^2). One step is the
forward loop, backpropagation through time and the SGD update of W, U and b with
learning rate 0.5 (large enough that a wrong gradient moves the check values).

PyTorch orders the gates i, f, g, o and stores weight_ih as (4H, input): its
weight_ih = W[:, perm].T, weight_hh = U[:, perm].T, bias_ih = b[perm], bias_hh = 0,
with perm = TORCH_ORDER below.
"""
import math

import numpy as np

import bench_common as bc

STEPS, BATCH, N_IN, HIDDEN = 100, 32, 128, 256
GATES = 4 * HIDDEN
LEARNING_RATE = 0.5
X_SEED, W_SEED, U_SEED, B_SEED = 50, 51, 52, 53
CALLS = 3        # steps timed per repeat (multiplied by --scale)
CHECK_STEPS = 3  # steps from the fixed start before the check values
# Forward FLOPs: the gate products; 3x for forward + the two backward products (dh, dW).
GFLOP = 3 * STEPS * BATCH * (N_IN + HIDDEN) * GATES * 2 / 1e9
# Column blocks of PyTorch's (i, f, g, o) in Theon's (i, f, o, g) layout.
TORCH_ORDER = np.concatenate([np.arange(0, 2 * HIDDEN), np.arange(3 * HIDDEN, 4 * HIDDEN),
                              np.arange(2 * HIDDEN, 3 * HIDDEN)])


def data():
    """X (STEPS x BATCH x N_IN) in [-1, 1), and W, U (uniform in +-sqrt(6 / (fan_in +
    fan_out))), b (small uniform values, so that its gradient is not all it holds)."""
    x = bc.hash_uniform(STEPS * BATCH * N_IN, X_SEED, -1, 1).reshape(STEPS, BATCH, N_IN)

    def uniform(rows, seed):
        limit = math.sqrt(6.0 / (rows + GATES))
        return bc.hash_uniform(rows * GATES, seed, -limit, limit).reshape(rows, GATES).astype(np.float32)

    b = bc.hash_uniform(GATES, B_SEED, -0.1, 0.1).astype(np.float32)
    return x.astype(np.float32), [uniform(N_IN, W_SEED), uniform(HIDDEN, U_SEED), b]


def check_values(losses, params, initial):
    """The first and last of CHECK_STEPS losses, and per parameter the sum and the sum of
    squares of its change (the SGD steps: lr x the summed gradients)."""
    out = [float(losses[0]), float(losses[-1])]
    for p, p0 in zip(params, initial):
        d = np.asarray(p, np.float64) - np.asarray(p0, np.float64)
        out += [float(d.sum()), float((d * d).sum())]
    return out


def run(args, impl, step, params_now, settle=None, variant="step"):
    """CHECK_STEPS steps from the fixed start (the warm-up and the check), then `repeats`
    timed repeats of scaled(CALLS) steps. `step()` trains once and returns the loss."""
    _, initial = data()
    losses = []
    for i in range(CHECK_STEPS):
        losses.append(float(step()))
        if i == 0 and settle is not None:
            settle()
    bc.emit_check("W9", impl, variant, check_values(losses, params_now(), initial))
    calls = bc.scaled(CALLS, args)
    bc.emit_time("W9", impl, variant, "ms", bc.time_per_call(args.repeats, calls, 1e3, step), calls)
