"""theon.tensor.nlinalg and slinalg against numpy.linalg and scipy.linalg: values for
float32 and float64, transposed and strided inputs, empty matrices, gradients by
verify_grad, and the errors (LinAlgError, ShapeError, TypeError)."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.gradient import verify_grad
from theon.tensor import nlinalg as nl
from theon.tensor import slinalg as sl

scipy_linalg = pytest.importorskip("scipy.linalg")

RTOL = {"float32": 1e-4, "float64": 1e-10}


def rand(*shape, seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, shape)


def well_conditioned(n, seed=0):
    return rand(n, n, seed=seed) + n * np.eye(n)


def spd(n, seed=0):
    a = rand(n, n, seed=seed)
    return a @ a.T + n * np.eye(n)


def run(build, *values):
    """Compiles build(*variables) for variables typed like `values` and runs it."""
    inputs = [T.TensorType(str(v.dtype), (False,) * v.ndim)() for v in values]
    outputs = build(*inputs)
    many = isinstance(outputs, (list, tuple))
    f = theon.function(inputs, list(outputs) if many else outputs)
    return f(*values)


def close(got, want, dtype="float64"):
    np.testing.assert_allclose(got, want, rtol=RTOL[str(dtype)], atol=RTOL[str(dtype)])


# ---- values ----

@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inverse_det_pinv_trace_match_numpy(dtype):
    a = well_conditioned(5).astype(dtype)
    inv, det, pinv, trace = run(lambda x: [nl.matrix_inverse(x), nl.det(x), nl.pinv(x), nl.trace(x)], a)
    assert inv.dtype == dtype and det.dtype == dtype
    close(inv, np.linalg.inv(a), dtype)
    close(det, np.linalg.det(a), dtype)
    close(pinv, np.linalg.pinv(a), dtype)
    close(trace, np.trace(a), dtype)


def test_transposed_and_strided_inputs():
    a = well_conditioned(6)
    for view in (a.T, a[::2, ::2], np.asfortranarray(a)):
        inv, det = run(lambda x: [nl.matrix_inverse(x), nl.det(x)], view)
        close(inv, np.linalg.inv(view))
        close(det, np.linalg.det(view))
    lower = np.tril(well_conditioned(4))
    b = rand(4, 3, seed=1)
    for view in (lower, np.asfortranarray(lower), lower.T.copy().T, lower[:, :]):
        close(run(lambda x, y: sl.solve_lower_triangular(x, y), view, b),
              scipy_linalg.solve_triangular(view, b, lower=True))
    upper = lower.T  # a transposed view: read in place with the other triangle
    close(run(lambda x, y: sl.solve_upper_triangular(x, y), upper, b),
          scipy_linalg.solve_triangular(upper, b, lower=False))


def test_integer_input_is_cast_to_float():
    a = np.array([[2, 1], [1, 3]], dtype="int64")
    got = run(nl.matrix_inverse, a)
    assert got.dtype == np.float64
    close(got, np.linalg.inv(a))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_eigh_both_triangles(dtype):
    s = spd(5).astype(dtype)
    for uplo in ("L", "U"):
        half = np.tril(s) if uplo == "L" else np.triu(s)  # the other triangle is not read
        w, v = run(lambda x: nl.eigh(x, uplo), half)
        want_w, want_v = np.linalg.eigh(s)
        close(w, want_w, dtype)
        close(np.abs(v), np.abs(want_v), dtype)
    close(run(lambda x: sl.eigvalsh(x), s), scipy_linalg.eigvalsh(s), dtype)


def test_eig_of_a_matrix_with_real_spectrum():
    a = np.triu(rand(4, 4)) + np.diag([1.0, 2.0, 3.0, 4.0])
    w, v = run(nl.eig, a)
    close(np.sort(w), np.sort(np.linalg.eigvals(a)))
    close(a @ v, v * w)
    close(np.linalg.norm(v, axis=0), np.ones(4))


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4)])
def test_svd_modes(shape):
    a = rand(*shape)
    u, s, vt = run(lambda x: nl.svd(x), a)
    assert u.shape == (shape[0],) * 2 and vt.shape == (shape[1],) * 2
    close(s, np.linalg.svd(a, compute_uv=False))
    k = min(shape)
    close((u[:, :k] * s) @ vt[:k], a)
    u, s, vt = run(lambda x: nl.svd(x, full_matrices=False), a)
    assert u.shape == (shape[0], k) and vt.shape == (k, shape[1])
    close((u * s) @ vt, a)
    close(run(lambda x: nl.svd(x, compute_uv=False), a), np.linalg.svd(a, compute_uv=False))


@pytest.mark.parametrize("shape", [(5, 3), (3, 5)])
def test_qr_modes(shape):
    a = rand(*shape)
    for mode in ("reduced", "complete"):
        q, r = run(lambda x: nl.qr(x, mode), a)
        want_q, want_r = np.linalg.qr(a, mode)
        assert q.shape == want_q.shape and r.shape == want_r.shape
        close(q @ r, a)
        close(np.abs(r), np.abs(want_r))
        close(q.T @ q, np.eye(q.shape[1]))
    close(np.abs(run(lambda x: nl.qr(x, "r"), a)), np.abs(np.linalg.qr(a, "r")))


def test_diag_family():
    v = np.array([1.0, 2.0, 3.0])
    m = rand(3, 4)
    for k in (-1, 0, 2):
        close(run(lambda x: nl.diag(x, k), v), np.diag(v, k))
        close(run(lambda x: nl.diag(x, k), m), np.diag(m, k))
    close(run(nl.alloc_diag, v), np.diag(v))
    close(run(nl.extract_diag, m), np.diag(m))
    t3 = rand(2, 3, 4)
    close(run(lambda x: nl.diagonal(x, 1, 0, 2), t3), np.diagonal(t3, 1, 0, 2))


@pytest.mark.parametrize("ord", [None, 1, 2, -1, 3, 0, np.inf, -np.inf, "inf", "-inf"])
def test_vector_norms(ord):
    x = np.array([3.0, -4.0, 0.0, 1.0])
    want = np.linalg.norm(x, {"inf": np.inf, "-inf": -np.inf}.get(ord, ord))
    close(run(lambda v: nl.norm(v, ord), x), want)


@pytest.mark.parametrize("ord", [None, "fro", 1, -1, np.inf, -np.inf, 2, -2, "nuc"])
def test_matrix_norms(ord):
    a = rand(3, 4)
    close(run(lambda m: nl.norm(m, ord), a), np.linalg.norm(a, ord))


def test_matrix_dot_and_power():
    a, b, c = rand(2, 3), rand(3, 4, seed=1), rand(4, 2, seed=2)
    close(run(lambda x, y, z: nl.matrix_dot(x, y, z), a, b, c), a @ b @ c)
    m = well_conditioned(3)
    for n in (0, 1, 3, 6, -2):
        close(run(lambda x: nl.matrix_power(x, n), m), np.linalg.matrix_power(m, n))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cholesky_lower_and_upper(dtype):
    s = spd(5).astype(dtype)
    close(run(sl.cholesky, s), scipy_linalg.cholesky(s, lower=True), dtype)
    close(run(lambda x: sl.cholesky(x, lower=False), s), scipy_linalg.cholesky(s, lower=False), dtype)
    close(run(lambda x: sl.Cholesky()(x), s), np.linalg.cholesky(s), dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("assume_a", ["gen", "sym", "pos"])
def test_solve_vector_and_matrix(dtype, assume_a):
    a = spd(5).astype(dtype)
    for b in (rand(5, seed=3), rand(5, 2, seed=4)):
        b = b.astype(dtype)
        got = run(lambda x, y: sl.solve(x, y, assume_a=assume_a), a, b)
        assert got.dtype == dtype and got.shape == b.shape
        close(got, scipy_linalg.solve(a, b, assume_a=assume_a), dtype)


def test_solve_symmetric_reads_one_triangle():
    s = spd(4)
    b = rand(4, seed=2)
    close(run(lambda x, y: sl.solve(x, y, "sym", lower=True), np.tril(s), b), np.linalg.solve(s, b))
    close(run(lambda x, y: sl.solve(x, y, "pos", lower=False), np.triu(s), b), np.linalg.solve(s, b))


@pytest.mark.parametrize("trans", [0, 1, "T"])
@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("unit_diagonal", [False, True])
def test_solve_triangular(trans, lower, unit_diagonal):
    a = well_conditioned(4)  # the unread triangle holds junk
    b = rand(4, 2, seed=5)
    got = run(lambda x, y: sl.solve_triangular(x, y, trans=trans, lower=lower,
                                               unit_diagonal=unit_diagonal), a, b)
    want = scipy_linalg.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)
    close(got, want)


@pytest.mark.parametrize("scale", [0.01, 0.3, 1.5, 8.0, 40.0])
def test_expm_against_scipy(scale):
    a = rand(5, 5) * scale  # 1-norms across every Pade degree and with squaring
    close(run(sl.expm, a), scipy_linalg.expm(a))
    close(run(sl.expm, a.astype("float32")), scipy_linalg.expm(a), "float32")


def test_kron():
    a, b = rand(2, 3), rand(3, 2, seed=1)
    close(run(sl.kron, a, b), np.kron(a, b))
    v = rand(3, seed=2)
    close(run(sl.kron, v, b), np.kron(v, b))
    close(run(sl.kron, v, v), np.kron(v, v))


def test_empty_matrices():
    e = np.zeros((0, 0))
    inv, det, w, v, chol, ex = run(lambda x: [nl.matrix_inverse(x), nl.det(x), *nl.eigh(x),
                                              sl.cholesky(x), sl.expm(x)], e)
    assert inv.shape == (0, 0) and det == 1.0 and w.shape == (0,) and v.shape == (0, 0)
    assert chol.shape == (0, 0) and ex.shape == (0, 0)
    u, s, vt = run(nl.svd, np.zeros((0, 3)))
    assert u.shape == (0, 0) and s.shape == (0,) and vt.shape == (3, 3)
    close(vt, np.eye(3))
    assert run(nl.pinv, np.zeros((0, 3))).shape == (3, 0)


# ---- gradients ----

def sym(x):
    return (x + x.T) / 2


GRADS = {
    "matrix_inverse": (lambda x: nl.matrix_inverse(x), [well_conditioned(3)]),
    "det": (lambda x: nl.det(x), [well_conditioned(3)]),
    "pinv_tall": (lambda x: nl.pinv(x), [rand(4, 3) + np.eye(4, 3) * 2]),
    "pinv_wide": (lambda x: nl.pinv(x), [rand(3, 4) + np.eye(3, 4) * 2]),
    "trace": (lambda x: nl.trace(x), [rand(3, 4)]),
    "extract_diag": (lambda x: nl.extract_diag(x, 1), [rand(3, 4)]),
    "alloc_diag": (lambda v: nl.alloc_diag(v, -1), [rand(3)]),
    "eigh_w": (lambda x: nl.eigh(sym(x))[0], [spd(3)]),
    "eigh_v": (lambda x: nl.eigh(sym(x))[1] ** 2, [spd(3)]),
    "eigh_lower_triangle": (lambda x: nl.eigh(x)[0].sum() + nl.eigh(x)[1][0, 0] ** 2, [spd(3)]),
    "eigvalsh": (lambda x: sl.eigvalsh(x), [spd(3)]),
    "cholesky": (lambda x: sl.cholesky(sym(x)), [spd(4)]),
    "cholesky_upper": (lambda x: sl.cholesky(sym(x), lower=False), [spd(4)]),
    "cholesky_one_triangle": (lambda x: sl.cholesky(x), [spd(3)]),
    "solve_gen": (lambda a, b: sl.solve(a, b), [well_conditioned(3), rand(3, 2)]),
    "solve_vector": (lambda a, b: sl.solve(a, b), [well_conditioned(3), rand(3)]),
    "solve_sym": (lambda a, b: sl.solve(a, b, "sym"), [spd(3), rand(3, 2)]),
    "solve_pos_upper": (lambda a, b: sl.solve(a, b, "pos", lower=False), [spd(3), rand(3)]),
    "solve_lower": (lambda a, b: sl.solve_lower_triangular(a, b), [well_conditioned(3), rand(3, 2)]),
    "solve_upper_trans": (lambda a, b: sl.solve_triangular(a, b, trans=1), [well_conditioned(3), rand(3)]),
    "solve_unit": (lambda a, b: sl.solve_triangular(a, b, lower=True, unit_diagonal=True),
                   [rand(3, 3), rand(3)]),
    "expm": (lambda x: sl.expm(x), [rand(3, 3)]),
    "expm_large": (lambda x: sl.expm(x), [rand(3, 3) * 4]),
    "norm_fro": (lambda x: nl.norm(x), [rand(3, 3)]),
    "norm_vector_3": (lambda x: nl.norm(x, 3), [rand(4) + 2]),
    "kron": (lambda a, b: sl.kron(a, b), [rand(2, 2), rand(2, 3)]),
    "matrix_power": (lambda x: nl.matrix_power(x, 3), [rand(3, 3)]),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradients(name):
    fn, points = GRADS[name]
    verify_grad(fn, points, rng=np.random.RandomState(42))


def test_gradient_float32():
    verify_grad(lambda x: nl.matrix_inverse(x), [well_conditioned(3).astype("float32")],
                rng=np.random.RandomState(0))


# ---- errors ----

def test_singular_inverse_raises_linalg_error():
    f = theon.function([x := T.dmatrix("x")], nl.matrix_inverse(x))
    with pytest.raises(nl.LinAlgError, match="matrix_inverse: matrix is singular") as info:
        f(np.ones((3, 3)))
    assert isinstance(info.value, ValueError) and isinstance(info.value, np.linalg.LinAlgError)


def test_singular_solve_raises():
    a, b = T.dmatrix("a"), T.dvector("b")
    for build in (lambda: sl.solve(a, b), lambda: sl.solve_lower_triangular(a, b)):
        f = theon.function([a, b], build())
        with pytest.raises(np.linalg.LinAlgError, match="solve"):
            f(np.zeros((2, 2)), np.ones(2))


def test_cholesky_of_indefinite_matrix_raises():
    f = theon.function([x := T.dmatrix("x")], sl.cholesky(x))
    with pytest.raises(sl.LinAlgError, match="cholesky: the matrix is not positive definite"):
        f(np.diag([1.0, -1.0]))


def test_non_square_raises_shape_error():
    f = theon.function([x := T.dmatrix("x")], nl.det(x))
    with pytest.raises(theon.ShapeError, match=r"det: expects a square matrix, got shape \(2, 3\)"):
        f(np.ones((2, 3)))
    a, b = T.dmatrix("a"), T.dvector("b")
    g = theon.function([a, b], sl.solve(a, b))
    with pytest.raises(theon.ShapeError, match="solve"):
        g(np.eye(3), np.ones(4))


def test_wrong_rank_and_dtype_raise_type_error():
    with pytest.raises(TypeError, match="matrix_inverse: expects a matrix"):
        nl.matrix_inverse(T.dvector())
    with pytest.raises(TypeError, match="cholesky: complex"):
        sl.cholesky(T.zmatrix())
    with pytest.raises(ValueError, match="norm"):
        nl.norm(T.dmatrix(), 3)
    with pytest.raises(ValueError, match="qr: mode"):
        nl.qr(T.dmatrix(), "raw")


def test_complex_spectrum_in_eig_raises():
    f = theon.function([x := T.dmatrix("x")], nl.eig(x)[0])
    with pytest.raises(ValueError, match="complex eigenvalues"):
        f(np.array([[0.0, -1.0], [1.0, 0.0]]))
