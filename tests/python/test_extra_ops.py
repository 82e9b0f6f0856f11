"""theano.tensor.extra_ops and friends (sort, tile, roll, where, stacklists, specify_shape,
the broadcast helpers, softmax of a vector) against NumPy: broadcasting, dtypes, empty and
non-contiguous inputs, negative axes, gradients and errors."""
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import theon
import theon.tensor as T
from theon.gradient import verify_grad
from theon.tensor import extra_ops

RNG = np.random.RandomState(0)


def run(inputs, output, *values):
    return theon.function(inputs, output)(*values)


def grad_ok(fn, *points):
    verify_grad(fn, [np.asarray(p, dtype="float64") for p in points], rng=np.random.RandomState(1))


# ---- softmax of a vector, argmax, sigmoids ----

def test_softmax_of_vector_is_a_row_and_argmax_axis1_works():
    v = T.dvector("v")
    p = T.nnet.softmax(v)
    assert p.ndim == 2 and p.broadcastable == (True, False)
    x = np.array([1.0, 3.0, 2.0])
    probs, best = run([v], [p, T.argmax(p, axis=1)], x)
    e = np.exp(x - x.max())
    assert_allclose(probs, (e / e.sum())[None, :])
    assert_array_equal(best, [1])


def test_log_softmax_of_vector_is_a_row():
    v = T.dvector("v")
    out = run([v], T.nnet.logsoftmax(v), np.array([0.0, 1.0]))
    assert out.shape == (1, 2)
    assert_allclose(np.exp(out).sum(), 1.0)


def test_argmax_of_scan_output_rows():
    x = T.dmatrix("x")
    seq, _ = theon.scan(lambda row: T.nnet.softmax(row)[0], sequences=x)
    got = run([x], T.argmax(seq, axis=1), np.array([[0.0, 2.0, 1.0], [5.0, 1.0, 0.0]]))
    assert_array_equal(got, [1, 0])


def test_hard_and_ultra_fast_sigmoid():
    x = T.fvector("x")
    xs = np.array([-4, -1, 0, 1, 4], dtype="float32")
    hard, fast = run([x], [T.nnet.hard_sigmoid(x), T.nnet.ultra_fast_sigmoid(x)], xs)
    assert hard.dtype == np.float32
    assert_allclose(hard, np.clip(0.2 * xs + 0.5, 0, 1), rtol=1e-6)
    assert_allclose(fast, 1 / (1 + np.exp(-xs)), rtol=1e-6)


# ---- cumsum / cumprod ----

@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "int8", "bool"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumsum_cumprod_match_numpy(dtype, axis):
    x = T.matrix("x", dtype=dtype)
    data = (RNG.rand(3, 4) * 3).astype(dtype)
    s, p = run([x], [T.cumsum(x, axis=axis), T.cumprod(x, axis=axis)], data)
    assert_allclose(s, np.cumsum(data, axis=axis), rtol=1e-5)
    assert_allclose(p, np.cumprod(data, axis=axis), rtol=1e-5)
    # NumPy's sums of bool and small ints are int64 (intp); floats keep their dtype.
    assert s.dtype == np.cumsum(data).dtype


def test_cumsum_empty_and_transposed():
    x = T.dmatrix("x")
    f = theon.function([x], T.cumsum(x, axis=0))
    a = np.arange(12.0).reshape(3, 4).T
    assert_allclose(f(a), np.cumsum(a, axis=0))
    assert f(np.zeros((0, 3))).shape == (0, 3)


def test_cumsum_cumprod_gradients_including_zeros():
    grad_ok(lambda x: T.cumsum(x, axis=1), RNG.rand(3, 4))
    grad_ok(lambda x: T.cumsum(x), RNG.rand(2, 3))
    grad_ok(lambda x: T.cumprod(x, axis=0), RNG.rand(3, 4) + 0.5)
    grad_ok(lambda x: T.cumprod(x, axis=-1), [[1.5, 0.0, 2.0, 0.7], [0.0, 0.0, 1.2, 0.9]])


def test_cumprod_gradient_at_zero_is_exact():
    x = T.dvector("x")
    g = run([x], T.grad(T.sum(T.cumprod(x)), x), np.array([2.0, 0.0, 3.0]))
    # d/dx of x0 + x0 x1 + x0 x1 x2 at (2, 0, 3): (1, 2 + 6, 0).
    assert_allclose(g, [1.0, 8.0, 0.0])


# ---- diff ----

@pytest.mark.parametrize("n,axis", [(1, -1), (2, 0), (3, 1), (0, 0)])
def test_diff_matches_numpy(n, axis):
    x = T.dmatrix("x")
    data = RNG.rand(4, 5)
    assert_allclose(run([x], T.diff(x, n=n, axis=axis), data), np.diff(data, n=n, axis=axis))


def test_diff_of_bool_and_gradient():
    x = T.vector("x", dtype="bool")
    data = np.array([True, True, False, True])
    assert_array_equal(run([x], T.diff(x), data), np.diff(data))
    grad_ok(lambda x: T.diff(x, n=2, axis=0), RNG.rand(5, 2))


# ---- repeat ----

@pytest.mark.parametrize("dtype", ["float64", "int32"])
def test_repeat_scalar_and_vector_counts(dtype):
    x = T.matrix("x", dtype=dtype)
    data = np.arange(6).reshape(2, 3).astype(dtype)
    r = T.lvector("r")
    a, b, c = run([x, r], [T.repeat(x, 2), T.repeat(x, r, axis=1), x.repeat(3, axis=-2)],
                  data, np.array([0, 2, 1]))
    assert_array_equal(a, np.repeat(data, 2))
    assert_array_equal(b, np.repeat(data, [0, 2, 1], axis=1))
    assert_array_equal(c, np.repeat(data, 3, axis=0))


def test_repeat_gradient_and_errors():
    grad_ok(lambda x: T.repeat(x, 3, axis=1), RNG.rand(2, 3))
    grad_ok(lambda x: T.repeat(x, np.array([1, 0, 2]), axis=0), RNG.rand(3, 2))
    x, r = T.dvector("x"), T.lvector("r")
    f = theon.function([x, r], T.repeat(x, r))
    with pytest.raises(theon.ShapeError, match="repeat"):
        f(np.ones(3), np.array([1, 2]))
    with pytest.raises(ValueError, match="non-negative"):
        f(np.ones(2), np.array([1, -2]))
    with pytest.raises(TypeError, match="repeats"):
        T.repeat(x, 1.5)


# ---- tile / roll ----

@pytest.mark.parametrize("reps", [(2,), (2, 3), (1, 2, 2), (0, 1)])
def test_tile_matches_numpy(reps):
    x = T.dmatrix("x")
    data = RNG.rand(2, 3)
    assert_allclose(run([x], T.tile(x, reps), data), np.tile(data, reps))


def test_tile_symbolic_reps_and_gradient():
    x, n = T.dvector("x"), T.lscalar("n")
    assert_allclose(run([x, n], T.tile(x, (n, 2)), np.arange(3.0), 2), np.tile(np.arange(3.0), (2, 2)))
    grad_ok(lambda x: T.tile(x, (2, 3)), RNG.rand(2, 2))


@pytest.mark.parametrize("shift,axis", [(1, None), (-2, None), (7, 0), (-1, 1), (3, -1)])
def test_roll_matches_numpy(shift, axis):
    x = T.dmatrix("x")
    data = RNG.rand(3, 4)
    s = T.lscalar("s")
    assert_allclose(run([x, s], T.roll(x, s, axis=axis), data, shift), np.roll(data, shift, axis=axis))


def test_roll_gradient_and_empty():
    grad_ok(lambda x: T.roll(x, 2, axis=1), RNG.rand(2, 5))
    grad_ok(lambda x: T.roll(x, -1), RNG.rand(2, 3))
    x = T.dvector("x")
    assert run([x], T.roll(x, 3), np.zeros(0)).shape == (0,)


# ---- sort / argsort ----

@pytest.mark.parametrize("dtype", ["float64", "float32", "int16", "uint8"])
@pytest.mark.parametrize("axis", [-1, 0, None])
def test_sort_argsort_match_numpy(dtype, axis):
    x = T.matrix("x", dtype=dtype)
    data = (RNG.rand(4, 5) * 10).astype(dtype)
    s, a = run([x], [T.sort(x, axis=axis), T.argsort(x, axis=axis)], data)
    assert_array_equal(s, np.sort(data, axis=axis))
    assert_array_equal(a, np.argsort(data, axis=axis, kind="stable"))


def test_sort_is_stable_and_puts_nan_last():
    x = T.dvector("x")
    data = np.array([2.0, np.nan, 1.0, 2.0, 1.0, -np.inf])
    s, a = run([x], [x.sort(), x.argsort()], data)
    assert_array_equal(s, np.sort(data))
    assert_array_equal(a, [5, 2, 4, 0, 3, 1])


def test_sort_gradient_scatters_back():
    grad_ok(lambda x: T.sort(x, axis=0), RNG.rand(4, 3))
    grad_ok(lambda x: T.sort(x, axis=None), RNG.rand(2, 3))


def test_sort_errors():
    with pytest.raises(ValueError, match="kind"):
        T.sort(T.dvector(), kind="bogo")
    with pytest.raises(ValueError, match="order"):
        T.sort(T.dvector(), order="f")
    with pytest.raises(ValueError, match="sort"):
        T.sort(T.dmatrix(), axis=2)
    with pytest.raises(TypeError, match="complex"):
        T.sort(T.zvector())


# ---- searchsorted ----

@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_matches_numpy(side):
    x, v = T.dvector("x"), T.dmatrix("v")
    xs = np.array([1.0, 2.0, 2.0, 3.0, 5.0])
    vs = np.array([[0.0, 2.0, 2.5], [5.0, 6.0, 2.0]])
    assert_array_equal(run([x, v], T.searchsorted(x, v, side=side), xs, vs), np.searchsorted(xs, vs, side=side))


def test_searchsorted_with_sorter_and_errors():
    x, v, s = T.dvector("x"), T.dvector("v"), T.lvector("s")
    xs = np.array([3.0, 1.0, 2.0])
    f = theon.function([x, v, s], T.searchsorted(x, v, sorter=s))
    assert_array_equal(f(xs, np.array([2.5, 0.0]), np.argsort(xs)), np.searchsorted(xs, [2.5, 0.0], sorter=np.argsort(xs)))
    with pytest.raises(ValueError, match="sorter"):
        f(xs, np.array([1.0]), np.array([0, 1, 7]))
    with pytest.raises(TypeError, match="vector"):
        T.searchsorted(T.dmatrix(), v)
    with pytest.raises(ValueError, match="side"):
        T.searchsorted(x, v, side="middle")


# ---- squeeze, broadcast patterns, specify_shape ----

def test_squeeze_drops_broadcastable_axes_and_has_gradient():
    x = T.TensorType("float64", (False, True, False, True))("x")
    y = extra_ops.squeeze(x)
    assert y.broadcastable == (False, False)
    assert run([x], y, np.ones((2, 1, 3, 1))).shape == (2, 3)
    grad_ok(lambda x: T.squeeze(T.addbroadcast(x, 0)), RNG.rand(1, 3))


def test_broadcast_helpers_check_lengths():
    x = T.dmatrix("x")
    y = T.addbroadcast(x, 0)
    assert y.broadcastable == (True, False)
    assert T.unbroadcast(y, 0).broadcastable == (False, False)
    assert T.patternbroadcast(x, (False, True)).broadcastable == (False, True)
    f = theon.function([x], y)
    assert f(np.ones((1, 2))).shape == (1, 2)
    with pytest.raises(Exception, match="1"):
        f(np.ones((2, 2)))


def test_specify_shape_checks_when_run():
    x = T.dmatrix("x")
    f = theon.function([x], T.specify_shape(x, (2, 3)) * 2)
    assert_allclose(f(np.ones((2, 3))), 2 * np.ones((2, 3)))
    with pytest.raises(theon.ShapeError, match="specify_shape.*\\(3, 3\\)"):
        f(np.ones((3, 3)))
    g = theon.function([x], T.specify_shape(x, (None, 3)))
    assert g(np.ones((5, 3))).shape == (5, 3)
    with pytest.raises(ValueError, match="specify_shape"):
        T.specify_shape(x, (2, 3, 4))
    grad_ok(lambda x: T.specify_shape(x, (2, 2)), RNG.rand(2, 2))


# ---- where, stacklists, inv ----

def test_where_broadcasts_like_numpy():
    c, a, b = T.bmatrix("c"), T.ivector("a"), T.fscalar("b")
    cs = np.array([[1, 0, 1], [0, 0, 1]], dtype="int8")
    got = run([c, a, b], T.where(c, a, b), cs, np.arange(3, dtype="int32"), np.float32(-1))
    want = np.where(cs, np.arange(3, dtype="int32"), np.float32(-1))
    assert_allclose(got, want)
    assert got.dtype == want.dtype


def test_where_with_one_argument_is_a_clear_error():
    with pytest.raises(TypeError, match="nonzero"):
        T.where(T.dvector())


def test_stacklists_nested():
    a, b, c, d = T.dscalars("a", "b", "c", "d")
    m = T.stacklists([[a, b], [c, d]])
    assert m.ndim == 2
    assert_allclose(run([a, b, c, d], m, 1, 2, 3, 4), [[1, 2], [3, 4]])
    x, y = T.dmatrices("x", "y")
    assert run([x, y], T.stacklists([[x, y], [y, x]]), np.ones((2, 3)), np.zeros((2, 3))).shape == (2, 2, 2, 3)


def test_inv_is_reciprocal():
    x = T.dvector("x")
    assert_allclose(run([x], T.inv(x), np.array([2.0, 4.0])), [0.5, 0.25])


# ---- to_one_hot, bincount ----

def test_to_one_hot():
    y = T.ivector("y")
    out = run([y], extra_ops.to_one_hot(y, 4), np.array([0, 3, 1], dtype="int32"))
    assert out.dtype == theon.config.floatX
    assert_array_equal(out, np.eye(4)[[0, 3, 1]])
    out = run([y], extra_ops.to_one_hot(y, 3, dtype="int8"), np.zeros(0, dtype="int32"))
    assert out.shape == (0, 3) and out.dtype == np.int8
    f = theon.function([y], extra_ops.to_one_hot(y, 3))
    with pytest.raises(IndexError, match="label 3"):
        f(np.array([0, 3], dtype="int32"))


def test_bincount_counts_weights_and_minlength():
    x, w = T.ivector("x"), T.dvector("w")
    xs = np.array([0, 1, 1, 3], dtype="int32")
    ws = np.array([0.5, 1.0, 2.0, -1.0])
    a, b, c = run([x, w], [T.bincount(x), T.bincount(x, weights=w), T.bincount(x, minlength=7)], xs, ws)
    assert_array_equal(a, np.bincount(xs))
    assert_allclose(b, np.bincount(xs, weights=ws))
    assert_array_equal(c, np.bincount(xs, minlength=7))
    f = theon.function([x], T.bincount(x))
    with pytest.raises(ValueError, match="non-negative"):
        f(np.array([1, -1], dtype="int32"))
    assert_array_equal(f(np.zeros(0, dtype="int32")), np.bincount(np.zeros(0, dtype="int32")))


def test_bincount_weights_gradient():
    xs = np.array([0, 2, 2, 1])
    grad_ok(lambda w: T.bincount(theon.shared(xs), weights=w), RNG.rand(4))


# ---- fill_diagonal ----

@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2), (3, 3, 3)])
def test_fill_diagonal_matches_numpy(shape):
    a = T.TensorType("float64", (False,) * len(shape))("a")
    data = RNG.rand(*shape)
    want = data.copy()
    np.fill_diagonal(want, 5.0)
    assert_allclose(run([a], T.fill_diagonal(a, 5.0), data), want)


@pytest.mark.parametrize("offset", [0, 1, -1, 3, -5])
def test_fill_diagonal_offset(offset):
    a, k = T.dmatrix("a"), T.lscalar("k")
    data = RNG.rand(3, 4)
    want = data.copy()
    rows = np.arange(3)
    cols = rows + offset
    keep = (cols >= 0) & (cols < 4)
    want[rows[keep], cols[keep]] = -1.0
    assert_allclose(run([a, k], T.fill_diagonal_offset(a, -1.0, k), data, offset), want)


def test_fill_diagonal_gradients_and_errors():
    grad_ok(lambda a, v: T.fill_diagonal(a, v), RNG.rand(3, 4), 0.3)
    grad_ok(lambda a, v: T.fill_diagonal_offset(a, v, 1), RNG.rand(3, 3), 0.3)
    with pytest.raises(TypeError, match="fill_diagonal"):
        T.fill_diagonal(T.imatrix(), T.dscalar())
    with pytest.raises(TypeError, match="fill_diagonal"):
        T.fill_diagonal(T.dvector(), 1.0)
    f = theon.function([a := T.dtensor3("a")], T.fill_diagonal(a, 0.0))
    with pytest.raises(theon.ShapeError, match="same length"):
        f(np.ones((2, 3, 3)))


# ---- unravel_index / ravel_multi_index ----

@pytest.mark.parametrize("order", ["C", "F"])
def test_unravel_and_ravel_round_trip(order):
    i = T.lmatrix("i")
    idx = np.array([[0, 5, 11], [7, 3, 2]])
    coords = run([i], list(T.unravel_index(i, (3, 4), order=order)), idx)
    for got, want in zip(coords, np.unravel_index(idx, (3, 4), order=order)):
        assert_array_equal(got, want)
    a, b = T.lvector("a"), T.lscalar("b")
    flat = run([a, b], T.ravel_multi_index((a, b), (3, 4), order=order), np.array([0, 2, 1]), 3)
    assert_array_equal(flat, np.ravel_multi_index((np.array([0, 2, 1]), 3), (3, 4), order=order))


def test_ravel_modes_and_errors():
    a, b = T.lvector("a"), T.lvector("b")
    av, bv = np.array([-1, 3, 1]), np.array([5, 0, -2])
    for mode in ["wrap", "clip"]:
        got = run([a, b], T.ravel_multi_index([a, b], (3, 4), mode=mode), av, bv)
        assert_array_equal(got, np.ravel_multi_index((av, bv), (3, 4), mode=mode))
    f = theon.function([a, b], T.ravel_multi_index([a, b], (3, 4)))
    with pytest.raises(ValueError, match="out of range"):
        f(av, bv)
    g = theon.function([a], T.unravel_index(a, (2, 2)))
    with pytest.raises(ValueError, match="out of bounds"):
        g(np.array([4]))


# ---- nonzero, compress, bartlett ----

def test_nonzero_family():
    x = T.dmatrix("x")
    data = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    rows, cols, flat, vals, mat = run([x], [*T.nonzero(x), T.flatnonzero(x), T.nonzero_values(x),
                                            T.nonzero(x, return_matrix=True)], data)
    assert_array_equal(rows, np.nonzero(data)[0])
    assert_array_equal(cols, np.nonzero(data)[1])
    assert_array_equal(flat, np.flatnonzero(data))
    assert_array_equal(vals, data[data != 0])
    assert_array_equal(mat, np.array(np.nonzero(data)))


def test_compress_and_bartlett():
    c, x = T.bvector("c"), T.dmatrix("x")
    data = RNG.rand(3, 4)
    cond = np.array([1, 0, 1], dtype="int8")
    assert_allclose(run([c, x], T.compress(c, x, axis=0), cond, data), np.compress(cond, data, axis=0))
    assert_allclose(run([c, x], T.compress(c, x), cond, data), np.compress(cond, data))
    m = T.lscalar("m")
    f = theon.function([m], T.bartlett(m))
    for n in [0, 1, 2, 5, 6]:
        assert_allclose(f(n), np.bartlett(n))


def test_names_at_theanos_paths():
    for name in ["cumsum", "cumprod", "diff", "repeat", "bincount", "squeeze", "fill_diagonal",
                 "fill_diagonal_offset", "to_one_hot", "unravel_index", "ravel_multi_index",
                 "searchsorted", "compress", "bartlett"]:
        assert callable(getattr(extra_ops, name))
    for name in ["sort", "argsort", "tile", "roll", "where", "stacklists", "specify_shape",
                 "patternbroadcast", "addbroadcast", "unbroadcast", "nonzero", "flatnonzero",
                 "nonzero_values", "cumsum", "repeat", "bincount", "squeeze", "inv"]:
        assert callable(getattr(T, name))
    assert T.extra_ops is extra_ops


def test_empty_and_reversed_inputs():
    x = T.dmatrix("x")
    f = theon.function([x], [T.sort(x), T.repeat(x, 2, axis=1), T.tile(x, (2, 2)), T.roll(x, 1, axis=0),
                             T.diff(x), T.argsort(x, axis=0), T.nonzero_values(x)])
    for data in [np.zeros((0, 3)), np.zeros((3, 0)), RNG.rand(4, 6)[::-1, ::2]]:
        got = f(data)
        want = [np.sort(data), np.repeat(data, 2, axis=1), np.tile(data, (2, 2)), np.roll(data, 1, axis=0),
                np.diff(data), np.argsort(data, axis=0, kind="stable"), data[data != 0]]
        for g, w in zip(got, want):
            assert g.shape == w.shape
            assert_allclose(g, w)


def test_gradients_through_indexing_helpers():
    grad_ok(lambda x: T.nonzero_values(x), [[0.3, 1.2], [0.5, 0.7]])
    grad_ok(lambda x: T.compress(np.array([1, 0, 1], dtype="int8"), x, axis=1), RNG.rand(2, 3))
