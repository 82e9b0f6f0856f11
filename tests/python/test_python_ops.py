"""Ops defined in Python: theano.Op subclasses and as_op (docs/custom_ops.md)."""
import os
import re
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.tensor as T
from theon.compile_ops import as_op
from theon.gof import Apply, Op
from theon.gof.graph import DisconnectedType, grad_undefined

from conftest import BUILD_PYTHON, COMPAT


class DoubleOp(Op):
    __props__ = ()

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * 2

    def infer_shape(self, node, input_shapes):
        return input_shapes

    def grad(self, inputs, output_grads):
        return [output_grads[0] * 2]

    def R_op(self, inputs, eval_points):
        if eval_points[0] is None:
            return eval_points
        return self.grad(inputs, eval_points)


class AXPBOp(Op):
    """a * x + b, with a and b as __props__."""
    __props__ = ("a", "b")

    def __init__(self, a, b):
        self.a, self.b = a, b

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = self.a * inputs[0] + self.b

    def grad(self, inputs, output_grads):
        return [self.a * output_grads[0]]


class SinCosOp(Op):
    """Two outputs, sin(x) and cos(x), with a gradient through both."""
    __props__ = ()

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return Apply(self, [x], [x.type(), x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.sin(inputs[0])
        output_storage[1][0] = np.cos(inputs[0])

    def grad(self, inputs, output_grads):
        (x,), (gs, gc) = inputs, output_grads
        return [gs * T.cos(x) - gc * T.sin(x)]


class ScaleByOp(Op):
    """x * k, whose gradient in k it declares undefined and which has a disconnected
    integer input `unused`."""
    __props__ = ()

    def make_node(self, x, k, unused):
        x, k, unused = (T.as_tensor_variable(v) for v in (x, k, unused))
        return Apply(self, [x, k, unused], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * inputs[1]

    def grad(self, inputs, output_grads):
        x, k, unused = inputs
        return [output_grads[0] * k, grad_undefined(self, 1, k), DisconnectedType()()]


def nodes_of(f, cls):
    return [n for n in f.maker.fgraph.toposort() if isinstance(n.op, cls)]


# ---- values, identity, merging ----

def test_double_op_computes_and_keeps_dtype():
    x = T.fmatrix("x")
    y = DoubleOp()(x)
    assert y.type == x.type and isinstance(y.owner, Apply)
    assert isinstance(y.owner.op, DoubleOp)
    inp = np.random.rand(5, 4).astype("float32")
    out = theon.function([x], y)(inp)
    assert out.dtype == np.float32
    assert_allclose(out, inp * 2)


def test_ops_with_equal_props_are_equal_and_merge():
    assert DoubleOp() == DoubleOp() and hash(DoubleOp()) == hash(DoubleOp())
    assert AXPBOp(4, 5) == AXPBOp(4, 5) and AXPBOp(4, 5) != AXPBOp(2, 3)
    assert str(AXPBOp(4, 5)) == "AXPBOp{a=4, b=5}"
    x = T.dvector("x")
    f = theon.function([x], [DoubleOp()(x), DoubleOp()(x)])
    assert len(nodes_of(f, DoubleOp)) == 1
    a, b = f(np.array([1.0, 2.0]))
    assert_allclose(a, [2.0, 4.0]) and assert_allclose(b, [2.0, 4.0])
    g = theon.function([x], [AXPBOp(4, 5)(x), AXPBOp(2, 3)(x), AXPBOp(4, 5)(x)])
    assert len(nodes_of(g, AXPBOp)) == 2
    outs = g(np.array([1.0, 2.0]))
    assert_allclose(outs[0], [9.0, 13.0]) and assert_allclose(outs[1], [5.0, 7.0])
    assert_allclose(outs[2], [9.0, 13.0])


def test_ops_without_props_merge_only_with_themselves():
    class NoProps(Op):
        def make_node(self, x):
            return Apply(self, [x], [x.type()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0] + 1

    x = T.dvector("x")
    op = NoProps()
    assert NoProps() != NoProps()
    same = theon.function([x], [op(x), op(x)])
    other = theon.function([x], [NoProps()(x), NoProps()(x)])
    assert len(nodes_of(same, NoProps)) == 1 and len(nodes_of(other, NoProps)) == 2
    assert_allclose(other(np.array([1.0]))[1], [2.0])


def test_two_outputs_and_default_output():
    x = T.dvector("x")
    s, c = SinCosOp()(x)
    v = np.array([0.1, 0.7])
    got = theon.function([x], [s, c])(v)
    assert_allclose(got[0], np.sin(v)) and assert_allclose(got[1], np.cos(v))

    class Second(SinCosOp):
        default_output = 1

    assert_allclose(theon.function([x], Second()(x))(v), np.cos(v))


def test_python_op_mixes_with_native_ops():
    x = T.dmatrix("x")
    y = T.exp(DoubleOp()(T.sin(x) + 1)) * 3
    v = np.random.rand(3, 4)
    assert_allclose(theon.function([x], y)(v), np.exp(2 * (np.sin(v) + 1)) * 3)


# ---- gradients ----

def test_grad_of_python_op_passes_verify_grad():
    rng = np.random.RandomState(0)
    theon.gradient.verify_grad(DoubleOp(), [rng.rand(5, 7, 2)])
    theon.gradient.verify_grad(lambda x: T.sum(SinCosOp()(x)[0] * SinCosOp()(x)[1] ** 2),
                               [rng.rand(4)])


def test_wrong_grad_fails_verify_grad():
    class WrongGrad(DoubleOp):
        def grad(self, inputs, output_grads):
            return [output_grads[0] * 3]

    with pytest.raises(theon.GradientError):
        theon.gradient.verify_grad(WrongGrad(), [np.random.rand(3)])


def test_grad_with_one_output_unused_gets_zeros_for_it():
    x = T.dvector("x")
    g = T.grad(T.sum(SinCosOp()(x)[0]), x)
    v = np.array([0.3, 1.2])
    assert_allclose(theon.function([x], g)(v), np.cos(v))


def test_undefined_and_disconnected_gradients():
    x, k = T.dvector("x"), T.dscalar("k")
    n = T.iscalar("n")
    y = T.sum(ScaleByOp()(x, k, n))
    gx = T.grad(y, x)  # k's undefined gradient is not asked for: no error
    assert_allclose(theon.function([x, k, n], gx)(np.array([1.0, 2.0]), 3.0, 1), [3.0, 3.0])
    gk = T.grad(y, k)
    with pytest.raises(TypeError, match="gradient of input 1 of ScaleByOp is undefined"):
        theon.function([x, k, n], gk, on_unused_input="ignore")(np.array([1.0, 2.0]), 3.0, 1)


def test_op_without_grad_is_not_differentiable():
    @as_op(itypes=[T.dvector], otypes=[T.dvector])
    def plus_one(a):
        return a + 1

    x = T.dvector("x")
    with pytest.raises(TypeError, match="not differentiable"):
        T.grad(T.sum(plus_one(x)), x)


def test_rop_through_python_op():
    x, v = T.dvector("x"), T.dvector("v")
    y = SinCosOp()(x)[0]
    jv = theon.gradient.Rop(y, x, v)
    xv, vv = np.array([0.2, 0.9]), np.array([1.5, -2.0])
    assert_allclose(theon.function([x, v], jv)(xv, vv), np.cos(xv) * vv)


# ---- as_op ----

def test_as_op_numpy_dot():
    def infer_shape_numpy_dot(node, input_shapes):
        ashp, bshp = input_shapes
        return [ashp[:-1] + bshp[-1:]]

    @as_op(itypes=[T.fmatrix, T.fmatrix], otypes=[T.fmatrix], infer_shape=infer_shape_numpy_dot)
    def numpy_dot(a, b):
        return np.dot(a, b)

    x, y = T.fmatrix(), T.fmatrix()
    a = np.random.rand(5, 4).astype("float32")
    b = np.random.rand(4, 7).astype("float32")
    out = theon.function([x, y], numpy_dot(x, y))(a, b)
    assert out.dtype == np.float32 and out.shape == (5, 7)
    assert_allclose(out, a @ b, rtol=1e-5)
    with pytest.raises(TypeError, match=r"input 0 is .*float64.*matrix.*, expected .*float32.*matrix"):
        numpy_dot(T.dmatrix(), y)


def test_as_op_two_outputs():
    @as_op(itypes=[T.dvector, T.dvector], otypes=[T.dvector, T.dvector])
    def add_sub(a, b):
        return a + b, a - b

    x, y = T.dvectors("x", "y")
    s, d = add_sub(x, y)
    got = theon.function([x, y], [s, d])(np.array([3.0]), np.array([1.0]))
    assert_allclose(got[0], [4.0]) and assert_allclose(got[1], [2.0])


# ---- errors ----

def make_returning(value_fn, out_type=T.dvector):
    class Returns(Op):
        def make_node(self, x):
            return Apply(self, [x], [out_type()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = value_fn(inputs[0])

    return Returns()


def test_wrong_output_dtype_is_a_clear_error():
    x = T.dvector("x")
    f = theon.function([x], make_returning(lambda a: a.astype("float32"))(x))
    with pytest.raises(TypeError) as e:
        f(np.array([1.0, 2.0]))
    msg = str(e.value)
    assert re.search(r"Returns(#\d+)?\.perform: output 0 is a float32 array of shape \(2,\), but "
                     r"make_node declared it float64 vector", msg), msg
    assert "test_wrong_output_dtype_is_a_clear_error" in msg  # the node's line


def test_wrong_output_rank_is_a_clear_error():
    x = T.dvector("x")
    f = theon.function([x], make_returning(lambda a: np.outer(a, a))(x))
    with pytest.raises(TypeError, match=r"output 0 is a float64 array of shape \(2, 2\)"):
        f(np.array([1.0, 2.0]))


def test_output_never_set_is_a_clear_error():
    x = T.dvector("x")
    f = theon.function([x], make_returning(lambda a: None)(x))
    with pytest.raises(TypeError, match=r"did not set output 0 \(output_storage\[0\]\[0\] is still None\)"):
        f(np.array([1.0]))


def test_exception_in_perform_propagates_with_the_node_and_keeps_shared_values():
    class Boom(Exception):
        pass

    def explode(a):
        raise Boom("no luck")

    x = T.dvector("x")
    s = theon.shared(np.array([1.0, 2.0]), name="s")
    f = theon.function([x], make_returning(explode)(x), updates=[(s, s + 1)])
    with pytest.raises(Boom, match="no luck") as e:
        f(np.array([1.0, 2.0]))
    notes = "\n".join(getattr(e.value, "__notes__", []))
    assert re.search(r"raised by Returns(#\d+)?\.perform, node made at .*test_python_ops.py:\d+ "
                     r"in test_exception_in_perform", notes), notes
    assert "shape (2,)" in notes
    assert_allclose(s.get_value(), [1.0, 2.0])


def test_inputs_are_read_only_views():
    class Writes(Op):
        def make_node(self, x):
            return Apply(self, [x], [x.type()])

        def perform(self, node, inputs, output_storage):
            inputs[0][0] = 99.0
            output_storage[0][0] = inputs[0]

    x = T.dvector("x")
    with pytest.raises(ValueError, match="read-only"):
        theon.function([x], Writes()(x))(np.array([1.0]))


def test_returning_the_input_does_not_alias_it():
    x = T.dvector("x")
    ident = make_returning(lambda a: a)
    f = theon.function([x], [ident(x) * 1, x + 0])
    v = np.array([1.0, 2.0])
    a, b = f(v)
    assert_allclose(a, v) and assert_allclose(b, v)


def test_python_scalars_take_the_declared_dtype():
    x = T.fvector("x")
    f = theon.function([x], make_returning(lambda a: 3.5, T.fscalar)(x))
    out = f(np.array([1.0], dtype="float32"))
    assert out.dtype == np.float32 and out == 3.5


def test_make_node_must_return_apply():
    class Bad(Op):
        def make_node(self, x):
            return x

    with pytest.raises(TypeError, match="must return theano.Apply"):
        Bad()(T.dvector())


# ---- in the rest of Theon ----

def test_python_op_inside_scan():
    x = T.dvector("x")
    out, _ = theon.scan(lambda v, acc: DoubleOp()(v) + acc, sequences=[x],
                        outputs_info=[T.as_tensor_variable(np.float64(0))])
    v = np.array([1.0, 2.0, 3.0])
    assert_allclose(theon.function([x], out)(v), np.cumsum(2 * v))


def test_constant_folding_runs_the_python_op():
    calls = []

    class Counted(DoubleOp):
        def perform(self, node, inputs, output_storage):
            calls.append(1)
            super().perform(node, inputs, output_storage)

    x = T.dvector("x")
    c = T.as_tensor_variable(np.array([1.0, 2.0]))
    f = theon.function([x], x + Counted()(c))
    folded = len(calls)
    assert not nodes_of(f, Counted) and folded >= 1
    assert_allclose(f(np.array([1.0, 1.0])), [3.0, 5.0])
    assert len(calls) == folded  # the call itself did not run it


def test_clone_onto_new_inputs():
    x, w = T.dvector("x"), T.dvector("w")
    z = theon.clone(DoubleOp()(x) + 1, replace={x: T.exp(w)})
    assert_allclose(theon.function([w], z)(np.array([0.0, 1.0])), 2 * np.exp([0.0, 1.0]) + 1)


def test_called_while_another_thread_runs_no_deadlock():
    x = T.dvector("x")
    f = theon.function([x], T.sum(DoubleOp()(T.exp(x))))
    big = theon.function([x], T.sum(T.exp(x) ** 2))
    stop = threading.Event()
    errors = []

    def other():
        v = np.random.rand(200000)
        try:
            while not stop.is_set():
                big(v)
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=other) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        results = []

        def caller():
            for _ in range(200):
                results.append(f(np.array([0.0, 1.0])))

        c = threading.Thread(target=caller)
        c.start()
        c.join(timeout=60)
        assert not c.is_alive(), "deadlock"
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert not errors and len(results) == 200
    assert_allclose(results[-1], 2 * (1 + np.e))


# ---- the tutorial through the theano alias, in its own process ----

def test_extending_theano_tutorial_through_the_alias():
    code = textwrap.dedent("""
        import numpy, theano, theano.tensor
        from theano import function
        from theano.compile.ops import as_op
        import theano.gof, theano.gof.op, theano.gof.graph
        assert theano.gof.Op is theano.Op is theano.gof.op.Op and theano.gof.graph.Apply is theano.Apply

        class DoubleOp(theano.Op):
            __props__ = ()
            def make_node(self, x):
                x = theano.tensor.as_tensor_variable(x)
                return theano.Apply(self, [x], [x.type()])
            def perform(self, node, inputs, output_storage):
                output_storage[0][0] = inputs[0] * 2
            def infer_shape(self, node, i0_shapes):
                return i0_shapes
            def grad(self, inputs, output_grads):
                return [output_grads[0] * 2]
            def R_op(self, inputs, eval_points):
                if eval_points[0] is None:
                    return eval_points
                return self.grad(inputs, eval_points)

        class AXPBOp(theano.Op):
            __props__ = ("a", "b")
            def __init__(self, a, b):
                self.a = a
                self.b = b
                super(AXPBOp, self).__init__()
            def make_node(self, x):
                assert hasattr(self, '_props')
                x = theano.tensor.as_tensor_variable(x)
                return theano.Apply(self, [x], [x.type()])
            def perform(self, node, inputs, output_storage):
                output_storage[0][0] = self.a * inputs[0] + self.b

        x = theano.tensor.matrix()
        f = theano.function([x], DoubleOp()(x))
        inp = numpy.random.rand(5, 4)
        assert numpy.allclose(inp * 2, f(inp))
        assert AXPBOp(4, 5) == AXPBOp(4, 5) and AXPBOp(4, 5) != AXPBOp(2, 3)
        g = theano.function([x], AXPBOp(2, 3)(x))
        assert numpy.allclose(2 * inp + 3, g(inp))
        theano.gradient.verify_grad(DoubleOp(), [numpy.random.rand(5, 7, 2)])

        @as_op(itypes=[theano.tensor.fmatrix, theano.tensor.fmatrix], otypes=[theano.tensor.fmatrix])
        def numpy_dot(a, b):
            return numpy.dot(a, b)
        a, b = theano.tensor.fmatrix(), theano.tensor.fmatrix()
        h = function([a, b], numpy_dot(a, b))
        print(h(numpy.ones((5, 4), "float32"), numpy.ones((4, 7), "float32")).shape)
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([COMPAT, BUILD_PYTHON]))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["(5,", "7)"]


def test_function_with_python_op_pickles():
    import pickle
    x = T.dvector("x")
    f = theon.function([x], AXPBOp(3, 1)(DoubleOp()(x)))
    g = pickle.loads(pickle.dumps(f))
    assert_allclose(g(np.array([1.0, 2.0])), [7.0, 13.0])
    assert [type(n.op) for n in g.maker.fgraph.toposort()] == [DoubleOp, AXPBOp]
