"""Differential fuzz test: random expression graphs run through every execution tier
agree with NumPy.

Each case draws a small random graph (element-wise math, comparisons and switch,
reductions with and without keepdims, transposes, slices with negative steps, integer
indexing, dot, casts, broadcasting between rows, columns and scalars) over inputs of
random layout (contiguous, Fortran-ordered, strided views). The same graph is built
twice, once over Theon variables and once over NumPy arrays, and run by:

  * the plain interpreter (mode NONE: no rewrites),
  * the rewritten graph in the interpreter (FAST_RUN without a C++ compiler),
  * the native tiers (FAST_RUN with the compiler: fused kernels and, from the third
    call, the whole-graph kernel), after waiting for their code.

CI runs a fixed seed and a bounded number of cases. A longer run for developers:

    THEON_FUZZ_CASES=2000 THEON_FUZZ_SEED=7 PYTHONPATH=build/python \\
        /usr/bin/python3 -m pytest -q tests/python/test_fuzz_differential.py
"""
import os

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import _theon

SEED = int(os.environ.get("THEON_FUZZ_SEED", "20261207"))
CASES = int(os.environ.get("THEON_FUZZ_CASES", "300"))
# Compiling native code costs ~0.1-0.3 s a module: every case runs interpreted, one in
# NATIVE_EVERY also natively.
NATIVE_EVERY = int(os.environ.get("THEON_FUZZ_NATIVE_EVERY", "3"))


class Node:
    """One value of the case: its Theon expression and its NumPy twin."""

    def __init__(self, sym, ref):
        self.sym = sym
        self.ref = np.asarray(ref)

    @property
    def shape(self):
        return self.ref.shape

    @property
    def broadcastable(self):
        return tuple(self.sym.broadcastable)


# Input kinds: (constructor, shape); rows and columns are broadcastable by type.
INPUT_KINDS = [
    (T.dmatrix, (3, 4)),
    (T.dmatrix, (4, 3)),
    (T.drow, (1, 4)),
    (T.dcol, (3, 1)),
    (T.dvector, (4,)),
    (T.dvector, (3,)),
    (T.dscalar, ()),
    (T.fmatrix, (3, 4)),
]


def layout(rng, value):
    """The same values in a random memory layout: contiguous, Fortran, or a strided view."""
    kind = rng.integers(3)
    if value.ndim == 0:
        return value
    if kind == 1:
        return np.asfortranarray(value)
    if kind == 2:
        # A view into a bigger buffer, every other element, read backwards.
        big_shape = tuple(2 * s for s in value.shape)
        big = np.zeros(big_shape, dtype=value.dtype)
        index = tuple(slice(None, None, -2) for _ in value.shape)
        big[index] = value
        view = big[index]
        assert not view.flags.c_contiguous or value.size <= 1
        return view
    return np.ascontiguousarray(value)


def broadcast_ok(a, b):
    """True when NumPy broadcasting of a and b is also legal by their Theon types: a
    size-1 dimension stretches only where its type says it is broadcastable."""
    nd = max(len(a.shape), len(b.shape))
    sa = (1,) * (nd - len(a.shape)) + a.shape
    sb = (1,) * (nd - len(b.shape)) + b.shape
    ba = (True,) * (nd - len(a.shape)) + a.broadcastable
    bb = (True,) * (nd - len(b.shape)) + b.broadcastable
    for da, db, fa, fb in zip(sa, sb, ba, bb):
        if da == db:
            continue
        if da == 1 and fa:
            continue
        if db == 1 and fb:
            continue
        return False
    return True


def is_float32(node):
    return str(node.sym.dtype) == "float32"


UNARY = [
    ("tanh", T.tanh, np.tanh),
    ("sin", T.sin, np.sin),
    ("neg", lambda a: -a, lambda a: -a),
    ("abs", abs, np.abs),
    ("sqr", T.sqr, np.square),
    ("sqrt1", lambda a: T.sqrt(abs(a) + 1), lambda a: np.sqrt(np.abs(a) + 1)),
    ("log1p", lambda a: T.log1p(abs(a)), lambda a: np.log1p(np.abs(a))),
    ("sigmoid", T.nnet.sigmoid, lambda a: 1 / (1 + np.exp(-a))),
    ("exp_tanh", lambda a: T.exp(T.tanh(a)), lambda a: np.exp(np.tanh(a))),
    ("scale", lambda a: 0.5 * a + 1.25, lambda a: 0.5 * a + 1.25),
    ("arcsinh", T.arcsinh, np.arcsinh),
    ("arctanh_tanh", lambda a: T.arctanh(0.5 * T.tanh(a)), lambda a: np.arctanh(0.5 * np.tanh(a))),
]
try:  # the special functions, inside their domains, where SciPy gives the reference
    import scipy.special as _sp
    UNARY += [
        ("gammaln1", lambda a: T.gammaln(abs(a) + 1), lambda a: _sp.gammaln(np.abs(a) + 1)),
        ("psi1", lambda a: T.psi(abs(a) + 1), lambda a: _sp.psi(np.abs(a) + 1)),
        ("erfinv_tanh", lambda a: T.erfinv(0.5 * T.tanh(a)), lambda a: _sp.erfinv(0.5 * np.tanh(a))),
    ]
except ImportError:
    pass

BINARY = [
    ("add", lambda a, b: a + b, lambda a, b: a + b),
    ("sub", lambda a, b: a - b, lambda a, b: a - b),
    ("mul", lambda a, b: a * b, lambda a, b: a * b),
    ("div", lambda a, b: a / (1 + b * b), lambda a, b: a / (1 + b * b)),
    ("maximum", T.maximum, np.maximum),
    ("minimum", T.minimum, np.minimum),
    ("switch", lambda a, b: T.switch(a > b, a, 2 * b), lambda a, b: np.where(a > b, a, 2 * b)),
]


def reduce_op(rng, node):
    nd = len(node.shape)
    name = ["sum", "max", "mean", "min"][rng.integers(4)]
    axis = None if nd == 0 or rng.integers(3) == 0 else int(rng.integers(nd))
    keepdims = bool(rng.integers(2))
    if axis is not None and node.shape[axis] == 0:
        return None
    sym = getattr(T, name)(node.sym, axis=axis, keepdims=keepdims)
    ref = getattr(np, name)(node.ref, axis=axis, keepdims=keepdims)
    return Node(sym, ref)


def shape_op(rng, node):
    nd = len(node.shape)
    if nd == 0:
        return None
    choice = rng.integers(5)
    if choice == 0 and nd == 2:
        return Node(node.sym.T, node.ref.T)
    if choice == 1:
        return Node(node.sym[::-1], node.ref[::-1])
    if choice == 2:
        return Node(node.sym[::2], node.ref[::2])
    if choice == 3 and node.shape[0] > 1:
        return Node(node.sym[1:], node.ref[1:])
    if node.shape[0] > 0 and not node.broadcastable[0]:
        i = int(rng.integers(-node.shape[0], node.shape[0]))
        return Node(node.sym[i], node.ref[i])
    return None


def dot_op(rng, pool):
    pairs = [(a, b) for a in pool for b in pool
             if 1 <= len(a.shape) <= 2 and 1 <= len(b.shape) <= 2
             and a.shape[-1] == b.shape[0] and a.shape[-1] > 1
             and not (len(a.shape) == 1 and len(b.shape) == 1)
             and is_float32(a) == is_float32(b)]
    if not pairs:
        return None
    a, b = pairs[rng.integers(len(pairs))]
    return Node(T.dot(a.sym, b.sym), np.dot(a.ref, b.ref))


def cast_op(rng, node):
    if is_float32(node):
        return Node(T.cast(node.sym, "float64"), node.ref.astype(np.float64))
    if rng.integers(2):
        return Node(T.cast(node.sym, "float32"), node.ref.astype(np.float32))
    # Through an integer: floor of a bounded value keeps it exact in both.
    return Node(T.cast(T.floor(node.sym * 4), "int64") + 1, np.floor(node.ref * 4).astype(np.int64) + 1)


def draw_case(rng):
    """Returns (inputs, argument values, outputs as Nodes, every Node made)."""
    n_inputs = int(rng.integers(1, 4))
    inputs, args, pool = [], [], []
    for k in range(n_inputs):
        make, shape = INPUT_KINDS[rng.integers(len(INPUT_KINDS))]
        var = make("x%d" % k)
        value = rng.uniform(-2, 2, size=shape).astype(str(var.dtype))
        value = layout(rng, value)
        inputs.append(var)
        args.append(value)
        pool.append(Node(var, value))
    for _ in range(int(rng.integers(3, 10))):
        kind = rng.integers(10)
        node = pool[rng.integers(len(pool))]
        made = None
        if kind < 3:
            _, sym_fn, ref_fn = UNARY[rng.integers(len(UNARY))]
            made = Node(sym_fn(node.sym), ref_fn(node.ref))
        elif kind < 6:
            other = pool[rng.integers(len(pool))]
            if broadcast_ok(node, other) and str(node.sym.dtype) != "int64" and str(other.sym.dtype) != "int64":
                _, sym_fn, ref_fn = BINARY[rng.integers(len(BINARY))]
                made = Node(sym_fn(node.sym, other.sym), ref_fn(node.ref, other.ref))
        elif kind == 6:
            made = reduce_op(rng, node)
        elif kind == 7:
            made = shape_op(rng, node)
        elif kind == 8:
            made = dot_op(rng, pool)
        elif str(node.sym.dtype) != "int64":
            made = cast_op(rng, node)
        if made is not None:
            pool.append(made)
    n_out = min(len(pool) - n_inputs, int(rng.integers(1, 3))) or 1
    outputs = pool[-n_out:]
    return inputs, args, outputs, pool


def tolerance(pool):
    """float32 anywhere in the case (an input or a cast on the way) bounds its precision."""
    return 2e-4 if any(is_float32(node) for node in pool) else 1e-9


def run_tier(inputs, outputs, args, mode, flags, calls):
    _theon._apply_flags(flags)
    f = theon.function(inputs, [o.sym for o in outputs], mode=mode, on_unused_input="ignore")
    results = None
    for i in range(calls):
        results = f(*args)
        if i == 2:
            theon.wait_for_native_code()
    return f(*args) if calls > 2 else results


@pytest.fixture
def restore_flags():
    yield
    _theon._apply_flags("cxx=c++,cgen_graph=1")


def describe_case(inputs, args, outputs):
    lines = ["inputs: " + ", ".join("%s %s %s" % (v, v.type, a.strides) for v, a in zip(inputs, args))]
    lines += ["output: " + theon.pp(o.sym) for o in outputs]
    return "\n".join(lines)


@pytest.mark.parametrize("case", range(CASES))
def test_tiers_agree_with_numpy(case, restore_flags):
    rng = np.random.default_rng([SEED, case])
    inputs, args, outputs, pool = draw_case(rng)
    tiers = [("NONE", "cxx=", 1), ("FAST_RUN", "cxx=", 1)]
    if case % NATIVE_EVERY == 0:
        tiers.append(("FAST_RUN", "cxx=c++,cgen_graph=1", 4))
    rtol = tolerance(pool)
    originals = [a.copy() for a in args]
    for mode, flags, calls in tiers:
        got = run_tier(inputs, outputs, args, mode, flags, calls)
        for out, value in zip(outputs, got):
            want = out.ref
            context = "tier %s [%s], seed %d case %d\n%s" % (mode, flags, SEED, case,
                                                          describe_case(inputs, args, outputs))
            assert np.shape(value) == want.shape, context
            # NumPy 1.24 promotes 0-d operands by value, Theano by type: the dtype to
            # hold Theon to is the one its graph declared.
            assert np.asarray(value).dtype == np.dtype(str(out.sym.dtype)), context
            np.testing.assert_allclose(np.asarray(value, dtype=np.float64), want.astype(np.float64),
                                       rtol=rtol, atol=rtol, err_msg=context)
    # The arguments were only read.
    for value, original in zip(args, originals):
        np.testing.assert_array_equal(value, original)
