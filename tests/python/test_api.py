"""The Theano API surface: constructors, function, shared, In/Out, eval, clone, graphs."""
from collections import OrderedDict

import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.tensor as T


@pytest.mark.parametrize("letter,dtype", [("b", "int8"), ("w", "int16"), ("i", "int32"), ("l", "int64"),
                                          ("f", "float32"), ("d", "float64"), ("c", "complex64"),
                                          ("z", "complex128")])
@pytest.mark.parametrize("kind,pattern", [("scalar", ()), ("vector", (False,)), ("matrix", (False, False)),
                                          ("row", (True, False)), ("col", (False, True)),
                                          ("tensor3", (False,) * 3), ("tensor7", (False,) * 7)])
def test_typed_constructors(letter, dtype, kind, pattern):
    v = getattr(T, letter + kind)("v")
    assert (v.dtype, v.broadcastable, v.name) == (dtype, pattern, "v")
    assert v.type == getattr(T, letter + kind)


def test_plural_constructors():
    p, q = T.dmatrices("p", "q")
    assert (p.name, q.name, p.dtype) == ("p", "q", "float64")
    assert len(T.fvectors(3)) == 3
    assert T.iscalars("k").name == "k"


def test_untyped_constructors_follow_floatx():
    old = theon.config.floatX
    try:
        theon.config.floatX = "float32"
        assert T.matrix("m").dtype == "float32"
        assert T.vector(dtype="int32").dtype == "int32"
    finally:
        theon.config.floatX = old
    assert T.matrix().dtype == old


def test_tensortype_makes_variables():
    t5 = T.TensorType("float64", (False,) * 5)
    x = t5("x")
    assert x.ndim == 5 and x.type == t5 and str(t5) == "float64 tensor5"
    assert T.TensorType("float32", (True, False)) == T.frow


def test_config_rejects_unknown_flags():
    with pytest.raises(AttributeError):
        theon.config.no_such_flag = 1
    with pytest.raises(ValueError):
        theon.config.floatX = "int32"


def test_single_output_is_an_array_and_list_output_a_list():
    a = T.dscalar("a")
    assert isinstance(theon.function([a], a * 2)(1.5), np.ndarray)
    out = theon.function([a], [a * 2])(1.5)
    assert isinstance(out, list) and out[0] == 3.0


def test_scalar_output_is_0d_array():
    a, b = T.dscalars("a", "b")
    out = theon.function([a, b], a * b)(1.5, 3)
    assert out.shape == () and out.dtype == np.float64 and out == 4.5


def test_updates_read_old_values():
    x = T.iscalar("x")
    sh = theon.shared(0)
    f = theon.function([x], sh ** 2, updates=[(sh, sh + x)])
    assert [int(f(1)), int(f(2)), int(f(3))] == [0, 1, 9]
    assert sh.get_value() == 6


def test_updates_as_ordered_dict_and_lists():
    a = theon.shared(1.0, "a")
    b = theon.shared(2.0, "b")
    f = theon.function([], [], updates=OrderedDict([(a, a + b), (b, a)]))
    assert f() == []
    assert (a.get_value(), b.get_value()) == (3.0, 1.0)
    g = theon.function([], a, updates=[[a, a * 2]])
    assert g() == 3.0 and a.get_value() == 6.0


def test_givens_substitute():
    x, y = T.dscalars("x", "y")
    s = theon.shared(5.0)
    f = theon.function([y], x * 2, givens={x: y + s})
    assert f(1.0) == 12.0


def test_in_defaults_and_keywords():
    x, y = T.dscalars("x", "y")
    f = theon.function([x, theon.In(y, value=1.5, name="w")], x + y)
    assert f(1.0) == 2.5
    assert f(1.0, w=2.0) == 3.0
    assert f(x=1.0) == 2.5
    with pytest.raises(TypeError):
        f()
    with pytest.raises(TypeError):
        f(1.0, nope=2)


def test_out_borrow_is_accepted():
    x = T.dvector("x")
    f = theon.function([x], theon.Out(x * 2, borrow=True))
    assert_allclose(f([1.0, 2.0]), [2.0, 4.0])


def test_unused_input_raises_by_default():
    x, y = T.dscalars("x", "y")
    with pytest.raises(ValueError, match="not used"):
        theon.function([x, y], x * 2)
    assert theon.function([x, y], x * 2, on_unused_input="ignore")(1.0, 5.0) == 2.0


def test_shared_get_set_value():
    w = theon.shared(np.array([1.0, 2.0]), name="w")
    assert w.name == "w" and w.dtype == "float64"
    v = w.get_value()
    v[0] = 99
    assert w.get_value()[0] == 1.0  # get_value copies
    w.set_value([3.0, 4.0])
    assert_allclose(w.get_value(), [3.0, 4.0])
    with pytest.raises(TypeError):
        w.set_value(np.zeros(2, dtype=complex))
    assert theon.shared(1.0).dtype == "float64" and theon.shared(0).dtype == "int64"


def test_eval_is_cached():
    x = T.dscalar("x")
    y = x ** 2 + 1
    assert y.eval({x: 2.0}) == 5.0
    fn = y._eval_cache[(hash(x),)]
    assert y.eval({x: 3.0}) == 10.0
    assert y._eval_cache[(hash(x),)] is fn
    assert (T.constant(2.0) * 3).eval() == 6.0


def test_clone_replaces():
    x, y = T.dscalars("x", "y")
    z = x * 2 + 1
    z2 = theon.clone(z, replace={x: y})
    assert theon.function([y], z2)(3.0) == 7.0


def test_toposort_nodes_have_op_inputs_outputs():
    x = T.dvector("x")
    f = theon.function([x], T.exp(x).sum(), mode="FAST_COMPILE")  # FAST_RUN fuses exp
    nodes = f.maker.fgraph.toposort()
    assert nodes and all(hasattr(n, "op") and n.inputs and n.outputs for n in nodes)
    assert any(n.op.name == "exp" for n in nodes)
    assert f.maker.fgraph.outputs[0].owner is nodes[-1] or f.maker.fgraph.outputs[0].owner == nodes[-1]


def test_owner_and_names():
    x = T.dmatrix("x")
    y = T.exp(x)
    assert x.owner is None
    assert y.owner.op.name == "exp" and y.owner.inputs[0] == x and y.owner.outputs[0] == y
    y.name = "y"
    assert y.name == "y" and str(y) == "y"


def test_variable_properties():
    x = T.fmatrix("x")
    assert (x.ndim, x.dtype, x.T.broadcastable) == (2, "float32", (False, False))
    assert x.type == T.fmatrix
    xs = x.shape
    assert xs.dtype == "int64" and xs.ndim == 1
    f = theon.function([x], [x.shape, x.shape[0]])
    shape, rows = f(np.zeros((3, 4), dtype=np.float32))
    assert list(shape) == [3, 4] and rows == 3


def test_methods():
    x = T.dmatrix("x")
    a = np.arange(6.0).reshape(2, 3)
    f = theon.function([x], [x.sum(axis=0), x.mean(), x.max(axis=1, keepdims=True), x.T, x.dimshuffle(1, "x", 0),
                             x.reshape((3, 2)), x.flatten(), x.argmax(axis=1), x.std()])
    s, m, mx, t, ds, r, fl, am, sd = f(a)
    assert_allclose(s, a.sum(axis=0))
    assert_allclose(m, a.mean())
    assert_allclose(mx, a.max(axis=1, keepdims=True))
    assert_allclose(t, a.T)
    assert ds.shape == (3, 1, 2)
    assert_allclose(r, a.reshape(3, 2))
    assert_allclose(fl, a.ravel())
    assert list(am) == [2, 2]
    assert_allclose(sd, a.std())


def test_indexing():
    x = T.dmatrix("x")
    i = T.lscalar("i")
    idx = T.lvector("idx")
    a = np.arange(12.0).reshape(3, 4)
    f = theon.function([x, i, idx], [x[0], x[:, 1], x[::-1], x[i], x[idx], x[None, 1], x[..., 2], x[1:, ::2]])
    outs = f(a, 2, [2, 0])
    want = [a[0], a[:, 1], a[::-1], a[2], a[[2, 0]], a[None, 1], a[..., 2], a[1:, ::2]]
    for got, expected in zip(outs, want):
        assert_allclose(got, expected)


def test_set_and_inc_subtensor():
    x = T.dvector("x")
    f = theon.function([x], [T.set_subtensor(x[1:], 0), T.inc_subtensor(x[0], 10)])
    s, i = f([1.0, 2.0, 3.0])
    assert_allclose(s, [1, 0, 0])
    assert_allclose(i, [11, 2, 3])
    with pytest.raises(TypeError):
        x[0] = 1


def test_elementwise_table_is_bound():
    for name in ["add", "sub", "mul", "true_div", "floor_div", "mod", "pow", "minimum", "maximum", "arctan2",
                 "lt", "gt", "le", "ge", "eq", "neq", "and_", "or_", "xor", "invert", "neg", "abs", "abs_",
                 "sgn", "reciprocal", "inv", "sqr", "sqrt", "exp", "exp2", "expm1", "log", "log2", "log10",
                 "log1p", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "sigmoid",
                 "softplus", "erf", "erfc", "floor", "ceil", "round", "trunc", "isnan", "isinf", "switch", "clip",
                 "identity", "fill", "where", "cast"]:
        assert callable(getattr(T, name)), name


def test_elementwise_ops_compute():
    x = T.dvector("x")
    v = np.array([0.5, -1.5, 2.0])
    f = theon.function([x], [T.exp(x), T.sqr(x), T.switch(T.lt(x, 0), -x, x), T.clip(x, 0, 1),
                             T.add(x, x, x), T.maximum(x, 0.0)])
    e, s, sw, c, a3, mx = f(v)
    assert_allclose(e, np.exp(v))
    assert_allclose(s, v ** 2)
    assert_allclose(sw, np.abs(v))
    assert_allclose(c, np.clip(v, 0, 1))
    assert_allclose(a3, 3 * v)
    assert_allclose(mx, np.maximum(v, 0))


def test_products_and_joins():
    a, b = T.dmatrices("a", "b")
    u, v = T.dvectors("u", "v")
    f = theon.function([a, b, u, v], [T.dot(a, b), a.dot(u), T.outer(u, v), T.stack([u, v], axis=1),
                                      T.concatenate([u, v]), T.join(0, u, v), a @ b])
    A, B = np.arange(4.0).reshape(2, 2), np.ones((2, 2))
    U, V = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    d, mv, o, st, cat, j, mm = f(A, B, U, V)
    assert_allclose(d, A @ B)
    assert_allclose(mv, A @ U)
    assert_allclose(o, np.outer(U, V))
    assert_allclose(st, np.stack([U, V], axis=1))
    assert_allclose(cat, np.concatenate([U, V]))
    assert_allclose(j, cat)
    assert_allclose(mm, A @ B)


def test_ifelse_is_lazy_choice():
    from theon.ifelse import ifelse
    c = T.dscalar("c")
    f = theon.function([c], ifelse(T.lt(c, 0), 0, 1))
    assert int(f(-1.0)) == 0 and int(f(2.0)) == 1


def test_pp_and_debugprint():
    x = T.dscalar("x")
    assert theon.pp(T.exp(x) + 1) == theon.printing.pp(T.exp(x) + 1)
    assert "exp" in theon.pp(T.exp(x) + 1)
    text = theon.printing.debugprint(T.exp(x) + 1, file="str")
    assert "exp" in text
    f = theon.function([x], T.exp(x))
    assert "exp" in theon.printing.debugprint(f, file="str")


def test_nnet_functions():
    x = T.dmatrix("x")
    t = T.dmatrix("t")
    a = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    f = theon.function([x, t], [T.nnet.sigmoid(x), T.nnet.softmax(x), T.nnet.relu(x - 1),
                                T.nnet.binary_crossentropy(T.nnet.sigmoid(x), t),
                                T.nnet.categorical_crossentropy(T.nnet.softmax(x), t)])
    onehot = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    sg, sm, r, bce, cce = f(a, onehot)
    assert_allclose(sg, 1 / (1 + np.exp(-a)))
    ref = np.exp(a) / np.exp(a).sum(axis=1, keepdims=True)
    assert_allclose(sm, ref)
    assert_allclose(r, np.maximum(a - 1, 0))
    p = 1 / (1 + np.exp(-a))
    assert_allclose(bce, -(onehot * np.log(p) + (1 - onehot) * np.log(1 - p)))
    assert_allclose(cce, -(onehot * np.log(ref)).sum(axis=1))
    import theon.tensor.nnet as nnet
    assert nnet.sigmoid is T.nnet.sigmoid


def test_nnet_is_stable_for_large_inputs():
    x = T.dmatrix("x")
    labels = T.lvector("labels")
    loss = T.mean(T.nnet.categorical_crossentropy(T.nnet.softmax(x), labels))
    f = theon.function([x, labels], [loss, T.nnet.log_softmax(x)])
    value, logs = f(np.array([[1000.0, 0.0], [0.0, -1000.0]]), [0, 0])
    assert value == 0.0 and np.all(np.isfinite(logs))
    assert_allclose(logs[0], [0.0, -1000.0])


def test_shape_pad():
    v = T.dvector("v")
    assert T.shape_padleft(v).broadcastable == (True, False)
    assert T.shape_padright(v, 2).broadcastable == (False, True, True)
    assert T.shape_padaxis(v, 0).broadcastable == (True, False)
    assert T.shape_padaxis(v, -1).broadcastable == (False, True)


def test_theon_flags_environment():
    import os
    import subprocess
    import sys

    from conftest import BUILD_PYTHON
    env = dict(os.environ, THEON_FLAGS="floatX=float32", PYTHONPATH=BUILD_PYTHON)
    code = "import theon, theon.tensor as T; print(theon.config.floatX, T.matrix().dtype)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["float32", "float32"], out.stderr


def test_keyword_arguments_by_variable_name():
    x, y = T.dscalars("x", "y")
    f = theon.function([x, y], x - y)
    assert f(y=1.0, x=3.0) == 2.0
