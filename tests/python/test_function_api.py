"""The function API Theano programs use: In (held values, updates, keywords, strict,
implicit), the Theano input shortcuts, f[name] / f.value / f.container / input_storage,
f.maker, f.copy, f.free, and the errors for bad keyword calls (docs/function_api.md)."""
import copy

import numpy as np
import pytest
from numpy.testing import assert_allclose

import theon
import theon.tensor as T
from theon import In, Out


def test_accumulator_from_theano_docs():
    # doc/library/compile/io.txt: s is held by the function and updated by each call.
    u, x, s = T.dscalars("u", "x", "s")
    inc = theon.function([u, In(x, value=3), In(s, update=(s + x * u), value=10.0)], [])
    assert inc(5) == []
    assert float(inc[s]) == 25.0
    inc(3, 4)  # x overridden for this call only
    assert float(inc[s]) == 37.0
    assert float(inc[x]) == 3.0
    inc(3, 4, 7)  # s given: 7 + 3 * 4
    assert float(inc[s]) == 19.0
    inc[s] = 10
    assert isinstance(inc[s], np.ndarray) and inc[s].dtype == np.float64
    assert float(inc[s]) == 10.0


def test_held_value_is_the_same_through_every_access():
    a, b, c = T.dscalars("x", "y", "s")
    fn = theon.function([a, b, ((c, c + a + b), 10.0)], [])
    assert fn["s"] is fn.value[c]
    assert fn["s"] is fn.container[c].value
    assert fn["s"] is fn.value[2]
    fn(1, 2)
    assert float(fn["s"]) == 13.0
    fn["s"] = 99.0
    fn(1, 0)
    assert float(fn["s"]) == 100.0
    fn.value[c] = 99.0
    fn(1, 0)
    assert float(fn["s"]) == 100.0
    fn.container["s"].value = 5.0
    fn(1, 1)
    assert float(fn["s"]) == 7.0


def test_theano_doc_shortcuts_defaults_and_keywords():
    x, y, z, w = T.dscalar(), T.dscalar("y"), T.dscalar("z"), T.dscalar("w")
    fn = theon.function(inputs=[x, y, In(z, value=42), ((w, w + x), 0)], outputs=x + y + z)
    with pytest.raises(TypeError, match="Missing required input: .*y"):
        fn(1)
    assert float(fn(1, 2)) == 45.0  # w 0 -> 1
    assert float(fn(1, y=2)) == 45.0  # w 1 -> 2
    with pytest.raises(TypeError, match="Unknown input or state: x. The function has 3 named inputs "
                                        r"\(y, z, w\), and 1 unnamed input"):
        fn(x=1, y=2)
    assert float(fn(1, 2, 3)) == 6.0  # w 2 -> 3
    assert float(fn(1, z=3, y=2)) == 6.0  # w 3 -> 4
    assert float(fn(1, 2, w=400)) == 45.0  # w 400 -> 401
    assert float(fn(1, 2)) == 45.0  # w 401 -> 402
    assert float(fn["w"]) == 402.0


def test_named_shortcut_tuples():
    x, s = T.dscalars("x", "s")
    f = theon.function([("xx", x), ("acc", (s, s * x), 2.0)], [])
    f(xx=3)
    assert float(f["acc"]) == 6.0
    f(3)
    assert float(f["acc"]) == 18.0


def test_input_errors_name_the_function_and_the_input():
    x, y = T.dscalars("x", "y")
    f = theon.function([x, In(y, value=1.0)], x + y, name="adder")
    with pytest.raises(TypeError, match="function adder: Missing required input: .*x"):
        f()
    with pytest.raises(TypeError, match="function adder: Multiple values for input: x"):
        f(1.0, x=2.0)
    with pytest.raises(TypeError, match="function adder: Unknown input or state: q"):
        f(1.0, q=2.0)
    with pytest.raises(TypeError, match="at most 2 arguments, got 3"):
        f(1.0, 2.0, 3.0)
    with pytest.raises(TypeError, match="Unknown input or state: nope"):
        f["nope"]


def test_ambiguous_name_refused():
    a, b = T.dscalar("v"), T.dscalar("v")
    f = theon.function([a, b], a - b)
    with pytest.raises(TypeError, match="Ambiguous name: v"):
        f(1.0, v=2.0)
    assert float(f(3.0, 1.0)) == 2.0


def test_implicit_input_takes_no_argument():
    x, s = T.dscalars("x", "s")
    f = theon.function([In(s, value=1.0, update=s * 2, implicit=True), x], s + x)
    assert float(f(10.0)) == 11.0  # positional argument goes to x
    assert float(f(10.0)) == 12.0
    with pytest.raises(TypeError, match="implicit input: s"):
        f(1.0, s=5.0)
    with pytest.raises(TypeError, match="at most 1 arguments"):
        f(1.0, 2.0)
    with pytest.raises(TypeError, match="implicit input needs a value"):
        In(s, implicit=True)


def test_strict_refuses_any_conversion():
    x = T.dvector("x")
    f = theon.function([In(x, strict=True)], x * 2)
    assert_allclose(f(np.array([1.0, 2.0])), [2.0, 4.0])
    with pytest.raises(TypeError, match="strict input .* float64, got list"):
        f([1.0, 2.0])
    with pytest.raises(TypeError, match="strict input .* got an ndarray of dtype float32"):
        f(np.array([1.0, 2.0], dtype=np.float32))
    g = theon.function([x], x * 2)  # not strict: the list converts
    assert_allclose(g([1.0, 2.0]), [2.0, 4.0])


def test_strict_held_value_refuses_conversion():
    x = T.dvector("x")
    f = theon.function([In(x, value=np.zeros(2), strict=True)], x + 1)
    with pytest.raises(TypeError, match="strict"):
        f["x"] = [1.0, 2.0]
    f["x"] = np.ones(2)
    assert_allclose(f(), [2.0, 2.0])


def test_per_input_allow_downcast():
    x = T.fvector("x")
    f = theon.function([In(x, allow_downcast=True)], x + 1)
    out = f(np.array([0.1, 0.2]))  # float64 into float32: allowed for this input
    assert out.dtype == np.float32
    assert_allclose(out, [1.1, 1.2], rtol=1e-6)
    g = theon.function([x], x + 1)
    with pytest.raises(TypeError):
        g(np.array([0.1, 0.2]))


def test_held_value_filter_and_shapes():
    m = T.dmatrix("m")
    f = theon.function([In(m, value=np.eye(2))], m.sum())
    assert float(f()) == 2.0
    with pytest.raises(TypeError, match="2 dimension"):
        f["m"] = np.ones(3)
    i = T.iscalar("i")
    g = theon.function([In(i, value=3)], i * 2)
    assert g["i"].dtype == np.int32 and int(g()) == 6
    with pytest.raises(TypeError, match="does not convert exactly"):
        g["i"] = 2.5


def test_borrow_keeps_the_callers_array_and_copy_by_default():
    x = T.dvector("x")
    value = np.ones(3)
    kept = theon.function([In(x, value=value, borrow=True)], x.sum())
    copied = theon.function([In(x, value=value)], x.sum())
    value[:] = 2.0
    assert float(kept()) == 6.0
    assert float(copied()) == 3.0


def test_update_reads_values_before_the_call_and_outputs_see_old_value():
    x, s = T.dscalars("x", "s")
    f = theon.function([x, In(s, value=1.0, update=s + x)], [s, s * 10])
    out = f(2.0)
    assert [float(o) for o in out] == [1.0, 10.0]
    assert float(f["s"]) == 3.0


def test_update_with_shared_variable_updates_together():
    x, s = T.dscalars("x", "s")
    w = theon.shared(0.0, name="w")
    f = theon.function([x, In(s, value=0.0, update=s + x)], s, updates=[(w, w + s)])
    f(1.0)
    f(2.0)
    assert float(f["s"]) == 3.0
    assert float(w.get_value()) == 1.0  # 0 + 0, then 0 + 1


def test_failed_call_leaves_held_value_alone():
    v, s = T.dvector("v"), T.dvector("s")
    f = theon.function([v, In(s, value=np.zeros(2), update=s + v)], [])
    f(np.ones(2))
    with pytest.raises(Exception):
        f(np.ones(3))
    assert_allclose(f["s"], [1.0, 1.0])


def test_update_dtype_is_cast_to_the_input():
    s = T.fscalar("s")
    d = T.dscalar("d")
    f = theon.function([d, In(s, value=0.0, update=s + 1, allow_downcast=True)], d * 2)
    f(1.0)
    f(1.0)
    assert f["s"].dtype == np.float32 and float(f["s"]) == 2.0
    i = T.iscalar("i")
    with pytest.raises(TypeError, match="update of input i is float64"):
        theon.function([d, In(i, value=0, update=i + d)], d)


def test_maker_inputs_outputs_and_input_storage():
    x, s = T.dscalars("x", "s")
    w = theon.shared(np.float64(2.0), name="w")
    f = theon.function([x, In(s, value=1.0, update=s + x, mutable=True)], Out(x * w + s, borrow=True))
    ins = f.maker.inputs
    assert [i.variable for i in ins[:2]] == [x, s]
    assert ins[0].name == "x" and ins[0].value is None and ins[0].update is None
    assert ins[1].update is not None and ins[1].mutable and not ins[1].borrow
    assert ins[2].shared and ins[2].implicit and ins[2].variable == w
    assert len(f.maker.outputs) == 1 and f.maker.outputs[0].borrow
    assert f.maker.fgraph.toposort()
    storage = f.input_storage
    assert len(storage) == 3
    storage[1].value = 5.0
    assert float(f(1.0)) == 7.0
    storage[2].value = np.float64(3.0)  # the shared variable itself
    assert float(w.get_value()) == 3.0
    assert float(storage[1].data) == 6.0


def test_on_unused_input_and_trust_input_accepted():
    x, y = T.dscalars("x", "y")
    with pytest.raises(ValueError, match="not used"):
        theon.function([x, y], x * 2)
    f = theon.function([x, y], x * 2, on_unused_input="ignore", trust_input=True)
    assert f.trust_input is True
    assert float(f(2.0, 5.0)) == 4.0
    f.trust_input = False
    assert float(f(3.0, 5.0)) == 6.0


def test_no_default_updates():
    w = theon.shared(0.0, name="w")
    w.default_update = w + 1
    x = T.dscalar("x")
    theon.function([x], x + w)(1.0)
    assert float(w.get_value()) == 1.0
    theon.function([x], x + w, no_default_updates=True)(1.0)
    assert float(w.get_value()) == 1.0
    theon.function([x], x + w, no_default_updates=[w])(1.0)
    assert float(w.get_value()) == 1.0


def test_copy_has_its_own_held_values_by_default():
    x, s = T.dscalars("x", "s")
    inc = theon.function([x, In(s, value=0.0, update=s + x)], [], name="inc")
    inc(1.0)
    other = inc.copy()
    other(10.0)
    assert float(inc["s"]) == 1.0 and float(other["s"]) == 11.0
    assert other.name == "inc"
    shared_state = inc.copy(share_memory=True, name="twin")
    shared_state(5.0)
    assert float(inc["s"]) == 6.0 and shared_state.name == "twin"


def test_copy_shares_shared_variables_and_swaps_them():
    state = theon.shared(0, name="state")
    inc = T.iscalar("inc")
    acc = theon.function([inc], state, updates=[(state, state + inc)])
    new_state = theon.shared(0, name="new_state")
    swapped = acc.copy(swap={state: new_state})
    swapped(100)
    assert int(new_state.get_value()) == 100 and int(state.get_value()) == 0
    same = acc.copy()
    same(3)
    assert int(state.get_value()) == 3
    frozen = acc.copy(delete_updates=True)
    assert [int(v) for v in frozen(7)] == [3]  # a list, as Theano's copies return
    assert int(state.get_value()) == 3
    with pytest.raises(TypeError, match="types differ"):
        acc.copy(swap={state: theon.shared(0.0, name="f")})


def test_copy_runs_the_same_graph():
    x = T.dmatrix("x")
    y = T.exp(x) * 2 + T.log1p(x)
    f = theon.function([x], y)
    g = f.copy()
    a = np.random.RandomState(0).rand(3, 4)
    assert_allclose(g(a)[0], f(a))
    assert len(g.maker.fgraph.toposort()) == len(f.maker.fgraph.toposort())


def test_free_releases_buffers_and_calls_still_work():
    x = T.dvector("x")
    f = theon.function([x], T.exp(x) * 2 + 1)
    a = np.linspace(0, 1, 1000)
    first = f(a).copy()
    f.free()
    assert_allclose(f(a), first)
    f.free()
    f.free()


def test_deepcopy_keeps_current_held_value():
    x, s = T.dscalars("x", "s")
    inc = theon.function([x, In(s, value=0.0, update=s + x)], [])
    inc(4.0)
    other = copy.deepcopy(inc)
    assert float(other["s"]) == 4.0
    other(1.0)
    assert float(other["s"]) == 5.0 and float(inc["s"]) == 4.0


def test_theano_alias_in_and_compile_io():
    import subprocess
    import sys
    import textwrap

    from conftest import BUILD_PYTHON, COMPAT
    code = textwrap.dedent("""
        import theano, theano.tensor as T
        from theano.compile.io import In, SymbolicInput
        from theano import function
        u, x, s = T.scalars('u', 'x', 's')
        inc = function([u, In(x, value=3), In(s, update=(s + x * u), value=10.0)], [])
        inc(5)
        print(float(inc[s]))
        assert SymbolicInput is In
    """)
    env = {"PYTHONPATH": COMPAT + ":" + BUILD_PYTHON, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["25.0"]


def test_pickle_keeps_the_held_value():
    import pickle
    x, s = T.dscalars("x", "s")
    inc = theon.function([x, In(s, value=0.0, update=s + x)], s * 2)
    inc(3.0)
    loaded = pickle.loads(pickle.dumps(inc))
    assert float(loaded["s"]) == 3.0
    assert float(loaded(1.0)) == 6.0 and float(loaded["s"]) == 4.0
    assert float(inc["s"]) == 3.0


def test_held_value_never_shares_memory_with_an_output():
    v, s = T.dvectors("v", "s")
    f = theon.function([v, In(s, value=np.ones(16), update=s * 2)], [s * 2, s * 2 + v])
    out = f(np.zeros(16))
    out[0][:] = 100.0
    assert_allclose(f["s"], np.full(16, 2.0))


def test_container_shared_between_functions():
    x, s = T.dscalars("x", "s")
    inc = theon.function([x, In(s, value=0.0, update=s + x)], [])
    y, t = T.dscalars("y", "t")
    dec = theon.function([y, In(t, value=inc.container[s], update=t - y)], t)
    assert dec.maker.inputs[1].implicit  # a container given as value: implicit, as in Theano
    inc(5.0)
    assert float(dec(2.0)) == 5.0
    assert float(inc[s]) == 3.0 and float(dec["t"]) == 3.0 and float(dec[t]) == 3.0
    with pytest.raises(TypeError, match="container holds"):
        theon.function([In(T.dvector("v"), value=inc.container[s])], [], on_unused_input="ignore")
