"""Renders a benchmark run (bench/run_bench.py) as bench/RESULTS.md."""
import run_bench as rb

NAMES = {"theon-cpp": "Theon (C++)", "theon-py": "Theon (Python)", "numpy": "NumPy",
         "pytorch": "PyTorch"}
PEERS = ["numpy", "pytorch"]
UNITS = {"us": "µs"}


# The check that guards a timing: W1, W2 and W5 check the training run ("train").
CHECKED_AS = {("W1", "call"): "train", ("W2", "step"): "train", ("W5", "step"): "train",
              ("W5", "step-nll-index"): "train-nll-index"}
# The issue that set a workload's relative target.
ISSUE = {"W8": 14, "W9": 16, "W10": 16}
# Theon ÷ floor goal per workload (WORKLOADS.md and the issues); others: 1.25 (80 %).
FLOOR_GOAL = {"W8": 1.5, "W9": 3.0, "W10": 1.3}


def check_status(status, workload, impl, variant):
    return status.get((workload, impl, CHECKED_AS.get((workload, variant), variant)), "")


def fmt(v):
    if v is None:
        return "—"
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    if v >= 1:
        return "%.2f" % v
    return "%.3g" % v


def ratio(a, b):
    """a ÷ b as text; below 1 means a is faster."""
    if a is None or b is None or b == 0:
        return "—"
    return "%.2f" % (a / b)


def find(run, workload, impl, variant):
    for t in run.times:
        if t["workload"] == workload and t["impl"] == impl and t["variant"] == variant:
            return t
    return None


def median(run, workload, impl, variant, key="median"):
    t = find(run, workload, impl, variant)
    v = t.get(key) if t else None
    return v if v is not None and v >= 0 else None


def value(run, name):
    v = run.values.get(name)
    return v["median"] if v else None


def bandwidth(run, threads):
    """The best STREAM-like figure (GB/s) on `threads` threads."""
    figures = [value(run, "bandwidth.%s.%dt" % (k, threads)) for k in ("copy", "triad")]
    figures = [f for f in figures if f]
    return max(figures) if figures else None


def floors(run, workload, variant, threads):
    """(memory floor ms, math floor ms) for W3/W4 on `threads` threads."""
    nbytes = rb.BYTES.get((workload, variant))
    bw = bandwidth(run, threads)
    memory = nbytes / (bw * 1e9) * 1e3 if nbytes and bw else None
    name = {"W3": "math.W3", "W4": "math.W4." + variant}.get(workload)
    math = value(run, "%s.%dt" % (name, threads)) if name else None
    return memory, math


def limit(run, workload, variant):
    """The limit each figure is judged against, {threads: ms}, and how it was obtained."""
    if workload == "R1" and (workload, variant) in rb.BYTES:
        out = {}
        for threads in (1, 2):
            memory, _ = floors(run, workload, variant, threads)
            if memory:
                out[threads] = memory
        return out, "the memory floor: %.0f MB %s at the best STREAM-like bandwidth" % (
            rb.BYTES[(workload, variant)] / 1e6, "written" if variant == "uniform" else "read + written")
    if workload in ("W3", "W4") and (workload, variant) in rb.BYTES:
        out = {}
        for threads in (1, 2):
            parts = [f for f in floors(run, workload, variant, threads) if f]
            if parts:
                out[threads] = max(parts)
        return out, ("the slower of the memory floor (%.0f MB read + written at the best "
                     "STREAM-like bandwidth) and the SLEEF math floor" % (rb.BYTES[(workload, variant)] / 1e6))
    if workload == "W5":
        out = {}
        for threads in (1, 2):
            times = [value(run, "sgemm.W5step.%s.%dt" % (c, threads)) for c in ("default", "SkylakeX")]
            times = [t for t in times if t]
            if times:
                out[threads] = min(times)
        return out, ("the eight OpenBLAS sgemm calls of one step (%.3f GFLOP), best core type"
                     % rb.W5_GFLOP)
    if workload in ("W8", "W9"):
        gflop = rb.W8_GFLOP if workload == "W8" else rb.W9_GFLOP
        out = {}
        for threads in (1, 2):
            rate = sgemm_rate(run, threads)
            if rate:
                out[threads] = gflop / rate * 1e3
        if workload == "W9":
            return out, ("the FLOP floor: %.2f GFLOP (100 steps x batch 32 x (128 + 256) x 1024 x 2 "
                         "x 3) at the best measured sgemm rate; WORKLOADS.md's goal is within 3x of it" % gflop)
        return out, "the FLOP floor: %.2f GFLOP (3x the forward pass) at the best measured sgemm rate; issue 14's goal is within 1.5x of it" % gflop
    if workload == "W10":
        # One thread: the figure timed between Theon C++'s epochs (the same load) when
        # there is one, else the limits phase's.
        interleaved = value(run, "sgemm.W10epoch.interleaved.1t")
        out = {1: interleaved or value(run, "sgemm.W10epoch.1t"), 2: value(run, "sgemm.W10epoch.2t")}
        return {t: v for t, v in out.items() if v}, (
            "the sum of the epoch's GEMM time: the 5 sgemm calls of one step (%.1f MFLOP) timed "
            "alone, x 2 500 (%.1f GFLOP)%s; issue 16's goal is within 1.3x of it" % (
                rb.W10_GFLOP / rb.W10_CALLS * 1e3, rb.W10_GFLOP,
                ", on 1 thread timed between Theon C++'s epochs" if interleaved else ""))
    if workload == "W7":
        out = {}
        for threads in (1, 2):
            bw = bandwidth(run, threads)
            w3_math = value(run, "math.W3.%dt" % threads)
            parts = [W7_BYTES / (bw * 1e9) * 1e3 if bw else None,
                     w3_math * 1e6 / (4096 * 4096) if w3_math else None]
            parts = [f for f in parts if f]
            if parts:
                out[threads] = max(parts)
        return out, ("the slower of the memory floor (16 MB read + written) and an estimate of "
                     "the math: 1 M exponentials at W3's SLEEF time per element (exp + divide; "
                     "the stable form takes one log per row only)")
    return {}, ""


W7_BYTES = 1000 * 1000 * 16


def cpu_floor(run, workload):
    """A floor measured as CPU time, for the CPU-time table (only W10's GEMM sum has one)."""
    return value(run, "sgemm.W10epoch.interleaved.1t.cpu") if workload == "W10" else None


def sgemm_rate(run, threads):
    """The best sgemm rate (GFLOP/s) measured at W5's sizes on `threads` threads."""
    rates = [value(run, "sgemm.W5step.%s.%dt.gflops" % (c, threads)) for c in ("default", "SkylakeX")]
    rates = [r for r in rates if r]
    return max(rates) if rates else None


# Workloads with no meaningful physical floor, and why (the floors table says so).
NO_FLOOR = {
    ("W1", "call"): "none meaningful: ~100 FLOP per call (3x3 and 4x1 products, forward and "
                    "backward) take nanoseconds; the figure measures the per-call overhead",
    ("W2", "step"): "none meaningful: ~200 FLOP per step (a batch of 4 through 2 + 1 sigmoid "
                    "units); the figure measures the per-call overhead",
    ("W6", "cold"): "none: compile time is software work, no physical limit applies",
    ("W6", "warm"): "none: loading from the cache is software work",
}
# What each floor divides, shown in the floors table.
FLOOR_ROWS = [("W1", "call"), ("W2", "step"), ("W3", "fwd"), ("W4", "fwd"), ("W4", "fwd+grad"),
              ("W5", "step"), ("W6", "cold"), ("W6", "warm"), ("W7", "naive"), ("W8", "step"),
              ("W9", "step"), ("W10", "epoch"), ("R1", "uniform"), ("R1", "dropout")]


def floor_goal(workload):
    return FLOOR_GOAL.get(workload, 1.25)


def floors_table(run):
    """Every workload's roofline floor and Theon ÷ floor (issue 16, item 5)."""
    rows = ["| workload | variant | floor 1 thr / 2 thr | Theon C++ ÷ floor (1 thr / 2 thr) | "
            "Theon Python ÷ floor (1 thr / 2 thr) | goal | what bounds it |",
            "| --- | --- | ---: | ---: | ---: | --- | --- |"]
    for workload, variant in FLOOR_ROWS:
        unit = next((UNITS.get(t["unit"], t["unit"]) for t in run.times
                     if t["workload"] == workload and t["variant"] == variant), "ms")
        if (workload, variant) in NO_FLOOR:
            rows.append("| %s %s | %s | — | — | — | — | %s |" % (
                workload, rb.TITLES[workload], variant, NO_FLOOR[(workload, variant)]))
            continue
        lim, how = limit(run, workload, variant)
        ratios = []
        for impl in ("theon-cpp", "theon-py"):
            mine = median(run, workload, impl, variant)
            ratios.append(" / ".join(ratio(mine, lim.get(t)) for t in (1, 2)))
        rows.append("| %s %s | %s | %s %s | %s | %s | ≤ %.2f | %s |" % (
            workload, rb.TITLES[workload], variant, " / ".join(fmt(lim.get(t)) for t in (1, 2)),
            unit, ratios[0], ratios[1], floor_goal(workload), how or "—"))
    return "\n".join(rows)


def resolve(run, workload, impl, target, key="median"):
    """A target as an upper bound in the workload's unit (None: its reference was not run)."""
    if isinstance(target, rb.Relative):
        ref = median(run, workload, target.impl or impl, target.variant, key)
        return ref * target.factor if ref is not None else None
    return target


def target_text(targets):
    values = [targets.get(i) for i in ("theon-cpp", "theon-py")]
    rel = [t for t in values if isinstance(t, rb.Relative)]
    if rel:
        return rel[0].text
    if values[0] == values[1]:
        return "≤ %s" % fmt(values[1])
    return " / ".join("≤ %s" % fmt(v) if v is not None else "—" for v in values)


def verdict(run, status, workload, variant, impl, target, key="median"):
    mine = median(run, workload, impl, variant, key)
    if target is None:
        return "—"
    if mine is None:
        return "not run"
    relative = target if isinstance(target, rb.Relative) else None
    target = resolve(run, workload, impl, target, key)
    if target is None:
        return "no reference"
    if check_status(status, workload, impl, variant).startswith("WRONG"):
        return "missed: wrong answer" + (" (inf/nan)" if workload == "W7" else "")
    if workload == "W7" and not find(run, workload, impl, variant).get("stable", True):
        return "missed: not stable"
    if relative is not None:  # the figure that counts is the ratio
        ref = mine * relative.factor / target
        name = (NAMES[relative.impl] + " " if relative.impl else "") + relative.variant
        text = "%.2f× %s" % (ref, name) if relative.factor >= 1 else "%.2f× faster than %s" % (1 / ref, name)
        return ("met (%s)" if mine <= target else "missed (%s)") % text
    if mine <= target:
        return "met"
    return "missed (%.1f× over)" % (mine / target)


def headline(run, impls, status, key="median"):
    rows = ["| workload | variant | unit | Theon C++ | Theon Python | NumPy | PyTorch | floor 1 thr / 2 thr | "
            "Theon ÷ floor, 1 thr (C++ / Python) | target | Theon C++ / Python |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for (workload, variant), targets in rb.TARGETS.items():
        first = next((t for t in run.times if t["workload"] == workload and t["variant"] == variant), None)
        if first is None or all(median(run, workload, i, variant, key) is None for i in rb.IMPLS):
            continue
        lim, _ = limit(run, workload, variant)
        cells = []
        for impl in rb.IMPLS:
            m = median(run, workload, impl, variant, key)
            mark = ""
            if check_status(status, workload, impl, variant).startswith("WRONG"):
                mark = " ✗wrong"
            t = find(run, workload, impl, variant)
            if t is not None and t.get("stable") is False:
                mark += " (inf/nan)"
            cells.append(fmt(m) + mark)
        target = target_text(targets)
        met = " / ".join(verdict(run, status, workload, variant, i, targets.get(i), key)
                         for i in ("theon-cpp", "theon-py"))
        # The floors are wall times: CPU times are compared only with a floor measured as CPU
        # time in the same process (W10's GEMM sum), never with a wall-time floor.
        floor_1t = lim.get(1) if key == "median" else cpu_floor(run, workload)
        over = " / ".join(ratio(median(run, workload, i, variant, key), floor_1t)
                          for i in ("theon-cpp", "theon-py")) if floor_1t else "—"
        rows.append("| %s %s | %s | %s | %s | %s | %s | %s |" % (
            workload, rb.TITLES[workload], variant, UNITS.get(first["unit"], first["unit"]), " | ".join(cells),
            " / ".join(fmt(lim.get(t)) for t in (1, 2)) if lim else "—", over, target + " | " + met))
    return "\n".join(rows)


def detail(run, workload, status):
    times = [t for t in run.times if t["workload"] == workload]
    if not times:
        return ""
    out = ["### %s %s" % (workload, rb.TITLES[workload]), ""]
    out.append("| runner | variant | median | min – max | CPU time | repeats × calls | Theon C++ ÷ it | "
               "Theon Python ÷ it | check |")
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for t in sorted(times, key=lambda t: (rb.IMPLS.index(t["impl"]), t["variant"])):
        variant = t["variant"]
        base = rb.REFERENCE_VARIANT.get(variant, variant)
        check = check_status(status, workload, t["impl"], variant)
        note = run.notes.get((workload, t["impl"], variant))
        if note:
            check = (check + "; " if check else "") + note
        cpu = t.get("cpu_median")
        out.append("| %s | %s | %s %s | %s – %s | %s | %d × %s | %s | %s | %s |" % (
            NAMES[t["impl"]], variant, fmt(t["median"]), UNITS.get(t["unit"], t["unit"]), fmt(t["min"]),
            fmt(t["max"]), fmt(cpu) if cpu is not None and cpu >= 0 else "—", t["repeats"],
            t.get("calls") or "auto",
            ratio(median(run, workload, "theon-cpp", base), t["median"]),
            ratio(median(run, workload, "theon-py", base), t["median"]), check or "—"))
    variants = sorted({t["variant"] for t in times if (workload, t["variant"]) in rb.TARGETS})
    for variant in variants:
        peers = [t for t in times if t["impl"] in PEERS
                 and rb.REFERENCE_VARIANT.get(t["variant"], t["variant"]) == variant]
        if peers:
            best = min(peers, key=lambda t: t["median"])
            verdicts = []
            for impl in ("theon-cpp", "theon-py"):
                m = median(run, workload, impl, variant)
                if m is not None:
                    verdicts.append("%s %s (%.2f× the best peer's time)" % (
                        NAMES[impl], "yes" if m < best["median"] else "no", m / best["median"]))
            out.append("")
            out.append("Ahead of every peer on %s (best: %s %s, %s %s): %s." % (
                variant, NAMES[best["impl"]], best["variant"], fmt(best["median"]),
                UNITS.get(best["unit"], best["unit"]), "; ".join(verdicts) or "—"))
        for impl, target in sorted(rb.TARGETS.get((workload, variant), {}).items()):
            if isinstance(target, rb.Relative) and median(run, workload, impl, variant) is not None:
                out.append("")
                out.append("Target for %s %s (issue %d): %s: %s." % (
                    NAMES[impl], variant, ISSUE.get(workload, 13), target.text,
                    verdict(run, status, workload, variant, impl, target)))
        lim, how = limit(run, workload, variant)
        if lim:
            out.append("")
            text = "Limit for %s (%s): " % (variant, how)
            text += ", ".join("%s ms on %d thread%s" % (fmt(ms), t, "s" if t > 1 else "")
                              for t, ms in sorted(lim.items()))
            if workload in ("W3", "W4") and variant in ("fwd", "fwd+grad"):
                for threads in (1, 2):
                    memory, math = floors(run, workload, variant, threads)
                    text += "; %d thr: memory %s ms, math %s ms" % (threads, fmt(memory), fmt(math))
            goal = "goal ≤ %.2f" % floor_goal(workload) if workload in FLOOR_GOAL else "goal ≤ 1.25, i.e. ≥ 80 %"
            text += ". Theon ÷ limit (1 thr / 2 thr): C++ %s / %s, Python %s / %s (%s)." % (
                ratio(median(run, workload, "theon-cpp", variant), lim.get(1)),
                ratio(median(run, workload, "theon-cpp", variant), lim.get(2)),
                ratio(median(run, workload, "theon-py", variant), lim.get(1)),
                ratio(median(run, workload, "theon-py", variant), lim.get(2)), goal)
            out.append(text)
        if workload == "W10":
            out.append("")
            out.append("Per call (one minibatch of 20; 2 500 calls per epoch), the GFLOP/s of the step's "
                       "products, and the epoch ÷ the sum of its GEMM time (1 thread; goal ≤ 1.3):")
            for impl in rb.IMPLS:
                m = median(run, workload, impl, variant)
                if m:
                    out.append("- %s: %s µs per call, %.1f GFLOP/s, %s× the GEMM sum; ÷ NumPy %s, ÷ PyTorch %s" % (
                        NAMES[impl], fmt(m * 1e3 / rb.W10_CALLS), rb.W10_GFLOP / m * 1e3,
                        ratio(m, lim.get(1)), ratio(m, median(run, workload, "numpy", variant)),
                        ratio(m, median(run, workload, "pytorch", variant))))
            cpu = cpu_floor(run, workload)
            if cpu:
                out.append("")
                out.append("By CPU time (steadier on a busy machine; the GEMM sum's CPU time, %s ms, "
                           "from Theon C++'s process): epoch ÷ GEMM sum %s." % (fmt(cpu), ", ".join(
                               "%s %s" % (NAMES[i], ratio(median(run, workload, i, variant, "cpu_median"), cpu))
                               for i in rb.IMPLS if median(run, workload, i, variant, "cpu_median"))))
            out.append("")
            out.append("Theano 1.0.5 and PyTensor are not installed on this machine: WORKLOADS.md's "
                       "rows for them running the same script are not measured here.")
        if workload in ("W5", "W8", "W9"):
            gflop = {"W5": rb.W5_GFLOP, "W8": rb.W8_GFLOP, "W9": rb.W9_GFLOP}[workload]
            for impl in ("theon-cpp", "theon-py", "numpy", "pytorch"):
                m = median(run, workload, impl, variant)
                if m:
                    out.append("")
                    out.append("%s: %.1f GFLOP/s." % (NAMES[impl], gflop / m * 1e3))
    return "\n".join(out)


def limits_table(run):
    rows = ["| limit | median | min – max | unit | note |", "| --- | ---: | ---: | --- | --- |"]
    for name, v in sorted(run.values.items()):
        rows.append("| %s | %s | %s – %s | %s | %s |" % (name, fmt(v["median"]), fmt(v["min"]),
                                                        fmt(v["max"]), v["unit"], v.get("note", "")))
    return "\n".join(rows)


def blas_text(run):
    per_impl = {}
    for (workload, impl), cores in run.blas.items():
        per_impl.setdefault(impl, set()).update(cores.values())
    if not per_impl:
        return "not recorded"
    return "; ".join("%s %s" % (NAMES[i], ", ".join(sorted(per_impl[i])) or "no OpenBLAS loaded")
                     for i in rb.IMPLS if i in per_impl)


def render(run, status, info, args, impls):
    cpu_share = sum(c for _, _, c in run.procs) / max(1e-9, sum(w for _, w, _ in run.procs))
    lines = [
        "# Benchmark results",
        "",
        "Generated by `scripts/bench.sh` (`bench/run_bench.py`); the method is in "
        "[docs/benchmarks.md](../docs/benchmarks.md), the workloads and peers' figures in "
        "WORKLOADS.md. Times are medians over repeats (each repeat averages its calls); "
        "ratios are Theon's time divided by the other's (below 1: Theon is faster).",
        "",
        "- date: %s; total run time %.0f s" % (info["date"], info["total_s"]),
        "- machine: %s, %s cores, %s, AVX-512: %s, Linux %s" % (
            info.get("cpu"), info.get("cores"), info.get("memory", "?"),
            "yes" if info.get("avx512") else "no", info.get("kernel")),
        "- load average before / after: %s / %s; the benchmark processes got %.0f %% of a "
        "core on average (CPU time ÷ wall time: far below 100 %% means the machine was busy)"
        % (info["load_before"], info["load_after"], 100 * cpu_share),
        "- software: Python %s, NumPy %s, PyTorch %s, OpenBLAS %s, SLEEF %s, %s" % (
            info["python"], info["numpy"], info["torch"], info["libopenblas0-pthread"],
            info["libsleef3"], info["compiler"]),
        "- Theon: commit %s (%s), build `%s`" % (info["commit"], info["tree"], info["build"]),
        "- settings: %d repeats; W1 %d, W2 %d, W5 %d, W8 %d, W9 %d, W10 %d (of an epoch's 2 500) calls per repeat (scale %g); W6 %d cold + warm "
        "process pairs. NumPy and PyTorch single-threaded (OPENBLAS_NUM_THREADS=1, "
        "torch.set_num_threads(1)); PyTorch with GLIBC_TUNABLES=glibc.malloc.hugetlb=1; Theon "
        "single-threaded too (OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1), on the core OpenBLAS "
        "picked for every peer (THEON_FLAGS=blas_coretype=keep; docs/blas.md), kernels primed in "
        "a per-run cache. W1 and W2 "
        "are timed per call over fewer calls than WORKLOADS.md's 40 000 and 30 000, to keep "
        "the run short. R1 %d calls per repeat of each draw; it has no C++ runner." % (
            args.repeats, max(1, int(4000 * args.scale)), max(1, int(3000 * args.scale)),
            max(1, int(20 * args.scale)), max(1, int(5 * args.scale)), max(1, int(3 * args.scale)), max(1, int(rb.W10_CALLS * args.scale)),
            args.scale, args.w6_runs, max(1, int(4 * args.scale))),
        "- OpenBLAS: every runner ran with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its "
        "environment; the core each runner's OpenBLAS ran (openblas_get_corename, after the "
        "workload): %s; W10's GEMM sum ran unpinned too, on the core it prints in the limits table" % blas_text(run),
    ]
    if info["torch"] == "not installed":
        lines.append("- PyTorch was not run (python3-torch not installed).")
    lines += ["", "## Headline (wall time)", "", headline(run, impls, status), ""]
    lines += ["## The same by CPU time", "",
              "The process's CPU time per call (all its threads). When the machine is shared "
              "this is steadier than wall time for single-threaded runs; a run that uses two "
              "threads counts both. The floors are wall times; Theon ÷ floor is given here only "
              "where the floor was also measured as CPU time (W10's GEMM sum).", "", headline(run, impls, status, "cpu_median"), ""]
    lines += ["Targets from WORKLOADS.md (R1's and W5 step-nll-index's from issue 13, W8's from issue 14, W9's and W10's from issue 16); besides them, the goal is to be ahead of every peer and "
              "within 80 % of the limit (Theon ÷ limit ≤ 1.25). W6 cold and warm count "
              "`import theon` (Python) plus building and compiling W2's training function.", ""]
    wrong = [(k, v) for k, v in status.items() if v.startswith("WRONG")]
    if wrong or run.failures:
        lines += ["## Problems", ""]
        lines += ["- check failed: %s %s %s: %s" % (k[0], NAMES[k[1]], k[2], v) for k, v in wrong]
        lines += ["- %s: %s" % (what, msg) for what, msg in run.failures]
        lines.append("")
    lines += ["## Per workload", ""]
    for workload in rb.WORKLOADS:
        text = detail(run, workload, status)
        if text:
            lines += [text, ""]
    lines += ["## Roofline floors", "",
              "Each workload's floor: the time its bytes take at the best STREAM-like bandwidth "
              "measured in this run, or its FLOPs at the sgemm rate measured at its sizes, "
              "whichever is slower (docs/benchmarks.md, \"The floors\"). Theon ÷ floor near 1 "
              "means the workload runs at the machine's limit.", "", floors_table(run), ""]
    lines += ["## Limits measured in this run", "", limits_table(run), ""]
    lines += ["## Processes", "", "| process | wall s | CPU s |", "| --- | ---: | ---: |"]
    lines += ["| %s | %.1f | %.1f |" % p for p in run.procs]
    return "\n".join(lines) + "\n"
