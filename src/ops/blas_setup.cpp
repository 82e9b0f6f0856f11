// OpenBLAS core selection at load time (see blas_setup.hpp for the why and the rules).
#include "ops/blas_setup.hpp"

#include <cblas.h>
#include <dlfcn.h>
#include <strings.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <array>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string_view>

#include "theon/config.hpp"

namespace theon::detail {
namespace {

// OpenBLAS's spellings (openblas_get_corename, OPENBLAS_CORETYPE) of its x86 cores.
// AVX-512 ones first; every other one uses AVX2 at most.
constexpr std::array<std::string_view, 3> kAvx512Cores = {"SkylakeX", "Cooperlake",
                                                          "SapphireRapids"};
constexpr std::array<std::string_view, 23> kOlderCores = {
    "Katmai",    "Coppermine", "Northwood",   "Prescott",    "Banias",   "Atom",
    "Core2",     "Penryn",     "Dunnington",  "Nehalem",     "Athlon",   "Opteron",
    "Opteron_SSE3", "Barcelona", "Nano",      "Sandybridge", "Bobcat",   "Bulldozer",
    "Piledriver", "Haswell",   "Steamroller", "Excavator",   "Zen"};

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

template <size_t N>
const std::string_view* find_name(const std::array<std::string_view, N>& names,
                                  std::string_view name) {
  for (const std::string_view& n : names)
    if (same_name(n, name)) return &n;
  return nullptr;
}

// OpenBLAS's entry points, found in the library that Theon's cblas_sgemm resolves to
// (the BLAS Theon calls, also when Python loaded libtheon with RTLD_LOCAL); null
// members when that library is not a DYNAMIC_ARCH OpenBLAS.
struct OpenBlas {
  char* (*get_corename)() = nullptr;
  void (*dynamic_init)() = nullptr;
  void (*dynamic_quit)() = nullptr;

  bool can_switch() const { return get_corename && dynamic_init && dynamic_quit; }
};

const OpenBlas& openblas() {
  static const OpenBlas api = [] {
    OpenBlas o;
    Dl_info info{};
    if (!dladdr(reinterpret_cast<void*>(&cblas_sgemm), &info) || !info.dli_fname) return o;
    // RTLD_NOLOAD: a handle on the copy already loaded, never a second one.
    void* lib = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    if (!lib) return o;
    o.get_corename = reinterpret_cast<char* (*)()>(dlsym(lib, "openblas_get_corename"));
    o.dynamic_init = reinterpret_cast<void (*)()>(dlsym(lib, "gotoblas_dynamic_init"));
    o.dynamic_quit = reinterpret_cast<void (*)()>(dlsym(lib, "gotoblas_dynamic_quit"));
    // The library stays loaded: libtheon depends on it.
    dlclose(lib);
    return o;
  }();
  return api;
}

// Switches OpenBLAS to `core`. OPENBLAS_CORETYPE is set only around the re-init, then
// restored (to the user's value, or unset), so the rest of the process and its children
// see the environment they had.
void switch_core(const OpenBlas& api, std::string_view core, const char* user_value) {
  const std::string value(core);
  const std::string saved = user_value ? user_value : "";
  api.dynamic_quit();
  ::setenv("OPENBLAS_CORETYPE", value.c_str(), 1);
  api.dynamic_init();
  if (user_value) {
    ::setenv("OPENBLAS_CORETYPE", saved.c_str(), 1);
  } else {
    ::unsetenv("OPENBLAS_CORETYPE");
  }
}

BlasSetup apply(const std::string& mode) {
  BlasSetup s;
  const OpenBlas& api = openblas();
  if (api.get_corename) s.core_before = api.get_corename();
  s.core = s.core_before;
  if (mode == "keep") {
    s.reason = "blas_coretype=keep";
    return s;
  }
  if (!api.can_switch()) {
    s.reason = "the BLAS is not a DYNAMIC_ARCH OpenBLAS";
    return s;
  }
  const char* user_value = std::getenv("OPENBLAS_CORETYPE");
  std::string_view target;
  if (mode == "auto") {
    if (user_value) {
      s.reason = "OPENBLAS_CORETYPE is set";
      return s;
    }
    if (!cpu_has_avx512()) {
      s.reason = "no AVX-512 on this CPU";
      return s;
    }
    if (!find_name(kOlderCores, s.core_before)) {
      s.reason = "OpenBLAS already uses " + s.core_before;
      return s;
    }
    target = kAvx512Cores[0];
  } else {
    const std::string_view* wide = find_name(kAvx512Cores, mode);
    const std::string_view* name = wide ? wide : find_name(kOlderCores, mode);
    if (!name) {
      s.reason = "unknown OpenBLAS core '" + mode + "'";
      return s;
    }
    if (wide && !cpu_has_avx512()) {
      s.reason = "no AVX-512 on this CPU for " + std::string(*name);
      return s;
    }
    if (same_name(*name, s.core_before)) {
      s.reason = "OpenBLAS already uses " + s.core_before;
      return s;
    }
    target = *name;
  }
  switch_core(api, target, user_value);
  s.core = api.get_corename();
  s.switched = s.core != s.core_before;
  s.reason = same_name(s.core, target) ? "selected " + std::string(target)
                                       : "OpenBLAS did not take " + std::string(target);
  return s;
}

std::mutex& setup_mutex() {
  static std::mutex m;
  return m;
}

// Runs while libtheon is loaded: no Theon code has run, so no Theon BLAS call is in
// flight (other code of the process calling BLAS on another thread at that very moment
// is the one case this cannot rule out; docs/blas.md).
BlasSetup load_time_setup() {
  // THEON_FLAGS parsed into a local Config: the process-wide config() keeps parsing it
  // at its own first use, so a program that sets THEON_FLAGS in main() still can.
  std::string mode = "auto";
  try {
    Config flags;
    if (const char* env = std::getenv("THEON_FLAGS")) apply_flags(flags, env);
    mode = flags.blas_coretype;
  } catch (...) {
    // A bad THEON_FLAGS is reported at its first ordinary use, not from a loader hook.
    return BlasSetup{blas_core_name(), blas_core_name(), false, "THEON_FLAGS unreadable"};
  }
  std::lock_guard<std::mutex> lock(setup_mutex());
  BlasSetup s = apply(mode);
  if (s.reason.rfind("unknown OpenBLAS core", 0) == 0)
    std::fprintf(stderr, "theon: THEON_FLAGS blas_coretype: %s; OpenBLAS keeps %s\n",
                 s.reason.c_str(), s.core.c_str());
  return s;
}

// Initializing this runs the setup while the library loads.
[[maybe_unused]] const BlasSetup& g_load_setup = blas_setup_at_load();

}  // namespace

const BlasSetup& blas_setup_at_load() {
  static const BlasSetup s = load_time_setup();
  return s;
}

BlasSetup setup_blas(const std::string& mode) {
  std::lock_guard<std::mutex> lock(setup_mutex());
  return apply(mode);
}

std::string blas_core_name() {
  const OpenBlas& api = openblas();
  return api.get_corename ? std::string(api.get_corename()) : std::string();
}

bool blas_can_switch() { return openblas().can_switch(); }

bool cpu_has_avx512() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) return false;
  // The OS must save the AVX-512 state: XCR0 bits 1-2 (SSE, AVX) and 5-7 (opmask,
  // upper ZMM0-15, ZMM16-31).
  unsigned xcr0_low = 0, xcr0_high = 0;
  __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
  if ((xcr0_low & 0xE6u) != 0xE6u) return false;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, a, b, c, d);
  const unsigned need = bit_AVX512F | bit_AVX512DQ | bit_AVX512CD | bit_AVX512BW | bit_AVX512VL;
  return (b & need) == need;
#else
  return false;
#endif
}

}  // namespace theon::detail
