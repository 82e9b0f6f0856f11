"""Integer arithmetic wraps around on overflow exactly as NumPy's does (two's complement),
in the interpreter and in generated native code alike. In C++ a signed overflow is
undefined behaviour, which an optimizer may turn into any result, so the kernels compute
signed +, -, *, negation and abs in the unsigned type (kernel/scalar_math.hpp)."""
import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import _theon

OPS = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("neg", lambda a, b: -a),
    ("abs", lambda a, b: abs(a)),
    ("sqr", lambda a, b: a * a),
]


def extremes(dtype):
    info = np.iinfo(dtype)
    return np.array([info.min, info.min + 1, -3, -1, 0, 1, 7, info.max - 1, info.max], dtype=dtype)


@pytest.fixture
def restore_flags():
    yield
    _theon._apply_flags("cxx=c++,cgen_graph=1")


@pytest.mark.parametrize("dtype", ["int32", "int64"])
@pytest.mark.parametrize("flags", ["cxx=", "cxx=c++,cgen_graph=1"], ids=["interpreter", "native"])
def test_signed_overflow_wraps_as_numpy(dtype, flags, restore_flags):
    _theon._apply_flags(flags)
    a_values = extremes(dtype)
    b_values = a_values[::-1].copy()
    a, b = T.vector("a", dtype=dtype), T.vector("b", dtype=dtype)
    with np.errstate(over="ignore"):
        for name, op in OPS:
            f = theon.function([a, b], op(a, b), on_unused_input="ignore")
            for _ in range(4):  # the third call plans the whole-graph native kernel
                got = f(a_values, b_values)
            theon.wait_for_native_code()
            got = f(a_values, b_values)
            want = op(a_values, b_values)
            assert got.dtype == want.dtype, name
            np.testing.assert_array_equal(got, want, err_msg="%s %s %s" % (name, dtype, flags))
