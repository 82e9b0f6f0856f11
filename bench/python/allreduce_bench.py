"""All-reduce time against message size, and the ring model fitted to it (issue 17).

    mpirun -np 2 --oversubscribe --allow-run-as-root /usr/bin/python3 \\
        bench/python/allreduce_bench.py [--budget 0.3] [--max-mib 64]

Times MPI_Allreduce (MPI_SUM on float32, through mpi4py: the same Open MPI call that
theon.distributed's op makes, MPI_Iallreduce followed by its wait) for messages of 1 KiB
to 64 MiB between the ranks of one machine (shared memory). Each size: single calls, each
after a barrier, as many as fill `budget` seconds (15 to 2000); a call's time is its
slowest rank's; the median, minimum and 90th percentile are reported.

Then fits the ring all-reduce cost  t(S) = 2(N-1)/N * S/B + 2(N-1) * alpha  by least
squares on the relative error (the sizes span five decades, so plain least squares would
fit only the largest), once to the medians and once to the minima (on a busy machine the
minima are the uncontended cost), and prints alpha, B and each size's model / measured.
Rank 0 prints one JSON record per line, then a table.
"""
import argparse
import json
import os
import time

import numpy as np
from mpi4py import MPI


def time_allreduce(comm, nbytes, budget_s):
    """Per-call times (the slowest rank's), each call started together after a barrier:
    on a busy machine, a call during which a rank lost its core is one slow sample, not a
    slow round. Calls: enough to fill `budget_s`, at least 15, at most 2000."""
    send = np.ones(nbytes // 4, np.float32)
    recv = np.empty_like(send)
    comm.Allreduce(send, recv, op=MPI.SUM)  # warm-up: connection set-up and page faults
    start = time.perf_counter()
    comm.Allreduce(send, recv, op=MPI.SUM)
    one = comm.allreduce(time.perf_counter() - start, op=MPI.MAX)
    calls = int(min(2000, max(15, budget_s / max(one, 1e-6))))
    calls = comm.bcast(calls)
    times = np.empty(calls)
    for i in range(calls):
        comm.Barrier()
        start = time.perf_counter()
        comm.Allreduce(send, recv, op=MPI.SUM)
        times[i] = time.perf_counter() - start
    assert recv[0] == comm.Get_size(), "all-reduce gave a wrong sum"
    slowest = np.empty_like(times)
    comm.Allreduce(times, slowest, op=MPI.MAX)
    return float(np.median(slowest)), float(slowest.min()), float(np.percentile(slowest, 90)), calls


def fit_ring(sizes, times, n):
    """alpha (s) and B (bytes/s) of t = 2(N-1)/N S/B + 2(N-1) alpha, minimising the
    relative residuals: each equation divided by its measured time."""
    s = np.asarray(sizes, np.float64)
    t = np.asarray(times, np.float64)
    design = np.stack([2 * (n - 1) / n * s, np.full_like(s, 2 * (n - 1))], axis=1) / t[:, None]
    (inv_b, alpha), *_ = np.linalg.lstsq(design, np.ones_like(t), rcond=None)
    return float(alpha), float(1.0 / inv_b)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=float, default=0.3, help="seconds of calls per size")
    parser.add_argument("--max-mib", type=int, default=64)
    parser.add_argument("--fit-max-mib", type=int, default=64, help="fit only sizes up to this")
    args = parser.parse_args()
    comm = MPI.COMM_WORLD
    n, rank = comm.Get_size(), comm.Get_rank()
    sizes = [1024 << k for k in range(0, 30) if (1024 << k) <= args.max_mib << 20]
    medians, minima = [], []
    for nbytes in sizes:
        median, low, p90, calls = time_allreduce(comm, nbytes, args.budget)
        medians.append(median)
        minima.append(low)
        if rank == 0:
            print(json.dumps(dict(kind="allreduce", ranks=n, bytes=nbytes, median_s=median,
                                  min_s=low, p90_s=p90, calls=calls)),
                  flush=True)
    if rank != 0:
        return
    print(f"\nranks {n}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for label, times in (("medians", medians), ("minima", minima)):
        fitted = [(s, t) for s, t in zip(sizes, times) if s <= args.fit_max_mib << 20]
        alpha, bandwidth = fit_ring([s for s, _ in fitted], [t for _, t in fitted], n)
        print(json.dumps(dict(kind="fit", of=label, ranks=n, alpha_s=alpha, bandwidth_bytes_per_s=bandwidth)))
        print(f"fit to the {label} up to {args.fit_max_mib} MiB: alpha = {alpha * 1e6:.2f} us, B = {bandwidth / 1e9:.2f} GB/s")
        print(f"{'size':>10} {label:>12} {'GB/s (S/t)':>11} {'model':>12} {'model/meas':>10}")
        for nbytes, t in zip(sizes, times):
            model = 2 * (n - 1) / n * nbytes / bandwidth + 2 * (n - 1) * alpha
            size = f"{nbytes >> 20} MiB" if nbytes >= 1 << 20 else f"{nbytes >> 10} KiB"
            print(f"{size:>10} {t * 1e6:>10.1f}us {nbytes / t / 1e9:>11.2f} {model * 1e6:>10.1f}us "
                  f"{model / t:>10.2f}")

if __name__ == "__main__":
    main()
