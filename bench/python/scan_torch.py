"""The PyTorch side of bench/cpp/scan_overhead.cpp: h = tanh(W h + x[t]), 10 units,
1 000 steps, float64, a Python loop (torch.no_grad). Prints the median call time of 11
runs of 20 calls. Run with Debian's interpreter: /usr/bin/python3 bench/python/scan_torch.py"""
import statistics
import time

import torch

STEPS, UNITS = 1000, 10
torch.manual_seed(0)
torch.set_num_threads(1)
x = torch.rand(STEPS, UNITS, dtype=torch.float64) * 2 - 1
W = (torch.rand(UNITS, UNITS, dtype=torch.float64) * 2 - 1) * 0.3
h0 = torch.rand(UNITS, dtype=torch.float64) * 2 - 1


def loop():
    h = h0
    for t in range(STEPS):
        h = torch.tanh(W @ h + x[t])
    return h


with torch.no_grad():
    for _ in range(5):
        loop()
    runs = []
    for _ in range(11):
        start = time.perf_counter()
        for _ in range(20):
            loop()
        runs.append((time.perf_counter() - start) / 20 * 1e6)
med = statistics.median(runs)
print("scan_torch: %d steps, %d units, float64, torch %s" % (STEPS, UNITS, torch.__version__))
print("  torch loop %9.1f us per call  %6.3f us per step" % (med, med / STEPS))
