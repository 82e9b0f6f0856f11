"""Theon's Python runners for W1-W5, W7, W8 and R1: the same graphs as bench/cpp/workloads.cpp
(R1 has no C++ runner), built with Theon's Theano-style Python API.

    PYTHONPATH=build/python python3 theon_runner.py --workload W5 [--repeats 7] [--scale 1]
"""
import numpy as np

import bench_common as bc
import theon
import theon.tensor as T
from theon.tensor.shared_randomstreams import RandomStreams

IMPL = "theon-py"


def warm_up(f, *args):
    """A few calls before checking and timing: buffers get allocated and native kernels
    (compiled in the background, or loaded from the driver's primed cache) take over, so
    the check covers the code that is timed."""
    for _ in range(3):
        f(*args)
    theon.wait_for_native_code()
    return f(*args)


def run_w1(args):
    t1, t2 = bc.w1_init()
    x, y = T.dvector("x"), T.dscalar("y")
    theta1, theta2 = theon.shared(t1, name="theta1"), theon.shared(t2, name="theta2")

    def layer(inp, theta):
        return T.nnet.sigmoid(T.dot(theta.T, T.concatenate([inp, np.array([1.0])])))

    cost = (T.sum(layer(layer(x, theta1), theta2)) - y) ** 2
    step = theon.function([x, y], cost, updates=[(theta1, theta1 - 0.1 * T.grad(cost, theta1)),
                                                 (theta2, theta2 - 0.1 * T.grad(cost, theta2))])
    samples, targets = list(bc.XOR_SAMPLES), [float(t) for t in bc.XOR_TARGETS]
    for i in range(bc.CHECK_CALLS):
        last = step(samples[i % 4], targets[i % 4])
        if i == 3:  # planned as one native function at call 3; the check covers it
            theon.wait_for_native_code()
    bc.emit_check("W1", IMPL, "train", list(theta1.get_value().ravel())
                  + list(theta2.get_value().ravel()) + [float(last)])
    calls = bc.scaled(bc.W1_CALLS, args)
    k = [0]

    def body():
        i = k[0]
        step(samples[i], targets[i])
        k[0] = (i + 1) & 3

    bc.emit_time("W1", IMPL, "call", "us", bc.time_per_call(args.repeats, calls, 1e6, body), calls)


def build_xnor():
    """W2's training function (also what W6 times); returns it and its parameters."""
    w1v, w2v, w3v, b1v, b2v = bc.w2_init()
    x, t = T.dmatrix("x"), T.dvector("t")
    w1, w2, w3 = (theon.shared(v, name=n) for v, n in ((w1v, "w1"), (w2v, "w2"), (w3v, "w3")))
    b1, b2 = theon.shared(b1v, name="b1"), theon.shared(b2v, name="b2")
    a1 = 1 / (1 + T.exp(-T.dot(x, w1) - b1))
    a2 = 1 / (1 + T.exp(-T.dot(x, w2) - b1))
    a3 = 1 / (1 + T.exp(-T.dot(T.stack([a1, a2], axis=1), w3) - b2))
    cost = -(t * T.log(a3) + (1 - t) * T.log(1 - a3)).sum()
    params = [w1, w2, w3, b1, b2]
    grads = T.grad(cost, params)
    step = theon.function([x, t], [a3, cost],
                          updates=[(p, p - 0.01 * g) for p, g in zip(params, grads)])
    return step, params


def run_w2(args):
    step, params = build_xnor()
    x, t = bc.XNOR_INPUTS, bc.XNOR_TARGETS
    for i in range(bc.CHECK_CALLS):
        _, cost = step(x, t)
        if i == 3:  # planned as one native function at call 3; the check covers it
            theon.wait_for_native_code()
    values = []
    for p in params:
        values += np.atleast_1d(p.get_value()).tolist()
    bc.emit_check("W2", IMPL, "train", values + [float(cost)])
    calls = bc.scaled(bc.W2_CALLS, args)
    bc.emit_time("W2", IMPL, "step", "us",
                 bc.time_per_call(args.repeats, calls, 1e6, lambda: step(x, t)), calls)


def run_w3(args):
    x = T.dmatrix("x")
    f = theon.function([x], 1 / (1 + T.exp(-x)))
    data = bc.w3_data()
    bc.emit_check("W3", IMPL, "fwd", bc.summary(warm_up(f, data)))
    bc.emit_time("W3", IMPL, "fwd", "ms", bc.time_per_call(args.repeats, 1, 1e3, lambda: f(data)))


def run_w4(args):
    x = T.dvector("x")
    y = T.exp(T.sin(x ** 2))
    fwd = theon.function([x], y)
    both = theon.function([x], [y, T.grad(y.sum(), x)])
    data = bc.w4_data()
    bc.emit_check("W4", IMPL, "fwd", bc.summary(warm_up(fwd, data)))
    bc.emit_time("W4", IMPL, "fwd", "ms", bc.time_per_call(args.repeats, 1, 1e3, lambda: fwd(data)))
    f, g = warm_up(both, data)
    bc.emit_check("W4", IMPL, "fwd+grad", bc.summary(f) + bc.summary(g))
    bc.emit_time("W4", IMPL, "fwd+grad", "ms",
                 bc.time_per_call(args.repeats, 1, 1e3, lambda: both(data)))


def build_w5(values, loss_form):
    """W5's training step; the loss as categorical_crossentropy ("xent") or as the
    indexing idiom -mean(log(p)[arange(n), y]) ("nll-index"), which a rewrite turns into
    the same fused op."""
    x, y = T.fmatrix("X"), T.lvector("labels")
    params = [theon.shared(v, name=n) for v, n in zip(values, ["W1", "b1", "W2", "b2", "W3", "b3"])]
    w1, b1, w2, b2, w3, b3 = params
    h1 = T.nnet.relu(T.dot(x, w1) + b1)
    h2 = T.nnet.relu(T.dot(h1, w2) + b2)
    p = T.nnet.softmax(T.dot(h2, w3) + b3)
    if loss_form == "xent":
        loss = T.mean(T.nnet.categorical_crossentropy(p, y))
    else:
        loss = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    grads = T.grad(loss, params)
    lr = np.float32(0.01)
    step = theon.function([x, y], loss, updates=[(q, q - lr * g) for q, g in zip(params, grads)])
    return step, params


def run_w5(args):
    """Both loss forms; their ratio is issue 13's figure, so their repeats alternate."""
    data, labels, values = bc.w5_data()
    forms = (("xent", ""), ("nll-index", "-nll-index"))
    steps = []
    for loss_form, suffix in forms:
        step, params = build_w5([v.copy() for v in values], loss_form)
        w2, w3 = params[2], params[4]
        first = float(step(data, labels))
        for _ in range(bc.W5_CHECK_STEPS - 1):
            last = float(step(data, labels))
        bc.emit_check("W5", IMPL, "train" + suffix, [first, last, float(w3.get_value().sum(dtype=np.float64)),
                                                     float(w2.get_value().sum(dtype=np.float64))])
        steps.append(step)
    calls = bc.scaled(bc.W5_CALLS, args)
    timed = bc.time_interleaved(args.repeats, calls, 1e3, [lambda s=s: s(data, labels) for s in steps])
    for (_, suffix), st in zip(forms, timed):
        bc.emit_time("W5", IMPL, "step" + suffix, "ms", st, calls)


def run_w8(args):
    """LeNet-5's SGD step written as Theano's convolutional tutorial writes it."""
    from theon.tensor.nnet import conv2d
    from theon.tensor.signal import pool

    data, labels, values = bc.w8_data()
    x, y = T.ftensor4("X"), T.lvector("labels")
    params = [theon.shared(v, name=n) for v, n in zip(values, ["W0", "b0", "W1", "b1", "W2", "b2", "W3", "b3"])]
    w0, b0, w1, b1, w2, b2, w3, b3 = params

    def conv_pool(inp, w, b):
        pooled = pool.pool_2d(conv2d(inp, w, filter_shape=w.get_value().shape), ws=(2, 2),
                              ignore_border=True)
        return T.tanh(pooled + b.dimshuffle("x", 0, "x", "x"))

    h1 = conv_pool(conv_pool(x, w0, b0), w1, b1)
    h2 = T.tanh(T.dot(h1.flatten(2), w2) + b2)
    p = T.nnet.softmax(T.dot(h2, w3) + b3)
    loss = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    lr = np.float32(0.01)
    step = theon.function([x, y], loss,
                          updates=[(q, q - lr * g) for q, g in zip(params, T.grad(loss, params))])
    first = float(step(data, labels))
    for _ in range(bc.W8_CHECK_STEPS - 1):
        last = float(step(data, labels))
    theon.wait_for_native_code()
    bc.emit_check("W8", IMPL, "step", [first, last] + [float(q.get_value().sum(dtype=np.float64))
                                                      for q in (w0, w1, w3)])
    calls = bc.scaled(bc.W8_CALLS, args)
    bc.emit_time("W8", IMPL, "step", "ms",
                 bc.time_per_call(args.repeats, calls, 1e3, lambda: step(data, labels)), calls)


def run_w7(args):
    x = T.dmatrix("x")
    e = T.exp(x)
    f = theon.function([x], T.log(e / e.sum(axis=1, keepdims=True)))
    data = bc.w7_data()
    out = warm_up(f, data)
    bad = int((~np.isfinite(out)).sum())
    bc.emit_check("W7", IMPL, "naive", [float(bad)] + bc.summary(np.where(np.isfinite(out), out, 0)))
    bc.emit_time("W7", IMPL, "naive", "ms", bc.time_per_call(args.repeats, 1, 1e3, lambda: f(data)),
                 stable=bad == 0)


def run_r1(args):
    """Random streams: 1e7 uniform float32 numbers, and dropout x * binomial(p=0.5) / 0.5
    on a 4096x4096 float32 input. Each call draws new values (the state's default update).
    The outputs' buffers are reused between calls, as in a training loop: a result kept
    across calls is copied."""
    srng = RandomStreams(bc.R1_SEED)
    uniform = theon.function([], srng.uniform(size=(bc.R1_UNIFORM_N,), dtype="float32"))
    x = T.fmatrix("x")
    dropout = theon.function([x], x * srng.binomial(size=x.shape, p=0.5, dtype="float32") / 0.5)
    data = bc.r1_data()
    calls = bc.scaled(bc.R1_CALLS, args)
    first = np.array(warm_up(uniform))
    bc.emit_check("R1", IMPL, "uniform", bc.uniform_stats(first, uniform()))
    del first
    bc.emit_time("R1", IMPL, "uniform", "ms", bc.time_per_call(args.repeats, calls, 1e3, uniform), calls)
    first = np.array(warm_up(dropout, data))
    bc.emit_check("R1", IMPL, "dropout", bc.dropout_stats(data, first, dropout(data)))
    del first
    bc.emit_time("R1", IMPL, "dropout", "ms",
                 bc.time_per_call(args.repeats, calls, 1e3, lambda: dropout(data)), calls)


if __name__ == "__main__":
    bc.run_selected(bc.parse_args(), {"W1": run_w1, "W2": run_w2, "W3": run_w3, "W4": run_w4,
                                      "W5": run_w5, "W7": run_w7, "W8": run_w8, "R1": run_r1}, IMPL)
