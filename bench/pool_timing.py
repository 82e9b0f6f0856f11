"""Max pooling at LeNet-5's shapes (batch 128, float32, 2x2 windows): Theon against
PyTorch's max_pool2d, forward alone and forward + gradient, with the same thread count.

    OMP_NUM_THREADS=2 PYTHONPATH=build/python /usr/bin/python3 bench/pool_timing.py

Prints milliseconds per call (median of repeated batches of calls) for each shape; the
Theon gradient is measured with and without the arg-max rewrite (docs/pool.md).
"""
import os
import time

import numpy as np

import theon
import theon.tensor as T
from theon.mode import Mode
from theon.tensor.signal import pool

SHAPES = [(128, 20, 24, 24), (128, 50, 8, 8)]


def median_ms(fn, repeat=15, number=20):
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t) / number * 1e3)
    return float(np.median(times))


def theon_times(shape):
    x, gz = T.ftensor4("x"), T.ftensor4("gz")
    y = pool.pool_2d(x, (2, 2), ignore_border=True)
    gx = pool.MaxPoolGrad(ignore_border=True)(x, y, gz, (2, 2))
    xv = np.random.RandomState(0).uniform(-1, 1, shape).astype("float32")
    gv = np.random.RandomState(1).uniform(-1, 1, (shape[0], shape[1], shape[2] // 2, shape[3] // 2)).astype("float32")
    fwd = theon.function([x], y)
    both = theon.function([x, gz], [y, gx])
    search = theon.function([x, gz], [y, gx], mode=Mode().excluding("pool_argmax"))
    return (median_ms(lambda: fwd(xv)), median_ms(lambda: both(xv, gv)),
            median_ms(lambda: search(xv, gv)))


def torch_times(shape):
    import torch
    import torch.nn.functional as F
    xv = torch.from_numpy(np.random.RandomState(0).uniform(-1, 1, shape).astype("float32"))
    gv = torch.from_numpy(np.random.RandomState(1).uniform(
        -1, 1, (shape[0], shape[1], shape[2] // 2, shape[3] // 2)).astype("float32"))

    def forward():
        with torch.no_grad():
            return F.max_pool2d(xv, 2)

    def both():
        x = xv.detach().requires_grad_(True)
        y = F.max_pool2d(x, 2)
        y.backward(gv)
        return x.grad

    return median_ms(forward), median_ms(both)


def main():
    threads = int(os.environ.get("OMP_NUM_THREADS", os.cpu_count()))
    try:
        import torch
        torch.set_num_threads(threads)
        have_torch = True
    except ImportError:
        have_torch = False
    print("threads %d" % threads)
    for shape in SHAPES:
        tf, tb, ts = theon_times(shape)
        line = "%-18s theon fwd %.3f ms, fwd+grad %.3f ms (without the arg-max rewrite %.3f ms)" % (
            shape, tf, tb, ts)
        if have_torch:
            pf, pb = torch_times(shape)
            line += "; torch fwd %.3f ms, fwd+grad %.3f ms" % (pf, pb)
        print(line)


if __name__ == "__main__":
    main()
