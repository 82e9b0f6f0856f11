"""Profiling: function(profile=...), f.profile's data and summary, config.profile and
THEON_FLAGS=profile=True printing the summaries at exit (docs/profiling.md)."""
import io
import os
import subprocess
import sys

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon.profiling import ProfileStats

from conftest import BUILD_PYTHON, COMPAT


def _matrix_function(profile):
    x, w = T.dmatrices("x", "w")
    return theon.function([x, w], T.dot(T.tanh(T.dot(x, w)), w).sum(), profile=profile, name="mm")


def _args(n=150):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, n)), rng.standard_normal((n, n)) / n


def test_profile_true_counts_calls_and_nodes():
    f = _matrix_function(True)
    a, b = _args(20)
    for _ in range(5):
        f(a, b)
    p = f.profile
    assert isinstance(p, ProfileStats)
    assert p.message == "mm"
    assert p.fct_callcount == 5
    assert p.fct_call_time > 0
    assert p.compile_time > 0 and p.optimizer_time > 0
    assert len(p.apply_time) == len(p.apply_callcount) > 0
    assert set(p.apply_callcount.values()) == {5}
    assert all(t > 0 for t in p.apply_time.values())
    # The input shapes of the first product.
    shapes = [s for s in p.variable_shape.values() if s[:2] == ["float64 (20, 20)", "float64 (20, 20)"]]
    assert shapes
    assert set(p.apply_impl.values()) <= {"C", "N", "I"}


def test_unprofiled_function_has_no_profile():
    x = T.dvector("x")
    f = theon.function([x], x * 2)
    assert getattr(f, "profile", None) is None


def test_profile_name_and_shared_object():
    p = ProfileStats(atexit_print=False, message="both")
    x = T.dvector("x")
    f = theon.function([x], T.exp(x), profile=p)
    g = theon.function([x], x.sum(), profile=p)
    f(np.ones(3))
    g(np.ones(3))
    g(np.ones(3))
    assert f.profile is p and g.profile is p
    assert p.fct_callcount == 3
    assert {a.function for a in p.apply_time} >= {""}
    named = theon.function([x], x + 1, profile="my step")
    assert named.profile.message == "my step"


def test_summary_has_theano_sections():
    f = _matrix_function(True)
    f(*_args(10))
    out = io.StringIO()
    f.profile.summary(file=out, n_ops_to_print=5, n_apply_to_print=3)
    text = out.getvalue()
    for section in ["Function profiling", "Message: mm", "Time in 1 calls to Function.__call__",
                    "Total compile time", "Class\n---", "Ops\n---", "Apply\n------",
                    "<% time> <sum %> <apply time> <time per call> <type> <#call> <#apply>",
                    "input 0: float64 (10, 10)", "Memory Profile", "canonicalize"]:
        assert section in text, section


def test_node_times_sum_within_ten_percent_of_the_call_time():
    f = _matrix_function(True)
    a, b = _args(250)
    for _ in range(10):
        f(a, b)
    p = f.profile
    nodes = sum(p.apply_time.values())
    assert nodes <= p.fct_call_time
    assert nodes >= 0.9 * p.fct_call_time, (nodes, p.fct_call_time)


def test_class_and_op_aggregates_add_up():
    f = _matrix_function(True)
    f(*_args(10))
    p = f.profile
    total = sum(p.apply_time.values())
    assert sum(p.class_time().values()) == pytest.approx(total)
    assert sum(p.op_time().values()) == pytest.approx(total)
    assert sum(p.class_nodes().values()) == len(p.apply_time)


def test_config_profile_profiles_every_function():
    x = T.dvector("x")
    with theon.config.change_flags(profile=True):
        f = theon.function([x], x * 3)
    f(np.ones(2))
    assert f.profile is not None and f.profile.fct_callcount == 1
    theon.profiling._atexit_print_list.remove(f.profile)  # keep this process's exit quiet


def _run(code, flags):
    env = {"PYTHONPATH": COMPAT + ":" + BUILD_PYTHON, "PATH": "/usr/bin:/bin",
           "THEON_CACHE_DIR": os.environ.get("THEON_CACHE_DIR", "/tmp/theon-test-cache")}
    env.update(flags)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)


_SCRIPT = """
import numpy as np
import theano, theano.tensor as T
x = T.dmatrix('x')
f = theano.function([x], T.exp(x).sum(), name='exp_sum')
g = theano.function([x], T.dot(x, x), name='square')
f(np.ones((3, 3))); g(np.ones((3, 3))); g(np.ones((3, 3)))
print('profile' if f.profile is not None else 'none')
"""


def test_theon_flags_profile_prints_summaries_at_exit():
    out = _run(_SCRIPT, {"THEON_FLAGS": "profile=True"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "profile"
    err = out.stderr
    assert err.count("Function profiling") == 3, err  # two functions and their sum
    assert "Message: exp_sum" in err and "Message: square" in err
    assert "Sum of all printed profiles at exit" in err
    assert "Time in 2 calls to Function.__call__" in err


def test_theano_flags_profile_and_destination(tmp_path):
    dest = tmp_path / "profile.txt"
    out = _run(_SCRIPT, {"THEANO_FLAGS": "profile=True,profiling.destination=%s" % dest})
    assert out.returncode == 0, out.stderr
    assert "Function profiling" not in out.stderr
    assert dest.read_text().count("Function profiling") == 3


def test_theano_names():
    out = _run("import theano\nfrom theano.compile.profiling import ProfileStats\n"
               "assert theano.ProfileStats is ProfileStats\n"
               "p = ProfileStats(atexit_print=False, message='m')\nprint(p.message)", {})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "m"
