#!/usr/bin/env bash
# Draws cost curves (CSV: header `step,cost`, then one row per step) into one
# PNG, one line per file, log-scale cost, each line titled by its file name.
# With --error the rows are epochs and the second column a validation error in %, drawn
# on a linear scale.
# Usage: scripts/plot_costs.sh [--error] OUT.png FILE.csv [FILE.csv ...]
set -euo pipefail

chart_title="Cost curves" xlabel="step" ylabel="cost (log scale)" yscale="set logscale y"
if [[ ${1:-} == --error ]]; then
  chart_title="Validation error" xlabel="epoch" ylabel="validation error (%)" yscale="set yrange [0:*]"
  shift
fi

if (($# < 2)); then
  echo "usage: $0 [--error] OUT.png FILE.csv [FILE.csv ...]" >&2
  exit 2
fi
png=$1
shift

# Escapes a string for a gnuplot double-quoted literal.
quote() {
  local s=${1//\\/\\\\}
  printf '"%s"' "${s//\"/\\\"}"
}

plot=""
for csv in "$@"; do
  title=$(basename "$csv" .csv)
  plot+="${plot:+, }$(quote "$csv") skip 1 using 1:2 with lines lw 2 title $(quote "$title")"
done

# `skip 1` drops the `step,cost` header; noenhanced keeps underscores in file
# names from turning into subscripts.
gnuplot <<GNUPLOT
set terminal pngcairo size 1000,600 noenhanced
set output $(quote "$png")
set datafile separator ","
set title "$chart_title"
set xlabel "$xlabel"
set ylabel "$ylabel"
$yscale
set grid
set key outside right top
plot $plot
GNUPLOT
echo "plot_costs: wrote $png"
