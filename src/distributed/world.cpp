// The world (init, rank, size, finalize), the settings, and every MPI call of
// theon::distributed. Compiles without MPI (THEON_HAVE_MPI 0): a world of size 1.
//
// Thread level: MPI_THREAD_MULTIPLE where offered. Functions may run on several threads
// at once (each call of a different compiled function), Python programs too, and mpi4py
// asks for MULTIPLE by default, so a lower level would be refused or unsafe there. Our own
// MPI calls are also made one at a time under a mutex, so a library that grants less
// still works.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "distributed/comm.hpp"
#include "theon/distributed.hpp"
#include "theon/error.hpp"
#include "theon/interrupt.hpp"

#if THEON_HAVE_MPI
#include <mpi.h>
#endif

namespace theon::distributed {
namespace {

struct World {
  std::atomic<bool> initialized{false};  // set last: readers without the lock see a whole world
  std::atomic<bool> finalized{false};
  bool mpi = false;  // MPI is running and we hold a communicator
  bool we_started_mpi = false;
  int rank = 0, size = 1;
#if THEON_HAVE_MPI
  MPI_Comm comm = MPI_COMM_NULL;
  struct Pending {
    MPI_Request request;
    std::shared_ptr<Buffer> buffer;
    int64_t nbytes;
    bool done = false;
  };
  std::unordered_map<int64_t, Pending> pending;  // node-based: entries stay put
  int64_t next_id = 0;
  // Open MPI moves a non-blocking collective forward only inside MPI calls (no progress
  // thread of its own over shared memory), so while reductions are in flight this thread
  // tests them every kProgressPeriod: the transfer proceeds during the backward pass.
  // Needs MPI_THREAD_MULTIPLE.
  bool multiple = false;
  std::thread progress;
  std::condition_variable wake;
  bool stopping = false;
#endif
};

std::mutex& world_mutex() {
  static std::mutex m;
  return m;
}
World& world() {
  static World w;
  return w;
}
std::atomic<int64_t> g_threshold{int64_t{64} << 20};
std::atomic<double> g_timeout{300.0};

bool launched_by_mpirun() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(var)) return true;
  return false;
}

#if THEON_HAVE_MPI
bool mpi_running() {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

MPI_Datatype mpi_type(DType dtype) {
  switch (dtype) {
    case DType::Float32: return MPI_FLOAT;
    case DType::Float64: return MPI_DOUBLE;
    case DType::Int32: return MPI_INT32_T;
    case DType::Int64: return MPI_INT64_T;
    default: return MPI_DATATYPE_NULL;
  }
}

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  THEON_FAIL(ValueError) << "theon.distributed: " << what << " failed: " << std::string(text, length);
}
#endif

void start_world(World& w);

void init_locked(World& w) {
  if (w.initialized) return;
  THEON_CHECK_USER(!w.finalized, ValueError)
      << "theon.distributed.init: called after finalize() (MPI cannot start again)";
  detail::register_codecs();
  start_world(w);
  w.initialized = true;
}

void start_world(World& w) {
#if THEON_HAVE_MPI
  // MPI already started by someone else (mpi4py) counts as well as mpirun's environment.
  if (!launched_by_mpirun() && !mpi_running()) return;
  if (!mpi_running()) {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided), "MPI_Init_thread");
    w.we_started_mpi = true;
  }
  int level = 0;
  MPI_Query_thread(&level);
  w.multiple = level == MPI_THREAD_MULTIPLE && !std::getenv("THEON_DISTRIBUTED_NO_PROGRESS_THREAD");
  // Our own communicator: our collectives never match a user's (mpi4py) by mistake.
  check(MPI_Comm_dup(MPI_COMM_WORLD, &w.comm), "MPI_Comm_dup");
  // Errors come back as codes (then exceptions) rather than aborting inside MPI.
  MPI_Comm_set_errhandler(w.comm, MPI_ERRORS_RETURN);
  MPI_Comm_rank(w.comm, &w.rank);
  MPI_Comm_size(w.comm, &w.size);
  w.mpi = true;
  std::atexit([] { finalize(); });
#else
  (void)w;
  if (launched_by_mpirun())
    std::fprintf(stderr,
                 "theon.distributed: this Theon was built without MPI; each process runs as "
                 "a world of size 1\n");
#endif
}

World& initialized_world() {
  World& w = world();
  if (!w.initialized) {
    std::lock_guard lock(world_mutex());
    init_locked(w);
  }
  return w;
}

}  // namespace

void init() {
  std::lock_guard lock(world_mutex());
  init_locked(world());
}

bool is_initialized() {
  std::lock_guard lock(world_mutex());
  return world().initialized && !world().finalized;
}

int rank() { return initialized_world().rank; }
int size() { return initialized_world().size; }

void set_fusion_threshold_bytes(int64_t bytes) {
  THEON_CHECK_USER(bytes > 0, ValueError)
      << "theon.distributed.set_fusion_threshold_bytes: needs a positive size, got " << bytes;
  g_threshold = bytes;
}
int64_t fusion_threshold_bytes() { return g_threshold; }

void set_timeout_seconds(double seconds) {
  THEON_CHECK_USER(seconds > 0, ValueError)
      << "theon.distributed.set_timeout_seconds: needs a positive time, got " << seconds;
  g_timeout = seconds;
}
double timeout_seconds() { return g_timeout; }

namespace detail {

bool uses_mpi() {
  const World& w = initialized_world();
  return w.mpi && w.size > 1 && !w.finalized;
}

bool reducible(DType dtype) {
  return dtype == DType::Float32 || dtype == DType::Float64 || dtype == DType::Int32 ||
         dtype == DType::Int64;
}

}  // namespace detail

#if THEON_HAVE_MPI

namespace {

double seconds_since(std::chrono::steady_clock::time_point begin) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
}

// Past the timeout: a rank stuck in a collective cannot be unstuck, and its peers would
// hang forever, so say what waited and end the whole job.
[[noreturn]] void report_and_abort(const World& w, double waited, const char* what, int64_t nbytes) {
  std::fprintf(stderr,
               "theon.distributed: rank %d waited %.0f s for %s of %lld bytes; a peer rank "
               "failed or is not calling the same function\n",
               w.rank, waited, what, static_cast<long long>(nbytes));
  std::fflush(stderr);
  MPI_Abort(w.comm, 1);
  std::_Exit(1);
}

// Spin for the first 50 µs (small messages finish in a few), then sleep briefly between
// tests: on a busy core a yielding poller waits a whole time slice for its turn, while a
// thread waking from a short sleep runs at once (measured: 2.7 MB took 4-8 ms with
// yields, 1 ms with 20 µs sleeps). Waits past a second mean a slow peer: poll gently.
void pause_between_tests(double waited) {
  if (waited < 50e-6) return;
  std::this_thread::sleep_for(std::chrono::microseconds(waited < 1 ? 20 : 1000));
}

// Completes a collective whose buffers live on the caller's stack: never interrupted,
// but bounded by the timeout like every wait.
void wait_blocking(World& w, MPI_Request& request, const char* what, int64_t nbytes) {
  const auto begin = std::chrono::steady_clock::now();
  for (;;) {
    int done = 0;
    {
      std::lock_guard lock(world_mutex());
      check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    }
    if (done) return;
    const double waited = seconds_since(begin);
    if (waited > g_timeout) report_and_abort(w, waited, what, nbytes);
    pause_between_tests(waited);
  }
}

}  // namespace

void barrier() {
  World& w = initialized_world();
  if (!w.mpi || w.finalized) return;
  MPI_Request request;
  {
    std::lock_guard lock(world_mutex());
    check(MPI_Ibarrier(w.comm, &request), "MPI_Ibarrier");
  }
  wait_blocking(w, request, "barrier", 0);
}

namespace {

constexpr auto kProgressPeriod = std::chrono::microseconds(100);

void progress_loop() {
  World& w = world();
  std::unique_lock lock(world_mutex());
  while (!w.stopping) {
    bool in_flight = false;
    for (auto& [id, p] : w.pending) {
      if (p.done) continue;
      int done = 0;
      MPI_Test(&p.request, &done, MPI_STATUS_IGNORE);
      p.done = done;
      in_flight = in_flight || !done;
    }
    if (in_flight) w.wake.wait_for(lock, kProgressPeriod);
    else w.wake.wait(lock);
  }
}

}  // namespace

namespace detail {

int64_t start_sum(std::shared_ptr<Buffer> buffer, int64_t count, DType dtype) {
  World& w = initialized_world();
  THEON_ASSERT(w.mpi && reducible(dtype)) << "start_sum without MPI or of " << dtype_name(dtype);
  THEON_CHECK_USER(count <= INT32_MAX, ValueError)
      << "allreduce: a bucket of " << count << " elements is more than MPI's 2^31 - 1";
  std::lock_guard lock(world_mutex());
  World::Pending p{MPI_REQUEST_NULL, std::move(buffer), count * static_cast<int64_t>(itemsize(dtype))};
  check(MPI_Iallreduce(MPI_IN_PLACE, p.buffer->data(), static_cast<int>(count), mpi_type(dtype),
                       MPI_SUM, w.comm, &p.request),
        "MPI_Iallreduce");
  const int64_t id = w.next_id++;
  w.pending.emplace(id, std::move(p));
  if (w.multiple && w.size > 1) {
    if (!w.progress.joinable()) w.progress = std::thread(progress_loop);
    w.wake.notify_one();
  }
  return id;
}

// Polls reduction `id` until it completes (the progress thread may complete it); past the
// timeout, says so and aborts the whole job (a rank stuck in a collective cannot be
// unstuck, and its peers would hang forever).
std::shared_ptr<Buffer> finish(int64_t id) {
  World& w = initialized_world();
  const auto begin = std::chrono::steady_clock::now();
  const double timeout = g_timeout;
  // Ctrl-C (interrupt_calls) stops the wait; the reduction stays in the table, where the
  // progress thread or finalize() completes it. The check point also lets a Python
  // caller's GIL go once the call runs long.
  theon::detail::CheckPoint check_point;
  for (;;) {
    check_point();
    int64_t nbytes = 0;
    {
      std::lock_guard lock(world_mutex());
      auto it = w.pending.find(id);
      THEON_ASSERT(it != w.pending.end()) << "no all-reduce in flight with id " << id;
      World::Pending& p = it->second;
      if (!p.done) {
        int done = 0;
        check(MPI_Test(&p.request, &done, MPI_STATUS_IGNORE), "MPI_Test");
        p.done = done;
      }
      if (p.done) {
        auto buffer = std::move(p.buffer);
        w.pending.erase(it);
        return buffer;
      }
      nbytes = p.nbytes;
    }
    const double waited = seconds_since(begin);
    if (waited > timeout) report_and_abort(w, waited, "all-reduce", nbytes);
    pause_between_tests(waited);
  }
}

MinMax min_max(int64_t value) {
  World& w = initialized_world();
  if (!w.mpi || w.finalized) return {value, value};
  int64_t send[2] = {value, -value}, recv[2] = {0, 0};
  MPI_Request request;
  {
    std::lock_guard lock(world_mutex());
    check(MPI_Iallreduce(send, recv, 2, MPI_INT64_T, MPI_MAX, w.comm, &request), "MPI_Iallreduce");
  }
  wait_blocking(w, request, "all-reduce", sizeof(send));
  return {-recv[1], recv[0]};
}

void broadcast_bytes(void* data, int64_t nbytes, int root) {
  World& w = initialized_world();
  if (!w.mpi || w.finalized) return;
  auto* bytes = static_cast<char*>(data);
  constexpr int64_t kChunk = int64_t{1} << 30;  // MPI counts are int
  for (int64_t at = 0; at < nbytes; at += kChunk) {  // none for 0 bytes, on every rank alike
    const int64_t chunk = std::min(kChunk, nbytes - at);
    MPI_Request request;
    {
      std::lock_guard lock(world_mutex());
      check(MPI_Ibcast(bytes + at, static_cast<int>(chunk), MPI_BYTE, root, w.comm, &request), "MPI_Ibcast");
    }
    wait_blocking(w, request, "broadcast", chunk);
  }
}

}  // namespace detail

void finalize() {
  World& w = world();
  std::vector<int64_t> ids;
  {
    std::lock_guard lock(world_mutex());
    if (!w.initialized || w.finalized) {
      w.finalized = w.initialized || w.finalized;
      return;
    }
    for (auto& [id, p] : w.pending) ids.push_back(id);
  }
  // Reductions left in flight by calls that threw: MPI wants them complete first.
  if (w.mpi && mpi_running())
    for (int64_t id : ids) detail::finish(id);
  if (w.progress.joinable()) {
    {
      std::lock_guard lock(world_mutex());
      w.stopping = true;
    }
    w.wake.notify_one();
    w.progress.join();
  }
  std::lock_guard lock(world_mutex());
  if (w.mpi && mpi_running()) {
    MPI_Comm_free(&w.comm);
    if (w.we_started_mpi) MPI_Finalize();
  }
  w.finalized = true;
}

#else  // without MPI: a world of size 1

void barrier() { initialized_world(); }

namespace detail {
int64_t start_sum(std::shared_ptr<Buffer>, int64_t, DType) {
  THEON_FAIL(InternalError) << "start_sum in a build without MPI";
}
std::shared_ptr<Buffer> finish(int64_t) { THEON_FAIL(InternalError) << "finish in a build without MPI"; }
MinMax min_max(int64_t value) { return {value, value}; }
void broadcast_bytes(void*, int64_t, int) {}
}  // namespace detail

void finalize() {
  std::lock_guard lock(world_mutex());
  world().finalized = world().finalized || world().initialized;
}

#endif

}  // namespace theon::distributed
