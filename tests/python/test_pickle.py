"""Pickling Theon objects (python/theon/serialization.py) and theano.misc.pkl_utils.

The example networks are pickled in one process and loaded in a fresh one (a subprocess
of /usr/bin/python3), which must compute the same outputs, apply the same updates, and
find the native code in the cache rather than compile it again."""
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.tensor as T
from conftest import BUILD_PYTHON, COMPAT, ROOT

EXAMPLES = os.path.join(ROOT, "examples", "python")


def run_python(code, tmp_path, flags=""):
    """Runs `code` in a fresh /usr/bin/python3 with the test's package and a private cache."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([BUILD_PYTHON, COMPAT, EXAMPLES])
    env["THEON_CACHE_DIR"] = str(tmp_path / "cache")
    env["THEON_FLAGS"] = ",".join(f for f in ["on_opt_error=raise", flags] if f)
    done = subprocess.run(["/usr/bin/python3", "-c", textwrap.dedent(code)], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-4000:]
    return done


# Each network: code that builds `model` and `data` (pickled together), and a `check(m,
# data)` (run in both processes) returning the values to compare: outputs, a training
# step's cost, outputs after that step (so the updates must reach the loaded variables).
NETWORKS = {
    "xor": ("""
        import numpy as np, theano, theano.tensor as T
        from theano.tensor import nnet
        rng = np.random.RandomState(1)
        x, y = T.dvector('x'), T.dscalar('y')
        def layer(x, w):
            return nnet.sigmoid(T.dot(w.T, T.concatenate([x, np.array([1.0])])))
        theta1 = theano.shared(rng.rand(3, 3), name='theta1')
        theta2 = theano.shared(rng.rand(4, 1), name='theta2')
        out = T.sum(layer(layer(x, theta1), theta2))
        fc = (out - y) ** 2
        train = theano.function([x, y], fc, updates=[(t, t - 0.1 * T.grad(fc, t)) for t in (theta1, theta2)])
        model = dict(train=train, predict=theano.function([x], out), params=[theta1, theta2])
        data = [[0, 1], [1, 0], [1, 1]]
    """, """
        def check(m, data):
            p = [float(m['predict'](v)) for v in data]
            c = float(m['train'](data[0], 1))
            return p + [c, float(m['predict'](data[0]))]
    """),
    "logistic": ("""
        import numpy as np, theano, theano.tensor as T
        rng = np.random.RandomState(2)
        x, y = T.dmatrix('x'), T.dvector('y')
        w = theano.shared(rng.randn(5), name='w')
        b = theano.shared(0.0, name='b')
        p = 1 / (1 + T.exp(-T.dot(x, w) - b))
        cost = T.mean(-y * T.log(p) - (1 - y) * T.log(1 - p)) + 0.01 * (w ** 2).sum()
        gw, gb = T.grad(cost, [w, b])
        train = theano.function([x, y], [p > 0.5, cost], updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)))
        model = dict(train=train, predict=theano.function([x], p), w=w, b=b)
        data = rng.randn(8, 5), (rng.rand(8) > 0.5).astype(float)
    """, """
        def check(m, data):
            before = m['predict'](data[0])
            c = m['train'](*data)[1]
            return list(before) + [float(c)] + list(m['predict'](data[0])) + [float(m['b'].get_value())]
    """),
    "lenet": ("""
        import importlib
        import numpy as np, theano, theano.tensor as T
        lenet = importlib.import_module('18_lenet5')   # the example's own layer classes
        rng = np.random.RandomState(3)
        x, y = T.matrix('x'), T.ivector('y')
        layer0 = lenet.LeNetConvPoolLayer(rng, x.reshape((4, 1, 28, 28)), (4, 1, 5, 5), (4, 1, 28, 28))
        layer1 = lenet.LeNetConvPoolLayer(rng, layer0.output, (6, 4, 5, 5), (4, 4, 12, 12))
        layer2 = lenet.HiddenLayer(rng, layer1.output.flatten(2), 6 * 4 * 4, 20)
        layer3 = lenet.LogisticRegression(layer2.output, 20, 10)
        cost = layer3.negative_log_likelihood(y)
        params = layer3.params + layer2.params + layer1.params + layer0.params
        train = theano.function([x, y], cost, updates=[(p, p - 0.1 * g) for p, g in zip(params, T.grad(cost, params))])
        model = dict(layers=[layer0, layer1, layer2, layer3], train=train,
                     predict=theano.function([x], layer3.p_y_given_x))
        data = rng.rand(4, 784).astype('float32'), np.array([1, 7, 3, 0], dtype='int32')
    """, """
        def check(m, data):
            before = m['predict'](data[0])
            c = m['train'](*data)
            return list(before.ravel()) + [float(c)] + list(m['predict'](data[0]).ravel())
    """),
    "rnn": ("""
        import numpy as np, theano, theano.tensor as T
        rng = np.random.RandomState(7)
        Wx = theano.shared(rng.normal(0, 0.5, (1, 6)), name='Wx')
        Wh = theano.shared(rng.normal(0, 0.2, (6, 6)), name='Wh')
        b = theano.shared(np.zeros(6), name='b')
        Wo = theano.shared(rng.normal(0, 0.5, (6, 1)), name='Wo')
        x, y = T.dtensor3('x'), T.dtensor3('y')
        def step(x_t, h_prev):
            return T.tanh(T.dot(x_t, Wx) + T.dot(h_prev, Wh) + b)
        h, _ = theano.scan(step, sequences=x, outputs_info=T.zeros((3, 6)))
        cost = T.mean(T.sqr(T.dot(h, Wo) - y))
        params = [Wx, Wh, b, Wo]
        train = theano.function([x, y], cost, updates=[(p, p - 0.3 * g) for p, g in zip(params, T.grad(cost, params))])
        model = dict(train=train, hidden=theano.function([x], h), params=params)
        xs = rng.normal(0, 1, (5, 3, 1)); ys = np.zeros_like(xs); ys[1:] = xs[:-1]
        data = xs, ys
    """, """
        def check(m, data):
            before = m['hidden'](data[0])
            c = m['train'](*data)
            return list(before.ravel()) + [float(c)] + list(m['hidden'](data[0]).ravel())
    """),
}


def cache_files(tmp_path):
    cache = tmp_path / "cache"
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file()) if cache.exists() else []


def logging_compiler(tmp_path):
    """A C++ compiler that records each run in compiler.log, then runs c++."""
    path = tmp_path / "cxx"
    path.write_text('#!/bin/sh\necho "$@" >> "%s"\nexec c++ "$@"\n' % (tmp_path / "compiler.log"))
    path.chmod(0o755)
    return str(path)


def compiles(tmp_path):
    log = tmp_path / "compiler.log"
    runs = log.read_text().splitlines() if log.exists() else []
    return [r for r in runs if " -o " in " %s " % r]  # not the probes (--version, -print-file-name)


@pytest.mark.parametrize("network", sorted(NETWORKS))
def test_example_network_round_trips_in_a_fresh_process(network, tmp_path):
    build, check = (textwrap.dedent(code) for code in NETWORKS[network])
    flags = "cxx=" + logging_compiler(tmp_path)
    run_python(build + check + textwrap.dedent("""
        import pickle, theon
        with open('model.pkl', 'wb') as f:
            pickle.dump((model, data), f)
        want = np.array(check(model, data))
        theon.wait_for_native_code()
        np.save('want.npy', want)
    """), tmp_path, flags)
    compiled, cached = compiles(tmp_path), cache_files(tmp_path)
    if network != "rnn":
        assert compiled and cached  # the network has native kernels, now in the cache
    done = run_python(textwrap.dedent("""
        import pickle, numpy as np, theon
        with open('model.pkl', 'rb') as f:
            model, data = pickle.load(f)
    """) + check + textwrap.dedent("""
        got = np.array(check(model, data))
        theon.wait_for_native_code()
        np.save('got.npy', got)
    """), tmp_path, flags)
    want, got = np.load(str(tmp_path / "want.npy")), np.load(str(tmp_path / "got.npy"))
    assert_allclose(got, want, rtol=1e-5 if network == "lenet" else 1e-10, atol=1e-7)
    # The fresh process found every kernel in the cache: the compiler never ran.
    assert compiles(tmp_path) == compiled, done.stderr[-2000:]
    assert cache_files(tmp_path) == cached


def test_shared_variable_keeps_value_name_broadcastable_and_default_update():
    s = theon.shared(np.arange(3.0).reshape(1, 3), name="s", broadcastable=(True, False))
    s.default_update = s + 1
    t = pickle.loads(pickle.dumps(s))
    assert isinstance(t, theon.SharedVariable)
    assert t.name == "s" and t.broadcastable == (True, False)
    assert_allclose(t.get_value(), [[0.0, 1.0, 2.0]])
    f = theon.function([], t * 2)
    f()
    assert_allclose(t.get_value(), [[1.0, 2.0, 3.0]])  # the default update came along
    assert_allclose(s.get_value(), [[0.0, 1.0, 2.0]])


def test_two_functions_pickled_together_share_their_shared_variable():
    x = T.dscalar("x")
    total = theon.shared(0.0, name="total")
    add = theon.function([x], total, updates=[(total, total + x)])
    read = theon.function([], total * 1)
    add2, read2, total2 = pickle.loads(pickle.dumps([add, read, total]))
    add2(5.0)
    assert float(read2()) == 5.0
    assert float(total2.get_value()) == 5.0
    assert float(total.get_value()) == 0.0


def test_graph_pickles_with_its_inputs_identified():
    x, y = T.dvectors("x", "y")
    z = T.exp(x) * y + x
    x2, y2, z2 = pickle.loads(pickle.dumps((x, y, z)))
    assert x2.name == "x" and z2.owner is not None
    f = theon.function([x2, y2], z2)
    a, b = np.array([0.5, 1.0]), np.array([2.0, 3.0])
    assert_allclose(f(a, b), np.exp(a) * b + a)


def test_copies_of_a_variable_pickle_as_one_object():
    W = theon.shared(np.ones(2), name="W")
    y = W * 2
    other_wrapper = y.owner.inputs[0]  # the same variable, another Python object
    assert other_wrapper is not W
    a, b = pickle.loads(pickle.dumps([W, other_wrapper]))
    assert a is b
    c, d = pickle.loads(pickle.dumps([other_wrapper, W]))  # the plain wrapper first
    assert c is d and isinstance(c, theon.SharedVariable)
    assert_allclose(c.get_value(), np.ones(2))


def test_deep_chain_pickles_without_recursion():
    x = T.dscalar("x")
    y = x
    for _ in range(100000):
        y = y + 1
    x2, y2 = pickle.loads(pickle.dumps((x, y)))
    depth = 0
    v = y2
    while v.owner is not None:
        v = v.owner.inputs[0]
        depth += 1
    assert depth == 100000 and v is not None and v.name == "x"


def test_pickle_of_another_theon_version_is_refused():
    data = pickle.dumps(theon.shared(np.ones(2), name="W"))
    version = theon.serialization.VERSION.encode()
    other = data.replace(version, b"9" * len(version))
    with pytest.raises(theon.serialization.VersionError, match="Theon 9"):
        pickle.loads(other)


def test_function_with_in_out_and_mode_pickles():
    x = T.dscalar("x")
    f = theon.function([theon.In(x, value=2.0, name="x")], theon.Out(x * 3, borrow=True), mode="FAST_COMPILE")
    g = pickle.loads(pickle.dumps(f))
    assert float(g()) == 6.0
    assert float(g(4.0)) == 12.0


def test_pkl_utils_stores_arrays_as_npy_named_after_shared_variables(tmp_path):
    from theon.misc import pkl_utils
    import zipfile
    W = theon.shared(np.arange(6.0).reshape(2, 3), name="W")
    b = theon.shared(np.zeros(3), name="b")
    W2 = theon.shared(np.ones(2), name="W")
    x = T.dmatrix("x")
    f = theon.function([x], T.dot(x, W) + b)
    path = tmp_path / "model.zip"
    with open(path, "wb") as out:
        pkl_utils.dump((f, W, b, W2), out)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        assert {"pkl", "W", "b", "W_2"} <= names
        assert_allclose(np.load(z.open("W")), np.arange(6.0).reshape(2, 3))
    with open(path, "rb") as src:
        f2, W_, b_, W2_ = pkl_utils.load(src)
    assert_allclose(f2(np.ones((1, 2))), [[3.0, 5.0, 7.0]])
    W_.set_value(np.zeros((2, 3)))
    assert_allclose(f2(np.ones((1, 2))), [[0.0, 0.0, 0.0]])  # f2 reads the loaded W
    assert_allclose(W2_.get_value(), np.ones(2))


def test_theano_alias_serves_pkl_utils(tmp_path):
    done = run_python("""
        import io, numpy as np, theano
        from theano.misc.pkl_utils import dump, load
        w = theano.shared(np.ones(3), name='w')
        buf = io.BytesIO()
        dump(w, buf)
        buf.seek(0)
        print(load(buf).get_value().sum())
    """, tmp_path)
    assert done.stdout.strip() == "3.0"


def test_save_graph_writes_the_cpp_format(tmp_path):
    x = T.dvector("x")
    W = theon.shared(np.array([1.0, 2.0]), name="W")
    path = str(tmp_path / "g.theon")
    theon.serialization.save_graph([x, T.sum(x * W)], path)
    with open(path, "rb") as f:
        assert f.read(8) == b"THEONSAV"
    x2, s2 = theon.serialization.load_graph(path)
    assert float(theon.function([x2], s2)(np.array([3.0, 4.0]))) == 11.0


class ScaleOp(theon.Op):
    """An op defined in Python (pickled by reference to this class)."""
    __props__ = ("factor",)

    def __init__(self, factor):
        self.factor = factor

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return theon.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0] * self.factor

    def grad(self, inputs, output_grads):
        return [output_grads[0] * self.factor]


def test_graph_with_a_python_defined_op_pickles():
    x = T.dvector("x")
    y = T.sum(ScaleOp(3.0)(x) ** 2)
    x2, y2, g2 = pickle.loads(pickle.dumps((x, y, T.grad(y, x))))
    f = theon.function([x2], [y2, g2])
    value, gradient = f(np.array([1.0, 2.0]))
    assert_allclose(value, 45.0)
    assert_allclose(gradient, [18.0, 36.0])


def test_unpickle_function_false_loads_functions_as_none():
    x = T.dscalar("x")
    data = pickle.dumps([theon.function([x], x + 1), x])
    theon.config.unpickle_function = False
    try:
        f, x2 = pickle.loads(data)
    finally:
        theon.config.unpickle_function = True
    assert f is None and x2.name == "x"


def test_function_keeps_the_values_its_inputs_hold():
    x, s = T.dscalars("x", "s")
    acc = theon.function([x, theon.In(s, value=0.0, update=s + x)], s + x)
    acc(2.0)
    acc(3.0)  # s holds 5 now
    acc2 = pickle.loads(pickle.dumps(acc))
    assert float(acc2(1.0)) == 6.0
    assert float(acc2(1.0)) == 7.0  # and keeps updating it


def test_strip_pickler_and_unnamed_shared_variables_as_in_theano(tmp_path):
    from theon.misc import pkl_utils
    import io
    import zipfile
    x = T.dvector("x")
    buf = io.BytesIO()
    pkl_utils.StripPickler(buf, protocol=-1).dump(x * 2)
    assert pickle.loads(buf.getvalue()).owner is not None
    unnamed = theon.shared(np.ones(2))
    with pytest.raises(ValueError, match="no name"):
        with zipfile.ZipFile(io.BytesIO(), "w") as z:
            pickler = pickle.Pickler(io.BytesIO())
            pickler.persistent_id = pkl_utils.PersistentSharedVariableID(z, allow_unnamed=False)
            pickler.dump(unnamed)
