#!/usr/bin/env bash
# Installs the built Theon into a temporary prefix, builds the contract programs of the
# foundation and gradient issues against it with find_package(Theon), runs them and
# checks what they print.
# Usage: check_install.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source_dir=$1
build_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "check_install: $*" >&2; exit 1; }

cmake --install "$build_dir" --prefix "$work/prefix" > /dev/null
cmake -S "$source_dir/tests/install/consumer" -B "$work/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DEXAMPLES_DIR="$source_dir/examples/cpp" > /dev/null
cmake --build "$work/build" > /dev/null

foundation=$("$work/build/contract_foundation")
echo "$foundation"
[[ "$(head -n 3 <<< "$foundation")" == $'4.5\n0 1 9\n6' ]] || fail "foundation: first lines differ"
grep -q '^0 0 0 1 $' <<< "$foundation" || fail "foundation: neuron outputs differ"
grep -q '^(dot(x, w) + b)$' <<< "$foundation" || fail "foundation: pp(z) differs"

gradients=$("$work/build/contract_gradients")
echo "$gradients"
mapfile -t lines <<< "$gradients"
[[ "${lines[1]}" == "48.0" ]] || fail "gradients: d/dx x^3 at 4 is ${lines[1]}"
[[ "${lines[2]}" == 4.3474* ]] || fail "gradients: d/dx exp(sin(x^2)) at 15 is ${lines[2]}"
[[ "${lines[3]}${lines[4]}" == "[[8. 0.] [0. 8.]]" ]] || fail "gradients: jacobian differs"
[[ "${lines[5]}${lines[6]}" == "[[ 6.  0.] [ 0. 12.]]" ]] || fail "gradients: hessian differs"
/usr/bin/python3 - "${lines[7]}" <<'PY' || fail "gradients: AND neuron outputs ${lines[7]}"
import sys
values = [float(v) for v in sys.argv[1].strip("[]").split()]
assert len(values) == 4 and max(values[:3]) < 0.1 and values[3] > 0.9, values
PY
