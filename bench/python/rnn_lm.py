"""Per-sentence training programs of the classic RNN language-model tutorials, written
as their users wrote them (`import theano`, through Theon's alias), next to a PyTorch
peer with the same math (hand-written cells, autograd, 1 thread) in the same process:

  gru  two-layer GRU LM: vocabulary 400, embedding/hidden 48, `E[:, x_t]` per step,
       hard_sigmoid gates, softmax over the vocabulary per step, cost = summed
       categorical cross-entropy of one 10-token sentence; gradients w.r.t. E, U, W, V,
       b, c (issue 18's shapes).
  rnn  simple RNN LM: U, V, W, tanh state, softmax, truncate_gradient=4 (the tutorial's
       bptt_truncate), SGD step `updates=[(U, U - lr * dU), ...]`, at the tutorial's
       vocabulary 8000 / hidden 100 (`rnn`) and at the GRU's 400 / 48 (`rnn_small`).

For each: forward (cost only), gradient with the tutorials' separate `T.grad` per
parameter and with one `T.grad(cost, params)`, and the SGD step (from the separate
gradients, as the tutorials build it). Medians of repeated calls; the repeats of all
bodies alternate, so load changes affect them alike. Before timing, Theon's gradients
are checked against PyTorch's (the same math), so the two time the same computation.

Run (OpenBLAS left to pick its own core for every peer, one thread):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=python/compat:build/python \\
      /usr/bin/python3 bench/python/rnn_lm.py [--json out.json] [--repeats 7]
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before any BLAS library loads

import argparse  # noqa: E402
import ctypes  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import blas_cores, stats  # noqa: E402

import theano  # noqa: E402
import theano.tensor as T  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)

SENTENCE = 10
LEARNING_RATE = 0.005
# Not a peer run: Theano 1.0.5's figures as issue 18's author measured them (same
# machine class, pure-Python scan loop on Python 3.11). The issue does not give the
# simple RNN's sizes; its 0.85 ms is shown beside the 400 / 48 run, as the 8000 / 100
# forward pass alone reads 6.4 MB per step (V) and takes longer than that.
THEANO_REFERENCE_MS = {("gru", "forward"): 0.41, ("gru", "grad (separate T.grad)"): 4.05,
                       ("rnn_small", "sgd step"): 0.85}
MODEL_SIZES = {"gru": (400, 48), "rnn": (8000, 100), "rnn_small": (400, 48)}


def uniform(rng, shape, fan):
    return rng.uniform(-np.sqrt(1.0 / fan), np.sqrt(1.0 / fan), shape).astype(theano.config.floatX)


# ---------------------------------------------------------------- the Theano programs


def theano_gru(vocab, hidden, rng):
    """The two-layer GRU LM of the GRU tutorial (plain SGD instead of its RMSProp)."""
    H = hidden
    E = theano.shared(uniform(rng, (H, vocab), vocab), name="E")
    U = theano.shared(uniform(rng, (6, H, H), H), name="U")
    W = theano.shared(uniform(rng, (6, H, H), H), name="W")
    V = theano.shared(uniform(rng, (vocab, H), H), name="V")
    b = theano.shared(np.zeros((6, H), theano.config.floatX), name="b")
    c = theano.shared(np.zeros(vocab, theano.config.floatX), name="c")
    x = T.ivector("x")
    y = T.ivector("y")

    def step(x_t, s1, s2):
        x_e = E[:, x_t]
        z1 = T.nnet.hard_sigmoid(U[0].dot(x_e) + W[0].dot(s1) + b[0])
        r1 = T.nnet.hard_sigmoid(U[1].dot(x_e) + W[1].dot(s1) + b[1])
        c1 = T.tanh(U[2].dot(x_e) + W[2].dot(s1 * r1) + b[2])
        s1n = (T.ones_like(z1) - z1) * c1 + z1 * s1
        z2 = T.nnet.hard_sigmoid(U[3].dot(s1n) + W[3].dot(s2) + b[3])
        r2 = T.nnet.hard_sigmoid(U[4].dot(s1n) + W[4].dot(s2) + b[4])
        c2 = T.tanh(U[5].dot(s1n) + W[5].dot(s2 * r2) + b[5])
        s2n = (T.ones_like(z2) - z2) * c2 + z2 * s2
        o = T.nnet.softmax(V.dot(s2n) + c)[0]
        return [o, s1n, s2n]

    [o, _, _], _ = theano.scan(step, sequences=x, outputs_info=[
        None, dict(initial=T.zeros(H)), dict(initial=T.zeros(H))])
    cost = T.sum(T.nnet.categorical_crossentropy(o, y))
    return build_functions([E, U, W, V, b, c], x, y, cost)


def theano_rnn(vocab, hidden, rng, bptt_truncate=4):
    """The simple RNN LM of the RNN tutorial (its rnn_theano.py)."""
    U = theano.shared(uniform(rng, (hidden, vocab), vocab), name="U")
    V = theano.shared(uniform(rng, (vocab, hidden), hidden), name="V")
    W = theano.shared(uniform(rng, (hidden, hidden), hidden), name="W")
    x = T.ivector("x")
    y = T.ivector("y")

    def forward_prop_step(x_t, s_t_prev, U, V, W):
        s_t = T.tanh(U[:, x_t] + W.dot(s_t_prev))
        o_t = T.nnet.softmax(V.dot(s_t))
        return [o_t[0], s_t]

    [o, _], _ = theano.scan(forward_prop_step, sequences=x,
                            outputs_info=[None, dict(initial=T.zeros(hidden))],
                            non_sequences=[U, V, W], truncate_gradient=bptt_truncate, strict=True)
    cost = T.sum(T.nnet.categorical_crossentropy(o, y))
    return build_functions([U, V, W], x, y, cost)


def build_functions(params, x, y, cost):
    separate = [T.grad(cost, p) for p in params]  # dU = T.grad(o_error, U); ...
    lr = T.scalar("learning_rate")
    return dict(
        params=params,
        forward=theano.function([x, y], cost),
        grad_separate=theano.function([x, y], separate),
        grad_one=theano.function([x, y], T.grad(cost, params)),
        sgd_step=theano.function([x, y, lr], [], updates=[
            (p, p - lr * g) for p, g in zip(params, separate)]))


# ---------------------------------------------------------------- the PyTorch peers


def hard_sigmoid(v):
    return torch.clamp(0.2 * v + 0.5, 0.0, 1.0)


def torch_gru_cost(P, xs, ys, hidden):
    E, U, W, V, b, c = P
    s1 = torch.zeros(hidden, dtype=E.dtype)
    s2 = torch.zeros(hidden, dtype=E.dtype)
    cost = 0
    for x_t, y_t in zip(xs, ys):
        x_e = E[:, x_t]
        z1 = hard_sigmoid(U[0] @ x_e + W[0] @ s1 + b[0])
        r1 = hard_sigmoid(U[1] @ x_e + W[1] @ s1 + b[1])
        c1 = torch.tanh(U[2] @ x_e + W[2] @ (s1 * r1) + b[2])
        s1 = (1 - z1) * c1 + z1 * s1
        z2 = hard_sigmoid(U[3] @ s1 + W[3] @ s2 + b[3])
        r2 = hard_sigmoid(U[4] @ s1 + W[4] @ s2 + b[4])
        c2 = torch.tanh(U[5] @ s1 + W[5] @ (s2 * r2) + b[5])
        s2 = (1 - z2) * c2 + z2 * s2
        o = torch.softmax(V @ s2 + c, 0)
        cost = cost - torch.log(o[y_t])
    return cost


def torch_rnn_cost(P, xs, ys, hidden, bptt_truncate=4):
    """Theano's truncate_gradient=k as autograd sees it: the steps before the last k run
    without a graph, so neither their outputs nor the state they hand on send gradient."""
    U, V, W = P
    s = torch.zeros(hidden, dtype=U.dtype)
    cost = 0
    first_tracked = len(xs) - bptt_truncate
    for t, (x_t, y_t) in enumerate(zip(xs, ys)):
        with torch.set_grad_enabled(t >= first_tracked and torch.is_grad_enabled()):
            s = torch.tanh(U[:, x_t] + W @ s)
            o = torch.softmax(V @ s, 0)
            cost = cost - torch.log(o[y_t])
    return cost


def torch_functions(cost_fn, values, xs, ys):
    P = [torch.tensor(v, requires_grad=True) for v in values]
    xs, ys = [int(v) for v in xs], [int(v) for v in ys]

    def forward():
        with torch.no_grad():
            return cost_fn(P, xs, ys)

    def grad():
        return torch.autograd.grad(cost_fn(P, xs, ys), P)

    def sgd_step():
        grads = torch.autograd.grad(cost_fn(P, xs, ys), P)
        with torch.no_grad():
            for p, g in zip(P, grads):
                p.sub_(LEARNING_RATE * g)

    return dict(forward=forward, grad=grad, sgd_step=sgd_step)


# ---------------------------------------------------------------- running


def max_relative_difference(a, b):
    return max(float(np.max(np.abs(np.asarray(u) - np.asarray(v)) / (np.abs(v) + 1e-8)))
               for u, v in zip(a, b))


def calls_for(body, target_s):
    """Calls per repeat so that one repeat takes about target_s (after a warm-up)."""
    for _ in range(3):
        body()
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < min(0.05, target_s):
        body()
        n += 1
    per_call = (time.perf_counter() - start) / n
    return max(1, int(target_s / per_call))


def run_model(name, sizes, th, torch_peer, xs, ys, repeats, target_s):
    vocab, hidden = sizes
    f = th
    lr = np.asarray(LEARNING_RATE, dtype=theano.config.floatX)
    bodies = [("forward", "theon", lambda: f["forward"](xs, ys)),
              ("grad (separate T.grad)", "theon", lambda: f["grad_separate"](xs, ys)),
              ("grad (one T.grad)", "theon", lambda: f["grad_one"](xs, ys)),
              ("sgd step", "theon", lambda: f["sgd_step"](xs, ys, lr)),
              ("forward", "torch", torch_peer["forward"]),
              ("grad", "torch", torch_peer["grad"]),
              ("sgd step", "torch", torch_peer["sgd_step"])]
    # Calls per repeat differ per body (a repeat lasts about target_s), so the figure is
    # time per call.
    calls = [calls_for(body, target_s) for (_, _, body) in bodies]
    results = time_interleaved_calls(repeats, bodies, calls)
    rows = []
    for (variant, impl, _), st in zip(bodies, results):
        rows.append(dict(model=name, vocab=vocab, hidden=hidden, sentence=SENTENCE, impl=impl,
                         variant=variant, median_ms=st["median"] * 1e3, min_ms=st["min"] * 1e3,
                         max_ms=st["max"] * 1e3, cpu_median_ms=st["cpu_median"] * 1e3,
                         repeats=st["repeats"], calls=st["calls"]))
    return rows


def time_interleaved_calls(repeats, bodies, calls):
    """Like bench_common.time_interleaved, with a call count per body: the repeats of all
    bodies alternate. Seconds per call."""
    runs = [[] for _ in bodies]
    cpu = [[] for _ in bodies]
    for _ in range(repeats):
        for k, ((_, _, body), n) in enumerate(zip(bodies, calls)):
            cpu_start = time.process_time()
            start = time.perf_counter()
            for _ in range(n):
                body()
            runs[k].append((time.perf_counter() - start) / n)
            cpu[k].append((time.process_time() - cpu_start) / n)
    return [dict(stats(r), cpu_median=stats(c)["median"], calls=n) for r, c, n in zip(runs, cpu, calls)]


def openblas_threads():
    threads = {}
    with open("/proc/self/maps") as maps:
        paths = sorted({line.split()[-1] for line in maps if "blas" in line.lower()
                        and line.split()[-1].startswith("/")})
    for path in paths:
        try:
            get = ctypes.CDLL(path).openblas_get_num_threads
        except (OSError, AttributeError):
            continue
        get.restype = ctypes.c_int
        threads[os.path.basename(path)] = get()
    return threads


def print_table(rows):
    by = {(r["model"], r["impl"], r["variant"]): r for r in rows}
    models = []
    for r in rows:
        if (r["model"], r["vocab"], r["hidden"]) not in models:
            models.append((r["model"], r["vocab"], r["hidden"]))
    print("%-28s %10s %10s %9s %12s %12s" % ("model / call (ms per sentence)", "Theon", "PyTorch",
                                            "Theon/PT", "Theon x fwd", "Theano 1.0.5*"))
    for model, vocab, hidden in models:
        print("%s (vocabulary %d, hidden %d, %d tokens)" % (model, vocab, hidden, SENTENCE))
        fwd = by[(model, "theon", "forward")]["median_ms"]
        for variant in ("forward", "grad (separate T.grad)", "grad (one T.grad)", "sgd step"):
            th = by[(model, "theon", variant)]["median_ms"]
            peer_variant = "grad" if variant.startswith("grad") else variant
            pt = by[(model, "torch", peer_variant)]["median_ms"]
            ref = THEANO_REFERENCE_MS.get((model, variant))
            print("  %-26s %10.3f %10.3f %9.2f %12.2f %12s" % (
                variant, th, pt, th / pt, th / fwd, "%.2f" % ref if ref else "-"))
        pt_fwd = by[(model, "torch", "forward")]["median_ms"]
        pt_grad = by[(model, "torch", "grad")]["median_ms"]
        print("  %-26s %10s %10.2f" % ("PyTorch grad / forward", "", pt_grad / pt_fwd))
    print("* Theano 1.0.5, measured by the issue's author on the same machine class (not a "
          "peer run); the simple RNN's sizes are not stated there")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="all",
                   help="all, or a comma-separated list of: " + ", ".join(MODEL_SIZES))
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--repeat-seconds", type=float, default=0.1, help="target length of one repeat")
    p.add_argument("--json", help="write the results here")
    args = p.parse_args()

    dtype = theano.config.floatX
    print("rnn_lm: floatX %s, theano alias of %s, torch %s, numpy %s" % (
        dtype, theano.__name__ if not hasattr(theano, "__version__") else theano.__version__,
        torch.__version__, np.__version__))
    print("environment: OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s" % (
        os.environ.get("OPENBLAS_CORETYPE", "(unset)"), os.environ.get("OPENBLAS_L2_SIZE", "(unset)")))
    rng = np.random.RandomState(0)
    rows, checks = [], {}
    models = list(MODEL_SIZES) if args.model == "all" else args.model.split(",")
    unknown = [m for m in models if m not in MODEL_SIZES]
    if unknown:
        p.error("unknown model(s) %s; known: %s" % (", ".join(unknown), ", ".join(MODEL_SIZES)))
    for model in models:
        sizes = MODEL_SIZES[model]
        if model == "gru":
            th = theano_gru(*sizes, rng)
            cost_fn = lambda P, xs, ys, h=sizes[1]: torch_gru_cost(P, xs, ys, h)  # noqa: E731
        else:
            th = theano_rnn(*sizes, rng)
            cost_fn = lambda P, xs, ys, h=sizes[1]: torch_rnn_cost(P, xs, ys, h)  # noqa: E731
        xs = rng.randint(0, sizes[0], SENTENCE).astype("int32")
        ys = rng.randint(0, sizes[0], SENTENCE).astype("int32")
        peer = torch_functions(cost_fn, [p.get_value() for p in th["params"]], xs, ys)
        # Same computation on both sides: cost and gradients agree before anything is timed.
        cost_th = float(th["forward"](xs, ys))
        cost_pt = float(peer["forward"]())
        sep, one = th["grad_separate"](xs, ys), th["grad_one"](xs, ys)
        pt = [g.numpy() for g in peer["grad"]()]
        checks[model] = dict(cost_relative=abs(cost_th - cost_pt) / abs(cost_pt),
                             grad_separate_vs_torch=max_relative_difference(sep, pt),
                             grad_one_vs_separate=max_relative_difference(one, sep))
        print("%s check: cost %.6f (torch %.6f), max relative gradient difference vs torch %.1e, "
              "one T.grad vs separate %.1e" % (model, cost_th, cost_pt,
                                               checks[model]["grad_separate_vs_torch"],
                                               checks[model]["grad_one_vs_separate"]))
        rows += run_model(model, sizes, th, peer, xs, ys, args.repeats, args.repeat_seconds)

    cores, threads = blas_cores(), openblas_threads()
    print("OpenBLAS (one library, shared by Theon, NumPy and PyTorch in this process): core %s, "
          "threads %s; torch threads %d" % (cores, threads, torch.get_num_threads()))
    print_table(rows)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(dict(rows=rows, checks=checks, blas_cores=cores, openblas_threads=threads,
                           torch_threads=torch.get_num_threads(), floatX=dtype,
                           theano_reference_ms={"%s/%s" % k: v for k, v in THEANO_REFERENCE_MS.items()},
                           environment={k: os.environ.get(k) for k in (
                               "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")}),
                      out, indent=1)


if __name__ == "__main__":
    main()
