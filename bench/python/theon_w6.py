"""W6 from Python, in a fresh process: `import theon`, then build and compile W2's
training function, then its first call. The driver runs this with an empty
THEON_CACHE_DIR (cold) and again with the same directory (warm).

    THEON_CACHE_DIR=$(mktemp -d) PYTHONPATH=build/python python3 theon_w6.py
"""
import time

start = time.perf_counter()
import theon  # noqa: E402,F401

import_ms = (time.perf_counter() - start) * 1e3

import bench_common as bc  # noqa: E402  (NumPy is imported by now: not counted twice)
import theon_runner  # noqa: E402

start = time.perf_counter()
step, _ = theon_runner.build_xnor()
compile_ms = (time.perf_counter() - start) * 1e3
start = time.perf_counter()
step(bc.XNOR_INPUTS, bc.XNOR_TARGETS)
first_call_ms = (time.perf_counter() - start) * 1e3

for variant, value in (("import theon", import_ms), ("build+compile", compile_ms),
                       ("first call", first_call_ms)):
    bc.emit_time("W6", "theon-py", variant, "ms", bc.stats([value]))
