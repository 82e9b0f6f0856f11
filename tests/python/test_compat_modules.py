"""The `theano` alias's module paths and the small gaps Theano programs hit: each check
runs in a fresh interpreter with python/compat on the path, as a Theano user runs."""
import os
import subprocess
import sys
import textwrap

from conftest import BUILD_PYTHON, COMPAT


def run_theano(code, flags=""):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([COMPAT, BUILD_PYTHON])
    if flags:
        env["THEANO_FLAGS"] = flags
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_theano_modules_are_theon_modules_not_copies():
    run_theano("""
        import sys, theon
        import theano.tensor.basic, theano.tensor.xlogx, theano.scalar, theano.compile.mode
        import theano.tensor.nnet
        assert theano.tensor.basic is theon.tensor and theano.tensor.nnet is theon.tensor.nnet
        assert theano.tensor.xlogx is sys.modules["theon.tensor.xlogx"]
        assert theano.scalar is theon.scalar
        # Theon's module keeps its own spec: importing it as theano.X does not rename it.
        assert theon.tensor.xlogx.__spec__.name == "theon.tensor.xlogx"
        try:
            import theano.nosuch_module
        except ModuleNotFoundError:
            pass
        else:
            raise AssertionError("a module Theano never had imported")
    """)


def test_compile_package():
    out = run_theano("""
        import numpy as np, theano, theano.tensor as T
        from theano.compile.function import function
        from theano.compile.io import In, Out
        from theano.compile.sharedvalue import shared, SharedVariable
        from theano.compile.mode import Mode, get_default_mode, get_mode, FAST_RUN
        from theano.compile.debugmode import DebugMode
        from theano.compile.function_module import Function
        import theano.compile.function
        assert theano.compile.function is function is theano.function
        x = T.dvector("x")
        f = function([x], Out(x * 2, borrow=True), mode=get_mode("FAST_COMPILE"))
        assert isinstance(f, Function) and isinstance(shared(1.0), SharedVariable)
        print(f(np.arange(3.0)).tolist())
        print(get_default_mode().name, Mode(optimizer=None).name, DebugMode().name,
              Mode(optimizer="fast_compile").including("fusion").excluding("inplace").name)
        print(theano.function([x], x + 1, mode=theano.Mode(linker="cvm", optimizer="fast_run"))([1.0]))
        for bad in (lambda: Mode(optimizer="nonsense"), lambda: get_mode("NoSuchMode")):
            try:
                bad()
            except ValueError as e:
                print("ValueError", "nonsense" in str(e) or "NoSuchMode" in str(e))
    """)
    assert out.splitlines() == ["[0.0, 2.0, 4.0]", "FAST_RUN NONE CHECK FAST_COMPILE", "[2.]",
                                "ValueError True", "ValueError True"]


def test_mode_including_and_excluding_reach_the_rewriter():
    out = run_theano("""
        import theano, theano.tensor as T
        x = T.dvector("x")
        y = T.exp(x) * 2 + T.sin(x)
        for mode in (theano.Mode(), theano.Mode().excluding("fusion"),
                     theano.Mode().excluding("fusion").including("fusion")):
            f = theano.function([x], y, mode=mode)
            print(sorted({n.op.name for n in f.maker.fgraph.toposort()}))
    """)
    assert out.splitlines() == ["['fused']", "['add', 'exp', 'mul', 'sin']", "['add', 'exp', 'mul', 'sin']"]


def test_unavailable_names_import_and_fail_when_used():
    out = run_theano("""
        import theano, theano.tensor as T
        from theano.tensor.nnet import neighbours  # the placeholder module, not a placeholder name
        from theano.tensor.nnet.neighbours import images2neibs
        assert neighbours.images2neibs is images2neibs
        from theano.tensor.nnet import h_softmax
        from theano.sandbox.cuda import cuda_available
        import theano.tensor.fft
        x = T.dmatrix("x")
        class MyType(theano.gof.Type):    # subclassing a missing base works; instantiating does not
            pass
        for use in (lambda: images2neibs(x, (2, 2)), lambda: h_softmax(x), lambda: MyType(),
                    lambda: theano.tensor.fft.rfft(x)):
            try:
                use()
            except NotImplementedError as e:
                print(e)
        print("cuda_available", cuda_available)
        for missing in (lambda: T.no_such_name, lambda: theano.no_such_name):
            try:
                missing()
            except AttributeError:
                print("AttributeError")
    """)
    assert out.splitlines() == [
        "theano.tensor.nnet.neighbours.images2neibs is not available in Theon yet",
        "theano.tensor.nnet.h_softmax is not available in Theon yet",
        "theano.gof.Type is not available in Theon yet",
        "theano.tensor.fft.rfft is not available in Theon yet",
        "cuda_available False", "AttributeError", "AttributeError"]


def test_config_sections_and_dotted_theano_flags():
    out = run_theano("""
        import theano
        c = theano.config
        print(c.warn.round, c.gcc.cxxflags == "", c.dnn.conv.algo_fwd, c.scan.allow_gc,
              c.compile.timeout, c.profile)
        c.warn.sum_div_dimshuffle_bug = False
        c.lib.cnmem = 0.5
        print(c.lib.cnmem, c.flags()["dnn.conv.algo_fwd"])
        for bad in (lambda: c.warn.no_such_flag, lambda: setattr(c.gcc, "nope", 1),
                    lambda: setattr(c, "warn", 1)):
            try:
                bad()
            except AttributeError:
                print("AttributeError")
    """, flags="warn.round=True,dnn.conv.algo_fwd=time_once,compile.timeout=30,profile=False,floatX=float64")
    assert out.splitlines() == ["True True time_once False 30 False", "0.5 time_once",
                                "AttributeError", "AttributeError", "AttributeError"]


def test_param_scalar_xlogx_and_compat_shims():
    out = run_theano("""
        import numpy as np, theano, theano.tensor as T
        from theano.tensor.xlogx import xlogx, xlogy0
        from theano.compat import OrderedDict, izip, PY3
        x, y = T.dvectors("x", "y")
        f = theano.function([x, theano.Param(y, default=np.array([2.0, 2.0, 2.0]))], [xlogx(x), xlogy0(x, y)])
        a, b = f(np.array([0.0, 0.5, 2.0]))
        with np.errstate(divide="ignore", invalid="ignore"):
            want_a = np.where(np.array([0.0, 0.5, 2.0]) == 0, 0, np.array([0.0, 0.5, 2.0]) * np.log([0.0, 0.5, 2.0]))
        print(np.allclose(a, want_a), np.allclose(b, [0.0, 0.5 * np.log(2), 2 * np.log(2)]))
        g = theano.function([x], T.grad(T.sum(xlogx(x)), x))(np.array([0.5, 2.0]))
        print(np.allclose(g, np.log([0.5, 2.0]) + 1), np.isfinite(theano.function([x], T.grad(T.sum(xlogx(x)), x))([0.0])).all())
        s = theano.scalar
        print(s.upcast("int8", "float32"), s.upcast("int64", "float32"), s.upcast("int16", "int8"))
        v = s.float32("v")
        print(v.dtype, v.ndim, s.Scalar("int32")().dtype)
        print(PY3, list(izip([1], [2])), type(OrderedDict()).__name__)
    """)
    assert out.splitlines() == ["True True", "True True", "float32 float64 int16", "float32 0 int32",
                                "True [(1, 2)] OrderedDict"]


def test_upcast_keeps_float32_under_floatx_float32():
    out = run_theano("""
        import theano
        print(theano.scalar.upcast("int64", "float32"), theano.scalar.upcast("float64", "float32"))
    """, flags="floatX=float32")
    assert out.split() == ["float32", "float64"]


def test_the_list_of_unavailable_names_names_only_missing_ones():
    # A name Theon gains must leave the list, or the alias would keep hiding it.
    out = run_theano("""
        import importlib, theano
        from theano import _alias
        for module_name, names in _alias.UNAVAILABLE_NAMES.items():
            module = importlib.import_module(module_name)
            present = sorted(set(names) & set(vars(module)))
            if present:
                print(module_name, present)
        print("checked")
    """)
    assert out.splitlines() == ["checked"]
