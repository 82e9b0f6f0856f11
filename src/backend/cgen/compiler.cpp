// The compiler driver: finds the system C++ compiler, says what identifies its output
// (path, version, flags, CPU), and runs it. Processes are started with posix_spawn,
// never through a shell, since this runs on a background thread of a process that may
// hold any number of threads.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "backend/cgen/cgen.hpp"

extern char** environ;

namespace theon::detail::cgen {
namespace {

constexpr int kTimedOut = -2;

bool is_executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::optional<std::string> find_executable(const std::string& name) {
  if (name.find('/') != std::string::npos)
    return is_executable(name) ? std::optional<std::string>(name) : std::nullopt;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (is_executable(candidate)) return candidate;
  }
  return std::nullopt;
}

std::atomic<bool> g_stop{false};

void nap(std::chrono::milliseconds& pause) {
  std::this_thread::sleep_for(pause);
  pause = std::min(pause * 2, std::chrono::milliseconds(16));
}

// Runs argv with stdout and stderr into `log_path`; returns the exit status (-1 when it
// could not start or died from a signal, kTimedOut when it ran past `timeout_s` seconds
// or stop_compilers() was called). The child leads a process group of its own, so that
// killing the group also ends what it started (cc1plus, as, ld).
int run(const std::vector<std::string>& argv, const std::string& log_path, double timeout_s) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(timeout_s));
  // Polls (1 ms, doubling to 16 ms): a compile takes a few hundred milliseconds.
  auto pause = std::chrono::milliseconds(1);
  int status = 0;
  for (;;) {
    const pid_t got = ::waitpid(pid, &status, WNOHANG);
    if (got == pid) break;
    if (got < 0 && errno != EINTR) return -1;
    if (g_stop.load(std::memory_order_relaxed) || (timeout_s > 0 && Clock::now() > deadline)) {
      // The group's leader is not reaped yet, so its id (the group's) cannot be reused.
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return kTimedOut;
    }
    nap(pause);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a short query (`cxx --version`) and returns its output's first line.
std::optional<std::string> query(const std::vector<std::string>& argv, double timeout_s) {
  char log[] = "/tmp/theon-cxx-query-XXXXXX";
  const int fd = ::mkstemp(log);
  if (fd < 0) return std::nullopt;
  ::close(fd);
  const int status = run(argv, log, timeout_s);
  std::string text = read_text(log);
  ::unlink(log);
  if (status != 0) return std::nullopt;
  return text.substr(0, text.find('\n'));
}

// The CPU model and its feature flags: what -march=native compiles for.
std::string cpu_identity() {
  std::ifstream in("/proc/cpuinfo");
  std::string model, flags;
  for (std::string line; std::getline(in, line) && (model.empty() || flags.empty());) {
    if (model.empty() && line.rfind("model name", 0) == 0) model = line;
    if (flags.empty() && line.rfind("flags", 0) == 0) flags = line;
  }
  return model + "|" + flags;
}

}  // namespace

std::string seconds_text(double s) {
  std::ostringstream os;
  os << s << " s";
  return os.str();
}

void stop_compilers(bool stop) { g_stop.store(stop); }

std::string Toolchain::identity() const {
  std::string id = path + "\n" + version + "\n" + cpu + "\n";
  for (const auto& f : flags) id += f + " ";
  for (const auto& l : libs) id += l + " ";
  return id;
}

std::optional<Toolchain> find_toolchain(const std::string& cxx, double timeout_s, std::string* why) {
  std::optional<std::string> path = find_executable(cxx);
  if (!path && cxx == "c++") path = find_executable("g++");
  if (!path && cxx == "c++") path = find_executable("clang++");
  if (!path) {
    *why = "no C++ compiler '" + cxx + "' (set THEON_FLAGS=cxx=/path/to/g++)";
    return std::nullopt;
  }
  Toolchain tc;
  tc.path = *path;
  std::optional<std::string> version = query({tc.path, "--version"}, timeout_s);
  if (!version) {
    *why = "'" + tc.path + " --version' failed or timed out";
    return std::nullopt;
  }
  tc.version = *version;
  tc.cpu = cpu_identity();
  // -fno-math-errno lets calls to the math functions be vectorized (errno is never
  // read); -fopenmp-simd honours the kernel's `#pragma omp simd` without OpenMP;
  // -ffp-contract=off rounds every op's result as the interpreter does (no a*b+c FMAs).
  tc.flags = {"-std=c++20",      "-O3",           "-march=native",       "-fPIC",
              "-shared",         "-fno-math-errno", "-fopenmp-simd",     "-ffp-contract=off",
              "-fno-exceptions", "-fno-rtti",     "-w"};
  // SLEEF's GNU-ABI library provides the vector variants GCC calls for `simd`-declared
  // math at 1 ulp (glibc's libmvec, the other provider, allows 4).
  std::optional<std::string> sleef = query({tc.path, "-print-file-name=libsleefgnuabi.so"}, timeout_s);
  if (sleef && sleef->find('/') != std::string::npos && ::access(sleef->c_str(), R_OK) == 0) {
    tc.vector_math = true;
    tc.flags.push_back("-DTHEON_VMATH=__attribute__((simd(\"notinbranch\")))");
    tc.libs.push_back("-lsleefgnuabi");
  }
  return tc;
}

std::string compile_shared_object(const Toolchain& tc, const std::string& source_path,
                                  const std::string& output_path, double timeout_s) {
  std::vector<std::string> argv{tc.path};
  argv.insert(argv.end(), tc.flags.begin(), tc.flags.end());
  argv.insert(argv.end(), {"-o", output_path, source_path});
  argv.insert(argv.end(), tc.libs.begin(), tc.libs.end());
  const std::string log_path = output_path + ".log";
  const int status = run(argv, log_path, timeout_s);
  std::string log = read_text(log_path);
  ::unlink(log_path.c_str());
  if (status == kTimedOut)
    return g_stop.load() ? "stopped at exit" : "timed out after " + seconds_text(timeout_s);
  if (status == 0 && ::access(output_path.c_str(), R_OK) == 0) return "";
  std::string first;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("error") == std::string::npos) continue;
    first = line;
    break;
  }
  if (first.empty()) first = log.substr(0, log.find('\n'));
  if (first.empty()) first = "exit status " + std::to_string(status);
  return first;
}

}  // namespace theon::detail::cgen
