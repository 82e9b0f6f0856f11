#!/usr/bin/env bash
# Builds Theon, then runs the C++ tests (ctest) and the Python tests (pytest).
# Usage: scripts/test.sh   (exits non-zero if the build or any test fails)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/build.sh

ctest --test-dir build --output-on-failure -j2

# The Python tests start later than the C++ ones; skip quietly until they exist.
shopt -s nullglob
python_tests=(tests/python/test_*.py tests/python/*_test.py)
if ((${#python_tests[@]} > 0)); then
  PYTHONPATH="$PWD/build/python${PYTHONPATH:+:$PYTHONPATH}" \
    /usr/bin/python3 -m pytest -q tests/python
fi
