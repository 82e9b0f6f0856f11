"""The contractive autoencoder's gradient with and without the `// n` term (issue 18).

    PYTHONPATH=build/python:python/compat /usr/bin/python3 bench/python/cae_grad.py \\
        [--repeats 200] [--floatX float32]

The cost is the classic Theano tutorial's (cA.py): tied weights, a sigmoid hidden layer
h, the reconstruction cross-entropy, and the contraction term
T.sum(J ** 2) // n with J = reshape(h * (1 - h), (n, 1, hidden)) * reshape(W, (1,
visible, hidden)), a (20, 784, 500) tensor. Floor division has a zero gradient, so the
gradient with the term equals the one without it and should cost the same: both
functions are compiled in one process and called in turn, and the medians of the
calls are printed side by side with their ratio (goal: "with" within 10 % of
"without"). Both gradients are checked to be equal.
"""
import argparse
import time

import numpy as np

import theano
import theano.tensor as T
import theon


def build(n_batch, n_visible, n_hidden, contraction, with_term, floatX):
    rng = np.random.RandomState(1234)
    bound = 4 * np.sqrt(6.0 / (n_hidden + n_visible))
    W = theano.shared(rng.uniform(-bound, bound, (n_visible, n_hidden)).astype(floatX), name="W")
    b = theano.shared(np.zeros(n_hidden, floatX), name="b")
    b_prime = theano.shared(np.zeros(n_visible, floatX), name="b_prime")
    x = T.matrix("x", dtype=floatX)
    h = T.nnet.sigmoid(T.dot(x, W) + b)
    z = T.nnet.sigmoid(T.dot(h, W.T) + b_prime)
    L_rec = -T.sum(x * T.log(z) + (1 - x) * T.log(1 - z), axis=1)
    cost = T.mean(L_rec)
    if with_term:
        J = T.reshape(h * (1 - h), (n_batch, 1, n_hidden)) * T.reshape(W, (1, n_visible, n_hidden))
        L_jacob = T.sum(J ** 2) // n_batch
        cost = cost + contraction * T.mean(L_jacob)
    params = [W, b, b_prime]
    return theano.function([x], T.grad(cost, params))


def interleaved_ms(f, g, x, repeats):
    """Median call times of f and g, called in turn (f first on even rounds, g first on
    odd ones), so that the machine's noise and any order effect fall on both."""
    times = {0: [], 1: []}
    for r in range(repeats):
        order = [(0, f), (1, g)] if r % 2 == 0 else [(1, g), (0, f)]
        for k, fn in order:
            start = time.perf_counter()
            fn(x)
            times[k].append(time.perf_counter() - start)
    return 1e3 * float(np.median(times[0])), 1e3 * float(np.median(times[1]))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--floatX", default=theano.config.floatX)
    args = parser.parse_args()
    n_batch, n_visible, n_hidden = 20, 784, 500
    x = np.random.RandomState(0).uniform(0, 1, (n_batch, n_visible)).astype(args.floatX)
    without = build(n_batch, n_visible, n_hidden, 0.1, False, args.floatX)
    with_term = build(n_batch, n_visible, n_hidden, 0.1, True, args.floatX)
    for a, b in zip(without(x), with_term(x)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    theon.wait_for_native_code()  # time the native kernels, not the interpreter before them
    without(x), with_term(x)
    t0, t1 = interleaved_ms(without, with_term, x, args.repeats)
    print(f"CAE gradient, batch {n_batch}, {n_visible} visible, {n_hidden} hidden, {args.floatX}")
    print(f"  without the // n term: {t0:8.3f} ms (median)")
    print(f"  with the // n term:    {t1:8.3f} ms (median)")
    print(f"  ratio with/without:    {t1 / t0:8.3f}")
    print(f"  compiled nodes:        {len(without.maker.fgraph.toposort())} without, "
          f"{len(with_term.maker.fgraph.toposort())} with")


if __name__ == "__main__":
    main()
