"""The `theano` alias (python/compat): an unmodified Theano script runs on Theon."""
import os
import subprocess
import sys

from conftest import BUILD_PYTHON, COMPAT

HERE = os.path.dirname(os.path.abspath(__file__))


def run_script(path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([COMPAT, BUILD_PYTHON] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return subprocess.run([sys.executable, path], env=env, capture_output=True, text=True, timeout=300)


def test_unmodified_theano_script_runs():
    result = run_script(os.path.join(HERE, "data", "theano_script.py"))
    assert result.returncode == 0, result.stderr
    out = result.stdout.splitlines()
    assert "cost decreased: True" in out
    assert "predictions: [0, 1, 1, 0]" in out
    assert "ifelse: 9.0 2.0" in out
    assert "grad: 12.0" in out
    assert "counter: 2" in out
    assert "floatX: float64" in out


def test_alias_modules_are_theon_modules():
    code = ("import theano, theano.tensor, theano.tensor.nnet, theano.ifelse, theano.printing, theano.gradient, theon;"
            "assert theano.tensor is theon.tensor and theano.tensor.nnet is theon.tensor.nnet;"
            "assert theano.ifelse.ifelse is theon.ifelse.ifelse and theano.function is theon.function;"
            "assert theano.gradient.grad is theon.grad and theano.printing.pp is theon.pp;"
            "print('ok')")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([COMPAT, BUILD_PYTHON])
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
