// Global configuration, as Theano's theano.config. Read once from the environment
// variable THEON_FLAGS ("floatX=float32,optimizer=fast_compile") and settable in code:
//   theon::config().floatX = theon::DType::Float32;
#pragma once

#include <string>

#include "theon/dtype.hpp"

namespace theon {

struct Config {
  // dtype of the untyped constructors (scalar, vector, matrix, ...) and of float
  // literals' default. float64 by default, as in Theano.
  DType floatX = DType::Float64;
  // fast_run (every rewrite), fast_compile (merge and constant folding), None.
  std::string optimizer = "fast_run";
  std::string optimizer_including;
  std::string optimizer_excluding;
  bool optimizer_verbose = false;
  // What a rewrite that throws does (a bug in Theon): "warn" skips it with one warning
  // line and compiles without it; "raise" stops (the test suite runs with this).
  std::string on_opt_error = "warn";
  // "low" or "high": how much graph context error messages carry.
  std::string exception_verbosity = "low";
  // The C++ compiler for native fused kernels: a path, or a name searched on PATH ("c++"
  // falls back to g++ and clang++). Empty disables native code (the interpreter runs
  // every kernel). Compiled modules are cached on disk (theon/cache.hpp).
  std::string cxx = "c++";
  // Keep each generated kernel's C++ source next to its module in the cache (<key>.cpp).
  bool cgen_keep_source = false;
  // Seconds one compiler run may take; then it is killed (with everything it started)
  // and that kernel stays interpreted for the rest of the process. 0: no limit.
  double cgen_timeout = 60;
  // Seconds a process that exits waits for the compiles under way before killing them
  // (what is left compiles again in the next run). 0: kill at once.
  double cgen_exit_wait = 1;
  // The disk cache's size cap in MB: after each compile, the least recently used modules
  // go until it fits (docs/cache.md). 0: no cap.
  double cache_max_mb = 1024;
  // Which OpenBLAS kernels to use, applied once while libtheon loads (so only the
  // THEON_FLAGS value counts): "auto" selects OpenBLAS's AVX-512 (SkylakeX) kernels when
  // it picked AVX2-or-older ones on a CPU with AVX-512 and OPENBLAS_CORETYPE is unset;
  // "keep" leaves OpenBLAS as it loaded; a core name ("SkylakeX", "Haswell") selects that
  // core, over OPENBLAS_CORETYPE too. Process-wide: NumPy shares the same OpenBLAS
  // (docs/blas.md).
  std::string blas_coretype = "auto";
  // Small functions (every array up to a few thousand elements, every op with a code
  // emitter) also become one generated C++ function for the whole graph, specialized to
  // the shapes of their third call; the interpreter serves until it is compiled and
  // whenever a call's shapes differ (docs/cache.md).
  bool cgen_graph = true;
  // Which algorithm runs convolutions: "auto" picks the fastest measured for each shape,
  // dtype and pass (docs/conv_algorithms.md); "im2col", "onednn", "onednn_plain",
  // "onednn_winograd", "direct" or "lanes" force one wherever it can run (elsewhere auto's choice
  // runs), to compare paths or debug.
  std::string conv_algorithm = "auto";
  // Test values (theon/test_value.hpp): "off", "ignore", "warn", "raise" or "pdb" (the
  // same as "raise" in C++), as Theano's compute_test_value.
  std::string compute_test_value = "off";
  // Profile every function and print the summaries at exit (theon/profile.hpp).
  bool profile = false;
};

// The process-wide configuration (THEON_FLAGS is parsed on first use; an unknown flag
// or bad value is a ValueError naming it).
Config& config();
// Parses a THEON_FLAGS-style string into `cfg`.
void apply_flags(Config& cfg, const std::string& flags);

}  // namespace theon
