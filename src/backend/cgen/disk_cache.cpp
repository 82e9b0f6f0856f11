#include "backend/cgen/disk_cache.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

#include "theon/cache.hpp"

namespace theon::detail::cgen {
namespace {

constexpr const char* kMetaMagic = "theon-module 1";

std::atomic<int> g_loaded_modules{0};

std::string mode_octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

std::string check_stat(const struct stat& st, const std::string& path, bool is_dir) {
  if (is_dir && !S_ISDIR(st.st_mode)) return path + " is not a directory";
  if (!is_dir && !S_ISREG(st.st_mode)) return path + " is not a regular file";
  if (st.st_uid != ::geteuid())
    return path + " belongs to uid " + std::to_string(st.st_uid) + ", not to this user (uid " +
           std::to_string(::geteuid()) + ")";
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return path + " is writable by group or others (mode " + mode_octal(st.st_mode) + ")";
  return "";
}

// The whole content of an open file (small files: sidecars and shared objects).
bool read_fd(int fd, std::string* out) {
  out->clear();
  char buf[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return false;
    if (got == 0) return true;
    out->append(buf, static_cast<size_t>(got));
  }
}

bool write_file(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  return ::close(fd) == 0 && done == text.size();
}

std::string sidecar(const std::string& key, const std::string& object) {
  std::ostringstream os;
  os << kMetaMagic << "\nkey " << key << "\nsize " << object.size() << "\nhash "
     << hash_hex(object) << "\n";
  return os.str();
}

enum class Found { missing, ok, corrupt, refused };

// Opens `path` for reading without following a link, and checks that it is private.
// Returns the fd, or -1 with `found`/`why` saying why.
int open_private(const std::string& path, Found* found, std::string* why) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    *found = errno == ENOENT ? Found::missing : Found::corrupt;
    *why = path + ": " + std::strerror(errno);
    return -1;
  }
  struct stat st {};
  std::string problem = ::fstat(fd, &st) == 0 ? check_stat(st, path, false) : "cannot stat " + path;
  if (!problem.empty()) {
    ::close(fd);
    *found = Found::refused;
    *why = problem;
    return -1;
  }
  return fd;
}

// Loads a complete, verified entry. The sidecar is checked first (a missing sidecar is
// an entry that does not exist yet), then the object's size and hash against it. A
// loaded entry's sidecar is touched: its modification time is the entry's last use.
Found try_load(const std::string& dir, const std::string& key, const std::string& symbol,
               CacheResult* out, std::string* why) {
  const std::string meta_path = dir + "/" + key + ".meta", so_path = dir + "/" + key + ".so";
  Found found = Found::ok;
  int fd = open_private(meta_path, &found, why);
  if (fd < 0) return found;
  std::string meta, object;
  const bool meta_read = read_fd(fd, &meta);
  ::close(fd);
  fd = open_private(so_path, &found, why);
  if (fd < 0) return found == Found::missing ? Found::corrupt : found;
  const bool object_read = read_fd(fd, &object);
  ::close(fd);
  if (!meta_read || !object_read || meta != sidecar(key, object)) {
    *why = so_path + " does not match its recorded size and hash";
    return Found::corrupt;
  }
  void* handle = ::dlopen(so_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* err = ::dlerror();
    *why = err ? err : "dlopen failed";
    return Found::corrupt;
  }
  auto module = std::make_shared<const Module>(handle);  // dlclose'd with its last user
  void* entry = ::dlsym(handle, symbol.c_str());
  if (!entry) {
    *why = so_path + " lacks " + symbol;
    return Found::corrupt;
  }
  ::utimensat(AT_FDCWD, meta_path.c_str(), nullptr, 0);
  out->symbol = entry;
  out->module = std::move(module);
  return Found::ok;
}

// Holds an exclusive flock() on a lock file for its lifetime.
class EntryLock {
 public:
  // `wait` false: gives up at once when another process holds it.
  explicit EntryLock(const std::string& path, bool wait = true) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) return;
    while (::flock(fd_, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
      if (errno != EINTR) {
        ::close(fd_);
        fd_ = -1;
        return;
      }
    }
  }
  ~EntryLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock (so does dying)
  }
  EntryLock(const EntryLock&) = delete;
  EntryLock& operator=(const EntryLock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

void remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

int64_t size_or_zero(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
}

}  // namespace

Module::Module(void* handle) : handle_(handle) {
  g_loaded_modules.fetch_add(1, std::memory_order_relaxed);
}

Module::~Module() {
  ::dlclose(handle_);
  g_loaded_modules.fetch_sub(1, std::memory_order_relaxed);
}

int loaded_module_count() { return g_loaded_modules.load(std::memory_order_relaxed); }

int trim_cache_dir(const std::string& dir, int64_t max_bytes) {
  struct Entry {
    std::string key;
    int64_t bytes;
    struct timespec used;
  };
  std::vector<Entry> entries;
  int64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".meta") != 0) continue;
    const std::string key = name.substr(0, name.size() - 5), base = dir + "/" + key;
    struct stat st {};
    if (::lstat((base + ".meta").c_str(), &st) != 0) continue;
    const int64_t bytes = st.st_size + size_or_zero(base + ".so") + size_or_zero(base + ".cpp");
    entries.push_back({key, bytes, st.st_mtim});
    total += bytes;
  }
  if (total <= max_bytes) return 0;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.used.tv_sec != b.used.tv_sec ? a.used.tv_sec < b.used.tv_sec
                                          : a.used.tv_nsec < b.used.tv_nsec;
  });
  int removed = 0;
  for (const Entry& e : entries) {
    if (total <= max_bytes) break;
    const std::string base = dir + "/" + e.key;
    // The lock file stays: a process may have opened it already to wait on it.
    EntryLock lock(base + ".lock", /*wait=*/false);
    if (!lock.held()) continue;  // being built (or rebuilt) right now
    // The sidecar first: without it the entry does not exist for readers.
    if (::unlink((base + ".meta").c_str()) != 0) continue;
    ::unlink((base + ".so").c_str());
    ::unlink((base + ".cpp").c_str());
    total -= e.bytes;
    ++removed;
  }
  return removed;
}

std::string hash_hex(const std::string& text) {
  uint64_t h1 = 0xcbf29ce484222325ULL, h2 = 0x84222325cbf29ce4ULL;
  for (unsigned char c : text) {
    h1 = (h1 ^ c) * 0x100000001b3ULL;
    h2 = (h2 ^ c ^ (h1 >> 29)) * 0x100000001b3ULL;
  }
  h2 ^= text.size();
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016" PRIx64 "%016" PRIx64, h1, h2);
  return buf;
}

std::string check_private(const std::string& path, bool is_dir) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "cannot stat " + path + ": " + std::strerror(errno);
  return check_stat(st, path, is_dir);
}

std::optional<std::string> open_cache_dir(const std::string& dir, std::string* why) {
  if (dir.empty()) {
    *why = "no cache directory (set THEON_CACHE_DIR or HOME)";
    return std::nullopt;
  }
  // Create each missing component privately, as XDG asks of ~/.cache too.
  for (size_t pos = dir.find('/', 1);; pos = dir.find('/', pos + 1)) {
    const std::string prefix = dir.substr(0, pos);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      *why = "cannot create " + prefix + ": " + std::strerror(errno);
      return std::nullopt;
    }
    if (pos == std::string::npos) break;
  }
  std::string problem = check_private(dir, true);
  if (!problem.empty()) {
    *why = problem;
    return std::nullopt;
  }
  return dir;
}

CacheResult load_or_build(const std::string& dir, const std::string& key,
                          const std::string& source, const std::string& symbol,
                          const BuildFn& build, bool keep_source) {
  CacheResult result;
  Found found = try_load(dir, key, symbol, &result, &result.error);
  if (found == Found::ok) return result;
  if (found == Found::refused) {
    result.refused = true;
    return result;
  }
  // Another process may be building this entry: wait for it, then look again.
  EntryLock lock(dir + "/" + key + ".lock");
  if (!lock.held()) {
    result.error = "cannot lock " + dir + "/" + key + ".lock: " + std::strerror(errno);
    return result;
  }
  found = try_load(dir, key, symbol, &result, &result.error);
  if (found == Found::ok) return result;
  if (found == Found::refused) {
    result.refused = true;
    return result;
  }
  const std::string base = dir + "/" + key;
  ::unlink((base + ".meta").c_str());  // a corrupt entry goes before it is rebuilt
  ::unlink((base + ".so").c_str());
  // Only the lock holder builds in tmp-<key>-*: any such directory now is left over
  // from a process that died while building.
  std::error_code ec;
  const std::string stale = "tmp-" + key + "-";
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().filename().string().rfind(stale, 0) == 0) remove_tree(e.path().string());

  std::string tmp_template = dir + "/tmp-" + key + "-XXXXXX";
  if (!::mkdtemp(tmp_template.data())) {
    result.error = "cannot create a directory in " + dir + ": " + std::strerror(errno);
    return result;
  }
  const std::string tmp = tmp_template;
  const std::string cpp = tmp + "/kernel.cpp", so = tmp + "/kernel.so", meta = tmp + "/kernel.meta";
  std::string error = write_file(cpp, source, 0600) ? build(cpp, so) : "cannot write " + cpp;
  std::string object;
  if (error.empty()) {
    ::chmod(so.c_str(), 0700);  // the compiler honours the umask, which may be 0
    Found ignored = Found::ok;
    const int fd = open_private(so, &ignored, &error);
    if (fd >= 0) {
      if (!read_fd(fd, &object)) error = "cannot read " + so;
      ::close(fd);
    }
  }
  if (error.empty() && !write_file(meta, sidecar(key, object), 0600)) error = "cannot write " + meta;
  if (keep_source) ::rename(cpp.c_str(), (base + ".cpp").c_str());
  // The object first, the sidecar last: a reader that sees the sidecar sees the object.
  if (error.empty() && (::rename(so.c_str(), (base + ".so").c_str()) != 0 ||
                        ::rename(meta.c_str(), (base + ".meta").c_str()) != 0))
    error = "cannot move the module into " + dir + ": " + std::strerror(errno);
  remove_tree(tmp);
  if (!error.empty()) {
    result.error = error;
    return result;
  }
  result.compiled = true;
  found = try_load(dir, key, symbol, &result, &result.error);
  result.refused = found == Found::refused;
  return result;
}

}  // namespace theon::detail::cgen

namespace theon {

std::string cache_dir() {
  if (const char* dir = std::getenv("THEON_CACHE_DIR"); dir && *dir) return dir;
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/theon";
  return "";
}

std::vector<CacheEntry> cache_entries() {
  namespace fs = std::filesystem;
  std::vector<CacheEntry> entries;
  std::error_code ec;
  const std::string dir = cache_dir();
  if (dir.empty()) return entries;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const fs::path& p = e.path();
    if (p.extension() != ".so" || !fs::exists(fs::path(p).replace_extension(".meta"), ec)) continue;
    CacheEntry entry;
    entry.key = p.stem().string();
    entry.path = p.string();
    entry.bytes = static_cast<int64_t>(fs::file_size(p, ec));
    struct stat st {};
    if (::stat(fs::path(p).replace_extension(".meta").c_str(), &st) == 0)
      entry.last_used = static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec * 1e-9;
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(),
            [](const CacheEntry& a, const CacheEntry& b) { return a.key < b.key; });
  return entries;
}

int64_t cache_size_bytes() {
  int64_t total = 0;
  std::error_code ec;
  const std::string dir = cache_dir();
  if (dir.empty()) return 0;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".so" || ext == ".meta" || ext == ".cpp") total += detail::cgen::size_or_zero(e.path().string());
  }
  return total;
}

int trim_cache(int64_t max_bytes) {
  const std::string dir = cache_dir();
  if (dir.empty() || !std::filesystem::is_directory(dir)) return 0;
  return detail::cgen::trim_cache_dir(dir, max_bytes);
}

int clear_cache() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string dir = cache_dir();
  if (dir.empty()) return 0;
  int removed = 0;
  std::vector<fs::path> doomed;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const fs::path& p = e.path();
    const std::string ext = p.extension().string(), name = p.filename().string();
    if (ext == ".so" || ext == ".meta" || ext == ".lock" || ext == ".cpp" ||
        name.rfind("tmp-", 0) == 0)
      doomed.push_back(p);
  }
  for (const fs::path& p : doomed) {
    if (p.extension() == ".so") ++removed;
    fs::remove_all(p, ec);
  }
  return removed;
}

}  // namespace theon
