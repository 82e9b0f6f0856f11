// The on-disk cache: concurrent builds of one kernel by two processes, corrupt and
// truncated entries (rebuilt, never loaded), private permissions, clearing.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "backend/cgen/disk_cache.hpp"
#include "backend/cgen_support.hpp"
#include "theon/cache.hpp"

namespace theon::testing {
namespace {

namespace cgen = detail::cgen;
using detail::FusedProgram;
using detail::ScalarOpId;

bool computes_tanh_cube(detail::FusedRowFn fn) {
  if (!fn) return false;
  const FusedProgram p = tanh_cube();
  const std::vector<NDArray> x{random_array({1001}, DType::Float64, -2, 2, 3)};
  return static_cast<bool>(allclose(run_row_fn(fn, p, x, {1}, 1)[0], reference_outputs(p, x)[0], 1e-14, 0));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// A tiny module whose entry symbol returns `value`, built by the system compiler.
std::string tiny_module_source(int value) {
  return "extern \"C\" int " + std::string(cgen::kEntrySymbol) + "() { return " +
         std::to_string(value) + "; }\n";
}
std::string build_tiny(const std::string& source_path, const std::string& object_path) {
  const std::string cmd = "c++ -shared -fPIC -x c++ " + source_path + " -o " + object_path;
  return std::system(cmd.c_str()) == 0 ? "" : "c++ failed";
}
int call_tiny(void* symbol) { return reinterpret_cast<int (*)()>(symbol)(); }

std::string sidecar_for(const std::string& key, const std::string& object) {
  return "theon-module 1\nkey " + key + "\nsize " + std::to_string(object.size()) + "\nhash " +
         cgen::hash_hex(object) + "\n";
}

// Places a valid entry by hand (never loaded by this process): `key` -> module returning 2.
void place_entry(const std::string& dir, const std::string& key) {
  const std::string src = dir + "/place.cpp", so = dir + "/" + key + ".so";
  write_file(src, tiny_module_source(2));
  ASSERT_EQ(build_tiny(src, so), "");
  ::unlink(src.c_str());
  ::chmod(so.c_str(), 0700);
  write_file(dir + "/" + key + ".meta", sidecar_for(key, read_file(so)));
  ::chmod((dir + "/" + key + ".meta").c_str(), 0600);
}

class DiskCacheTest : public CgenTest {
 protected:
  std::string open_dir() {
    std::string why;
    auto dir = cgen::open_cache_dir(cache_, &why);
    EXPECT_TRUE(dir) << why;
    return dir.value_or("");
  }
  // A fresh key per test and process: the dynamic loader never saw its path.
  std::string fresh_key(const std::string& tag) {
    return cgen::hash_hex(tag + root_ + std::to_string(::getpid()));
  }
  cgen::CacheResult load(const std::string& dir, const std::string& key, int value,
                         int* builds = nullptr) {
    return cgen::load_or_build(dir, key, tiny_module_source(value), cgen::kEntrySymbol,
                               [&](const std::string& s, const std::string& o) {
                                 if (builds) ++*builds;
                                 return build_tiny(s, o);
                               },
                               false);
  }
};

TEST_F(DiskCacheTest, DirectoryIsCreatedPrivateAndEntriesAreFoundAgain) {
  const std::string dir = open_dir();
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  const std::string key = fresh_key("found");
  place_entry(dir, key);
  int builds = 0;
  cgen::CacheResult r = load(dir, key, 1, &builds);
  ASSERT_NE(r.symbol, nullptr) << r.error;
  EXPECT_EQ(call_tiny(r.symbol), 2) << "the placed entry is loaded, not rebuilt";
  EXPECT_FALSE(r.compiled);
  EXPECT_EQ(builds, 0);
}

// Each kind of damage: the entry is rebuilt (the module returns 1, the placed one 2).
TEST_F(DiskCacheTest, CorruptTruncatedOrHalfWrittenEntriesAreRebuiltNeverLoaded) {
  const std::string dir = open_dir();
  struct Damage {
    const char* name;
    void (*apply)(const std::string& so, const std::string& meta);
  };
  const Damage damages[] = {
      {"flipped byte", [](const std::string& so, const std::string&) {
         std::string bytes = read_file(so);
         bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x40);
         write_file(so, bytes);
       }},
      {"truncated", [](const std::string& so, const std::string&) {
         ASSERT_EQ(::truncate(so.c_str(), 100), 0);
       }},
      {"object missing", [](const std::string& so, const std::string&) { ::unlink(so.c_str()); }},
      {"sidecar garbled", [](const std::string&, const std::string& meta) { write_file(meta, "junk\n"); }},
  };
  for (const Damage& damage : damages) {
    SCOPED_TRACE(damage.name);
    const std::string key = fresh_key(damage.name);
    place_entry(dir, key);
    damage.apply(dir + "/" + key + ".so", dir + "/" + key + ".meta");
    const std::string stale = dir + "/tmp-" + key + "-dead01";  // from a builder that died
    ASSERT_EQ(::mkdir(stale.c_str(), 0700), 0);
    int builds = 0;
    cgen::CacheResult r = load(dir, key, 1, &builds);
    ASSERT_NE(r.symbol, nullptr) << r.error;
    EXPECT_EQ(call_tiny(r.symbol), 1);
    EXPECT_TRUE(r.compiled);
    EXPECT_EQ(builds, 1);
    const std::string object = read_file(dir + "/" + key + ".so");
    EXPECT_EQ(read_file(dir + "/" + key + ".meta"), sidecar_for(key, object)) << "a valid entry again";
    EXPECT_FALSE(std::filesystem::exists(stale));
  }
}

TEST_F(DiskCacheTest, GroupWritableDirectoryOrFileIsRefused) {
  const std::string dir = open_dir();
  const std::string key = fresh_key("writable");
  place_entry(dir, key);
  ::chmod((dir + "/" + key + ".so").c_str(), 0770);
  cgen::CacheResult r = load(dir, key, 1);
  EXPECT_EQ(r.symbol, nullptr);
  EXPECT_TRUE(r.refused);
  EXPECT_NE(r.error.find("writable by group or others (mode 0770)"), std::string::npos) << r.error;

  ASSERT_EQ(::chmod(dir.c_str(), 0777), 0);
  std::string why;
  EXPECT_FALSE(cgen::open_cache_dir(cache_, &why));
  EXPECT_EQ(why, cache_ + " is writable by group or others (mode 0777)");
}

TEST_F(DiskCacheTest, FileOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file away";
  const std::string dir = open_dir();
  const std::string key = fresh_key("other user");
  place_entry(dir, key);
  ASSERT_EQ(::chown((dir + "/" + key + ".meta").c_str(), 65534, 65534), 0);
  cgen::CacheResult r = load(dir, key, 1);
  EXPECT_TRUE(r.refused);
  EXPECT_NE(r.error.find("belongs to uid 65534"), std::string::npos) << r.error;
}

// Through the native tier: a 0777 cache is refused with one warning line and the
// interpreter keeps the kernel.
TEST_F(DiskCacheTest, NativeKernelsRefuseAnOpenCacheDirectory) {
  ASSERT_EQ(::mkdir(cache_.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(cache_.c_str(), 0777), 0);
  ::testing::internal::CaptureStderr();
  const auto kernel = detail::request_native_kernel(tanh_cube());
  cgen::wait_for_native_kernels();
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_NE(kernel, nullptr);
  EXPECT_EQ(kernel->fn(), nullptr);
  EXPECT_NE(err.find("theon: warning: not using the compile cache: " + cache_ +
                     " is writable by group or others (mode 0777)"),
            std::string::npos)
      << err;
  EXPECT_TRUE(cache_entries().empty());
}

TEST_F(DiskCacheTest, NativeKernelIsCompiledOnceThenLoadedAndClearRemovesIt) {
  ASSERT_TRUE(computes_tanh_cube(native_fn(tanh_cube())));
  EXPECT_EQ(cgen::native_stats().compiled, 1);
  ASSERT_EQ(cache_entries().size(), 1u);
  EXPECT_EQ(cache_entries()[0].path, cache_ + "/" + cache_entries()[0].key + ".so");

  cgen::reset_native_kernels_for_testing();  // as a new process would
  ASSERT_TRUE(computes_tanh_cube(native_fn(tanh_cube())));
  EXPECT_EQ(cgen::native_stats().compiled, 0);
  EXPECT_EQ(cgen::native_stats().loaded, 1);

  EXPECT_EQ(clear_cache(), 1);
  EXPECT_TRUE(cache_entries().empty());
  EXPECT_TRUE(std::filesystem::is_empty(cache_));
}

// Run by the next test in child processes (skipped otherwise): compiles tanh_cube in the
// cache named by THEON_CACHE_DIR and records what it did in $THEON_CGEN_CHILD_OUT.
TEST(DiskCacheChild, CompileOneKernel) {
  const char* out = std::getenv("THEON_CGEN_CHILD_OUT");
  if (!out) GTEST_SKIP() << "helper for TwoProcessesBuildOneKernelOnce";
  const bool ok = computes_tanh_cube(native_fn(tanh_cube()));
  const cgen::NativeStats stats = cgen::native_stats();
  std::ofstream(out) << (ok ? "ok" : "wrong") << " " << stats.compiled << " " << stats.loaded;
}

TEST_F(DiskCacheTest, TwoProcessesBuildOneKernelOnce) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe");
  std::string cmd;
  for (int i = 0; i < 2; ++i)
    cmd += "THEON_CGEN_CHILD_OUT=" + root_ + "/child" + std::to_string(i) + " " + self +
           " --gtest_filter=DiskCacheChild.CompileOneKernel >/dev/null 2>&1 & ";
  cmd += "wait";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  int compiled = 0, loaded = 0;
  for (int i = 0; i < 2; ++i) {
    std::ifstream in(root_ + "/child" + std::to_string(i));
    std::string status;
    int c = -1, l = -1;
    in >> status >> c >> l;
    EXPECT_EQ(status, "ok") << "child " << i;
    compiled += c;
    loaded += l;
  }
  EXPECT_EQ(compiled, 1) << "the second process waits on the lock and loads the first's module";
  EXPECT_EQ(loaded, 1);
  EXPECT_EQ(cache_entries().size(), 1u);
  for (const auto& e : std::filesystem::directory_iterator(cache_))
    EXPECT_NE(e.path().filename().string().rfind("tmp-", 0), 0u) << "left over: " << e.path();
}

}  // namespace
}  // namespace theon::testing
