"""Programs written as Theano's users wrote them (tests/python/data/theano_programs), run
unchanged through the `theano` alias: each exercises a pattern that research code of the
time relied on, and checks that training works, not just that it runs."""
import os
import subprocess
import sys

import pytest

from conftest import BUILD_PYTHON, COMPAT

PROGRAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "theano_programs")


def run_program(name, tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([COMPAT, BUILD_PYTHON])
    result = subprocess.run([sys.executable, os.path.join(PROGRAMS, name)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_dropout_mlp_with_penalties_and_givens(tmp_path):
    out = run_program("dropout_mlp.py", tmp_path)
    assert float(out.split("train error")[1]) < 0.1, out


def test_elman_tagger_with_embeddings_and_scan(tmp_path):
    out = run_program("elman_tagger.py", tmp_path)
    assert float(out.split("train accuracy")[1]) > 0.9, out


def test_rbm_with_sampling_inside_scan(tmp_path):
    out = run_program("gibbs_rbm.py", tmp_path)
    assert out.splitlines() == ["states advanced: True", "gap shrank: True"], out


def test_every_program_is_covered():
    tested = {"dropout_mlp.py", "elman_tagger.py", "gibbs_rbm.py"}
    assert set(p for p in os.listdir(PROGRAMS) if p.endswith(".py")) == tested
