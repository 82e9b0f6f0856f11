"""Theano's special element-wise functions on theon.tensor (gammaln, psi, gamma, erfinv,
erfcinv, arcsinh, arccosh, arctanh, deg2rad, rad2deg, iround) against scipy.special and
NumPy (math.lgamma / math.erf based references where SciPy is missing): float64 and
float32, integer inputs, special values, empty and strided arrays, and gradients."""
import math

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.gradient import verify_grad

try:
    import scipy.special as sp
except ImportError:  # pragma: no cover - the references below then come from math
    sp = None


def _vectorize(f):
    return lambda x: np.vectorize(f, otypes=[np.float64])(np.asarray(x, dtype=np.float64))


def _erfinv_by_bisection(p):
    if abs(p) >= 1 or p != p:
        return math.copysign(math.inf, p) if abs(p) == 1 else math.nan
    lo, hi = -7.0, 7.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if math.erf(mid) < p else (lo, mid)
    return (lo + hi) / 2


def _psi_by_difference(x):  # a reference good to ~1e-9, for when SciPy is missing
    h = 1e-5
    return (math.lgamma(x + h) - math.lgamma(x - h)) / (2 * h)


if sp is not None:
    REF = {"gammaln": sp.gammaln, "psi": sp.psi, "gamma": sp.gamma, "erfinv": sp.erfinv,
           "erfcinv": sp.erfcinv}
    RTOL64 = 1e-14
else:
    REF = {"gammaln": _vectorize(math.lgamma), "psi": _vectorize(_psi_by_difference),
           "gamma": _vectorize(math.gamma), "erfinv": _vectorize(_erfinv_by_bisection),
           "erfcinv": _vectorize(lambda q: _erfinv_by_bisection(1 - q))}
    RTOL64 = 1e-8
REF.update({"arcsinh": np.arcsinh, "arccosh": np.arccosh, "arctanh": np.arctanh,
            "deg2rad": np.deg2rad, "rad2deg": np.rad2deg})

# Points inside each function's domain, away from poles.
DOMAIN = {"gammaln": (0.1, 30), "psi": (0.1, 30), "gamma": (0.1, 10), "erfinv": (-0.99, 0.99),
          "erfcinv": (0.01, 1.99), "arcsinh": (-20, 20), "arccosh": (1.0, 20), "arctanh": (-0.99, 0.99),
          "deg2rad": (-720, 720), "rad2deg": (-7, 7)}
NAMES = sorted(DOMAIN)


def _points(name, n=257, seed=0):
    lo, hi = DOMAIN[name]
    return np.random.default_rng(seed).uniform(lo, hi, n)


def _compile(name, dtype="float64", ndim=1):
    x = T.TensorType(dtype, (False,) * ndim)("x")
    return theon.function([x], getattr(T, name)(x))


@pytest.mark.parametrize("name", NAMES)
def test_float64_matches_reference(name):
    x = _points(name)
    got = _compile(name)(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, REF[name](x), rtol=RTOL64, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(name):
    x = _points(name).astype(np.float32)
    got = _compile(name, "float32")(x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, REF[name](x.astype(np.float64)), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_integer_input_gives_float64(name):
    x = np.array([1, 2, 3, 5], dtype=np.int32) if name not in ("erfinv", "arctanh") else \
        np.array([0, 0, 0], dtype=np.int32)
    got = _compile(name, "int32")(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, REF[name](x.astype(np.float64)), rtol=RTOL64)


@pytest.mark.parametrize("name", NAMES)
def test_empty_and_strided(name):
    f = _compile(name, ndim=2)
    assert f(np.zeros((0, 3))).shape == (0, 3)
    m = _points(name, 24).reshape(4, 6)
    np.testing.assert_allclose(f(m.T), REF[name](m.T), rtol=RTOL64, atol=1e-15)
    np.testing.assert_allclose(f(m[:, ::2]), REF[name](m[:, ::2]), rtol=RTOL64, atol=1e-15)


def test_special_values():
    nan, inf = np.nan, np.inf
    cases = {
        "erfinv": ([-1.0, 1.0, 0.0, 1.5, -2.0, nan], [-inf, inf, 0.0, nan, nan, nan]),
        "erfcinv": ([0.0, 2.0, 1.0, -0.5, 2.5, nan], [inf, -inf, 0.0, nan, nan, nan]),
        "psi": ([0.0, -1.0, -2.0, inf, nan], [-inf, nan, nan, inf, nan]),
        "gammaln": ([0.0, -1.0, -2.0, 1.0, 2.0, inf], [inf, inf, inf, 0.0, 0.0, inf]),
        "gamma": ([0.0, 1.0, 5.0, 172.0, inf, nan], [inf, 1.0, 24.0, inf, inf, nan]),
        "arccosh": ([1.0, 0.5, inf], [0.0, nan, inf]),
        "arctanh": ([1.0, -1.0, 2.0], [inf, -inf, nan]),
    }
    for name, (x, want) in cases.items():
        with np.errstate(all="ignore"):
            np.testing.assert_array_equal(_compile(name)(np.array(x)), np.array(want), err_msg=name)


def test_psi_negative_and_extremes():
    x = np.array([-2.5, -0.5, -10.3, 1e-8, 1e10, 1.4616321449683622])
    want = np.array([1.103156640645243, 0.03648997397857652, 4.662403493582087,
                     -100000000.57721564, 23.025850929890456, -9.241265521729427e-17])
    np.testing.assert_allclose(_compile("psi")(x), want, rtol=1e-13)


def test_erfinv_tails():
    # mpmath at 50 digits
    np.testing.assert_allclose(_compile("erfinv")(np.array([0.9999999999999999, -0.9999999])),
                               [5.8635847487551676, -3.7665625816384707], rtol=1e-15)
    np.testing.assert_allclose(_compile("erfcinv")(np.array([1e-300, 1e-20])),
                               [26.209469960516124, 6.601580622355143], rtol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_gradient(name):
    lo, hi = DOMAIN[name]
    lo, hi = (max(lo, -0.9), min(hi, 0.9)) if name in ("erfinv", "arctanh") else (lo, hi)
    lo = 1.2 if name == "arccosh" else lo
    lo, hi = (0.3, min(hi, 5)) if name in ("gammaln", "psi", "gamma") else (lo, hi)
    x = np.random.default_rng(1).uniform(lo, hi, (3, 4))
    verify_grad(getattr(T, name), [x], rng=np.random.RandomState(2))


def test_tri_gamma_gradient_raises():
    x = T.dvector("x")
    g = T.grad(T.sum(T.psi(x)), x)  # tri_gamma
    np.testing.assert_allclose(theon.function([x], g)(np.array([1.0])), [math.pi ** 2 / 6], rtol=1e-15)
    with pytest.raises(TypeError, match="tri_gamma has no gradient"):
        T.grad(T.sum(g), x)


def test_iround_and_rounding_modes():
    x = T.dvector("x")
    v = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999999999999994, -3.7, 7.0])
    f = theon.function([x], [T.iround(x), T.iround(x, "half_away_from_zero"), T.round(x, "half_to_even"),
                             T.round_half_away_from_zero(x)])
    even, away, round_even, round_away = f(v)
    assert even.dtype == np.int64 and away.dtype == np.int64
    np.testing.assert_array_equal(even, np.round(v).astype(np.int64))
    np.testing.assert_array_equal(away, [-3, -2, -1, 1, 2, 3, 0, -4, 7])
    np.testing.assert_array_equal(round_even, np.round(v))
    np.testing.assert_array_equal(round_away, away.astype(np.float64))
    i = T.ivector("i")
    np.testing.assert_array_equal(theon.function([i], T.iround(i))(np.array([3, -4], np.int32)), [3, -4])
    with pytest.raises(ValueError, match="mode"):
        T.round(x, "up")
