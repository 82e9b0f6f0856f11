"""PyTorch's side of bench/cpp/conv_ops.cpp: the same convolutions (LeNet-5's two layers,
a VGG-style 3x3 layer), float32, forward, grad-input and grad-filters, in GFLOP/s
(2 x multiply-adds / median time). Threads: torch.set_num_threads(OMP_NUM_THREADS).

    OMP_NUM_THREADS=1 /usr/bin/python3 bench/conv_ops_torch.py [--repeats N]
"""

import argparse
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
import bench_common  # noqa: E402  (bench/python: blas_cores)

SHAPES = [
    # name, batch, in, out, image, kernel, pad
    ("lenet_conv1", 128, 1, 20, 28, 5, 0),
    ("lenet_conv2", 128, 20, 50, 12, 5, 0),
    ("vgg_3x3", 32, 64, 64, 56, 3, 1),
    ("cifar_3x3", 128, 32, 64, 16, 3, 1),
]


def median_ms(body, repeats):
    body()  # warm-up: oneDNN primitives, allocator
    start = time.perf_counter()
    body()
    once = time.perf_counter() - start
    calls = max(1, int(0.03 / max(once, 1e-6)))
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            body()
        runs.append((time.perf_counter() - start) * 1e3 / calls)
    return statistics.median(runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=11)
    args = parser.parse_args()
    threads = int(os.environ.get("OMP_NUM_THREADS", os.cpu_count()))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    mkldnn = torch.backends.mkldnn.is_available()
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))  # loads and initializes OpenBLAS
    print("# torch %s, threads %d, mkldnn (oneDNN) %s, CPU capability %s, OpenBLAS cores %s" % (
        torch.__version__, torch.get_num_threads(), "on" if mkldnn else "off",
        torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, "cpu") else "?",
        bench_common.blas_cores()))
    print("%-12s %-13s %-13s %3s %10s %9s" % ("shape", "pass", "algorithm", "thr", "ms",
                                                "GFLOP/s"))
    for name, batch, cin, cout, image, kernel, pad in SHAPES:
        out = image + 2 * pad - kernel + 1
        x = torch.rand(batch, cin, image, image) * 2 - 1
        w = torch.rand(cout, cin, kernel, kernel) * 2 - 1
        dy = torch.rand(batch, cout, out, out) * 2 - 1
        macs = batch * cout * out * out * cin * kernel * kernel

        def backward(mask):
            return torch.ops.aten.convolution_backward(
                dy, x, w, None, [1, 1], [pad, pad], [1, 1], False, [0, 0], 1, mask)

        passes = [
            ("forward", lambda: F.conv2d(x, w, padding=pad)),
            ("grad_input", lambda: backward([True, False, False])),
            ("grad_filters", lambda: backward([False, True, False])),
        ]
        with torch.no_grad():
            for pass_name, body in passes:
                ms = median_ms(body, args.repeats)
                print("%-12s %-13s %-13s %3d %10.3f %9.1f" % (
                    name, pass_name, "pytorch", threads, ms, 2 * macs / (ms * 1e-3) * 1e-9),
                    flush=True)


if __name__ == "__main__":
    main()
