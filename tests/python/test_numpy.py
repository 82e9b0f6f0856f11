"""NumPy without copies: inputs used in place, outputs viewing Theon's buffers."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.tensor as T
from theon import _theon


@pytest.mark.parametrize("dtype", ["bool", "int8", "int16", "int32", "int64", "uint8", "float32", "float64",
                                   "complex64", "complex128"])
def test_roundtrip_shares_memory(dtype):
    a = np.arange(12).reshape(3, 4).astype(dtype)
    back, copied = _theon._roundtrip(a)
    assert not copied
    assert back.dtype == a.dtype and np.shares_memory(back, a)
    np.testing.assert_array_equal(back, a)


@pytest.mark.parametrize("view", [lambda a: a.T, lambda a: a[::-1], lambda a: a[:, ::-2], lambda a: a[1:, 2]])
def test_strided_views_are_borrowed(view):
    a = np.arange(20.0).reshape(4, 5)
    v = view(a)
    back, copied = _theon._roundtrip(v)
    assert not copied and np.shares_memory(back, a)
    np.testing.assert_array_equal(back, v)


def test_byteswapped_and_odd_strides_are_copied():
    swapped = np.arange(6.0).astype(">f8")
    back, copied = _theon._roundtrip(swapped)
    assert copied and back.dtype == np.float64
    np.testing.assert_array_equal(back, swapped)
    record = np.zeros(4, dtype=[("a", "f8"), ("b", "i1")])["a"]  # stride 9: not whole elements
    back, copied = _theon._roundtrip(record)
    assert copied


def test_unsupported_dtypes_convert():
    back, copied = _theon._roundtrip(np.arange(3, dtype=np.uint16))
    assert copied and back.dtype == np.int32


def test_input_used_in_place_and_borrowed_output_views_it():
    x = T.dmatrix("x")
    f = theon.function([x], theon.Out(x.T, borrow=True))
    a = np.arange(6.0).reshape(2, 3)
    out = f(a)
    assert np.shares_memory(out, a)
    assert_allclose(out, a.T)
    # Without borrow, an output that views an argument is copied (as Theano does).
    assert not np.shares_memory(theon.function([x], x.T)(a), a)


def test_output_keeps_buffer_alive_and_is_not_overwritten():
    x = T.dvector("x")
    f = theon.function([x], x * 2)
    first = f(np.ones(1000))
    second = f(np.full(1000, 3.0))
    assert not np.shares_memory(first, second)
    assert_allclose(first, 2.0) and assert_allclose(second, 6.0)
    del first
    third = f(np.ones(1000))
    assert_allclose(third, 2.0)


def test_big_output_views_theon_buffer():
    x = T.dvector("x")
    f = theon.function([x], x + 1)
    out = f(np.zeros(100))
    assert out.base is not None  # a capsule owning the NDArray
    assert out.flags.writeable


def test_shared_borrow_shares_memory():
    a = np.arange(5.0)
    s = theon.shared(a, borrow=True)
    assert np.shares_memory(s.get_value(borrow=True), a)
    assert not np.shares_memory(s.get_value(), a)
    c = theon.shared(a)
    assert not np.shares_memory(c.get_value(borrow=True), a)


def test_set_value_borrow():
    s = theon.shared(np.zeros(3))
    b = np.ones(3)
    s.set_value(b, borrow=True)
    assert np.shares_memory(s.get_value(borrow=True), b)
    s.set_value(b)
    assert not np.shares_memory(s.get_value(borrow=True), b)


def test_shared_updates_with_borrowed_value_do_not_write_into_it():
    a = np.ones(3)
    s = theon.shared(a, borrow=True)
    f = theon.function([], [], updates=[(s, s * 2)])
    f()
    f()
    assert_allclose(s.get_value(), 4.0)


def test_python_numbers_are_weak():
    x = T.fvector("x")
    assert (x * 2.0).dtype == "float32"
    assert (T.ivector() + 1).dtype == "int32"
    assert (x * np.ones(3)).dtype == "float64"  # arrays keep their dtype


def test_call_conversions():
    x = T.fscalar("x")
    v = T.dvector("v")
    i = T.iscalar("i")
    f = theon.function([x, v, i], [x, v, i])
    outs = f(2.0, [1, 2], np.int64(3))
    assert outs[0].dtype == np.float32 and outs[1].dtype == np.float64 and outs[2].dtype == np.int32
    with pytest.raises(TypeError):
        f(2.0, [1, 2], 2.5)  # a float for an int input
    with pytest.raises(TypeError):
        f(2.0, np.zeros(2, dtype=np.complex128), 1)


def test_list_argument_converted_exactly_when_lossless():
    x = T.fvector("x")
    f = theon.function([x], x * 2)
    assert_allclose(f([1.0, 1.5]), [2.0, 3.0])
    with pytest.raises(TypeError):
        f(np.array([1.0, 2.0]))  # float64 array into float32: Theano refuses too
    g = theon.function([x], x * 2, allow_input_downcast=True)
    assert_allclose(g(np.array([0.1, 2.0])), [0.2, 4.0], rtol=1e-6)


def test_empty_and_zero_d():
    x = T.dvector("x")
    f = theon.function([x], x.sum())
    assert f(np.zeros(0)) == 0.0
    out = theon.function([x], x * 2)(np.zeros(0))
    assert out.shape == (0,)
