"""Cost of calling compiled functions from Python (not a test: run it directly).

    PYTHONPATH=build/python /usr/bin/python3 tests/python/bench_call_overhead.py

Prints the median over 7 repeats of microseconds per call: the scalar multiply
f(1.5, 3) of the first seed, and one XOR training call (workload W1).
"""
import timeit

import numpy as np

import theon
import theon.tensor as T
import theon.tensor.nnet as nnet


def median_us(stmt, number, namespace):
    runs = timeit.repeat(stmt, globals=namespace, number=number, repeat=7)
    return sorted(runs)[3] / number * 1e6


def main():
    a, b = T.dscalars("a", "b")
    f = theon.function([a, b], a * b)
    print("scalar multiply f(1.5, 3):   %.3f us/call" % median_us("f(1.5, 3)", 200000, {"f": f}))

    x, y = T.dvector("x"), T.dscalar("y")
    theta1 = theon.shared(np.full((3, 3), 0.5), "theta1")
    theta2 = theon.shared(np.full((4, 1), 0.5), "theta2")

    def layer(v, theta):
        return nnet.sigmoid(T.dot(theta.T, T.concatenate([v, np.array([1.0])])))

    cost = T.sqr(T.sum(layer(layer(x, theta1), theta2)) - y)
    step = theon.function([x, y], cost, updates=[(theta1, theta1 - 0.1 * T.grad(cost, theta1)),
                                                 (theta2, theta2 - 0.1 * T.grad(cost, theta2))])
    sample = np.array([1.0, 0.0])
    print("W1 xor-sgd training call:    %.3f us/call" % median_us("step(sample, 1.0)", 20000,
                                                                  {"step": step, "sample": sample}))


if __name__ == "__main__":
    main()
