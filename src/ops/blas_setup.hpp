// Which OpenBLAS kernels the process uses. Debian's OpenBLAS 0.3.21 is built with
// DYNAMIC_ARCH: at load it picks one kernel set ("core") for the CPU it finds, or the
// one OPENBLAS_CORETYPE names. On an AVX-512 CPU its AVX2 cores (Haswell, Zen) run
// sgemm at about half the speed of its AVX-512 ones (SkylakeX, Cooperlake), and it can
// land there: where its CPU tables map an AVX-512 CPU to an older core, or where the
// environment names one (this project's machines set OPENBLAS_CORETYPE=Haswell; left
// alone, 0.3.21 picks Cooperlake on their Zen 5 CPU; docs/blas.md). OPENBLAS_CORETYPE
// is read only in OpenBLAS's own load-time constructor, before any of Theon's code runs.
//
// So, once, while libtheon is being loaded (before any Theon code can call BLAS), Theon
// re-selects the core through OpenBLAS's own entry points: gotoblas_dynamic_quit(),
// OPENBLAS_CORETYPE set for the moment of gotoblas_dynamic_init() (which re-reads it),
// then the variable restored as it was. THEON_FLAGS blas_coretype decides:
//   auto (default)  SkylakeX when every condition holds: the CPU and OS support AVX-512
//                   F/CD/DQ/BW/VL, the user has not set OPENBLAS_CORETYPE, and OpenBLAS
//                   picked a known AVX2-or-older core (Haswell, Zen, Sandybridge, ...);
//   keep            never touch OpenBLAS;
//   <core name>     that core (OpenBLAS's spelling, any case: Haswell, SkylakeX, ...),
//                   also over a set OPENBLAS_CORETYPE (the more specific request wins);
//                   an AVX-512 core is refused on a CPU without AVX-512.
// A BLAS other than a DYNAMIC_ARCH OpenBLAS lacks those entry points (they are looked up
// with dlsym in the library that provides cblas_sgemm) and keeps its own kernels.
//
// The switch is process-wide: OpenBLAS is one instance per process, so NumPy (whose
// libblas.so.3 is OpenBLAS on Debian) uses the same kernels after `import theon`.
// Results stay correct either way; the last bits of float sums may differ between
// kernel sets, as they do between machines.
#pragma once

#include <string>

namespace theon::detail {

struct BlasSetup {
  std::string core_before;  // OpenBLAS's core before the setup ("" when not OpenBLAS)
  std::string core;         // the core in use after it
  bool switched = false;    // whether this setup changed the core
  std::string reason;       // why it did or did not switch, in a few words
};

// The setup done when libtheon was loaded (THEON_FLAGS blas_coretype).
const BlasSetup& blas_setup_at_load();

// Applies `mode` ("auto", "keep" or a core name) now. Idempotent: asking for the core
// already in use, or "auto" once an AVX-512 core is in use, changes nothing. Switching
// is only safe while no thread is inside a BLAS call, which load time guarantees for
// Theon; tests and tools may call it at other quiet moments.
BlasSetup setup_blas(const std::string& mode);

// OpenBLAS's core in use now (openblas_get_corename), "" when the BLAS is not OpenBLAS.
std::string blas_core_name();

// Whether the BLAS can switch cores (a DYNAMIC_ARCH OpenBLAS with the entry points).
bool blas_can_switch();

// Whether the CPU has AVX-512 F, CD, DQ, BW and VL and the OS saves their registers.
bool cpu_has_avx512();

}  // namespace theon::detail
