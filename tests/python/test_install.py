"""`cmake --install` puts an importable package under the prefix."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import BUILD_PYTHON

BUILD_DIR = os.path.dirname(BUILD_PYTHON)


@pytest.mark.skipif(not os.path.exists(os.path.join(BUILD_DIR, "CMakeCache.txt")) or not shutil.which("cmake"),
                    reason="the package was not imported from a CMake build tree")
def test_installed_package_imports_and_runs(tmp_path):
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", str(prefix)], check=True, capture_output=True)
    packages = [os.path.dirname(p) for p in map(str, prefix.rglob("theon/__init__.py"))]
    assert len(packages) == 1
    code = "import theon, theon.tensor as T; a = T.dscalar(); print(theon.function([a], a * 2)(2.0), theon.__file__)"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.path.dirname(packages[0])
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    value, where = out.stdout.split()
    assert value == "4.0" and where.startswith(str(prefix))
