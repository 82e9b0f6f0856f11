// The compile cache: native code for fused element-wise kernels and small functions, compiled by the system
// C++ compiler in the background, is kept on disk so that later processes load it in
// well under a millisecond instead of compiling again (docs/cache.md).
//
// The directory is $THEON_CACHE_DIR, else ~/.cache/theon, created with mode 0700. It is
// private: Theon refuses to load code from a cache directory or file that another user
// owns or that group or others can write, and checks every module's recorded size and
// hash before loading it (a corrupt or truncated module is rebuilt, never loaded).
// Deleting it is always safe; `tools/theon-cache clear` does the same from a shell.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace theon {

// The cache directory now ($THEON_CACHE_DIR, else $HOME/.cache/theon); not created here.
std::string cache_dir();

struct CacheEntry {
  std::string key;   // 32 hex digits: a hash of the source, the compiler and its flags
  std::string path;  // the shared object
  int64_t bytes = 0;
  double last_used = 0;  // seconds since the epoch: when a process last loaded or built it
};
// The compiled modules in cache_dir(), sorted by key.
std::vector<CacheEntry> cache_entries();

// Bytes taken by the cache's modules, sidecars and kept sources.
int64_t cache_size_bytes();
// Removes the least recently used modules until the cache takes at most `max_bytes`,
// and returns how many it removed. Each compile does the same with THEON_FLAGS
// cache_max_mb. Safe while other processes use the cache: a module being built is
// skipped, and a process that loaded a module keeps it.
//   theon::trim_cache(256 << 20);
int trim_cache(int64_t max_bytes);

// Removes every module, sidecar, lock file and leftover temporary directory from
// cache_dir(), and returns how many modules it removed. Processes that loaded a module
// keep running it (the file's data lives until they unload it).
//   theon::clear_cache();
int clear_cache();

// Blocks until every native module requested so far (fused kernels, whole-graph
// functions) is loaded or has failed, so that the calls after it run native code where
// there is any. Functions work without it; benchmarks call it before timing.
//   for (int i = 0; i < 3; ++i) step(x, y);  // small functions are planned at call 3
//   theon::wait_for_native_code();
void wait_for_native_code();

}  // namespace theon
