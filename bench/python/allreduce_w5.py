"""W5's training step, data-parallel, and the share of it spent communicating (issue 17).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=build/python \\
      mpirun -np 2 --oversubscribe --allow-run-as-root /usr/bin/python3 bench/python/allreduce_w5.py

W5 (784-512-512-10 MLP, float32, SGD) with a global batch of 256 rows split over the
ranks. Three steps are timed, their repeats alternating so that the machine's load
changes affect them alike:
  data-parallel  gradients averaged by distributed.allreduce (one fused 2.68 MB buffer)
  local          the same step on the same local rows without the all-reduce (compute)
  allreduce      a function that only all-reduces 2.68 MB (the gradients' size)
The communication share is the median over repeats of (data-parallel - local), over
the data-parallel median; repeats of one call each, alternating. Times: each rank's median,
averaged over the ranks.
Minima (over the repeats) are printed too: on a busy machine, the uncontended cost.
In a world of 1 the all-reduce is the identity (no MPI). Rank 0 prints one JSON record.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as bc  # noqa: E402

import theon  # noqa: E402
import theon.tensor as T  # noqa: E402
from theon import distributed  # noqa: E402


def build_step(values, reduce):
    x, y = T.fmatrix("X"), T.lvector("labels")
    params = [theon.shared(v.copy(), name=n) for v, n in zip(values, ["W1", "b1", "W2", "b2", "W3", "b3"])]
    w1, b1, w2, b2, w3, b3 = params
    h1 = T.nnet.relu(T.dot(x, w1) + b1)
    h2 = T.nnet.relu(T.dot(h1, w2) + b2)
    p = T.nnet.softmax(T.dot(h2, w3) + b3)
    loss = T.mean(T.nnet.categorical_crossentropy(p, y))
    grads = T.grad(loss, params)
    if reduce:
        grads = distributed.allreduce(grads)
    lr = np.float32(0.01)
    return theon.function([x, y], loss, updates=[(q, q - lr * g) for q, g in zip(params, grads)])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=80)
    parser.add_argument("--calls", type=int, default=1)
    args = parser.parse_args()
    distributed.init()
    rank, size = distributed.rank(), distributed.size()
    data, labels, values = bc.w5_data()
    xs, ys = distributed.shard(data), distributed.shard(labels)
    n_params = sum(v.size for v in values)
    parallel, local = build_step(values, True), build_step(values, False)
    g = T.fvector("g")
    reduce_only = theon.function([g], distributed.allreduce(g))
    grad_buffer = np.ones(n_params, np.float32)
    bodies = {"data-parallel": lambda: parallel(xs, ys), "local": lambda: local(xs, ys),
              "allreduce": lambda: reduce_only(grad_buffer)}
    rounds = {name: [] for name in bodies}
    for body in bodies.values():
        body()  # warm-up
    for _ in range(args.repeats):
        for name, body in bodies.items():
            distributed.barrier()
            start = time.perf_counter()
            for _ in range(args.calls):
                body()
            rounds[name].append((time.perf_counter() - start) / args.calls)
    # Each rank's median, averaged over the ranks (collected once at the end: no extra
    # traffic while timing).
    t = T.dscalar("t")
    mean_over_ranks = theon.function([t], distributed.allreduce(t, op="mean"))
    medians = {name: float(mean_over_ranks(np.median(r))) for name, r in rounds.items()}
    minima = {name: float(mean_over_ranks(np.min(r))) for name, r in rounds.items()}
    # The paired difference (each repeat's data-parallel minus its local step) is steadier
    # than the difference of the medians when the machine's load changes.
    paired = float(mean_over_ranks(np.median(np.subtract(rounds["data-parallel"], rounds["local"]))))
    if rank == 0:
        share = paired / medians["data-parallel"]
        print(json.dumps(dict(kind="w5", ranks=size, threads=os.environ.get("OMP_NUM_THREADS"),
                              global_batch=256, local_batch=len(xs), gradient_bytes=4 * n_params,
                              step_ms=1e3 * medians["data-parallel"], local_ms=1e3 * medians["local"],
                              allreduce_ms=1e3 * medians["allreduce"], communication_share=share,
                              min_step_ms=1e3 * minima["data-parallel"], min_local_ms=1e3 * minima["local"],
                              min_allreduce_ms=1e3 * minima["allreduce"],
                              paired_difference_ms=1e3 * paired,
                              repeats=args.repeats, calls=args.calls)))


if __name__ == "__main__":
    main()
