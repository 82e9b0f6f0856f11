"""W9's Theon Python runner: the LSTM training step written as a Theano user writes it
(`import theano`, `theano.scan` over time, the four gates from one product per step,
`T.grad` through the scan, SGD in `updates`). Shapes and data: w9_common.py.

    PYTHONPATH=build/python:python/compat python3 w9_theon.py --workload W9 [--repeats 5]
"""
import numpy as np

import bench_common as bc
import theano
import theano.tensor as T
import w9_common as wc

IMPL = "theon-py"


def build_step(x_data, values):
    """The compiled training step: (X) -> loss, updating W, U, b."""
    H = wc.HIDDEN
    W, U, b = (theano.shared(v, name=n) for v, n in zip(values, ["W", "U", "b"]))
    X = T.tensor3("X", dtype="float32")

    def _slice(z, n):
        return z[:, n * H:(n + 1) * H]

    def step(x_t, h, c, W, U, b):
        z = T.dot(x_t, W) + T.dot(h, U) + b
        i = T.nnet.sigmoid(_slice(z, 0))
        f = T.nnet.sigmoid(_slice(z, 1))
        o = T.nnet.sigmoid(_slice(z, 2))
        g = T.tanh(_slice(z, 3))
        c_t = f * c + i * g
        h_t = o * T.tanh(c_t)
        return h_t, c_t

    zeros = T.zeros((X.shape[1], H), dtype="float32")
    (h, c), _ = theano.scan(step, sequences=X, outputs_info=[zeros, zeros], non_sequences=[W, U, b])
    loss = T.sum(h[-1] ** 2) / X.shape[1].astype("float32")
    params = [W, U, b]
    lr = np.float32(wc.LEARNING_RATE)
    train = theano.function([X], loss, updates=[(p, p - lr * g) for p, g in zip(params, T.grad(loss, params))])
    return train, params


def run_w9(args):
    x_data, values = wc.data()
    train, params = build_step(x_data, values)
    wc.run(args, IMPL, lambda: train(x_data), lambda: [p.get_value() for p in params],
           settle=theano.wait_for_native_code if hasattr(theano, "wait_for_native_code") else None)


if __name__ == "__main__":
    bc.run_selected(bc.parse_args(), {"W9": run_w9}, IMPL)
