"""W5's training step with profile=True: do the per-node times add up to the call time?

    PYTHONPATH=build/python python3 bench/python/profile_w5.py [--calls 200] [--summary]

Prints the calls' time, the nodes' sum and their ratio (docs/profiling.md), and the
median time per step profiled and unprofiled (what profiling costs a call).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_common as bc  # noqa: E402
import theon  # noqa: E402
from theon_runner import build_w5  # noqa: E402


def median_ms(step, data, labels, calls):
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        step(data, labels)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2] * 1e3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    data, labels, values = bc.w5_data()
    plain, _ = build_w5([v.copy() for v in values], "xent")
    # build_w5 compiles with theon.function: profile every function it makes.
    with theon.config.change_flags(profile=True):
        step, _ = build_w5([v.copy() for v in values], "xent")
    for f in (plain, step):
        for _ in range(10):  # warm up (buffers, native kernels)
            f(data, labels)
    theon.wait_for_native_code()
    p = step.profile
    calls0, call0, nodes0 = p.fct_callcount, p.fct_call_time, sum(p.apply_time.values())
    ms_profiled = median_ms(step, data, labels, args.calls)
    ms_plain = median_ms(plain, data, labels, args.calls)
    calls = p.fct_callcount - calls0
    call_time = p.fct_call_time - call0
    node_time = sum(p.apply_time.values()) - nodes0
    print("W5 step, %d profiled calls: call time %.3f s, nodes' sum %.3f s, ratio %.3f"
          % (calls, call_time, node_time, node_time / call_time))
    print("median per step: %.3f ms profiled, %.3f ms unprofiled" % (ms_profiled, ms_plain))
    if args.summary:
        p.summary(file=sys.stdout, n_ops_to_print=10, n_apply_to_print=10)
    theon.profiling._atexit_print_list.clear()


if __name__ == "__main__":
    main()
