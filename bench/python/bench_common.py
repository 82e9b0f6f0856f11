"""Shared by the Python runners: the deterministic data (bit-identical to
bench/cpp/bench_util.hpp), the workload definitions' constants, a repeat-and-median
timer and the JSON-lines output that bench/run_bench.py reads."""
import json
import math
import sys
import time

import numpy as np

# Calls timed per repeat (multiplied by --scale) and the warm-up/check lengths.
W1_CALLS, W2_CALLS, W5_CALLS = 4000, 3000, 20
R1_CALLS = 4  # R1: calls per repeat of each draw (10-60 ms each)
CHECK_CALLS = 1000  # W1 and W2: calls from the fixed start before the check values
W5_CHECK_STEPS = 10
W8_CALLS, W8_CHECK_STEPS, W8_BATCH = 5, 5, 128

XOR_SAMPLES = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
XOR_TARGETS = np.array([1.0, 1.0, 0.0, 0.0])
XNOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XNOR_TARGETS = np.array([1.0, 0.0, 0.0, 1.0])


def hash_uniform(n, seed, lo=0.0, hi=1.0, first=0):
    """Values [first, first + n) in [lo, hi) of an integer hash of (index, seed); see
    bench_util.hpp."""
    mask = np.uint64(0xFFFFFFFF)
    i = np.arange(first, first + n, dtype=np.uint64)
    h = (i * np.uint64(2654435761) + np.uint64(seed * 40503 + 1)) & mask
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(2246822519)) & mask
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(3266489917)) & mask
    h ^= h >> np.uint64(16)
    return lo + (hi - lo) * (h.astype(np.float64) / 4294967296.0)


def w1_init():
    return hash_uniform(9, 1).reshape(3, 3), hash_uniform(4, 2).reshape(4, 1)


def w2_init():
    return hash_uniform(2, 3), hash_uniform(2, 4), hash_uniform(2, 5), 1.0, 1.0


def w3_data():
    return hash_uniform(4096 * 4096, 6, -8, 8).reshape(4096, 4096)


def w4_data():
    return hash_uniform(10_000_000, 7, -2, 2)


def w5_data():
    """X (256x784), labels, and the Glorot-uniform parameters W1, b1, W2, b2, W3, b3."""
    x = hash_uniform(256 * 784, 8).reshape(256, 784).astype(np.float32)
    labels = np.floor(hash_uniform(256, 9) * 10).astype(np.int64)

    def glorot(fan_in, fan_out, seed):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return hash_uniform(fan_in * fan_out, seed, -limit, limit).reshape(fan_in, fan_out).astype(np.float32)

    params = [glorot(784, 512, 10), np.zeros(512, np.float32), glorot(512, 512, 11),
              np.zeros(512, np.float32), glorot(512, 10, 12), np.zeros(10, np.float32)]
    return x, labels, params


def w8_data():
    """W8 (LeNet-5): X (128x1x28x28 in [0, 1)), labels, and the parameters W0 (20x1x5x5),
    b0, W1 (50x20x5x5), b1, W2 (800x500), b2, W3 (500x10), b3, uniform in +-sqrt(6 /
    (fan_in + fan_out)) as Theano's LeNet tutorial draws them (biases zero). The filters
    are Theano's: conv2d flips them (true convolution); a cross-correlating peer uses
    them flipped along both spatial axes, which gives the same values."""
    n = W8_BATCH
    x = hash_uniform(n * 28 * 28, 30).reshape(n, 1, 28, 28).astype(np.float32)
    labels = np.floor(hash_uniform(n, 31) * 10).astype(np.int64)

    def uniform(shape, fan_in, fan_out, seed):
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        size = int(np.prod(shape))
        return hash_uniform(size, seed, -limit, limit).reshape(shape).astype(np.float32)

    params = [uniform((20, 1, 5, 5), 25, 20 * 25 / 4, 32), np.zeros(20, np.float32),
              uniform((50, 20, 5, 5), 500, 50 * 25 / 4, 33), np.zeros(50, np.float32),
              uniform((800, 500), 800, 500, 34), np.zeros(500, np.float32),
              uniform((500, 10), 500, 10, 35), np.zeros(10, np.float32)]
    return x, labels, params


# W8's floating-point operations per step: 3x the forward pass (WORKLOADS.md: the
# backward pass costs twice the forward), forward = 2 * multiply-adds of the two
# convolutions and two dense layers (pooling, tanh and softmax are negligible).
W8_FORWARD_GFLOP = 2 * W8_BATCH * (20 * 24 * 24 * 25 + 50 * 8 * 8 * 20 * 25 + 800 * 500 + 500 * 10) / 1e9
W8_GFLOP = 3 * W8_FORWARD_GFLOP


def w7_data():
    return hash_uniform(1000 * 1000, 13, -1000, 1000).reshape(1000, 1000)


R1_UNIFORM_N = 10_000_000
R1_SIDE = 4096
R1_SEED = 20


def r1_data():
    """R1's dropout input: a 4096x4096 float32 matrix in [0, 1)."""
    return hash_uniform(R1_SIDE * R1_SIDE, 14).reshape(R1_SIDE, R1_SIDE).astype(np.float32)


def uniform_stats(a, b):
    """R1's check values for two consecutive uniform draws a, b (values differ between
    generators, so statistics are checked, not values; bench/run_bench.py STAT_CHECKS):
    mean, variance, min, max, the largest deviation of a 16-bin histogram's bin fraction
    from 1/16, the lag-1 correlation, the fraction of equal positions in a and b (a state
    that does not advance gives 1), and 1 when the dtype is float32."""
    v = np.asarray(a).ravel()
    w = np.asarray(b).ravel()
    d = v.astype(np.float64)
    mean = d.mean()
    var = d.var()
    hist = np.bincount(np.clip((d * 16).astype(np.int64), 0, 15), minlength=16) / d.size
    lag = float(np.mean((d[:-1] - mean) * (d[1:] - mean)) / var) if var > 0 else 1.0
    return [mean, var, float(d.min()), float(d.max()), float(np.abs(hist - 1 / 16).max()), lag,
            float(np.mean(v == w)), float(v.dtype == np.float32 and w.dtype == np.float32)]


def dropout_stats(x, y, z):
    """R1's check values for two consecutive dropout outputs y, z of x (keep p = 0.5):
    mean(y) / mean(x), the fraction of zeros in y, the largest |y - 2x| where y is kept,
    the fraction of positions where y's and z's masks agree (independent masks: 0.5;
    a state that does not advance: 1), and 1 when the dtype is float32."""
    x, y, z = np.asarray(x), np.asarray(y), np.asarray(z)
    kept = y != 0
    err = np.abs(y[kept].astype(np.float64) - 2.0 * x[kept].astype(np.float64))
    return [float(y.mean(dtype=np.float64) / x.mean(dtype=np.float64)), 1.0 - float(kept.mean()),
            float(err.max()) if err.size else 1.0, float(np.mean(kept == (z != 0))),
            float(y.dtype == np.float32 and z.dtype == np.float32)]


def summary(a):
    """Sum, sum of squares and eight samples: the check values of a large output."""
    v = np.asarray(a, dtype=np.float64).ravel()
    n = v.size
    return [float(v.sum()), float((v * v).sum())] + [float(v[(n - 1) * k // 7]) for k in range(8)]


def stats(values):
    values = sorted(values)
    n = len(values)
    median = values[n // 2] if n % 2 else 0.5 * (values[n // 2 - 1] + values[n // 2])
    return {"median": median, "min": values[0], "max": values[-1], "repeats": n}


def time_per_call(repeats, calls, scale, body):
    """body() run `calls` times per repeat; time per call in 1/scale seconds."""
    runs, cpu = [], []
    for _ in range(repeats):
        cpu_start = time.process_time()  # all threads of the process: steadier when the machine is busy
        start = time.perf_counter()
        for _ in range(calls):
            body()
        runs.append((time.perf_counter() - start) * scale / calls)
        cpu.append((time.process_time() - cpu_start) * scale / calls)
    return dict(stats(runs), cpu_median=stats(cpu)["median"])


def time_interleaved(repeats, calls, scale, bodies):
    """time_per_call for several bodies whose ratio is the figure: their repeats alternate
    (body 0, body 1, ..., body 0, ...), so a change of the machine's load affects them alike."""
    runs = [[] for _ in bodies]
    cpu = [[] for _ in bodies]
    for _ in range(repeats):
        for k, body in enumerate(bodies):
            cpu_start = time.process_time()
            start = time.perf_counter()
            for _ in range(calls):
                body()
            runs[k].append((time.perf_counter() - start) * scale / calls)
            cpu[k].append((time.process_time() - cpu_start) * scale / calls)
    return [dict(stats(r), cpu_median=stats(c)["median"]) for r, c in zip(runs, cpu)]


def emit(record):
    print(json.dumps(record), flush=True)


def emit_time(workload, impl, variant, unit, st, calls=1, **extra):
    emit(dict(kind="time", workload=workload, impl=impl, variant=variant, unit=unit, calls=calls,
              **st, **extra))


def emit_check(workload, impl, variant, values):
    emit(dict(kind="check", workload=workload, impl=impl, variant=variant,
              values=[float(v) for v in values]))


def emit_note(workload, impl, variant, text):
    emit(dict(kind="note", workload=workload, impl=impl, variant=variant, text=text))


def parse_args(argv=None):
    import argparse
    p = argparse.ArgumentParser()
    p.add_argument("--workload", default="all")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--scale", type=float, default=1.0)
    args = p.parse_args(argv)
    args.workload = args.workload.upper()
    return args


def scaled(calls, args):
    return max(1, int(calls * args.scale))


def blas_cores():
    """The OpenBLAS core each OpenBLAS library loaded in this process runs
    (openblas_get_corename), e.g. {"libblas.so.3": "Cooperlake"}."""
    import ctypes
    import os
    cores = {}
    with open("/proc/self/maps") as f:
        paths = sorted({line.split()[-1] for line in f if "blas" in line.lower()
                        and line.split()[-1].startswith("/")})
    for path in paths:
        try:
            get = ctypes.CDLL(path).openblas_get_corename
        except (OSError, AttributeError):
            continue
        get.restype = ctypes.c_char_p
        cores[os.path.basename(path)] = (get() or b"?").decode()
    return cores


def run_selected(args, runners, impl=None):
    names = sorted(runners) if args.workload == "ALL" else [args.workload]
    for name in names:
        if name not in runners:
            print("unknown workload " + name, file=sys.stderr)
            sys.exit(2)
        runners[name](args)
        if impl:  # after the run: Theon may re-select the core when it loads (docs/blas.md)
            emit(dict(kind="blas", workload=name, impl=impl, cores=blas_cores()))
