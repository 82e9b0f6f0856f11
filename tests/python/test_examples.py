"""The seed tutorials (examples/python) give the seeds' results."""
import os
import re
import subprocess
import sys

import pytest

from conftest import BUILD_PYTHON, COMPAT, ROOT

EXAMPLES = os.path.join(ROOT, "examples", "python")


def run_example(name, tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([BUILD_PYTHON, COMPAT] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["MPLBACKEND"] = "Agg"
    result = subprocess.run([sys.executable, os.path.join(EXAMPLES, name)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def numbers(text):
    return [float(t) for t in re.findall(r"-?\d+\.?\d*(?:e[-+]?\d+)?", text)]


def test_every_example_is_covered():
    covered = {name for name in dir(sys.modules[__name__]) if name.startswith("test_")}
    for script in sorted(os.listdir(EXAMPLES)):
        if script.endswith(".py") and not script.startswith("_"):  # _x.py: shared modules
            stem = re.sub(r"^\d+_", "", script[:-3])
            assert "test_" + stem in covered, script


def test_multiply(tmp_path):
    assert run_example("01_multiply.py", tmp_path).strip() == "4.5"


def test_shared_accumulator(tmp_path):
    assert run_example("02_shared_accumulator.py", tmp_path).split() == ["0", "1", "9", "6"]


def test_multiple_outputs(tmp_path):
    assert run_example("03_multiple_outputs.py", tmp_path).strip() == "[array(9.), array(27.)]"


def test_gradient_cube(tmp_path):
    assert run_example("04_gradient_cube.py", tmp_path).strip() == "48.0"


def test_gradient_pp(tmp_path):
    out = run_example("05_gradient_pp.py", tmp_path).strip()
    assert "fill((x ** 3), 1.0)" in out and "3" in out


def test_and_neuron_ifelse(tmp_path):
    lines = run_example("06_and_neuron_ifelse.py", tmp_path).splitlines()
    expected = ["The output for x1=0 | x2=0 is 0", "The output for x1=0 | x2=1 is 0",
                "The output for x1=1 | x2=0 is 0", "The output for x1=1 | x2=1 is 1"]
    assert lines == expected * 2


def test_and_neuron_training(tmp_path):
    out = run_example("07_and_neuron_training.py", tmp_path)
    preds = [float(m) for m in re.findall(r"is (\d\.\d\d)", out)]
    assert len(preds) == 4 and max(preds[:3]) < 0.2 and preds[3] > 0.7
    assert (tmp_path / "py_and_neuron_cost.png").stat().st_size > 0
    rows = (tmp_path / "py_and_neuron_cost.csv").read_text().splitlines()
    assert rows[0] == "step,cost" and len(rows) == 30001
    assert float(rows[-1].split(",")[1]) < float(rows[1].split(",")[1])


def test_xnor_network(tmp_path):
    out = run_example("08_xnor_network.py", tmp_path)
    preds = [float(m) for m in re.findall(r"is (\d\.\d\d)", out)]
    assert len(preds) == 4
    assert preds[0] > 0.5 and preds[3] > 0.5 and preds[1] < 0.5 and preds[2] < 0.5
    assert (tmp_path / "py_xnor_cost.png").exists() and (tmp_path / "py_xnor_cost.csv").exists()


def test_exp_sin_gradient(tmp_path):
    lines = run_example("09_exp_sin_gradient.py", tmp_path).splitlines()
    assert "TensorVariable" in lines[0]
    assert lines[1].startswith("[array(0.6")  # exp(sin(100)) = 0.6023...
    assert lines[2].startswith("4.347")


def test_xor_sgd(tmp_path):
    out = run_example("10_xor_sgd.py", tmp_path)
    costs = [float(c) for c in re.findall(r"Cost: (\S+)", out)]
    assert len(costs) == 20 and costs[-1] < 0.01
    forward = [float(v) for v in re.findall(r"-> (\S+)", out)]
    assert forward[0] > 0.8 and forward[1] > 0.8 and forward[2] < 0.2 and forward[3] < 0.2
    assert (tmp_path / "py_xor_cost.png").exists() and (tmp_path / "py_xor_cost.csv").exists()


def test_add_scalars(tmp_path):
    assert run_example("11_add_scalars.py", tmp_path).strip() == "4.0"


def test_logistic(tmp_path):
    out = run_example("12_logistic.py", tmp_path)
    assert numbers(out) == pytest.approx([0.5, 0.73105858, 0.26894142, 0.11920292], rel=1e-7)


def test_difference(tmp_path):
    out = run_example("13_difference.py", tmp_path)
    assert numbers(out) == [1, 0, -1, -2, 1, 0, 1, 2, 1, 0, 1, 4]


def test_logistic_gradient(tmp_path):
    out = run_example("14_logistic_gradient.py", tmp_path)
    assert numbers(out) == pytest.approx([0.25, 0.19661193, 0.19661193, 0.10499359], rel=1e-7)


def test_minimal_training(tmp_path):
    values = [float(v) for v in run_example("15_minimal_training.py", tmp_path).split()]
    assert len(values) == 10 and values[0] == pytest.approx(0.9) and values[1] == pytest.approx(8.54)
    assert values[-1] == pytest.approx(20 - 19.1 * 0.6 ** 9)  # the error shrinks by 0.6 per step

def test_logistic_sgd(tmp_path):
    # Classic Theano code through the alias: NLL by indexing, givens minibatches,
    # early stopping. The synthetic classes overlap, so the error is small, not zero.
    out = run_example("16_logistic_sgd.py", tmp_path)
    best = re.search(r"best validation error ([\d.]+) %.*test error ([\d.]+) %", out)
    assert best, out
    assert float(best.group(1)) < 15 and float(best.group(2)) < 15
    assert "cost decreased: True" in out
    assert (tmp_path / "py_logistic_sgd_cost.csv").exists()


def test_denoising_autoencoder(tmp_path):
    out = run_example("17_denoising_autoencoder.py", tmp_path)
    costs = [float(c) for c in re.findall(r"training epoch \d+, cost ([\d.]+)", out)]
    assert len(costs) == 8 and costs[-1] < 0.8 * costs[0], out
    assert "fresh corruption per call: True" in out and "cost decreased: True" in out
    assert (tmp_path / "py_denoising_autoencoder_cost.csv").exists()


def test_lenet5(tmp_path):
    # Theano's convolutional tutorial through the alias, on synthetic MNIST-shaped data:
    # conv2d + pool_2d blocks must learn the shift-tolerant classes (a nearest-centroid
    # classifier gets about 27 % wrong on them).
    out = run_example("18_lenet5.py", tmp_path)
    errors = [float(e) for e in re.findall(r"validation error ([\d.]+) %", out)]
    assert len(errors) == 6 and errors[-1] < 5 and errors[-1] < errors[0], out
    test_error = re.search(r"test error ([\d.]+) %", out)
    assert test_error and float(test_error.group(1)) < 5, out
    assert (tmp_path / "py_lenet5_cost.csv").exists()
    assert (tmp_path / "py_lenet5_valid_error.csv").read_text().count("\n") == 7


def test_allconv_bn_dropout(tmp_path):
    # Strided convolutions, batch normalization with running averages kept in shared
    # variables by the training function, dropout from MRG_RandomStreams; evaluation with
    # the running averages.
    out = run_example("19_allconv_bn_dropout.py", tmp_path)
    errors = [float(e) for e in re.findall(r"validation error ([\d.]+) %", out)]
    assert len(errors) == 6 and errors[-1] < 25 and errors[-1] < errors[0], out
    assert "running means of layer 1 moved from zero: True" in out
    assert (tmp_path / "py_allconv_valid_error.csv").exists()


from test_scan import test_scan_polynomial, test_scan_powers, test_scan_reduce_sum, test_scan_rnn  # noqa: E402,F401 (scan examples: tests in test_scan.py)


def test_distributed_mlp(tmp_path):
    """A world of one process (no mpirun): trains and writes its cost curve; the
    multi-rank runs are tests/python/test_distributed.py's and run_examples.sh's."""
    out = run_example("distributed_mlp.py", tmp_path)
    assert "rank 0 of 1" in out
    first, last = numbers(re.search(r"loss \S+ -> final loss \S+", out).group())
    assert last < 0.8 * first
    assert (tmp_path / "py_distributed_mlp_cost.csv").exists()
