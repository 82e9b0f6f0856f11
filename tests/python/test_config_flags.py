"""theano.config: every Theano 1.0 flag is accepted, change_flags restores, the cache
directory flags move the native code cache, THEANO_FLAGS is read by the alias."""
import os
import subprocess
import sys
import textwrap

import pytest

import theon
import theon.tensor as T
from theon.configparser import change_flags, config

from conftest import BUILD_PYTHON, COMPAT

# Theano 1.0 flags programs set or read, by dotted name (a sample from each family).
THEANO_FLAGS = [
    "floatX", "cast_policy", "int_division", "device", "init_gpu_device", "force_device", "mode",
    "linker", "optimizer", "optimizer_including", "optimizer_excluding", "optimizer_requiring",
    "optimizer_verbose", "on_opt_error", "nocleanup", "on_unused_input", "allow_gc", "openmp",
    "openmp_elemwise_minsize", "cxx", "exception_verbosity", "compute_test_value",
    "compute_test_value_opt", "print_test_value", "unpickle_function", "reoptimize_unpickled_function",
    "check_input", "cache_optimizations", "profile", "profile_optimizer", "profile_memory",
    "warn_float64", "deterministic", "compiledir", "base_compiledir", "compiledir_format",
    "cycle_detection", "check_stack_trace", "print_global_stats", "pickle_test_value",
    "assert_no_cpu_op", "warn.ignore_bug_before", "warn.round", "warn.sum_div_dimshuffle_bug",
    "gcc.cxxflags", "blas.ldflags", "blas.check_openmp", "cmodule.age_thresh_use", "compile.wait",
    "compile.timeout", "scan.allow_gc", "tensor.cmp_sloppy", "tensor.local_elemwise_fusion",
    "gpu.local_elemwise_fusion", "lib.cnmem", "dnn.enabled", "dnn.conv.algo_fwd",
    "dnn.conv.algo_bwd_filter", "dnn.conv.workmem", "gpuarray.preallocate", "cuda.root",
    "NanGuardMode.nan_is_error", "NanGuardMode.action", "DebugMode.patience",
    "DebugMode.check_preallocated_output_ndim", "profiling.n_apply", "profiling.destination",
    "numpy.seterr_all", "traceback.limit", "traceback.compile_limit", "metaopt.verbose",
    "optdb.max_use_ratio", "unittests.rseed", "conv.assert_shape", "ctc.root",
]


@pytest.mark.parametrize("name", THEANO_FLAGS)
def test_theano_flag_is_accepted(name):
    value = config.get_flag(name)
    config.set_flag(name, value)  # writing back its own value is always valid
    assert config.get_flag(name) == value


def test_unknown_flag_is_an_attribute_error():
    with pytest.raises(AttributeError):
        config.no_such_flag
    with pytest.raises(AttributeError):
        config.warn.no_such_flag
    with pytest.raises(AttributeError):
        change_flags(no_such_flag=1)


def test_change_flags_as_context_manager_restores_after_exception():
    assert config.floatX == "float64"
    with pytest.raises(RuntimeError):
        with change_flags(floatX="float32", **{"warn.round": True}):
            assert config.floatX == "float32" and T.matrix().dtype == "float32"
            assert config.warn.round is True
            raise RuntimeError("boom")
    assert config.floatX == "float64" and T.matrix().dtype == "float64"
    assert config.warn.round is False


def test_change_flags_dict_and_decorator():
    @change_flags({"floatX": "float32", "DebugMode.patience": 3})
    def build():
        return T.vector().dtype, config.DebugMode.patience

    assert build() == ("float32", 3)
    assert config.floatX == "float64" and config.DebugMode.patience == 10
    with config.change_flags(optimizer="None"):
        assert config.optimizer == "None"
    assert config.optimizer == "fast_run"


def test_change_flags_restores_partially_applied_flags():
    with pytest.raises(ValueError):
        with change_flags(floatX="float32", optimizer="bogus"):
            pass
    assert config.floatX == "float64"


def test_compiledir_is_the_cache_directory(tmp_path):
    old = os.environ.get("THEON_CACHE_DIR")
    before = config.compiledir
    try:
        with change_flags(compiledir=str(tmp_path / "cache")):
            assert os.environ["THEON_CACHE_DIR"] == str(tmp_path / "cache")
            assert config.base_compiledir == str(tmp_path / "cache")
            x = T.dvector("x")
            f = theon.function([x], T.exp(x) * 2 + T.sin(x))
            for _ in range(8):
                f([1.0, 2.0])
            theon.wait_for_native_code()
        # The native code went to the new directory.
        assert any(name.endswith(".so") for name in os.listdir(tmp_path / "cache"))
        assert config.compiledir == before
    finally:
        if old is not None:
            os.environ["THEON_CACHE_DIR"] = old


def test_theano_flags_read_by_alias_unknown_reported():
    code = textwrap.dedent("""
        import theano
        print(theano.config.floatX, theano.config.device, theano.config.warn.round,
              theano.config.compiledir, theano.config.DebugMode.patience)
        from theano.configparser import change_flags
        with theano.config.change_flags(floatX='float64'):
            print(theano.tensor.matrix().dtype)
        print(theano.tensor.matrix().dtype)
    """)
    env = {"PYTHONPATH": COMPAT + ":" + BUILD_PYTHON, "PATH": "/usr/bin:/bin",
           "THEANO_FLAGS": "floatX=float32,device=cpu,warn.round=True,compiledir=/tmp/theon-cd,"
                           "DebugMode.patience=4,gcc.cxxflags=-O3,not_a_flag=1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["float32", "cpu", "True", "/tmp/theon-cd", "4", "float64", "float32"]
    assert "not_a_flag" in out.stderr


def test_on_opt_error_reaches_the_core():
    with change_flags(on_opt_error="raise"):
        assert config.on_opt_error == "raise"
    x = T.dscalar()
    assert float(theon.function([x], x + 1)(1.0)) == 2.0
