// The on-disk cache of compiled kernels (docs/cache.md). One entry per key, flat in the
// cache directory:
//   <key>.so    the shared object
//   <key>.meta  its sidecar: the key, the object's size and content hash; written last,
//               so an entry without a valid sidecar is incomplete or corrupt
//   <key>.lock  flock()ed while one process builds the entry; others wait, then load
//   <key>.cpp   the source, with THEON_FLAGS=cgen_keep_source=1
// Builds happen in a private temporary directory inside the cache and reach their final
// names by rename(), which is atomic. Loading a shared object runs its code, so every
// directory and file is checked first: owned by this user, not writable by group or
// others; an entry whose size or hash disagrees with its sidecar is rebuilt, never loaded.
//
// Size: loading an entry touches its sidecar's modification time, which is therefore
// the entry's last use; trim_cache_dir() removes the least recently used entries until
// the cache fits its cap (THEON_FLAGS cache_max_mb), each under its lock.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace theon::detail::cgen {

// 128-bit FNV-1a (two 64-bit lanes) as 32 hex digits: the cache key of a text.
std::string hash_hex(const std::string& text);

// The cache directory, created (mode 0700) if missing. nullopt, with `why` set to a
// one-line reason, when it cannot be created or is not private.
std::optional<std::string> open_cache_dir(const std::string& dir, std::string* why);

// Why a directory or open file may not be trusted ("" when it may).
std::string check_private(const std::string& path, bool is_dir);

// A loaded shared object, dlclose'd when the last holder lets it go. Whoever keeps a
// function pointer from it keeps the Module too.
class Module {
 public:
  explicit Module(void* handle);
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

 private:
  void* handle_;
};

// For tests: how many Modules are loaded now in this process.
int loaded_module_count();

struct CacheResult {
  void* symbol = nullptr;  // the entry symbol of the loaded module
  std::shared_ptr<const Module> module;  // owns symbol's code
  bool compiled = false;   // this call built the entry (false: it was found)
  bool refused = false;    // an entry was there but not trusted (ownership, permissions)
  std::string error;       // why symbol is null
};

// Builds an entry: compiles `source_path` to `object_path`; returns "" or an error line.
using BuildFn = std::function<std::string(const std::string& source_path,
                                          const std::string& object_path)>;

// Loads the entry for `key` from `dir` (made by open_cache_dir), or builds it from
// `source` with `build` under the entry's lock, then loads it and returns `symbol`.
CacheResult load_or_build(const std::string& dir, const std::string& key,
                          const std::string& source, const std::string& symbol,
                          const BuildFn& build, bool keep_source);

// Removes least recently used entries (by sidecar modification time) from `dir` until
// its modules, sidecars and sources take at most `max_bytes`. An entry whose lock is
// held (another process is building it) is skipped. Its sidecar goes first, so a reader
// sees either a whole entry or none; a process that already loaded a module keeps it.
// Returns how many entries it removed.
int trim_cache_dir(const std::string& dir, int64_t max_bytes);

}  // namespace theon::detail::cgen
