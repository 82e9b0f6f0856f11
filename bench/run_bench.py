#!/usr/bin/python3
"""Runs the whole benchmark suite in one go and writes bench/RESULTS.md.

For each workload W1-W10 (../shared/WORKLOADS.md, docs/benchmarks.md) and R1
(random streams, issue 13) it runs Theon from C++ and from Python, NumPy and PyTorch, each
in its own process, and in the same run the limits: memory bandwidth, the SLEEF math
floor, OpenBLAS GEMM at W5's sizes and W10's step's sgemm calls alone. Every runner's check values are compared with NumPy's (R1's
random draws: their statistics with the expected ones): a fast wrong answer fails.

    /usr/bin/python3 bench/run_bench.py --build build [--repeats 5] [--scale 1]
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"
IMPLS = ["theon-cpp", "theon-py", "numpy", "pytorch"]
WORKLOADS = ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W9", "W10", "R1"]
TITLES = {"W1": "xor-sgd", "W2": "xnor-batch", "W3": "logistic-elemwise", "W4": "fused-chain",
          "W5": "mlp-train", "W6": "compile-time", "W7": "softmax-stability", "W8": "lenet5-step",
          "W9": "lstm-train", "W10": "minibatch-epoch", "R1": "random-streams"}
# The runner script of a (workload, impl), where it is not the impl's common runner.
RUNNER_SCRIPT = {("W9", "theon-py"): "w9_theon.py", ("W9", "pytorch"): "w9_torch.py",
                 ("W10", "theon-py"): "w10_theon.py", ("W10", "numpy"): "w10_numpy.py",
                 ("W10", "pytorch"): "w10_torch.py"}
# The runners a workload has, where not all of IMPLS (R1 has no C++ runner).
WORKLOAD_IMPLS = {"R1": ["theon-py", "numpy", "pytorch"], "W8": ["theon-cpp", "theon-py", "pytorch"],
                  "W9": ["theon-cpp", "theon-py", "pytorch"]}
# The runner whose check values the others must match, where it is not NumPy (NumPy has
# no convolution: W8 is checked against PyTorch; W9 against PyTorch's nn.LSTM).
REFERENCE_IMPL = {"W8": "pytorch", "W9": "pytorch"}
# Per (workload, variant) the target from WORKLOADS.md: {impl: upper bound}, or
# {impl: Relative(...)}: at most `factor` times another figure of the same run.


class Relative:
    """A target relative to another figure of the run: Theon's time at most `factor` times
    `variant`'s time of `impl` (None: the same runner)."""

    def __init__(self, impl, variant, factor, text):
        self.impl, self.variant, self.factor, self.text = impl, variant, factor, text


TARGETS = {
    ("W1", "call"): {"theon-py": 2.0, "theon-cpp": 0.5},
    ("W2", "step"): {"theon-py": 2.0, "theon-cpp": 1.0},
    ("W3", "fwd"): {"theon-py": 10.0, "theon-cpp": 10.0},
    ("W4", "fwd"): {"theon-py": 15.0, "theon-cpp": 15.0},
    ("W4", "fwd+grad"): {"theon-py": 25.0, "theon-cpp": 25.0},
    ("W5", "step"): {"theon-py": 2.4, "theon-cpp": 2.4},
    # Issue 13: the NLL-by-indexing loss costs at most 5 % over categorical_crossentropy.
    ("W5", "step-nll-index"): {"theon-py": Relative(None, "step", 1.05, "≤ 1.05× step")},
    ("W6", "cold"): {"theon-py": 1000.0, "theon-cpp": 1000.0},
    ("W6", "warm"): {"theon-py": 50.0, "theon-cpp": 50.0},
    ("W7", "naive"): {"theon-py": 5.0, "theon-cpp": 5.0},
    # Issue 13: at least 3x NumPy's Generator (and at memory bandwidth: the limit).
    # Issue 14: faster than PyTorch (and within 1.5x of the FLOP floor: the limit below).
    ("W8", "step"): {"theon-py": Relative("pytorch", "step", 1.0, "< PyTorch"),
                     "theon-cpp": Relative("pytorch", "step", 1.0, "< PyTorch")},
    # Issue 16: W9's step ahead of PyTorch's nn.LSTM (the LSTMCell loop is the other peer;
    # and within 3x of the FLOP floor: results_md.FLOOR_GOAL).
    ("W9", "step"): {"theon-py": Relative("pytorch", "step", 1.0, "< PyTorch nn.LSTM"),
                     "theon-cpp": Relative("pytorch", "step", 1.0, "< PyTorch nn.LSTM")},
    # Issue 16: W10's epoch at most half the NumPy loop's (and at most 1.3x the sum of
    # its GEMM time: the floor, results_md.FLOOR_GOAL).
    ("W10", "epoch"): {"theon-py": Relative("numpy", "epoch", 0.5, "≤ 0.5× NumPy"),
                       "theon-cpp": Relative("numpy", "epoch", 0.5, "≤ 0.5× NumPy")},
    ("R1", "uniform"): {"theon-py": Relative("numpy", "uniform", 1 / 3, "≥ 3× NumPy")},
    ("R1", "dropout"): {"theon-py": Relative("numpy", "dropout", 1 / 3, "≥ 3× NumPy")},
}
# Check tolerances (rtol, atol) against NumPy's values; W5 is float32.
TOLERANCE = {"W1": (1e-9, 1e-12), "W2": (1e-9, 1e-12), "W3": (1e-8, 1e-12),
             "W4": (1e-8, 1e-12), "W5": (2e-3, 2e-3), "W7": (1e-9, 1e-9), "W8": (2e-3, 2e-3),
             "W9": (2e-3, 1e-5), "W10": (1e-3, 1e-4)}
# Which NumPy check a peer-specific variant is compared with.
REFERENCE_VARIANT = {"torch.sigmoid": "fwd", "torch.log_softmax": "naive",
                     "train-nll-index": "train", "F.dropout": "dropout",
                     "step (LSTMCell loop)": "step"}
# Random draws differ between generators: their check values (bench_common.uniform_stats,
# dropout_stats) must lie in these ranges (inclusive) for every runner, NumPy's included.
# The bounds are >= 10 standard deviations of the statistic at these sizes.
STAT_CHECKS = {
    ("R1", "uniform"): [("mean", 0.499, 0.501), ("variance", 1 / 12 - 1e-3, 1 / 12 + 1e-3),
                        ("min", 0.0, 1e-3), ("max", 0.999, 1.0 - 2.0 ** -24),
                        ("largest 16-bin histogram deviation", 0.0, 1e-3),
                        ("lag-1 correlation", -3e-3, 3e-3),
                        ("fraction equal to the previous call's", 0.0, 1e-3),
                        ("float32", 1.0, 1.0)],
    ("R1", "dropout"): [("mean(y) / mean(x)", 0.995, 1.005), ("fraction of zeros", 0.495, 0.505),
                        ("largest |y - 2x| where kept", 0.0, 1e-6),
                        ("mask agreement with the previous call's", 0.49, 0.51),
                        ("float32", 1.0, 1.0)],
}
# Bytes in + out per call, for the memory floors.
BYTES = {("W3", "fwd"): 4096 * 4096 * 16, ("W4", "fwd"): 10_000_000 * 16,
         ("W4", "fwd+grad"): 10_000_000 * 24,
         ("R1", "uniform"): 10_000_000 * 4, ("R1", "dropout"): 4096 * 4096 * 8}
W5_GFLOP = 0.8216  # per step: 2 * 256 * (784*512 + 512*512 + 512*10) * 2, plus dH1 and dH2
# W8 per step: 3x the forward pass's 2 * 128 * (20*24*24*25 + 50*8*8*20*25 + 800*500 + 500*10)
# (bench/python/bench_common.py W8_GFLOP).
W8_GFLOP = 3 * 2 * 128 * (20 * 24 * 24 * 25 + 50 * 8 * 8 * 20 * 25 + 800 * 500 + 500 * 10) / 1e9
# W9 (LSTM through scan; bench/python/w9_common.py GFLOP) per step: 100 steps x batch 32 x (128 + 256)
# inputs x 1024 gate outputs x 2 FLOP per multiply-add x 3 (forward, two backward products).
W9_GFLOP = 100 * 32 * (128 + 256) * 1024 * 2 * 3 / 1e9
# W10 per epoch: 2 500 steps of the products x.W1, h.W2, h^T d2, d2 W2^T, x^T dz1.
W10_CALLS = 2500
W10_GFLOP = W10_CALLS * 2 * 20 * (2 * 784 * 500 + 3 * 500 * 10) / 1e9


class Run:
    """Everything one invocation collected."""

    def __init__(self):
        self.times = []     # kind == "time" records, with "impl"
        self.checks = {}    # (workload, impl, variant) -> values
        self.notes = {}     # (workload, impl, variant) -> text
        self.values = {}    # limits: name -> record
        self.failures = []  # (what, message)
        self.procs = []     # (what, wall s, cpu s)
        self.cache_dir = None  # THEON_CACHE_DIR of the timed Theon runs
        self.blas = {}      # (workload, impl) -> {library: OpenBLAS core}


def parse_lines(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            # C++'s printf spells non-finite numbers nan/inf (only in number lists);
            # Python's json reads NaN/Infinity.
            line = re.sub(r"(?<=[\[ ,])-?nan\b", "NaN", line)
            line = re.sub(r"(?<=[\[ ,])(-?)inf\b", r"\1Infinity", line)
            out.append(json.loads(line))
    return out


def run_process(run, what, cmd, env=None, timeout=600, cwd=None, raw=False):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    full_env = dict(os.environ)
    for key, val in (env or {}).items():  # None: removed from the environment
        if val is None:
            full_env.pop(key, None)
        else:
            full_env[key] = val
    try:
        proc = subprocess.run(cmd, env=full_env, cwd=cwd, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        run.failures.append((what, "timed out after %d s" % timeout))
        return []
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    run.procs.append((what, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)))
    records = proc.stdout if raw else parse_lines(proc.stdout)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        run.failures.append((what, "exit %d: %s" % (proc.returncode, tail[:300])))
    print("  %-40s %6.1f s%s" % (what, wall, "" if proc.returncode == 0 else "  FAILED"), flush=True)
    return records


def collect(run, records):
    for r in records:
        kind = r.get("kind")
        if kind == "time":
            run.times.append(r)
        elif kind == "check":
            run.checks[(r["workload"], r["impl"], r["variant"])] = r["values"]
        elif kind == "note":
            run.notes[(r["workload"], r["impl"], r["variant"])] = r["text"]
        elif kind == "value":
            run.values[r["name"]] = r
        elif kind == "blas":
            run.blas[(r["workload"], r["impl"])] = r["cores"]


# The machines' environment pins OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE) for older
# OpenBLAS builds; every runner, peers and Theon alike, runs with both removed
# (WORKLOADS.md, "Same libraries for every peer"), and each reports the core it ran.
UNPINNED = {"OPENBLAS_CORETYPE": None, "OPENBLAS_L2_SIZE": None}


def peer_env(impl):
    """Peers run single-threaded, like the figures in WORKLOADS.md."""
    env = dict(UNPINNED, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    if impl == "pytorch":
        env["GLIBC_TUNABLES"] = "glibc.malloc.hugetlb=1"
    return env


def measure_limits(run, build, repeats):
    limits = os.path.join(build, "bench", "theon_bench_limits")
    if not os.path.exists(limits):
        run.failures.append(("limits", "%s not built (libsleef-dev missing?)" % limits))
        return
    collect(run, run_process(run, "limits: bandwidth", [limits, "--part", "bandwidth",
                                                               "--repeats", str(repeats)]))
    collect(run, run_process(run, "limits: math floor", [limits, "--part", "math",
                                                         "--repeats", str(repeats)]))
    for coretype in ["default", "SkylakeX"]:
        for threads in ["1", "2"]:
            env = {"OPENBLAS_NUM_THREADS": threads}
            if coretype != "default":
                env["OPENBLAS_CORETYPE"] = coretype
            label = "%s.%st" % (coretype, threads)
            collect(run, run_process(run, "limits: gemm " + label,
                                     [limits, "--part", "gemm", "--label", label, "--repeats",
                                      str(repeats)], env=env))
    # W10's floor: its step's sgemm calls alone, on the core every runner uses (unpinned).
    w10_gemm = os.path.join(build, "bench", "theon_bench_w10_gemm")
    if not os.path.exists(w10_gemm):
        run.failures.append(("limits", "%s not built" % w10_gemm))
        return
    for threads in ["1", "2"]:
        env = dict(UNPINNED, OPENBLAS_NUM_THREADS=threads)
        collect(run, run_process(run, "limits: W10 gemm %st" % threads,
                                 [w10_gemm, "--label", threads + "t", "--repeats", str(repeats)],
                                 env=env))


def theon_env():
    """Theon keeps the core OpenBLAS picked, as every peer does (with OPENBLAS_CORETYPE
    unset that is its own choice for this CPU), and runs one thread like the peers: one
    BLAS kernel and one thread count on every side of a ratio (WORKLOADS.md, "Same
    libraries for every peer")."""
    # OMP_WAIT_POLICY: oneDNN's OpenMP threads sleep between convolutions instead of
    # spinning against Theon's own pool (docs/conv_algorithms.md); `import theon` sets it
    # for Python, a C++ program must have it in its environment.
    return {"THEON_FLAGS": "blas_coretype=keep", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
            "OMP_WAIT_POLICY": "passive"}


def run_workload(run, build, workload, impls, repeats, scale):
    # python/compat holds the `theano` alias (not installed: users put it on the path).
    py_env = dict(UNPINNED, PYTHONPATH=os.pathsep.join([os.path.join(build, "python"),
                                                        os.path.join(ROOT, "python", "compat")]))
    pydir = os.path.join(HERE, "python")
    common = ["--workload", workload, "--repeats", str(repeats), "--scale", str(scale)]
    for impl in [i for i in impls if i in WORKLOAD_IMPLS.get(workload, IMPLS)]:
        if impl == "theon-cpp":
            cmd, env = [os.path.join(build, "bench", "theon_bench_workloads")] + common, dict(UNPINNED)
        elif impl == "theon-py":
            cmd, env = [PY, RUNNER_SCRIPT.get((workload, impl), "theon_runner.py")] + common, py_env
        elif impl == "numpy":
            cmd, env = [PY, RUNNER_SCRIPT.get((workload, impl), "numpy_runner.py")] + common, peer_env(impl)
        else:
            cmd, env = [PY, RUNNER_SCRIPT.get((workload, impl), "torch_runner.py")] + common, peer_env(impl)
        if impl.startswith("theon"):
            env = dict(env, THEON_CACHE_DIR=run.cache_dir, **theon_env())
            # Theon compiles fused kernels in the background and switches over when they
            # are ready: a short first process fills the run's cache, so the measured one
            # loads native code at once and times the steady state.
            prime = cmd[:cmd.index("--repeats")] + ["--repeats", "1", "--scale", "0.01"]
            run_process(run, "%s %s (prime the kernel cache)" % (workload, impl), prime, env=env,
                        cwd=pydir)
        collect(run, run_process(run, "%s %s" % (workload, impl), cmd, env=env, cwd=pydir))


def run_micro(run, build, repeats):
    """bench/cpp/micro.cpp under Google Benchmark: one figure per repetition."""
    micro = os.path.join(build, "bench", "theon_bench_micro")
    if not os.path.exists(micro):
        run.failures.append(("micro", "%s not built (libbenchmark-dev missing?)" % micro))
        return
    before = len(run.procs)
    # The same environment as the workload runners: OpenBLAS unpinned, one thread.
    env = dict(UNPINNED, THEON_CACHE_DIR=run.cache_dir, **theon_env())
    records = run_process(run, "W1/W2 theon-cpp google-benchmark",
                          [micro, "--benchmark_format=json", "--benchmark_repetitions=%d" % repeats,
                           "--benchmark_min_time=0.2"], env=env, raw=True)
    if len(run.procs) == before or not records:
        return
    try:
        report = json.loads(records)
    except json.JSONDecodeError as e:
        run.failures.append(("micro", "unreadable Google Benchmark output: %s" % e))
        return
    per_name = {}
    for b in report.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration":
            continue
        scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3}[b.get("time_unit", "ns")]
        per_name.setdefault(b.get("run_name", b["name"]), []).append(
            (b["real_time"] * scale, b.get("cpu_time", -1) * scale))
    where = {"W1_call": ("W1", "call (Google Benchmark)"), "W2_step": ("W2", "step (Google Benchmark)"),
             "call_scalar_multiply": ("W1", "scalar multiply a*b (Google Benchmark)")}
    for name, values in per_name.items():
        workload, variant = where.get(name, ("W1", name))
        run.times.append(dict(kind="time", workload=workload, impl="theon-cpp", variant=variant,
                              unit="us", calls=0, cpu_median=stats([c for _, c in values])["median"],
                              **stats([w for w, _ in values])))


def run_w6(run, build, runs):
    """Cold: a fresh process with an empty THEON_CACHE_DIR; warm: a second fresh process
    with the same directory."""
    pydir = os.path.join(HERE, "python")
    for impl in ["theon-cpp", "theon-py"]:
        samples = {}
        for i in range(runs):
            cache = tempfile.mkdtemp(prefix="theon_bench_cache_")
            try:
                for phase in ["cold", "warm"]:
                    env = dict(UNPINNED, THEON_CACHE_DIR=cache, PYTHONPATH=os.path.join(build, "python"))
                    if impl == "theon-cpp":
                        cmd = [os.path.join(build, "bench", "theon_bench_workloads"), "--workload", "W6"]
                    else:
                        cmd = [PY, "theon_w6.py"]
                    start = time.perf_counter()
                    records = run_process(run, "W6 %s %s #%d" % (impl, phase, i + 1), cmd, env=env,
                                          cwd=pydir)
                    wall_ms = (time.perf_counter() - start) * 1e3
                    parts = {r["variant"]: r["median"] for r in records if r.get("kind") == "time"}
                    if "build+compile" not in parts:
                        continue
                    # The figure that counts: build + compile (+ import, from Python).
                    total = parts["build+compile"] + parts.get("import theon", 0.0)
                    samples.setdefault(phase, []).append(total)
                    for name, value in parts.items():
                        samples.setdefault("%s: %s" % (phase, name), []).append(value)
                    samples.setdefault("%s: whole process" % phase, []).append(wall_ms)
            finally:
                shutil.rmtree(cache, ignore_errors=True)
        for variant, values in samples.items():
            st = stats(values)
            run.times.append(dict(kind="time", workload="W6", impl=impl, variant=variant, unit="ms",
                                  calls=1, **st))


def stats(values):
    values = sorted(values)
    n = len(values)
    median = values[n // 2] if n % 2 else 0.5 * (values[n // 2 - 1] + values[n // 2])
    return {"median": median, "min": values[0], "max": values[-1], "repeats": n}


def verify(run):
    """Each runner's check values against NumPy's; returns {(workload, impl, variant): status}."""
    status = {}
    for (workload, impl, variant), values in run.checks.items():
        ranges = STAT_CHECKS.get((workload, REFERENCE_VARIANT.get(variant, variant)))
        if ranges is not None:
            bad = [(name, v, lo, hi) for (name, lo, hi), v in zip(ranges, values)
                   if not lo <= v <= hi]  # NaN compares false: fails
            if len(values) != len(ranges):
                bad.append(("number of values", len(values), len(ranges), len(ranges)))
            status[(workload, impl, variant)] = "ok (statistics)" if not bad else \
                "WRONG (%s %.6g, expected %.6g to %.6g)" % bad[0]
            continue
        reference = REFERENCE_IMPL.get(workload, "numpy")
        if impl == reference and REFERENCE_VARIANT.get(variant, variant) == variant:
            status[(workload, impl, variant)] = "reference"
            continue
        ref = run.checks.get((workload, reference, REFERENCE_VARIANT.get(variant, variant)))
        if ref is None:
            status[(workload, impl, variant)] = "no reference"
            continue
        rtol, atol = TOLERANCE[workload]
        bad = [i for i, (a, b) in enumerate(zip(values, ref))
               if not (abs(a - b) <= atol + rtol * abs(b))]  # NaN compares false: fails
        if len(values) != len(ref):
            bad.append(-1)
        status[(workload, impl, variant)] = "ok" if not bad else "WRONG (value %d: %r vs %r)" % (
            bad[0], values[bad[0]] if bad[0] >= 0 else None, ref[bad[0]] if bad[0] >= 0 else None)
    return status


def machine_info(build, commit=None):
    info = {}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = re.search(r"Model name:\s*(.+)", lscpu)
        info["cpu"] = model.group(1).strip() if model else platform.processor()
        info["avx512"] = "avx512f" in lscpu
    except OSError:
        info["cpu"] = platform.processor()
    info["cores"] = os.cpu_count()
    try:
        with open("/proc/meminfo") as f:
            info["memory"] = "%.0f GiB" % (int(f.readline().split()[1]) / 2**20)
    except OSError:
        pass
    info["kernel"] = platform.release()
    info["python"] = platform.python_version()

    def version(code):
        out = subprocess.run([PY, "-c", code], capture_output=True, text=True)
        return out.stdout.strip() if out.returncode == 0 else "not installed"

    info["numpy"] = version("import numpy; print(numpy.__version__)")
    info["torch"] = version("import torch; print(torch.__version__)")
    info["compiler"] = subprocess.run(["c++", "--version"], capture_output=True,
                                      text=True).stdout.splitlines()[0]
    for pkg in ["libopenblas0-pthread", "libsleef3"]:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True)
        info[pkg] = out.stdout.strip() or "?"
    git = lambda *a: subprocess.run(["git", "-C", ROOT] + list(a), capture_output=True, text=True).stdout.strip()
    if commit:  # a source tree exported without .git (git archive) says what it was
        info["commit"], info["tree"] = commit, "source exported with git archive"
    else:
        info["commit"] = git("log", "-1", "--format=%h %s") or "unknown"
        dirty = git("status", "--porcelain", "--untracked-files=no")
        info["tree"] = "working tree with uncommitted changes" if dirty else "clean working tree"
    info["build"] = os.path.abspath(build)
    return info


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiplies the calls timed per repeat in W1, W2, W5, W8, W9, W10 and R1")
    p.add_argument("--w6-runs", type=int, default=3)
    p.add_argument("--workloads", default=",".join(WORKLOADS))
    p.add_argument("--impls", default=",".join(IMPLS))
    p.add_argument("--no-limits", action="store_true")
    p.add_argument("--output", default=os.path.join(HERE, "RESULTS.md"))
    p.add_argument("--commit", default=None,
                   help="the commit being measured, when the source tree has no .git")
    p.add_argument("--raw", default=None, help="also write every record as JSON lines here")
    args = p.parse_args()
    # Runners start in other directories: a relative build path (scripts/bench.sh's
    # default "build") must not depend on the working directory.
    args.build = os.path.abspath(args.build)

    import results_md  # noqa: E402  (next to this file)

    impls = [i for i in args.impls.split(",") if i]
    if "pytorch" in impls and subprocess.run([PY, "-c", "import torch"], capture_output=True).returncode:
        print("run_bench: PyTorch is not installed (python3-torch); skipping it", file=sys.stderr)
        impls.remove("pytorch")
    run = Run()
    run.cache_dir = tempfile.mkdtemp(prefix="theon_bench_cache_")
    started = time.perf_counter()
    info = machine_info(args.build, args.commit)
    info["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info["load_before"] = "%.1f %.1f %.1f" % os.getloadavg()
    if not args.no_limits:
        print("limits", flush=True)
        measure_limits(run, args.build, max(args.repeats, 5))
    for workload in [w.upper() for w in args.workloads.split(",") if w]:
        print(workload, flush=True)
        if workload == "W6":
            run_w6(run, args.build, args.w6_runs)
        else:
            run_workload(run, args.build, workload, impls, args.repeats, args.scale)
        if workload == "W2" and "theon-cpp" in impls:
            run_micro(run, args.build, args.repeats)
    shutil.rmtree(run.cache_dir, ignore_errors=True)
    info["load_after"] = "%.1f %.1f %.1f" % os.getloadavg()
    info["total_s"] = time.perf_counter() - started
    status = verify(run)
    text = results_md.render(run, status, info, args, impls)
    with open(args.output, "w") as f:
        f.write(text)
    if args.raw:
        with open(args.raw, "w") as f:
            for r in run.times + list(run.values.values()):
                f.write(json.dumps(r) + "\n")
    wrong = [k for k, v in status.items() if v.startswith("WRONG")]
    print("wrote %s in %.0f s; %d check(s) failed, %d process(es) failed" %
          (args.output, info["total_s"], len(wrong), len(run.failures)))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
