#!/usr/bin/env bash
# Configures and builds Theon into build/ (Release, Ninja).
# Usage: scripts/build.sh [extra args for `cmake --build`, e.g. --target theon]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install_deps.sh

# Always (re)configure: it takes a second and picks up CMakeLists changes.
# Python3_EXECUTABLE is pinned because the python3 first on PATH may lack NumPy.
cmake -S . -B build -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build build -j2 "$@"
