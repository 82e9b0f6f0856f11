"""Deep and heavily shared graphs: no recursion on graph depth (a small stack still
works), and printing a variable costs what is printed, not the size of its tree."""
import math
import os
import resource
import subprocess
import sys
import textwrap
import time

import pytest

import theon
import theon.tensor as T
from conftest import BUILD_PYTHON


def doubling(x, steps):
    """y = tanh(y) * y, `steps` times: as a tree, 2**steps copies of x."""
    y = x
    for _ in range(steps):
        y = T.tanh(y) * y
    return y


def run_with_small_stack(code, stack_bytes=1 << 20):
    """Runs `code` in a fresh interpreter whose main thread has a `stack_bytes` stack
    (ulimit -s): a recursion on graph depth that fits in the default 8 MiB fails."""
    def limit_stack():
        resource.setrlimit(resource.RLIMIT_STACK, (stack_bytes, resource.getrlimit(resource.RLIMIT_STACK)[1]))

    env = dict(os.environ, PYTHONPATH=BUILD_PYTHON)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True,
                          text=True, timeout=120, preexec_fn=limit_stack)


def mix_reference(v, n):
    """The value and slope of mix_chain, in plain Python."""
    d = 1.0
    for i in range(n):
        if i % 2:
            d *= (1 - math.tanh(v) ** 2) * 1.0001
            v = math.tanh(v) * 1.0001
        else:
            v, d = v + 1.0, d
    return v, d


def test_deep_chains_build_differentiate_compile_run_and_free_on_a_small_stack():
    result = run_with_small_stack("""
        import theon, theon.tensor as T
        x = T.dscalar("x")
        y = x
        for _ in range(300000):
            y = y + 1.0
        g = T.grad(y, x)
        assert len(str(y)) <= 500
        del y, g  # frees 600 000 nodes
        y = x
        for _ in range(100000):
            y = y + 1.0
        print(*map(float, theon.function([x], [y, T.grad(y, x)])(0.5)))
        def mix_chain(n):
            y = x
            for i in range(n):
                y = T.tanh(y) * 1.0001 if i % 2 else y + 1.0
            return y
        print(float(theon.function([x], mix_chain(20000))(0.5)))
        y = mix_chain(1500)
        print(*map(float, theon.function([x], [y, T.grad(y, x)])(0.5)))
    """)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [list(map(float, line.split())) for line in result.stdout.splitlines()]
    assert lines[0] == [100000.5, 1.0]
    assert lines[1][0] == pytest.approx(mix_reference(0.5, 20000)[0], rel=1e-9)
    assert lines[2] == pytest.approx(list(mix_reference(0.5, 1500)), rel=1e-9)


def test_grad_of_a_vector_names_the_problem_even_for_a_huge_tree():
    x = T.dvector("x")
    y = doubling(x, 40)
    start = time.monotonic()
    with pytest.raises(TypeError, match="must be a scalar"):
        T.grad(y, x)
    assert time.monotonic() - start < 1


def test_repr_and_str_are_short_and_fast():
    x = T.dvector("x")
    y = doubling(x, 40)
    assert len(repr(y)) <= 500 and repr(y).endswith("...")
    chain = x
    for _ in range(20000):
        chain = chain + 1.0
    start = time.monotonic()
    text = str(chain)
    assert time.monotonic() - start < 1
    assert len(text) <= 500 and text.startswith("((((")


def test_pp_prints_shared_subexpressions_once():
    x = T.dvector("x")
    text = theon.printing.pp(doubling(x, 40))
    assert len(text) < 2000, text
    assert text.startswith("$1 = ")
    assert theon.printing.pp(doubling(x, 2)) == "(tanh((tanh(x) * x)) * (tanh(x) * x))"
