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

# Data-parallel training (docs/distributed.md) under mpirun when it is installed: -np 1
# and -np 2 must reach the same final loss (float32 rounding aside).
if command -v mpirun >/dev/null; then
  mpirun_flags=(--oversubscribe)
  [[ $EUID == 0 ]] && mpirun_flags+=(--allow-run-as-root)
  threads=$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))  # per rank, so that 2 ranks share the cores
  for program in "$root/build/examples/cpp/distributed_mlp" "/usr/bin/python3 $root/examples/python/distributed_mlp.py"; do
    [[ -x ${program%% *} ]] || continue
    losses=()
    for n in 1 2; do
      echo "==== example: mpirun -np $n ${program##*/}"
      output=$(cd out && OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads \
        PYTHONPATH="$root/build/python${PYTHONPATH:+:$PYTHONPATH}" \
        mpirun "${mpirun_flags[@]}" -np "$n" $program)
      echo "$output"
      losses+=("$(sed -n 's/.*final loss \([0-9.eE+-]*\).*/\1/p' <<<"$output")")
    done
    if ! awk -v a="${losses[0]}" -v b="${losses[1]}" \
        'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= 1e-4 * (a < 0 ? -a : a)) }'; then
      echo "distributed_mlp: -np 2 ended at loss ${losses[1]}, -np 1 at ${losses[0]}" >&2
      exit 1
    fi
    echo "==== distributed_mlp: -np 1 and -np 2 agree (final loss ${losses[0]} / ${losses[1]})"
  done
fi

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
