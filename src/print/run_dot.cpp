// write_graph_picture / render_graph: Graphviz's `dot` as a child process.
//
// dot is looked up on PATH at each call (so installing graphviz needs no rebuild), fed
// the DOT text on stdin, and its stdout and stderr are read with poll() while writing,
// so a large graph or a chatty dot never deadlocks on a full pipe.
// The DOT text of a graph can be large, so a dot that dies mid-way must not take the
// process with it (SIGPIPE, see run_dot).
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "print/theano_names.hpp"
#include "theon/print.hpp"

extern char** environ;

namespace theon {
namespace {

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  const std::string dirs = path ? path : "";
  if (dirs.empty()) return {};  // no PATH: nothing to search
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    // An empty entry is the current directory, as for the shell.
    const std::string dir = end > start ? dirs.substr(start, end - start) : std::string(1, '.');
    const std::string candidate = detail::cat({dir, "/", program});
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return {};
}

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0) throw std::runtime_error(detail::cat({"graphviz: pipe: ", std::strerror(errno)}));
  }
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  void close(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
};

// Runs `dot args...` with `input` on stdin; returns its stdout; throws with its stderr
// when it fails.
std::string run_dot(const std::vector<std::string>& args, const std::string& input) {
  const std::string dot = find_on_path("dot");
  if (dot.empty()) {
    const char* path = std::getenv("PATH");
    throw std::runtime_error(
        detail::cat({"graph pictures need Graphviz's `dot` program, which is not on PATH (PATH=", path ? path : "",
                     "); install Debian's package graphviz (apt-get install graphviz), or use format='dot' for the "
                     "text"}));
  }
  Pipe in, out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  std::vector<std::string> argv_text = {dot};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, dot.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(detail::cat({"graphviz: cannot start ", dot, ": ", std::strerror(rc)}));
  in.close(0);
  out.close(1);
  err.close(1);

  std::string stdout_text, stderr_text;
  size_t written = 0;
  if (input.empty()) in.close(1);
  // A dot that exits early must not kill us with SIGPIPE: blocked in this thread only (a
  // process-wide SIG_IGN would race with other threads), writes fail with EPIPE, and a
  // SIGPIPE left pending is taken before unblocking.
  sigset_t pipe_signal, previous_mask;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous_mask);
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    pollfd fds[3];
    int n = 0;
    if (in.fd[1] >= 0) fds[n++] = {in.fd[1], POLLOUT, 0};
    if (out.fd[0] >= 0) fds[n++] = {out.fd[0], POLLIN, 0};
    if (err.fd[0] >= 0) fds[n++] = {err.fd[0], POLLIN, 0};
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == in.fd[1]) {
        const ssize_t w = ::write(in.fd[1], input.data() + written, std::min<size_t>(input.size() - written, 65536));
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EINTR && errno != EAGAIN) in.close(1);
        if (written == input.size()) in.close(1);
      } else {
        char buffer[65536];
        const ssize_t r = ::read(fds[i].fd, buffer, sizeof buffer);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
          out.fd[0] == fds[i].fd ? out.close(0) : err.close(0);
          continue;
        }
        (fds[i].fd == out.fd[0] ? stdout_text : stderr_text).append(buffer, static_cast<size_t>(r));
      }
    }
  }
  in.close(1);
  const timespec no_wait{0, 0};
  while (::sigtimedwait(&pipe_signal, nullptr, &no_wait) > 0) {
  }
  ::pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string how = WIFEXITED(status) ? detail::cat({"exit status ", std::to_string(WEXITSTATUS(status))})
                                              : detail::cat({"signal ", std::to_string(WTERMSIG(status))});
    throw std::runtime_error(detail::cat({"graphviz: ", dot, " failed (", how, "): ",
                                          stderr_text.empty() ? std::string_view("no message") : stderr_text}));
  }
  return stdout_text;
}

}  // namespace

std::string render_graph(const std::string& dot_text, const std::string& format) {
  if (format == "dot" || format == "raw") return dot_text;
  return run_dot({detail::cat({"-T", format})}, dot_text);
}

void write_graph_picture(const std::string& dot_text, const std::string& path, const std::string& format) {
  if (format == "dot" || format == "raw") {
    std::ofstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(detail::cat({"write_graph_picture: cannot write ", path, ": ", std::strerror(errno)}));
    file << dot_text;
    if (!file.flush()) throw std::runtime_error(detail::cat({"write_graph_picture: writing ", path, " failed"}));
    return;
  }
  run_dot({detail::cat({"-T", format}), "-o", path}, dot_text);
}

}  // namespace theon
