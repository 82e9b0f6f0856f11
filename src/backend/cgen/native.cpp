// The native tier's front door: request_native_kernel emits the kernel's source at once
// (microseconds), and background workers load it from the disk cache or compile it, so
// that the interpreter serves until the native code is ready. Identical programs share
// one kernel, and each kind of trouble (no compiler, an untrusted cache, a failed
// compile, a compile that timed out) is one warning line per process. A kernel lives
// as long as its users hold it: its module is unloaded with the last one.
#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "backend/cgen/cgen.hpp"
#include "backend/cgen/disk_cache.hpp"
#include "theon/cache.hpp"
#include "theon/config.hpp"

namespace theon::detail {
namespace cgen {
namespace {

// Two compiles at once: this machine has two cores and W6's training function several
// kernels; more would only queue inside the kernel.
constexpr int kMaxWorkers = 2;

// The longest a process that exits waits for its workers once their compilers are
// killed (they only clean up then).
constexpr auto kCleanupWait = std::chrono::milliseconds(500);

struct Job {
  std::string kernel;  // the emitter's text (without the prelude)
  const char* symbol;  // the function the module exports
  std::weak_ptr<void> target;  // the NativeKernel or NativeGraph; gone: nobody wants it
  // Hands the loaded symbol and its module to the target.
  void (*deliver)(void* target, void* symbol, std::shared_ptr<const void> module);
  std::string cxx;
  std::string dir;
  bool keep_source = false;
  double timeout_s = 0;
  int64_t cache_max_bytes = 0;  // 0: no cap
};

class Service {
 public:
  // Never destroyed: detached workers may still run during static destruction.
  static Service& get() {
    static Service* service = [] {
      auto* s = new Service;
      // A process that exits gives the compiles under way a short while (not the queued
      // ones), so that short runs still fill the cache for the next, then kills them.
      std::atexit([] { get().finish_running(); });
      // A forked child has none of the workers: it starts afresh.
      ::pthread_atfork(
          [] {
            get().toolchain_mu_.lock();
            get().mu_.lock();
          },
          [] {
            get().mu_.unlock();
            get().toolchain_mu_.unlock();
          },
          [] {
            Service& c = get();
            c.mu_.unlock();
            c.toolchain_mu_.unlock();
            c.queue_.clear();
            c.busy_ = c.workers_ = 0;
          });
      return s;
    }();
    return *service;
  }

  std::shared_ptr<const NativeKernel> request(const FusedProgram& program) {
    if (config().cxx.empty() || !can_emit(program)) return nullptr;
    return request_symbol<NativeKernel, FusedRowFn>(emit_kernel(program), kEntrySymbol);
  }

  std::shared_ptr<const NativeGraph> request_graph(std::string kernel) {
    if (config().cxx.empty()) return nullptr;
    return request_symbol<NativeGraph, GraphFn>(std::move(kernel), kGraphSymbol);
  }

  // The kernel for `kernel`'s text, shared by identical requests while one is held;
  // queued for a worker unless that text failed before.
  template <class Target, class Fn>
  std::shared_ptr<const Target> request_symbol(std::string kernel, const char* symbol) {
    const Config& cfg = config();
    std::lock_guard lock(mu_);
    exit_wait_s_ = cfg.cgen_exit_wait;
    if (auto it = kernels_.find(kernel); it != kernels_.end())
      if (auto live = it->second.lock()) return std::static_pointer_cast<const Target>(live);
    forget_unused();
    auto target = std::make_shared<Target>();
    kernels_[kernel] = target;
    if (failed_.count(kernel)) return target;  // stays interpreted
    ++stats_.requested;
    auto deliver = [](void* t, void* f, std::shared_ptr<const void> module) {
      static_cast<Target*>(t)->set(reinterpret_cast<Fn>(f), std::move(module));
    };
    const auto cap = static_cast<int64_t>(cfg.cache_max_mb * 1024 * 1024);
    queue_.push_back({std::move(kernel), symbol, target, deliver, cfg.cxx, theon::cache_dir(),
                      cfg.cgen_keep_source, cfg.cgen_timeout, cap});
    if (workers_ < kMaxWorkers && static_cast<int>(queue_.size()) + busy_ > workers_) {
      ++workers_;
      std::thread([this] { work(); }).detach();
    }
    wake_.notify_one();
    return target;
  }

  void finish_running() {
    std::unique_lock lock(mu_);
    queue_.clear();
    const auto grace = std::chrono::duration<double>(exit_wait_s_);
    if (idle_.wait_for(lock, grace, [&] { return busy_ == 0; })) return;
    // Killed compilers leave nothing behind that breaks the next run: their temporary
    // directories go now or under the entry's lock next time, and an entry is only
    // ever complete or absent. A worker waiting on another process's lock is left.
    stopping_ = true;  // what fails now was stopped: no warning
    stop_compilers(true);
    idle_.wait_for(lock, kCleanupWait, [&] { return busy_ == 0; });
  }

  void wait() {
    std::unique_lock lock(mu_);
    idle_.wait(lock, [&] { return queue_.empty() && busy_ == 0; });
  }

  void reset() {
    {
      std::unique_lock lock(mu_);
      idle_.wait(lock, [&] { return queue_.empty() && busy_ == 0; });
      kernels_.clear();
      failed_.clear();
      warned_.clear();
      stats_ = {};
      stopping_ = false;
    }
    stop_compilers(false);
    std::lock_guard toolchain_lock(toolchain_mu_);  // never under mu_ (see pthread_atfork)
    toolchain_cxx_.reset();
  }

  NativeStats stats() {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  void work() {
    std::unique_lock lock(mu_);
    for (;;) {
      wake_.wait(lock, [&] { return !queue_.empty(); });
      Job job = std::move(queue_.front());
      queue_.pop_front();
      if (!job.target.expired()) {  // else its users are gone: not worth a compile
        ++busy_;
        lock.unlock();
        run(job);
        lock.lock();
        --busy_;
      }
      if (queue_.empty() && busy_ == 0) idle_.notify_all();
    }
  }

  void run(const Job& job) {
    using Clock = std::chrono::steady_clock;
    std::string why;
    const std::optional<Toolchain> toolchain = toolchain_for(job.cxx, job.timeout_s, &why);
    if (!toolchain) {
      fail(job, "compiler", why + "; generated kernels run in the interpreter");
      return;
    }
    const std::optional<std::string> dir = open_cache_dir(job.dir, &why);
    if (!dir) {
      fail(job, "cache", "not using the compile cache: " + why +
                             "; generated kernels run in the interpreter");
      return;
    }
    const std::string source = emit_source(job.kernel);
    const std::string key = hash_hex(source + "\n" + toolchain->identity());
    const auto start = Clock::now();
    const CacheResult result = load_or_build(
        *dir, key, source, job.symbol,
        [&](const std::string& src, const std::string& object) {
          return compile_shared_object(*toolchain, src, object, job.timeout_s);
        },
        job.keep_source);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!result.symbol) {
      if (result.refused)
        fail(job, "cache", "refusing to load native code: " + result.error +
                               "; generated kernels run in the interpreter");
      else if (result.error.rfind("timed out", 0) == 0)
        fail(job, "timeout", "compiling a generated kernel " + result.error +
                                 " (THEON_FLAGS cgen_timeout) and was stopped; the interpreter "
                                 "runs it");
      else if (result.error != "stopped at exit")
        fail(job, "compile", "compiling a generated kernel failed (" + result.error +
                                 "); the interpreter runs it. THEON_FLAGS=cgen_keep_source=1 "
                                 "keeps the source in " + *dir);
      return;
    }
    if (result.compiled && job.cache_max_bytes > 0) trim_cache_dir(*dir, job.cache_max_bytes);
    // The module is unloaded here if its users went while it loaded.
    if (auto target = job.target.lock()) job.deliver(target.get(), result.symbol, result.module);
    std::lock_guard lock(mu_);
    (result.compiled ? stats_.compiled : stats_.loaded)++;
    (result.compiled ? stats_.compile_ms : stats_.load_ms) += ms;
  }

  std::optional<Toolchain> toolchain_for(const std::string& cxx, double timeout_s,
                                         std::string* why) {
    std::lock_guard lock(toolchain_mu_);
    if (toolchain_cxx_ != cxx) {
      toolchain_ = find_toolchain(cxx, timeout_s, &toolchain_why_);
      toolchain_cxx_ = cxx;
    }
    *why = toolchain_why_;
    return toolchain_;
  }

  // Remembers that `job`'s text failed, so that it is not compiled again in this
  // process (a kernel that timed out would otherwise cost the timeout once per request),
  // and warns once per kind.
  void fail(const Job& job, const std::string& kind, const std::string& line) {
    std::lock_guard lock(mu_);
    ++stats_.failed;
    if (kind == "timeout") ++stats_.timed_out;
    failed_.insert(job.kernel);
    if (stopping_ || !warned_.insert(kind).second) return;
    std::fprintf(stderr, "theon: warning: %s\n", line.c_str());
  }

  // Drops the registry's entries whose kernels nobody holds, each time it has doubled.
  void forget_unused() {
    if (kernels_.size() < 2 * registry_mark_) return;
    std::erase_if(kernels_, [](const auto& entry) { return entry.second.expired(); });
    registry_mark_ = std::max<size_t>(64, kernels_.size());
  }

  std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<Job> queue_;
  int busy_ = 0;
  int workers_ = 0;
  double exit_wait_s_ = 1;  // config().cgen_exit_wait at the last request
  bool stopping_ = false;   // the process exits: its compilers are being killed
  // Keyed by the kernel's text; NativeKernel or NativeGraph, held by their users only.
  std::unordered_map<std::string, std::weak_ptr<void>> kernels_;
  size_t registry_mark_ = 64;
  std::unordered_set<std::string> failed_;  // texts whose native code failed
  std::set<std::string> warned_;
  NativeStats stats_;

  std::mutex toolchain_mu_;
  std::optional<std::string> toolchain_cxx_;
  std::optional<Toolchain> toolchain_;
  std::string toolchain_why_;
};

}  // namespace

NativeStats native_stats() { return Service::get().stats(); }
void wait_for_native_kernels() { Service::get().wait(); }
void reset_native_kernels_for_testing() { Service::get().reset(); }

}  // namespace cgen

}  // namespace theon::detail

void theon::wait_for_native_code() { detail::cgen::wait_for_native_kernels(); }

namespace theon::detail {

std::shared_ptr<const NativeKernel> request_native_kernel(const FusedProgram& program) {
  return cgen::Service::get().request(program);
}

std::shared_ptr<const NativeGraph> request_native_graph(std::string kernel) {
  return cgen::Service::get().request_graph(std::move(kernel));
}

}  // namespace theon::detail
