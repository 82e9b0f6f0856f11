#!/usr/bin/env bash
# Draws cost curves (CSV: header `step,cost`, then one row per step) into one
# PNG, one line per file, log-scale cost, each line titled by its file name.
# Usage: scripts/plot_costs.sh OUT.png FILE.csv [FILE.csv ...]
set -euo pipefail

if (($# < 2)); then
  echo "usage: $0 OUT.png FILE.csv [FILE.csv ...]" >&2
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
set title "Cost curves"
set xlabel "step"
set ylabel "cost (log scale)"
set logscale y
set grid
set key outside right top
plot $plot
GNUPLOT
echo "plot_costs: wrote $png"
