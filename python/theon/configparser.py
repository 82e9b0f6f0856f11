"""theon.config: Theano's configuration object.

The flags the C++ core reads (floatX, optimizer, ...) live there and are read from
THEON_FLAGS; setting them here changes them for everything built afterwards:

    theon.config.floatX = 'float32'     # T.matrix() is now float32

Theano flags that have no effect in Theon are accepted, with Theano's defaults, so that
scripts reading or setting them keep running; that includes Theano's sections
(config.warn.round, config.gcc.cxxflags, config.dnn.conv.algo_fwd, ...). A name Theano
never had is an AttributeError.

compiledir and base_compiledir are the native code cache's directory ($THEON_CACHE_DIR,
default ~/.cache/theon: docs/cache.md); setting either moves the cache. change_flags
sets flags for a `with` block or a decorated function and restores them afterwards.
The table of every flag and what it does here is in docs/function_api.md.
"""
import functools
import os
import sys

from . import _theon

_CPP_FLAGS = frozenset(_theon._config_names())

# Theano flags without a meaning here, with Theano's defaults.
_PYTHON_FLAGS = {
    "device": "cpu",
    "mode": "FAST_RUN",
    "on_unused_input": "raise",
    "warn_float64": "ignore",
    "cast_policy": "custom",
    "allow_gc": True,
    "openmp": False,
    "profile": False,
    "deterministic": "default",
    "print_active_device": True,
    "cxx": "g++",
    "linker": "cvm",
    "optimizer_requiring": "",
    "openmp_elemwise_minsize": 200000,
    "print_test_value": False,
    "compute_test_value_opt": "off",
    "unpickle_function": True,
    "reoptimize_unpickled_function": False,
    "check_input": True,
    "cycle_detection": "regular",
    "check_stack_trace": "off",
    "on_shape_error": "warn",
    "int_division": "floatX",
    "nocleanup": False,
    "assert_no_cpu_op": "ignore",
    # Theano 1.0 flags without a Theon meaning (GPU selection, Theano's own caches,
    # C compilation of Theano's ops), with Theano's defaults.
    "init_gpu_device": "",
    "force_device": False,
    "print_global_stats": False,
    "contexts": "",
    "enable_initial_driver_test": True,
    "pickle_test_value": True,
    "cache_optimizations": False,
    "profile_optimizer": False,
    "profile_memory": False,
    "compiledir_format": "compiledir_%(short_platform)s-%(processor)s-%(python_version)s-%(python_bitwidth)s",
}

# Theano's sections (config.<section>.<flag>), with Theano 1.0's defaults. None has an
# effect in Theon: Theon has none of the bugs the warn.* flags announce, compiles its
# own native code (cxx, cgen_* flags) and has no GPU back end yet.
_SECTIONS = {
    "warn": {"ignore_bug_before": "0.9", "argmax_pushdown_bug": False,
             "gpusum_01_011_0111_bug": False, "sum_sum_bug": False,
             "sum_div_dimshuffle_bug": False, "subtensor_merge_bug": False,
             "gpu_set_subtensor1": False, "vm_gc_bug": False, "signal_conv2d_interface": False,
             "reduce_join": False, "inc_set_subtensor1": False, "round": False,
             "identify_1pexp_bug": False},
    "gcc": {"cxxflags": ""},
    "gpu": {"local_elemwise_fusion": True},
    "gpuelemwise": {"sync": True},
    "conv": {"assert_shape": False},
    "unittests": {"rseed": "666"},
    "optdb": {"position_cutoff": float("inf"), "max_use_ratio": 8.0},
    "pycuda": {"init": False},
    "cublas": {"lib": "cublas"},
    "ctc": {"root": ""},
    "blas": {"ldflags": "", "check_openmp": True},
    "cmodule": {"warn_no_version": False, "remove_gxx_opt": False, "compilation_warning": False,
                "preload_cache": False, "age_thresh_use": 2073600, "debug": False},
    "compile": {"wait": 5, "timeout": 120},
    "scan": {"allow_gc": False, "allow_output_prealloc": True, "debug": False},
    "tensor": {"cmp_sloppy": 0, "local_elemwise_fusion": True, "insert_inplace_optimizer_validate_nb": -1},
    "lib": {"amdlibm": False, "cnmem": 0.0},
    "nvcc": {"fastmath": False, "flags": "", "compiler_bindir": ""},
    "cuda": {"root": "", "enabled": False, "include_path": ""},
    "dnn": {"enabled": "auto", "include_path": "", "library_path": "", "base_path": "", "bin_path": "",
            "conv": {"algo_fwd": "small", "algo_bwd_data": "none", "algo_bwd_filter": "none",
                     "precision": "as_input_f32", "algo_bwd": "none", "workmem": "",
                     "workmem_bwd": ""}},
    "gpuarray": {"preallocate": 0.0, "sched": "default", "single_stream": True, "sync": False},
    "magma": {"enabled": False, "include_path": "", "library_path": ""},
    "NanGuardMode": {"nan_is_error": True, "inf_is_error": True, "big_is_error": True,
                     "action": "raise"},
    "DebugMode": {"check_c": True, "check_py": True, "check_finite": True, "check_strides": 0,
                  "check_preallocated_output": "", "patience": 10, "warn_input_not_reused": True,
                  "check_preallocated_output_ndim": 4},
    "profiling": {"n_apply": 20, "n_ops": 20, "output_line_width": 512, "min_memory_size": 1024,
                  "min_peak_memory": False, "destination": "stderr", "debugprint": False,
                  "ignore_first_call": False},
    "numpy": {"seterr_all": "ignore", "seterr_divide": "None", "seterr_over": "None",
              "seterr_under": "None", "seterr_invalid": "None"},
    "traceback": {"limit": 8, "compile_limit": 0},
    "metaopt": {"verbose": 0, "optimizer_excluding": "", "optimizer_including": ""},
    "experimental": {"unpickle_gpu_on_cpu": False, "local_alloc_elemwise": True},
}


def _like(default, value):
    """`value` (a THEANO_FLAGS string, say) converted to the type of `default`."""
    if not isinstance(value, str) or isinstance(default, str) or default is None:
        return value
    if isinstance(default, bool):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no", ""):
            return False
        raise ValueError("expected a boolean, got %r" % value)
    return type(default)(value)


class ConfigSection:
    """One of Theano's config sections: config.warn.round, config.dnn.conv.algo_fwd."""

    def __init__(self, path, defaults):
        values = {k: ConfigSection(path + "." + k, v) if isinstance(v, dict) else v
                  for k, v in defaults.items()}
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name):
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        raise AttributeError("theon.config.%s has no flag %r" % (self._path, name))

    def __setattr__(self, name, value):
        if name not in self._values or isinstance(self._values[name], ConfigSection):
            raise AttributeError("theon.config.%s has no flag %r" % (self._path, name))
        self._values[name] = _like(self._values[name], value)

    def flags(self):
        out = {}
        for name, value in self._values.items():
            if isinstance(value, ConfigSection):
                out.update(value.flags())
            else:
                out[self._path + "." + name] = value
        return out


def cache_directory():
    """The native code cache's directory, as the C++ core finds it (cache.hpp)."""
    path = os.environ.get("THEON_CACHE_DIR")
    if path:
        return path
    home = os.environ.get("HOME")
    return os.path.join(home, ".cache", "theon") if home else ""


_on_opt_error = ["raise" if "on_opt_error=raise" in os.environ.get("THEON_FLAGS", "") else "warn"]


def _set_on_opt_error(value):
    _theon._apply_flags("on_opt_error=%s" % value)
    _on_opt_error[0] = str(value)


# Flags read and written elsewhere: compiledir and base_compiledir are the cache directory.
_MAPPED_FLAGS = {
    "on_opt_error": (lambda: _on_opt_error[0], _set_on_opt_error),
    "compiledir": (cache_directory, lambda value: os.environ.__setitem__("THEON_CACHE_DIR", str(value))),
    "base_compiledir": (cache_directory, lambda value: os.environ.__setitem__("THEON_CACHE_DIR", str(value))),
}


class TheonConfig:
    """Attribute access to the flags: config.floatX, config.floatX = 'float32'."""

    def __init__(self):
        values = dict(_PYTHON_FLAGS)
        values.update({name: ConfigSection(name, flags) for name, flags in _SECTIONS.items()})
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name):
        if name in _CPP_FLAGS:
            return _theon._config_get(name)
        if name in _MAPPED_FLAGS:
            return _MAPPED_FLAGS[name][0]()
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        raise AttributeError("theon.config has no flag %r" % name)

    def __setattr__(self, name, value):
        if name in _CPP_FLAGS:
            _theon._config_set(name, value)
        elif name in _MAPPED_FLAGS:
            _MAPPED_FLAGS[name][1](value)
        elif name in self._values and not isinstance(self._values[name], ConfigSection):
            self._values[name] = _like(self._values[name], value)
        else:
            raise AttributeError("theon.config has no flag %r" % name)

    def set_flag(self, path, value):
        """Sets a flag by its dotted name, as THEANO_FLAGS spells it ('warn.round')."""
        *sections, name = path.split(".")
        owner = self
        for section in sections:
            owner = getattr(owner, section)
            if not isinstance(owner, ConfigSection):
                raise AttributeError("theon.config has no section %r" % path.rsplit(".", 1)[0])
        setattr(owner, name, value)

    def flags(self):
        """Every flag and its value, as a dict (sections' flags by dotted name)."""
        out = {name: _theon._config_get(name) for name in sorted(_CPP_FLAGS)}
        out.update({name: get() for name, (get, _) in _MAPPED_FLAGS.items()})
        for name, value in self._values.items():
            if isinstance(value, ConfigSection):
                out.update(value.flags())
            else:
                out[name] = value
        return out

    def get_flag(self, path):
        """A flag's value by its dotted name ('warn.round')."""
        owner = self
        for part in path.split("."):
            owner = getattr(owner, part)
        return owner

    def change_flags(self, *args, **kwargs):
        """config.change_flags(floatX='float32'): see change_flags."""
        return change_flags(*args, **kwargs)

    def __str__(self):
        return "\n".join("%s = %r" % kv for kv in self.flags().items())


config = TheonConfig()


class change_flags:  # noqa: N801 (Theano's name)
    """Sets flags for a block and restores them after it, also when it raises:

        with theano.config.change_flags(floatX='float32', compute_test_value='raise'):
            ...
        @change_flags(optimizer='None')
        def test(): ...

    Flags in sections go by their dotted name in a dict: change_flags({'warn.round': True}).
    """

    def __init__(self, *args, **kwargs):
        changes = {}
        for mapping in args:
            changes.update(mapping)
        changes.update(kwargs)
        for path in changes:
            config.get_flag(path)  # AttributeError now, for a name Theano never had
        self._changes = changes
        self._saved = []

    def __enter__(self):
        saved = []
        try:
            for path, value in self._changes.items():
                saved.append((path, config.get_flag(path)))
                config.set_flag(path, value)
        except BaseException:
            self._restore(saved)
            raise
        self._saved.append(saved)
        return self

    def __exit__(self, *exc):
        self._restore(self._saved.pop())
        return False

    @staticmethod
    def _restore(saved):
        for path, value in reversed(saved):
            config.set_flag(path, value)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapped


def apply_flags(text, source="THEANO_FLAGS"):
    """Applies "name=value,section.name=value" (THEANO_FLAGS' syntax); a name Theano never
    had, or a bad value, is reported on stderr and skipped, as Theano does."""
    for item in text.split(","):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not key:
            continue
        if not sep:
            print("theon: %s: ignoring %r (expected name=value)" % (source, item), file=sys.stderr)
            continue
        try:
            config.set_flag(key, value.strip())
        except (AttributeError, ValueError, TypeError) as e:
            print("theon: %s: ignoring %s (%s)" % (source, item.strip(), e), file=sys.stderr)
