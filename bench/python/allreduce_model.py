"""The ring all-reduce model of data-parallel training time, on paper (issue 17).

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/python/allreduce_model.py \\
        --alpha-us A --w5-ms T [--gemm-gflops G]

Communication per step, N nodes, S bytes of gradients, links of B bytes/s, latency alpha:
    t_comm = 2 (N-1)/N * S/B + 2 (N-1) * alpha              (ring all-reduce)
Compute per step: W5's measured single-process step (--w5-ms, batch 256), and for a
25-M-parameter float32 model (100 MB of gradients) 6 FLOP per parameter per sample
(2 forward, 4 backward) times the batch, at the measured sgemm rate (--gemm-gflops, or
measured here with NumPy at W5's shapes on this process's threads).
Two ways to add nodes:
  weak    each node keeps a batch of 256 rows: compute per step stays, comm grows
  strong  the global batch stays (256 for W5, 1024 for the 25-M model): compute / N
Step time without overlap is compute + comm; with perfect overlap max(compute, comm).
Prints markdown tables and, per case, the first node count where comm > compute.
"""
import argparse
import time

import numpy as np

LINKS = {"25 Gb/s": 25e9 / 8, "100 Gb/s": 100e9 / 8}
NODES = [2, 4, 8, 16, 32, 64]


def ring_time(n, nbytes, bandwidth, alpha):
    return 2 * (n - 1) / n * nbytes / bandwidth + 2 * (n - 1) * alpha


def measure_sgemm_gflops():
    """float32 GEMM rate at W5's largest product (256x784 by 784x512), median of 7."""
    rng = np.random.RandomState(0)
    a, b = rng.rand(256, 784).astype(np.float32), rng.rand(784, 512).astype(np.float32)
    a @ b
    rates = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(50):
            a @ b
        rates.append(50 * 2 * 256 * 784 * 512 / (time.perf_counter() - start) / 1e9)
    return float(np.median(rates))


def crossover(compute_of_n, nbytes, bandwidth, alpha, limit=100000):
    """The first node count whose communication exceeds its computation, or None."""
    for n in range(2, limit + 1):
        if ring_time(n, nbytes, bandwidth, alpha) > compute_of_n(n):
            return n
    return None


def table(title, nbytes, compute_of_n, alpha):
    print(f"\n**{title}** ({nbytes / 1e6:.2f} MB of gradients)\n")
    print("| nodes | compute ms | " + " | ".join(f"comm ms ({k}) | step ms, no overlap / overlap ({k})"
                                                 for k in LINKS) + " |")
    print("|---" * (2 + 2 * len(LINKS)) + "|")
    for n in NODES:
        compute = compute_of_n(n)
        cells = []
        for bandwidth in LINKS.values():
            comm = ring_time(n, nbytes, bandwidth, alpha)
            cells += [f"{comm * 1e3:.2f}", f"{(compute + comm) * 1e3:.2f} / {max(compute, comm) * 1e3:.2f}"]
        print(f"| {n} | {compute * 1e3:.2f} | " + " | ".join(cells) + " |")
    for name, bandwidth in LINKS.items():
        n = crossover(compute_of_n, nbytes, bandwidth, alpha)
        print(f"\n- {name}: communication exceeds computation from "
              + (f"{n} nodes" if n else "no node count (up to 100 000)"), end="")
    print()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--alpha-us", type=float, required=True, help="fitted latency per ring step")
    parser.add_argument("--w5-ms", type=float, required=True, help="W5 step, one process, batch 256")
    parser.add_argument("--gemm-gflops", type=float, help="sgemm rate (default: measured here)")
    args = parser.parse_args()
    alpha = args.alpha_us * 1e-6
    gflops = args.gemm_gflops or measure_sgemm_gflops()
    w5 = args.w5_ms * 1e-3
    w5_bytes = 4 * (784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10)
    big_params = 25e6
    big_flop_per_sample = 6 * big_params
    print(f"alpha = {args.alpha_us} us, sgemm = {gflops:.1f} GFLOP/s, W5 step = {args.w5_ms} ms; "
          f"25-M model: {big_flop_per_sample * 256 / 1e9:.1f} GFLOP per 256 rows = "
          f"{big_flop_per_sample * 256 / gflops / 1e9 * 1e3:.0f} ms")
    table("W5, weak scaling (256 rows per node)", w5_bytes, lambda n: w5, alpha)
    table("W5, strong scaling (global batch 256)", w5_bytes, lambda n: w5 / n, alpha)
    big = lambda rows: big_flop_per_sample * rows / (gflops * 1e9)
    table("25-M parameters, weak scaling (256 rows per node)", 4 * big_params, lambda n: big(256), alpha)
    table("25-M parameters, strong scaling (global batch 1024)", 4 * big_params, lambda n: big(1024 / n), alpha)


if __name__ == "__main__":
    main()
