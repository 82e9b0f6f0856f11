"""NumPy's full indexing through __getitem__, set_subtensor and inc_subtensor, against
NumPy on random indices (THEON_FUZZ_CASES overrides the case count); gradients; errors;
and the rewrite of the NLL-by-indexing idiom into the fused softmax cross-entropy."""
import os
import warnings

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.mode import Mode

CASES = int(os.environ.get("THEON_FUZZ_CASES", "200"))
DTYPES = ["float32", "float64", "int32", "int64"]
INDEX_DTYPES = ["int64", "int32", "int16", "uint8", "int8"]


def random_array_index(rng, length, shape):
    """An integer array of `shape` valid for an axis of `length` (negatives included)."""
    if length == 0:
        return np.zeros(shape, dtype=rng.choice(INDEX_DTYPES))
    dtype = rng.choice(INDEX_DTYPES)
    low = 0 if dtype.startswith("u") else -length
    return rng.randint(low, length, size=shape).astype(dtype)


def random_index(rng, shape):
    """A random NumPy index for an array of `shape`: ints, slices, None, an ellipsis,
    integer arrays of a shared broadcastable shape, and boolean masks."""
    entries, axis = [], 0
    broadcast = tuple(int(n) for n in rng.randint(1, 4, size=rng.randint(0, 3)))
    used_ellipsis = used_mask = False
    while axis < len(shape):
        kind = rng.choice(["int", "slice", "array", "array", "mask", "none", "ellipsis", "stop"])
        n = shape[axis]
        if kind == "stop":
            break
        if kind == "int" and n > 0:
            entries.append(int(rng.randint(-n, n)))
            axis += 1
        elif kind == "slice":
            start, stop = (int(v) if rng.rand() < 0.7 else None for v in rng.randint(-n - 1, n + 2, 2))
            step = int(rng.choice([1, 1, 2, -1, -2, 3])) if rng.rand() < 0.6 else None
            entries.append(slice(start, stop, step))
            axis += 1
        elif kind == "array":
            # Sub-shapes of the common shape broadcast against it.
            sub = broadcast[rng.randint(0, len(broadcast) + 1):] if broadcast else ()
            sub = tuple(1 if rng.rand() < 0.3 else s for s in sub)
            entries.append(random_array_index(rng, n, sub))
            axis += 1
        elif kind == "mask" and not used_mask:
            k = int(rng.randint(1, min(2, len(shape) - axis) + 1))
            entries.append(rng.rand(*shape[axis:axis + k]) < 0.5)
            used_mask = True
            axis += k
        elif kind == "none":
            entries.append(None)
        elif kind == "ellipsis" and not used_ellipsis:
            entries.append(Ellipsis)
            used_ellipsis = True
            axis = len(shape) - sum(1 for e in entries[:-1] if e is not None and e is not Ellipsis)
            # what follows the ellipsis reads the last axes; stop here to keep it simple
            break
    return tuple(entries)


def numpy_result(x, index):
    """NumPy's x[index], or the error it raises (arrays that do not broadcast). NumPy 1.24
    only warns about an out-of-range index when the result is empty; Theon raises, as
    later NumPy does, so such cases count as errors."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            return np.asarray(x[index]), None
    except (IndexError, ValueError, DeprecationWarning) as e:
        return None, e


def make_input(rng, dtype):
    shape = tuple(int(n) for n in rng.randint(0, 5, size=rng.randint(1, 4)))
    x = (rng.randn(*shape) * 10).astype(dtype)
    if rng.rand() < 0.3 and x.ndim >= 1 and x.shape[-1] > 1:  # a non-contiguous view
        big = np.repeat(x, 2, axis=-1)
        x = big[..., ::2]
    return x


def test_getitem_set_inc_match_numpy():
    rng = np.random.RandomState(1234)
    checked = 0
    for case in range(CASES):
        dtype = DTYPES[case % len(DTYPES)]
        x = make_input(rng, dtype)
        index = random_index(rng, x.shape)
        want, error = numpy_result(x, index)
        if error is not None:
            continue
        xs = T.tensor(dtype=dtype, broadcastable=(False,) * x.ndim, name="x")
        # Half the cases pass the first array as an input instead of a constant.
        inputs, sym_index, args = [xs], list(index), [x]
        for i, e in enumerate(index):
            if isinstance(e, np.ndarray) and rng.rand() < 0.5:
                v = T.tensor(dtype=str(e.dtype), broadcastable=(False,) * e.ndim, name="i%d" % i)
                inputs.append(v)
                args.append(e)
                sym_index[i] = v
                break
        sub = xs[tuple(sym_index)]
        y = np.asarray(rng.randn(*want.shape) * 5).astype(dtype)
        ys = T.tensor(dtype=dtype, broadcastable=(False,) * y.ndim, name="y")
        f = theon.function(inputs + [ys], [sub, T.set_subtensor(sub, ys), T.inc_subtensor(sub, ys)],
                           on_unused_input="ignore")
        got, got_set, got_inc = f(*args, y)
        msg = "case %d: x %s %s, index %r" % (case, x.shape, dtype, index)
        np.testing.assert_array_equal(got, want, err_msg=msg)
        assert got.shape == want.shape, msg
        want_set = x.copy()
        want_set[index] = y
        np.testing.assert_array_equal(got_set, want_set, err_msg=msg)
        want_inc = x.copy()
        np.add.at(want_inc, index, y)
        np.testing.assert_allclose(got_inc, want_inc, rtol=1e-6, err_msg=msg)
        checked += 1
    assert checked > CASES // 2


@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_documented_patterns(dtype):
    x = np.arange(60).reshape(3, 4, 5).astype(dtype)
    xs = T.tensor(dtype=dtype, broadcastable=(False,) * 3, name="x")
    i, j = np.array([0, 2, -1]), np.array([[1], [2]])
    patterns = [
        (lambda a, i, j: a[np.arange(3), i]), (lambda a, i, j: a[j]), (lambda a, i, j: a[:, i]),
        (lambda a, i, j: a[i, :, j]), (lambda a, i, j: a[1, :, i]), (lambda a, i, j: a[:, i, None, j]),
        (lambda a, i, j: a[..., i]), (lambda a, i, j: a[a > 30]), (lambda a, i, j: a[:, a[0] > 10]),
        (lambda a, i, j: a[None, i, 1:, ::-1]), (lambda a, i, j: a[i[:, None], j[:, 0]]),
    ]
    outs = [p(xs, i, j) for p in patterns]
    got = theon.function([xs], outs)(x)
    for p, g in zip(patterns, got):
        np.testing.assert_array_equal(g, p(x, i, j))


def test_mask_result_length_is_not_broadcastable():
    x = T.dvector("x")
    assert x[x > 0].broadcastable == (False,)
    assert T.dmatrix("m")[T.dmatrix("m") > 0].broadcastable == (False,)


def test_set_with_duplicates_keeps_the_last_write_and_inc_accumulates():
    x = T.dmatrix("x")
    i = T.lvector("i")
    j = T.lvector("j")
    v = T.dvector("v")
    f = theon.function([x, i, j, v], [T.set_subtensor(x[i, j], v), T.inc_subtensor(x[i, j], v)])
    xv = np.zeros((2, 3))
    iv, jv, vv = np.array([0, 1, 0]), np.array([2, 0, 2]), np.array([1.0, 2.0, 3.0])
    got_set, got_inc = f(xv, iv, jv, vv)
    want = xv.copy()
    want[iv, jv] = vv
    np.testing.assert_array_equal(got_set, want)
    want = xv.copy()
    np.add.at(want, (iv, jv), vv)
    np.testing.assert_array_equal(got_inc, want)


def test_empty_index_arrays_and_empty_x():
    x = T.dmatrix("x")
    i = T.lvector("i")
    f = theon.function([x, i], [x[i, i], x[:, i], T.inc_subtensor(x[i, 0], 1.0)])
    for xv in (np.zeros((0, 3)), np.ones((2, 3))):
        iv = np.zeros(0, dtype=np.int64)
        a, b, c = f(xv, iv)
        assert a.shape == xv[iv, iv].shape and b.shape == xv[:, iv].shape
        np.testing.assert_array_equal(c, xv)


def test_out_of_range_names_axis_index_and_length():
    x = T.dmatrix("x")
    i = T.lvector("i")
    f = theon.function([x, i], x[:, i])
    with pytest.raises(IndexError, match="index 5 is out of bounds for axis 1 with size 4"):
        f(np.zeros((3, 4)), np.array([0, 5]))
    with pytest.raises(IndexError, match="index -5 is out of bounds for axis 1 with size 4"):
        f(np.zeros((3, 4)), np.array([-5]))
    g = theon.function([x, i], x[i, i])
    with pytest.raises(IndexError, match="index 3 is out of bounds for axis 0 with size 3"):
        g(np.zeros((3, 4)), np.array([3]))
    h = theon.function([x, i], T.inc_subtensor(x[i, ::-1], 1.0))
    with pytest.raises(IndexError, match="index 7 is out of bounds for axis 0 with size 3"):
        h(np.zeros((3, 4)), np.array([7]))


def test_index_errors():
    x = T.dmatrix("x")
    with pytest.raises(TypeError, match="integer \\(or boolean\\)"):
        x[:, np.array([0.0, 1.0])]
    with pytest.raises(TypeError, match="integer \\(or boolean\\)"):
        x[T.dvector("d"), 0]
    with pytest.raises(IndexError, match="too many indices"):
        x[np.array([0]), 0, 0]
    i, j = T.lvector("i"), T.lvector("j")
    g = theon.function([x, i, j], x[i, j])
    with pytest.raises(IndexError, match="shape mismatch"):
        g(np.zeros((3, 4)), np.array([0, 1]), np.array([0, 1, 2]))
    mask = T.tensor(dtype="bool", broadcastable=(False,), name="mask")
    h = theon.function([x, mask], x[mask])
    with pytest.raises(IndexError, match="boolean index did not match"):
        h(np.zeros((3, 4)), np.ones(2, dtype=bool))


def numeric_grad(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for k in np.ndindex(*x.shape):
        d = np.zeros_like(x)
        d[k] = eps
        g[k] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


GRAD_INDICES = [
    ("arange,y", lambda a: a[np.arange(3), np.array([1, 3, 1])]),
    ("matrix", lambda a: a[np.array([[0, 2], [2, 2]])]),
    ("slice,array", lambda a: a[:, np.array([3, 0, 3])]),
    ("array,slice,array", lambda a: a[np.array([0, 1]), 1:, np.array([1, -1])] if a.ndim == 3 else a[np.array([0, 1])]),
    ("int,array", lambda a: a[1, np.array([0, 0, 2])]),
    ("mask", lambda a: a[np.array([[True, False, True, True]] * 3)]),
    ("none,array", lambda a: a[None, np.array([2, 2]), ::2]),
]


@pytest.mark.parametrize("name,index", GRAD_INDICES, ids=[n for n, _ in GRAD_INDICES])
def test_grad_of_getitem_set_inc(name, index):
    rng = np.random.RandomState(7)
    xv = rng.randn(3, 4)
    x = T.dmatrix("x")
    sub = index(x)
    w = rng.randn(*index(xv).shape)
    yv = rng.randn(*index(xv).shape)
    y = T.tensor(dtype="float64", broadcastable=(False,) * yv.ndim, name="y")
    for build in (lambda: T.sum(index(x) ** 2 * w), lambda: T.sum(T.set_subtensor(sub, y) ** 2),
                  lambda: T.sum(T.inc_subtensor(sub, y) ** 2)):
        cost = build()
        grads = T.grad(cost, [x, y], disconnected_inputs="ignore")
        f_cost = theon.function([x, y], cost, on_unused_input="ignore")
        f_grad = theon.function([x, y], grads, on_unused_input="ignore")
        gx, gy = f_grad(xv, yv)
        np.testing.assert_allclose(gx, numeric_grad(lambda a: f_cost(a, yv), xv), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(gy, numeric_grad(lambda b: f_cost(xv, b), yv), rtol=1e-5, atol=1e-6)


def test_grad_of_set_with_duplicates_counts_only_the_last_write():
    x, y = T.dvector("x"), T.dvector("y")
    cost = T.sum(T.set_subtensor(x[np.array([[1, 1], [0, 1]])], y.reshape((2, 2))) * np.arange(3.0))
    gy = theon.function([x, y], T.grad(cost, y))(np.zeros(3), np.ones(4))
    # The flat order of writes: 1, 1, 0, 1 -> only the last write to 1 (position 3) counts.
    np.testing.assert_array_equal(gy, [0.0, 0.0, 0.0, 1.0])


# ---- the NLL-by-indexing rewrite ----

def nll_graph(form, reduce="mean", rows="labels"):
    z = T.fmatrix("z")
    y = T.lvector("y")
    n = y.shape[0] if rows == "labels" else z.shape[0] if rows == "z" else T.lscalar("n")
    if form == "log_softmax":
        lp = T.nnet.logsoftmax(z)
    elif form == "softmax":
        lp = T.log(T.nnet.softmax(z))
    else:  # a look-alike: not a softmax
        lp = T.log(T.nnet.sigmoid(z))
    picked = lp[T.arange(n), y]
    cost = -(T.mean(picked) if reduce == "mean" else T.sum(picked))
    inputs = [z, y] + ([n] if rows == "other" else [])
    return inputs, cost, z


def compiled_ops(f):
    return theon.printing.debugprint(f, file="str")


@pytest.mark.parametrize("form", ["softmax", "log_softmax"])
@pytest.mark.parametrize("reduce", ["mean", "sum"])
@pytest.mark.parametrize("rows", ["labels", "z"])
def test_nll_rewrite_fires_and_matches_the_unrewritten_graph(form, reduce, rows):
    inputs, cost, z = nll_graph(form, reduce, rows)
    outputs = [cost, T.grad(cost, z)]
    f = theon.function(inputs, outputs)
    plain = theon.function(inputs, outputs, mode=Mode(optimizer=None))
    text = compiled_ops(f)
    assert "crossentropy_softmax_1hot" in text
    assert "advanced_subtensor" not in text and "advanced_inc_subtensor" not in text
    rng = np.random.RandomState(3)
    zv = (rng.randn(7, 5) * 3).astype("float32")
    yv = rng.randint(-5, 5, 7)  # negative labels wrap, as indexing does
    for a, b in zip(f(zv, yv), plain(zv, yv)):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)


def test_nll_rewrite_keeps_indexing_errors_and_short_labels():
    inputs, cost, z = nll_graph("softmax", "sum", "labels")
    f = theon.function(inputs, [cost, T.grad(cost, z)])
    plain = theon.function(inputs, [cost, T.grad(cost, z)], mode=Mode(optimizer=None))
    zv = np.random.RandomState(0).randn(4, 3).astype("float32")
    for a, b in zip(f(zv, np.array([0, 2])), plain(zv, np.array([0, 2]))):  # fewer labels than rows
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)
    with pytest.raises(IndexError, match="out of bounds for axis 1 with size 3"):
        f(zv, np.array([0, 3, 0, 0]))
    with pytest.raises(IndexError, match="out of bounds for axis 0 with size 4"):
        f(zv, np.zeros(5, dtype=np.int64))


@pytest.mark.parametrize("lookalike", ["other_n", "not_softmax"])
def test_nll_rewrite_declines_lookalikes(lookalike):
    if lookalike == "other_n":
        inputs, cost, _ = nll_graph("softmax", "mean", "other")
    else:
        inputs, cost, _ = nll_graph("sigmoid", "mean", "labels")
    f = theon.function(inputs, cost)
    text = compiled_ops(f)
    assert "crossentropy_softmax_1hot" not in text
    assert "advanced_subtensor" in text
