// The native tier's front door: request_native_kernel emits the kernel's source at once
// (microseconds), and background workers load it from the disk cache or compile it, so
// that the interpreter serves until the native code is ready. Identical programs share
// one kernel, and each kind of trouble (no compiler, an untrusted cache, a failed
// compile) is one warning line per process.
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

struct Job {
  std::string kernel;  // the emitter's text (without the prelude)
  const char* symbol;  // the function the module exports
  std::function<void(void*)> deliver;  // hands the loaded symbol to its kernel
  std::string cxx;
  std::string dir;
  bool keep_source = false;
};

class Service {
 public:
  // Never destroyed: detached workers may still run during static destruction.
  static Service& get() {
    static Service* service = [] {
      auto* s = new Service;
      // A process that exits finishes the compiles under way (not the queued ones), so
      // that short runs still fill the cache for the next.
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

  // The kernel for `kernel`'s text, shared by identical requests; queued for a worker.
  template <class Target, class Fn>
  std::shared_ptr<const Target> request_symbol(std::string kernel, const char* symbol) {
    const Config& cfg = config();
    std::lock_guard lock(mu_);
    if (auto it = kernels_.find(kernel); it != kernels_.end())
      return std::static_pointer_cast<const Target>(it->second);
    auto target = std::make_shared<Target>();
    kernels_.emplace(kernel, target);
    ++stats_.requested;
    auto deliver = [target](void* f) { target->set(reinterpret_cast<Fn>(f)); };
    queue_.push_back({std::move(kernel), symbol, deliver, cfg.cxx, theon::cache_dir(),
                      cfg.cgen_keep_source});
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
    idle_.wait(lock, [&] { return busy_ == 0; });
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
      warned_.clear();
      stats_ = {};
    }
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
      ++busy_;
      lock.unlock();
      run(job);
      lock.lock();
      --busy_;
      if (queue_.empty() && busy_ == 0) idle_.notify_all();
    }
  }

  void run(const Job& job) {
    using Clock = std::chrono::steady_clock;
    std::string why;
    const std::optional<Toolchain> toolchain = toolchain_for(job.cxx, &why);
    if (!toolchain) {
      fail("compiler", why + "; generated kernels run in the interpreter");
      return;
    }
    const std::optional<std::string> dir = open_cache_dir(job.dir, &why);
    if (!dir) {
      fail("cache", "not using the compile cache: " + why +
                        "; generated kernels run in the interpreter");
      return;
    }
    const std::string source = emit_source(job.kernel);
    const std::string key = hash_hex(source + "\n" + toolchain->identity());
    const auto start = Clock::now();
    const CacheResult result = load_or_build(
        *dir, key, source, job.symbol,
        [&](const std::string& src, const std::string& object) {
          return compile_shared_object(*toolchain, src, object);
        },
        job.keep_source);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!result.symbol) {
      if (result.refused)
        fail("cache", "refusing to load native code: " + result.error +
                          "; generated kernels run in the interpreter");
      else
        fail("compile", "compiling a generated kernel failed (" + result.error +
                            "); the interpreter runs it. THEON_FLAGS=cgen_keep_source=1 keeps "
                            "the source in " + *dir);
      return;
    }
    job.deliver(result.symbol);
    std::lock_guard lock(mu_);
    (result.compiled ? stats_.compiled : stats_.loaded)++;
    (result.compiled ? stats_.compile_ms : stats_.load_ms) += ms;
  }

  std::optional<Toolchain> toolchain_for(const std::string& cxx, std::string* why) {
    std::lock_guard lock(toolchain_mu_);
    if (toolchain_cxx_ != cxx) {
      toolchain_ = find_toolchain(cxx, &toolchain_why_);
      toolchain_cxx_ = cxx;
    }
    *why = toolchain_why_;
    return toolchain_;
  }

  void fail(const std::string& kind, const std::string& line) {
    std::lock_guard lock(mu_);
    ++stats_.failed;
    if (!warned_.insert(kind).second) return;
    std::fprintf(stderr, "theon: warning: %s\n", line.c_str());
  }

  std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<Job> queue_;
  int busy_ = 0;
  int workers_ = 0;
  // Keyed by the kernel's text; NativeKernel or NativeGraph.
  std::unordered_map<std::string, std::shared_ptr<void>> kernels_;
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
