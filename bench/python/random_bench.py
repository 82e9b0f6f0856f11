"""Random streams against NumPy's Generator (and torch.rand when PyTorch is installed):
1e7 uniform float32 numbers, and dropout (x * binomial(p=0.5) / 0.5) on a 4096x4096
float32 matrix. Prints the median of --repeats timed calls of each, in milliseconds.

  PYTHONPATH=build/python /usr/bin/python3 bench/python/random_bench.py [--repeats 15]

Theon's functions keep their output buffers between calls (the output arrays returned
are released before the next call), as a training loop does; NumPy's and PyTorch's
calls allocate their results, the way those libraries are used.
"""
import argparse
import statistics
import time

import numpy as np

import theon
import theon.tensor as T
from theon.sandbox.rng_mrg import MRG_RandomStreams


def median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    n, side = 10_000_000, 4096
    srng = MRG_RandomStreams(1)
    uniform = theon.function([], srng.uniform((n,), dtype="float32"))
    x = T.fmatrix("x")
    dropout = theon.function([x], x * srng.binomial(size=x.shape, p=0.5, dtype="float32") / 0.5)
    data = np.random.default_rng(0).random((side, side), dtype=np.float32)
    gen = np.random.default_rng(1)

    rows = [("uniform 1e7 float32", "theon", median_ms(uniform, args.repeats)),
            ("uniform 1e7 float32", "numpy", median_ms(lambda: gen.random(n, dtype=np.float32), args.repeats)),
            ("dropout 4096x4096 float32", "theon", median_ms(lambda: dropout(data), args.repeats)),
            ("dropout 4096x4096 float32", "numpy",
             median_ms(lambda: data * (gen.random(data.shape, dtype=np.float32) < 0.5) / np.float32(0.5),
                       args.repeats))]
    try:
        import torch
        td = torch.from_numpy(data)
        rows.append(("uniform 1e7 float32", "torch", median_ms(lambda: torch.rand(n), args.repeats)))
        rows.append(("dropout 4096x4096 float32", "torch",
                     median_ms(lambda: torch.nn.functional.dropout(td, 0.5), args.repeats)))
    except ImportError:
        pass
    for workload, runner, ms in rows:
        print("%-28s %-6s %8.2f ms" % (workload, runner, ms))


if __name__ == "__main__":
    main()
