#!/usr/bin/env bash
# Installs the Debian packages Theon needs to build, test and plot.
# Idempotent: when everything is already installed it touches nothing
# (no apt-get update, no network), so build.sh can call it every time.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  libopenblas-dev libsleef-dev libfmt-dev libdnnl-dev
  pybind11-dev python3-dev python3-numpy python3-scipy python3-pytest python3-matplotlib
  gnuplot-nox graphviz chromium
  libopenmpi-dev openmpi-bin  # theon::distributed (issue 17): MPI and mpirun
)

# `dpkg -s` succeeds for packages that were removed but left config files
# behind, so ask for the exact state instead and accept only "installed".
missing=()
for pkg in "${packages[@]}"; do
  state=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  if [[ "$state" != "installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install_deps: installing ${missing[*]}"

as_root=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "install_deps: missing packages (${missing[*]}) and not root; no sudo to install them" >&2
    exit 1
  fi
fi

# Keep apt quiet on success; show its log only when it fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get update -qq >"$log" 2>&1 ||
   ! "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
  cat "$log" >&2
  echo "install_deps: apt-get failed while installing: ${missing[*]}" >&2
  exit 1
fi
echo "install_deps: done"
