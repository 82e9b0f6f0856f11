// The C++ code generator's parts, as native.cpp wires them: the emitter prints a
// FusedProgram as one C++ row function, the compiler driver turns that source into a
// shared object, and the disk cache (disk_cache.hpp) keeps the objects across runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backend/cgen/native.hpp"

namespace theon::detail::cgen {

// The symbol every generated module exports, a FusedRowFn.
inline constexpr const char* kEntrySymbol = "theon_fused";
// The symbol of a whole-graph module, a GraphFn.
inline constexpr const char* kGraphSymbol = "theon_graph";

// Whether the emitter handles `program` (every register real or bool: complex programs
// stay interpreted).
bool can_emit(const FusedProgram& program);
// The kernel part of the source: one function template per scalar op used (the MATH
// column of scalar_ops.def, stringified) and the extern "C" row function.
std::string emit_kernel(const FusedProgram& program);
// The whole translation unit around emit_kernel's output: the header-free prelude and
// kernel/scalar_math.hpp's text. Needs no include path.
std::string emit_source(const std::string& kernel);

// A C++ compiler found on this machine, and what identifies its output.
struct Toolchain {
  std::string path;                // the executable run
  std::string version;             // first line of `path --version`
  std::string cpu;                 // -march=native code runs only on this CPU model
  std::vector<std::string> flags;  // before the source
  std::vector<std::string> libs;   // after the source
  bool vector_math = false;        // SLEEF's GNU-ABI vector math is linked

  // What the cache key hashes, besides the source.
  std::string identity() const;
};

// Finds `cxx` (a path, or a name searched on PATH; "c++" falls back to g++ and
// clang++) and probes its version and SLEEF. nullopt with `why` set when unusable.
// Each probe, like each compile, is killed after `timeout_s` seconds (0: no limit).
std::optional<Toolchain> find_toolchain(const std::string& cxx, double timeout_s, std::string* why);

// Compiles `source_path` into the shared object `output_path`. Returns "" on success,
// else the compiler's first error lines. A compiler still running after `timeout_s`
// seconds (0: no limit), or when stop_compilers(true) is called, is killed with its
// whole process group (it runs as the leader of its own), and the result says so.
std::string compile_shared_object(const Toolchain& toolchain, const std::string& source_path,
                                  const std::string& output_path, double timeout_s);

// Kills every compiler running now or started later (true), as at process exit; false
// lets them run again (tests).
void stop_compilers(bool stop);

// "1.5 s".
std::string seconds_text(double seconds);

// What the native tier did in this process (for tests and measurements).
struct NativeStats {
  int requested = 0;      // distinct kernels requested
  int compiled = 0;       // built by this process
  int loaded = 0;         // found in the disk cache
  int failed = 0;         // left to the interpreter (no compiler, refused, compile error)
  int timed_out = 0;      // of those, compiles killed after THEON_FLAGS cgen_timeout
  int unloaded = 0;       // modules dlclose'd after their last kernel was destroyed
  double compile_ms = 0;  // total time spent building, compile and link
  double load_ms = 0;     // total time spent loading cache hits (verify + dlopen)
};
NativeStats native_stats();

// For tests and benchmarks: blocks until every requested kernel is loaded or has failed.
void wait_for_native_kernels();
// For tests: waits, then forgets every kernel, the probed compiler and the warnings
// already given (so that a test sees its own).
void reset_native_kernels_for_testing();

}  // namespace theon::detail::cgen
