#!/usr/bin/env bash
# Runs the benchmark suite: Theon (C++ and Python), NumPy and PyTorch on the workloads
# W1-W10, with the machine's limits measured in the same run, and writes bench/RESULTS.md.
# Usage: scripts/bench.sh [bench/run_bench.py options, e.g. --repeats 3 --scale 0.5]
# BUILD_DIR picks the build directory (default build/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install_deps.sh

# PyTorch is only a peer to measure against, and a large package (hundreds of MB with its
# dependencies: 164 Debian packages on this machine): installed here, for the benchmarks
# only, not by install_deps.sh.
state=$(dpkg-query -W -f='${db:Status-Status}' python3-torch 2>/dev/null || true)
if [[ "$state" != "installed" ]]; then
  as_root=()
  ((EUID == 0)) || as_root=(sudo)
  echo "bench: installing python3-torch (the PyTorch peer)"
  export DEBIAN_FRONTEND=noninteractive
  if ! { "${as_root[@]}" apt-get install -y -qq --no-install-recommends python3-torch >/dev/null ||
         { "${as_root[@]}" apt-get update -qq >/dev/null &&
           "${as_root[@]}" apt-get install -y -qq --no-install-recommends python3-torch >/dev/null; }; }; then
    echo "bench: could not install python3-torch; PyTorch will be skipped" >&2
  fi
fi

build="${BUILD_DIR:-build}"
cmake -S . -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DPython3_EXECUTABLE=/usr/bin/python3 \
  -DTHEON_BUILD_PYTHON=ON -DTHEON_BUILD_BENCH=ON >/dev/null
targets=(theon_bench_workloads theon_bench_limits theon_bench_w10_gemm theon_py theon_py_files)
# Google Benchmark's cross-check of W1 and W2, where libbenchmark-dev is installed.
if ninja -C "$build" -t targets all 2>/dev/null | grep -q '^theon_bench_micro:'; then
  targets+=(theon_bench_micro)
fi
cmake --build "$build" -j2 --target "${targets[@]}"

start=$(date +%s)
/usr/bin/python3 bench/run_bench.py --build "$build" "$@"
echo "bench: done in $(($(date +%s) - start)) s"
