// The native tier does not grow without bound: functions differing only in constants
// share one module (constants are arguments), a module is unloaded when its last kernel
// goes, and the disk cache keeps to its cap by evicting the least recently used entries.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "backend/cgen/disk_cache.hpp"
#include "backend/cgen_support.hpp"
#include "compile/graph_kernel.hpp"
#include "theon/cache.hpp"
#include "theon/theon.hpp"

namespace theon::testing {
namespace {

namespace cgen = detail::cgen;
namespace T = tensor;

// Lines of /proc/self/maps, and those that map a file under `dir`.
std::pair<int, int> count_maps(const std::string& dir) {
  std::ifstream in("/proc/self/maps");
  int all = 0, under = 0;
  for (std::string line; std::getline(in, line);) {
    ++all;
    under += line.find(dir) != std::string::npos;
  }
  return {all, under};
}

// A whole-graph kernel text that does nothing; `n` makes it distinct.
std::string empty_graph_kernel(int n) {
  return "extern \"C\" __attribute__((visibility(\"default\"))) void " +
         std::string(cgen::kGraphSymbol) + "(void* const*) {}  // " + std::to_string(n) + "\n";
}

class ModuleLifetimeTest : public CgenTest {};

TEST_F(ModuleLifetimeTest, FunctionsDifferingOnlyInConstantsShareOneModule) {
  constexpr int kFunctions = 1000;
  auto x = T::dvector("x");
  const NDArray input = array({0.5, -1.5, 2.0});
  const auto maps_before = count_maps(cache_).first;
  int max_maps = 0, max_module_maps = 0;
  const auto native_before = detail::native_graph_calls();
  for (int i = 0; i < kFunctions; ++i) {
    const double c = 1.5 + i * 0.001;
    auto f = function({x}, T::tanh(x * c) + 0.25 * c);
    for (int k = 0; k < detail::kCallsBeforePlan; ++k) f(input);
    // The previous function's module was unloaded with it: this one loads it again
    // (from the disk cache, a fraction of a millisecond).
    cgen::wait_for_native_kernels();
    const NDArray got = f(input).array();
    const NDArray want = array({std::tanh(0.5 * c) + 0.25 * c, std::tanh(-1.5 * c) + 0.25 * c,
                                std::tanh(2.0 * c) + 0.25 * c});
    ASSERT_TRUE(allclose(got, want, 1e-12, 1e-12)) << "constant " << c;
    max_maps = std::max(max_maps, count_maps(cache_).first);
    max_module_maps = std::max(max_module_maps, count_maps(cache_).second);
  }
  cgen::wait_for_native_kernels();
  EXPECT_EQ(detail::native_graph_calls(), native_before + kFunctions)
      << "each function ran the shared native code";
  EXPECT_EQ(cgen::native_stats().compiled, 1) << "modules keyed by structure, not by constants";
  EXPECT_EQ(cache_entries().size(), 1u);
  // One module's maps at a time, and no growth with the number of functions: 1 000
  // modules left loaded would add about 5 000 lines. (The margin for the rest of the
  // process is generous: AddressSanitizer's allocator maps memory as the test runs.)
  EXPECT_LE(max_module_maps, 10);
  EXPECT_LE(max_maps, maps_before + 200);
}

// The fused kernel emitter: constants are inputs of the kernel. (Integer `%` keeps the
// kernel off the interpreter's SIMD loops, so it is compiled.)
TEST_F(ModuleLifetimeTest, FusedKernelsDifferingOnlyInConstantsShareOneModule) {
  const bool saved_graph = config().cgen_graph;
  config().cgen_graph = false;
  auto x = T::lvector("x");
  const NDArray input = array({int64_t{5}, int64_t{-3}, int64_t{11}});
  // The modulus is none of the c: a c equal to it would merge with it into one kernel
  // input, another program (whose compile may or may not start before f is gone).
  for (int64_t c = 2; c < 40; ++c) {
    auto f = function({x}, (x * c + c) % 97);
    f(input);
    if (c == 2) cgen::wait_for_native_kernels();
    const NDArray got = f(input).array();
    for (int64_t k = 0; k < 3; ++k) {
      const int64_t v = input.data<int64_t>()[k] * c + c;
      EXPECT_EQ(got.data<int64_t>()[k], ((v % 97) + 97) % 97) << "c=" << c;  // floored, as Python
    }
  }
  cgen::wait_for_native_kernels();
  config().cgen_graph = saved_graph;
  EXPECT_EQ(cgen::native_stats().compiled, 1) << "one kernel for every constant";
  EXPECT_EQ(cache_entries().size(), 1u);
}

TEST_F(ModuleLifetimeTest, ModuleIsUnloadedWithItsLastKernel) {
  constexpr int kModules = 4;
  const int loaded_before = cgen::loaded_module_count();
  std::vector<std::shared_ptr<const detail::NativeGraph>> kernels;
  for (int i = 0; i < kModules; ++i) kernels.push_back(detail::request_native_graph(empty_graph_kernel(i)));
  cgen::wait_for_native_kernels();
  for (const auto& k : kernels) ASSERT_NE(k->fn(), nullptr);
  EXPECT_EQ(cgen::loaded_module_count(), loaded_before + kModules);
  const auto [maps_loaded, ours_loaded] = count_maps(cache_);
  EXPECT_GE(ours_loaded, kModules);

  // A second holder of one kernel keeps its module.
  auto second = detail::request_native_graph(empty_graph_kernel(0));
  EXPECT_EQ(second, kernels[0]);
  kernels.clear();
  EXPECT_EQ(cgen::loaded_module_count(), loaded_before + 1);
  second->fn()(nullptr);  // still callable
  second.reset();
  EXPECT_EQ(cgen::loaded_module_count(), loaded_before);
  const auto [maps_after, ours_after] = count_maps(cache_);
  EXPECT_EQ(ours_after, 0) << "every module unmapped";
  EXPECT_LT(maps_after, maps_loaded);

  // Requested again: loaded from the disk cache, not compiled.
  auto again = detail::request_native_graph(empty_graph_kernel(1));
  cgen::wait_for_native_kernels();
  EXPECT_NE(again->fn(), nullptr);
  EXPECT_EQ(cgen::native_stats().compiled, kModules);
  EXPECT_EQ(cgen::native_stats().loaded, 1);
}

TEST_F(ModuleLifetimeTest, KernelDroppedWhileCompilingIsNeverDelivered) {
  const int loaded_before = cgen::loaded_module_count();
  detail::request_native_graph(empty_graph_kernel(7)).reset();
  cgen::wait_for_native_kernels();
  EXPECT_EQ(cgen::loaded_module_count(), loaded_before);
}

// ---- the disk cache's cap and least-recently-used eviction ----

void set_last_use(const std::string& meta, time_t when) {
  const struct timespec times[2] = {{when, 0}, {when, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, meta.c_str(), times, 0), 0);
}

class CacheTrimTest : public CgenTest {
 protected:
  // Builds `n` distinct tiny entries through load_or_build, last used 100 s apart
  // (entry 0 the oldest); returns their keys.
  std::vector<std::string> make_entries(int n) {
    std::string why;
    dir_ = cgen::open_cache_dir(cache_, &why).value_or("");
    EXPECT_FALSE(dir_.empty()) << why;
    std::vector<std::string> keys;
    for (int i = 0; i < n; ++i) {
      const std::string key = cgen::hash_hex("trim" + std::to_string(i) + root_);
      const std::string source = "extern \"C\" int " + std::string(cgen::kEntrySymbol) +
                                 "() { return " + std::to_string(i) + "; }\n";
      cgen::CacheResult r = cgen::load_or_build(
          dir_, key, source, cgen::kEntrySymbol,
          [](const std::string& s, const std::string& o) {
            return std::system(("c++ -shared -fPIC -x c++ " + s + " -o " + o).c_str()) == 0 ? ""
                                                                                         : "c++ failed";
          },
          false);
      EXPECT_NE(r.symbol, nullptr) << r.error;
      set_last_use(dir_ + "/" + key + ".meta", 1'000'000'000 + 100 * i);
      keys.push_back(key);
    }
    return keys;
  }
  bool present(const std::string& key) const {
    return std::filesystem::exists(dir_ + "/" + key + ".so") &&
           std::filesystem::exists(dir_ + "/" + key + ".meta");
  }
  std::string dir_;
};

TEST_F(CacheTrimTest, LeastRecentlyUsedGoFirstAndTheCapIsRespected) {
  const auto keys = make_entries(4);
  const int64_t total = cache_size_bytes();
  ASSERT_GT(total, 0);
  // Loading an entry makes it the most recently used.
  cgen::CacheResult r = cgen::load_or_build(dir_, keys[0], "", cgen::kEntrySymbol,
                                            [](const std::string&, const std::string&) { return "no build"; },
                                            false);
  ASSERT_NE(r.symbol, nullptr) << r.error;
  std::vector<CacheEntry> entries = cache_entries();
  ASSERT_EQ(entries.size(), 4u);
  for (const CacheEntry& e : entries) {
    if (e.key == keys[0]) {
      EXPECT_GT(e.last_used, 1'000'001'000.0) << "touched on load";
    }
  }

  // Room for about two entries: 1 and 2 go (the least recently used), 0 and 3 stay.
  const int64_t cap = total / 2 + 10;
  EXPECT_EQ(trim_cache(cap), 2);
  EXPECT_LE(cache_size_bytes(), cap);
  EXPECT_TRUE(present(keys[0]));
  EXPECT_FALSE(present(keys[1]));
  EXPECT_FALSE(present(keys[2]));
  EXPECT_TRUE(present(keys[3]));
  EXPECT_EQ(trim_cache(cap), 0) << "already fits";
}

TEST_F(CacheTrimTest, EntryBeingBuiltByAnotherProcessIsSkipped) {
  const auto keys = make_entries(2);
  // "Another process" holds entry 0's lock (flock locks belong to the open file).
  const int fd = ::open((dir_ + "/" + keys[0] + ".lock").c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  EXPECT_EQ(trim_cache(0), 1);
  EXPECT_TRUE(present(keys[0]));
  EXPECT_FALSE(present(keys[1]));
  ::close(fd);
  EXPECT_EQ(trim_cache(0), 1);
  EXPECT_FALSE(present(keys[0]));
}

// Each compile trims the cache to THEON_FLAGS cache_max_mb.
TEST_F(CacheTrimTest, CompilesKeepTheCacheUnderItsCap) {
  const auto keys = make_entries(3);
  const double saved = config().cache_max_mb;
  config().cache_max_mb = 1e-6;  // one byte: everything but what is in use goes
  auto kernel = detail::request_native_graph(empty_graph_kernel(11));
  cgen::wait_for_native_kernels();
  config().cache_max_mb = saved;
  ASSERT_NE(kernel->fn(), nullptr) << "the module evicted from disk stays loaded";
  kernel->fn()(nullptr);
  for (const auto& key : keys) EXPECT_FALSE(present(key));
  EXPECT_TRUE(cache_entries().empty());
}

}  // namespace
}  // namespace theon::testing
