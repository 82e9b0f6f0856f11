"""Runs bench/cpp/conv_ops.cpp (Theon's algorithms) and bench/conv_ops_torch.py (PyTorch)
side by side, alternating, for 1 and 2 threads, and prints the Markdown table that
docs/conv_algorithms.md records.

    /usr/bin/python3 bench/conv_ops_run.py --build build [--rounds 3] [--repeats 11]
        [--threads 1 2]

The machine is shared, so each program runs --rounds times in turn and every cell keeps
its best round (each round's value is already a median of repeats): the quietest
moment each side had. As for every benchmark here (bench/run_bench.py), OPENBLAS_CORETYPE
and OPENBLAS_L2_SIZE are removed from every side's environment; OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS give the thread count; each side prints the OpenBLAS core it ran.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ALGORITHMS = ["im2col", "onednn", "onednn_plain", "onednn_winograd", "direct", "lanes"]


def run(command, threads):
    env = dict(os.environ)
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(name, None)
    env.update(OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    rows, notes = [], []
    for line in out.splitlines():
        if line.startswith("#"):
            notes.append(line)
            continue
        parts = line.split()
        if len(parts) < 6 or parts[0] == "shape":
            continue
        rows.append((parts[0], parts[1], parts[2], float(parts[4]), len(parts) > 6))
    return rows, notes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    theon = [os.path.join(args.build, "bench", "theon_conv_ops"), "--repeats", str(args.repeats)]
    torch = [sys.executable, os.path.join(HERE, "conv_ops_torch.py"), "--repeats",
             str(args.repeats)]
    best = {}     # (shape, pass, algorithm, threads) -> ms
    chosen = {}   # (shape, pass) -> algorithm auto picks
    order = []
    notes = set()
    for threads in args.threads:
        for _ in range(args.rounds):
            for command in (theon, torch):
                rows, lines = run(command, threads)
                notes.update(lines)
                for shape, pass_, algorithm, ms, is_chosen in rows:
                    key = (shape, pass_, algorithm, threads)
                    best[key] = min(best.get(key, ms), ms)
                    if (shape, pass_) not in order:
                        order.append((shape, pass_))
                    if is_chosen:
                        chosen[(shape, pass_)] = algorithm
    for line in sorted(notes):
        print(line)
    print()
    print("GFLOP/s (2 x multiply-adds / time), best of %d rounds of medians of %d repeats"
          % (args.rounds, args.repeats))
    print()
    header = ["shape", "pass", "thr"] + ALGORITHMS + ["auto picks", "pytorch", "auto / pytorch"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    macs = {"lenet_conv1": 128 * 20 * 24 * 24 * 25, "lenet_conv2": 128 * 50 * 8 * 8 * 20 * 25,
            "vgg_3x3": 32 * 64 * 56 * 56 * 64 * 9, "cifar_3x3": 128 * 64 * 16 * 16 * 32 * 9}
    for threads in args.threads:
        for shape, pass_ in order:
            def gflops(algorithm):
                ms = best.get((shape, pass_, algorithm, threads))
                return None if ms is None else 2 * macs[shape] / (ms * 1e-3) * 1e-9
            cells = [shape, pass_, str(threads)]
            for algorithm in ALGORITHMS:
                g = gflops(algorithm)
                cells.append("-" if g is None else "%.1f" % g)
            pick = chosen.get((shape, pass_), "?")
            auto, peer = gflops(pick), gflops("pytorch")
            cells += [pick, "-" if peer is None else "%.1f" % peer,
                      "-" if auto is None or peer is None else "%.2fx" % (auto / peer)]
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
