#!/usr/bin/env bash
# Builds the library and the C++ tests with AddressSanitizer and UndefinedBehaviorSanitizer
# into build-asan/ and runs the C++ tests there. Any finding fails the run: ASan aborts
# on its first error, and UBSan is made fatal (halt_on_error).
# Usage: scripts/test_sanitized.sh   (CI runs it after scripts/test.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install_deps.sh

# RelWithDebInfo at -O1 keeps the build and the run affordable on two cores while the
# reports still carry line numbers. No Python module, examples or benchmarks: CPython
# would need the ASan runtime preloaded, and the C++ tests cover the same core.
# ccache, where a developer has it, makes rebuilds after small changes cheap.
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B build-asan -G Ninja "${launcher[@]}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DTHEON_SANITIZE=ON \
  -DTHEON_BUILD_PYTHON=OFF -DTHEON_BUILD_EXAMPLES=OFF -DTHEON_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j2

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:suppressions=$PWD/tests/sanitizers/asan.supp"
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/sanitizers/ubsan.supp"
# The install test builds a user project against the (unsanitized) install tree: not a
# sanitizer target.
ctest --test-dir build-asan --output-on-failure -j2 -E install_and_build_contract
