#!/usr/bin/env bash
# Builds Theon and runs every example, C++ then Python, in sorted order.
# Python examples see the `theano` alias (python/compat): some are Theano programs run
# unchanged. Examples run inside out/, so the CSV files they write (step,cost) land there;
# all out/*.csv are then drawn into out/cost_curves.png, except the validation-error
# curves (out/*_error.csv), which go into out/error_curves.png. Python files whose
# names start with _ are modules the examples share, not examples.
# Usage: scripts/run_examples.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

scripts/build.sh

mkdir -p out
# oneDNN's OpenMP threads (convolutions) sleep between calls instead of spinning against
# Theon's own thread pool (docs/conv_algorithms.md); Python's `import theon` sets this
# itself, C++ programs read it from their environment.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
shopt -s nullglob

# Globs expand in sorted order. CMake also leaves directories (CMakeFiles)
# and scripts (cmake_install.cmake) here: run only executable regular files.
for exe in build/examples/cpp/*; do
  [[ -f "$exe" && -x "$exe" ]] || continue
  echo "==== example: ${exe##*/}"
  (cd out && "$root/$exe")
done

for script in examples/python/*.py; do
  [[ ${script##*/} == _* ]] && continue
  echo "==== example: ${script##*/}"
  (cd out && PYTHONPATH="$root/build/python:$root/python/compat${PYTHONPATH:+:$PYTHONPATH}" \
    /usr/bin/python3 "$root/$script")
done

costs=() errors=()
for csv in out/*.csv; do
  if [[ $csv == *_error.csv ]]; then errors+=("$csv"); else costs+=("$csv"); fi
done
if ((${#costs[@]} > 0)); then
  scripts/plot_costs.sh out/cost_curves.png "${costs[@]}"
fi
if ((${#errors[@]} > 0)); then
  scripts/plot_costs.sh --error out/error_curves.png "${errors[@]}"
fi
