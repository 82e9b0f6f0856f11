"""NanGuardMode, MonitorMode, printing.Print, Theano's mode and optimizer names
(docs/debugging.md)."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.nanguardmode
import theon.tensor as T
from conftest import BUILD_PYTHON, COMPAT
from theon.mode import Mode, get_mode
from theon.monitormode import MonitorMode
from theon.nanguardmode import NanGuardMode
from theon.print_op import Print


def run_theano(code):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([COMPAT, BUILD_PYTHON])
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


# ---- NanGuardMode ----

def test_nanguard_catches_log_of_zero_naming_the_node_and_line():
    x = T.dvector("x")
    y = T.log(x)  # the line the message must name
    line = sys._getframe().f_lineno - 1
    f = theon.function([x], y * x, mode=NanGuardMode(nan_is_error=True, inf_is_error=True,
                                                      big_is_error=True))
    assert_allclose(f([1.0, 2.0]), [0.0, 2 * np.log(2)])
    with pytest.raises(AssertionError) as e:
        f([0.0, 1.0])
    message = str(e.value)
    assert "NaN" in message and "log" in message, message  # log(0) * 0
    assert "test_debug_modes.py:%d" % line in message, message
    assert "float64 shape (2,)" in message and "finite" in message, message
    assert isinstance(e.value, theon.nanguardmode.NanGuardError)


def test_nanguard_flags_turn_checks_off():
    x = T.dvector("x")
    f = theon.function([x], T.log(x), mode=NanGuardMode(nan_is_error=True, inf_is_error=False,
                                                         big_is_error=False))
    assert np.isneginf(f([0.0])[0])
    with pytest.raises(AssertionError, match="NaN"):
        f([-1.0])


def test_nanguard_big_values_and_integers():
    x = T.dvector("x")
    i = T.lvector("i")
    f = theon.function([x, i], [x * 1e6, i * 10 ** 12], mode=NanGuardMode())
    f([1e3], [10 ** 6])  # 1e9 is not big; integer outputs are never checked
    with pytest.raises(AssertionError, match="big value"):
        f([1e5], [1])


def test_nanguard_raising_call_commits_no_update():
    x = T.dscalar("x")
    acc = theon.shared(1.0, "acc")
    f = theon.function([x], acc, updates=[(acc, T.log(acc * x))], mode=NanGuardMode())
    f(1.0)
    assert acc.get_value() == 0.0
    with pytest.raises(AssertionError):
        f(1.0)  # log(0 * 1) = -inf
    assert acc.get_value() == 0.0


def test_nanguard_checks_the_graph_inputs():
    x = T.dvector("x")
    f = theon.function([x], T.exp(x), mode=NanGuardMode())
    with pytest.raises(AssertionError, match="input of the graph"):
        f([np.nan])


def test_nanguard_by_name_and_config_mode():
    x = T.dvector("x")
    f = theon.function([x], T.log(x), mode="NanGuardMode")
    with pytest.raises(AssertionError):
        f([-1.0])
    old = theon.config.mode
    theon.config.mode = "NanGuardMode"
    try:
        g = theon.function([x], T.log(x))
        with pytest.raises(AssertionError):
            g([-1.0])
    finally:
        theon.config.mode = old


# ---- MonitorMode ----

def test_monitor_mode_sees_every_node_in_order_with_storage_cells():
    x = T.dvector("x")
    seen = []

    def pre(i, node, fn):
        assert fn.outputs == [] or all(len(c) == 1 for c in fn.outputs)
        seen.append(("pre", i, node))

    def post(i, node, fn):
        assert len(fn.inputs) == len(node.inputs) and len(fn.outputs) == len(node.outputs)
        seen.append(("post", i, node, [c[0].copy() for c in fn.outputs]))

    f = theon.function([x], T.exp(x).sum() * 2.0, mode=MonitorMode(pre, post, optimizer=None))
    assert_allclose(f([0.0, 1.0]), 2 * (1 + np.e))
    nodes = f.maker.fgraph.toposort()
    assert len(seen) == 2 * len(nodes)
    posts = [s for s in seen if s[0] == "post"]
    assert [s[1] for s in posts] == list(range(len(nodes)))
    assert set(s[2] for s in posts) == set(nodes)  # the same Apply objects as toposort()
    assert_allclose(posts[-1][3][0], 2 * (1 + np.e))


def test_monitor_mode_callback_exception_stops_the_call_without_updates():
    x = T.dscalar("x")
    count = theon.shared(0.0, "count")

    def post(i, node, fn):
        raise KeyError("from the callback")

    f = theon.function([x], x + 1.0, updates=[(count, count + 1.0)], mode=MonitorMode(post_func=post))
    with pytest.raises(KeyError, match="from the callback"):
        f(1.0)
    assert count.get_value() == 0.0


def test_theano_debug_faq_detect_nan_example():
    out = run_theano("""
        import numpy
        import theano

        # borrowed from Theano's doc/tutorial/debug_faq.txt
        def detect_nan(i, node, fn):
            for output in fn.outputs:
                if (not isinstance(output[0], numpy.random.RandomState) and
                        numpy.isnan(output[0]).any()):
                    print('*** NaN detected ***')
                    theano.printing.debugprint(node)
                    print('Inputs : %s' % [input[0] for input in fn.inputs])
                    print('Outputs: %s' % [output[0] for output in fn.outputs])
                    break

        x = theano.tensor.dscalar('x')
        f = theano.function([x], [theano.tensor.log(x) * x],
                            mode=theano.compile.MonitorMode(post_func=detect_nan))
        f(0)  # log(0) * 0 = -inf * 0 = NaN
        """)
    assert "*** NaN detected ***" in out, out
    assert "Outputs: [array(nan)]" in out, out


def test_theano_nanguard_module_and_names():
    run_theano("""
        import numpy as np
        import theano
        import theano.tensor as T
        from theano.compile.nanguardmode import NanGuardMode
        from theano.compile.monitormode import MonitorMode
        assert theano.compile.NanGuardMode is NanGuardMode
        assert theano.compile.MonitorMode is MonitorMode
        assert isinstance(theano.compile.mode.get_mode('NanGuardMode'), NanGuardMode)
        x = T.matrix('x')
        w = theano.shared(np.random.randn(5, 7).astype(theano.config.floatX))
        y = T.dot(x * 1e10, w)
        f = theano.function([x], y, mode=NanGuardMode(nan_is_error=True, inf_is_error=True,
                                                      big_is_error=True))
        try:
            f(np.ones((3, 5), dtype=theano.config.floatX))
        except AssertionError as e:
            assert 'big value' in str(e), e
        else:
            raise SystemExit('no error')
        """)


def test_theano_nanguard_doc_example_catches_an_infinite_input():
    out = run_theano("""
        import numpy as np
        import theano
        import theano.tensor as T
        from theano.compile.nanguardmode import NanGuardMode

        # Theano's doc/library/compile/nanguardmode.txt
        x = T.matrix()
        w = theano.shared(np.random.randn(5, 7).astype(theano.config.floatX))
        y = T.dot(x, w)
        fun = theano.function(
            [x], y,
            mode=NanGuardMode(nan_is_error=True, inf_is_error=True, big_is_error=True)
        )
        infa = np.tile((np.asarray(100.) ** 1000000).astype(theano.config.floatX), (3, 5))
        try:
            fun(infa)
        except AssertionError as e:
            print(e)
        """)
    assert "Inf in an input of the graph" in out, out


# ---- Print ----

def test_print_prints_attrs_and_is_identity(capsys):
    x = T.dvector("x")
    y = Print("hello", attrs=("__str__", "shape", "sum"))(x) * 2.0
    f = theon.function([x], y)
    assert_allclose(f([1.0, 2.0]), [2.0, 4.0])
    out = capsys.readouterr().out
    assert "hello __str__ = [1. 2.]" in out
    assert "hello shape = (2,)" in out
    assert "hello sum = 3.0" in out


def test_print_global_fn_and_rewrites_keep_it():
    x = T.dvector("x")
    seen = []
    p = Print("m", global_fn=lambda op, v: seen.append((op.message, v.copy())))
    # Two equal prints (merge would make one), a print of a constant (constant folding
    # would run it while compiling), and element-wise work around (fusion).
    y = T.log(p(T.exp(x)) + p(T.exp(x))) * p(np.array([2.0, 3.0]))
    f = theon.function([x], y, mode="FAST_RUN")
    assert seen == []
    assert sum(n.op.name == "Print" for n in f.maker.fgraph.toposort()) == 3
    assert_allclose(f([0.0, 1.0]), np.log(2 * np.exp([0.0, 1.0])) * [2.0, 3.0])
    assert len(seen) == 3 and all(m == "m" for m, _ in seen)
    values = sorted(tuple(v) for _, v in seen)
    assert_allclose(values, [(1.0, np.e), (1.0, np.e), (2.0, 3.0)])


def test_print_gradient_is_identity(capsys):
    x = T.dvector("x")
    cost = T.sum(T.sqr(Print("x")(x)))
    g = theon.function([x], theon.grad(cost, x))
    assert_allclose(g([1.0, -3.0]), [2.0, -6.0])


def test_theano_printing_print():
    out = run_theano("""
        import numpy as np
        import theano
        import theano.tensor as T
        x = T.dvector('x')
        x_printed = theano.printing.Print('this is a very important value')(x)
        f = theano.function([x], x * 5)
        f_with_print = theano.function([x], x_printed * 5)
        assert np.allclose(f_with_print([1, 2, 3]), [5, 10, 15])
        """)
    assert "this is a very important value __str__ = [1. 2. 3.]" in out, out


# ---- mode and optimizer names ----

@pytest.mark.parametrize("linker", ["cvm", "py", "c", "vm", "c|py", "c|py_nogc", "cvm_nogc",
                                    "vm_nogc", None])
@pytest.mark.parametrize("optimizer", ["fast_run", "fast_compile", "merge", "None", None, "o1",
                                       "o4", "stabilize"])
def test_mode_accepts_theano_linkers_and_optimizers(linker, optimizer):
    x = T.dvector("x")
    f = theon.function([x], T.log(1 + x), mode=Mode(linker=linker, optimizer=optimizer))
    assert_allclose(f([0.5]), np.log1p([0.5]))


def test_mode_refuses_unknown_names():
    with pytest.raises(ValueError, match="linker"):
        Mode(linker="gpu_linker")
    with pytest.raises(ValueError, match="optimizer"):
        Mode(optimizer="fastest")
    with pytest.raises(ValueError, match="no_such_rewrite"):
        get_mode("FAST_RUN").excluding("no_such_rewrite")
    with pytest.raises(ValueError, match="ProfileMode"):
        get_mode("ProfileMode")


def test_theano_tags_map_to_theon_rewrites():
    x = T.dvector("x")
    y = T.exp(x) * 2.0 + 1.0

    def n_nodes(mode):
        return len(theon.function([x], y, mode=mode).maker.fgraph.toposort())

    fast_run = get_mode("FAST_RUN")
    assert n_nodes(fast_run) == 1  # one fused loop
    assert n_nodes(fast_run.excluding("fusion")) == 3
    assert n_nodes(fast_run.excluding("local_elemwise_fusion")) == 3
    assert n_nodes(fast_run.excluding("inplace", "gpuarray")) == 1  # accepted, no effect
    z = T.log(1 + x)
    ops = lambda m: [n.op.name for n in theon.function([x], z, mode=m).maker.fgraph.toposort()]
    assert "log1p" in str(ops(fast_run.excluding("fusion")))
    assert "log1p" not in str(ops(fast_run.excluding("fusion", "local_log1p")))


def test_predefined_mode_names():
    assert get_mode("FAST_RUN").name == "FAST_RUN"
    assert get_mode("FAST_COMPILE").name == "FAST_COMPILE"
    assert get_mode("DebugMode").name == "CHECK" and get_mode("DEBUG_MODE").name == "CHECK"
    assert isinstance(get_mode("NanGuardMode"), NanGuardMode)
    x = T.dvector("x")
    f = theon.function([x], T.exp(x), mode="DebugMode")
    assert_allclose(f([0.0]), [1.0])
