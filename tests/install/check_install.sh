#!/usr/bin/env bash
# Installs the built Theon into a temporary prefix, builds the foundation contract
# program against it with find_package(Theon), runs it and checks its output.
# Usage: check_install.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source_dir=$1
build_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" > /dev/null
cmake -S "$source_dir/tests/install/consumer" -B "$work/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCONTRACT_SOURCE="$source_dir/examples/cpp/contract_foundation.cpp" > /dev/null
cmake --build "$work/build" > /dev/null
output=$("$work/build/contract")
echo "$output"
expected_first_lines=$'4.5\n0 1 9\n6'
if [[ "$(head -n 3 <<< "$output")" != "$expected_first_lines" ]]; then
  echo "unexpected output from the installed contract program" >&2
  exit 1
fi
grep -q '^0 0 0 1 $' <<< "$output" || { echo "neuron outputs wrong" >&2; exit 1; }
