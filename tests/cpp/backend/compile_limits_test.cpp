// Compiles are bounded: a compiler that hangs (or ignores SIGTERM) is killed with its
// whole process group after THEON_FLAGS cgen_timeout, its kernel stays interpreted and
// is not compiled again; a graph too large for one module stays interpreted.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "backend/cgen_support.hpp"
#include "compile/graph_kernel.hpp"
#include "theon/cache.hpp"
#include "theon/theon.hpp"

namespace theon::testing {
namespace {

namespace cgen = detail::cgen;
namespace T = tensor;
using Clock = std::chrono::steady_clock;
using detail::FusedProgram;
using detail::ScalarOpId;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Whether `pid` is gone (a zombie no one reaped yet counts as gone: it runs nothing).
bool is_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return true;
  const size_t paren = text.rfind(')');
  return paren != std::string::npos && text.size() > paren + 2 && text[paren + 2] == 'Z';
}

class CompileLimitsTest : public CgenTest {
 protected:
  void SetUp() override {
    CgenTest::SetUp();
    saved_timeout_ = config().cgen_timeout;
    pids_ = root_ + "/pids";
  }
  void TearDown() override {
    config().cgen_timeout = saved_timeout_;
    CgenTest::TearDown();
  }

  // A fake compiler that answers the version probes, then records its pid and its
  // child's and hangs; `ignore_term`: it ignores SIGTERM too.
  std::string hanging_compiler(bool ignore_term) {
    const std::string path = root_ + "/hang-cxx";
    std::ofstream(path) << "#!/bin/sh\n"
                        << "case \"$1\" in --version) echo fake-cxx 1; exit 0;;\n"
                        << "  -print-file-name=*) echo none; exit 0;; esac\n"
                        << (ignore_term ? "trap '' TERM\n" : "") << "sleep 1000 &\n"
                        << "echo $$ $! >> " << pids_ << "\nwait\nwait\n";
    ::chmod(path.c_str(), 0700);
    return path;
  }

  std::vector<pid_t> recorded_pids() const {
    std::ifstream in(pids_);
    std::vector<pid_t> pids;
    for (pid_t p; in >> p;) pids.push_back(p);
    return pids;
  }

  std::string pids_;

 private:
  double saved_timeout_ = 60;
};

TEST_F(CompileLimitsTest, HangingCompilerIsKilledWithItsProcessGroup) {
  for (bool ignore_term : {false, true}) {
    SCOPED_TRACE(ignore_term ? "ignores SIGTERM" : "plain");
    ::unlink(pids_.c_str());
    cgen::Toolchain tc;
    tc.path = hanging_compiler(ignore_term);
    const std::string src = root_ + "/k.cpp";
    std::ofstream(src) << "int x;\n";
    const auto start = Clock::now();
    const std::string error = cgen::compile_shared_object(tc, src, root_ + "/k.so", 0.3);
    const double took = seconds_since(start);
    EXPECT_EQ(error, "timed out after 0.3 s");
    EXPECT_LT(took, 2.0);
    const auto pids = recorded_pids();
    ASSERT_EQ(pids.size(), 2u) << "the fake compiler and its child";
    for (int i = 0; i < 100 && !(is_gone(pids[0]) && is_gone(pids[1])); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(is_gone(pids[0]));
    EXPECT_TRUE(is_gone(pids[1])) << "the compiler's child died with its group";
  }
}

TEST_F(CompileLimitsTest, TimedOutKernelStaysInterpretedWarnsOnceAndIsNotRetried) {
  config().cxx = hanging_compiler(false);
  config().cgen_timeout = 0.3;
  ::testing::internal::CaptureStderr();
  const auto start = Clock::now();
  auto kernel = detail::request_native_kernel(tanh_cube());
  ASSERT_NE(kernel, nullptr);
  cgen::wait_for_native_kernels();
  EXPECT_LT(seconds_since(start), 3.0);
  EXPECT_EQ(kernel->fn(), nullptr);
  EXPECT_EQ(cgen::native_stats().timed_out, 1);
  EXPECT_EQ(recorded_pids().size(), 2u) << "one compiler run (and its child)";

  // Asked again, also after every holder let go: no second compile, no second warning.
  auto again = detail::request_native_kernel(tanh_cube());
  kernel.reset();
  again.reset();
  again = detail::request_native_kernel(tanh_cube());
  cgen::wait_for_native_kernels();
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->fn(), nullptr);
  EXPECT_EQ(recorded_pids().size(), 2u) << "compiled once";
  EXPECT_EQ(cgen::native_stats().requested, 1);
  EXPECT_NE(err.find("theon: warning: compiling a generated kernel timed out after 0.3 s"),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find("warning", err.find("warning") + 1), std::string::npos) << "one warning: " << err;
  // The killed build left no temporary directory behind.
  for (const auto& e : std::filesystem::directory_iterator(cache_))
    EXPECT_NE(e.path().filename().string().rfind("tmp-", 0), 0u) << e.path();
}

TEST(CompileLimitsFlags, ParsedFromTheonFlags) {
  Config cfg;
  apply_flags(cfg, "cgen_timeout=2.5,cgen_exit_wait=0,cache_max_mb=64");
  EXPECT_EQ(cfg.cgen_timeout, 2.5);
  EXPECT_EQ(cfg.cgen_exit_wait, 0);
  EXPECT_EQ(cfg.cache_max_mb, 64);
  for (const char* bad : {"cgen_timeout=soon", "cgen_exit_wait=-1", "cache_max_mb=nan"})
    EXPECT_THROW(apply_flags(cfg, bad), ValueError) << bad;
}

// A function whose graph has more than kMaxGraphSteps compute nodes is not made one
// module (the interpreter runs it); a small one is.
TEST_F(CompileLimitsTest, GraphTooLargeForOneModuleStaysInterpreted) {
  auto requests_after_warming = [](int layers) {
    auto x = T::dmatrix("x");
    Var h = x;
    for (int i = 0; i < layers; ++i) h = T::dot(h, x);
    auto f = function({x}, h);
    const NDArray m = array({{0.5, 0.25}, {-0.25, 0.5}});
    const int before = cgen::native_stats().requested;
    for (int i = 0; i < detail::kCallsBeforePlan + 1; ++i) f(m);
    return cgen::native_stats().requested - before;
  };
  EXPECT_EQ(requests_after_warming(detail::kMaxGraphSteps + 20), 0);
  EXPECT_EQ(requests_after_warming(3), 1);
}

}  // namespace
}  // namespace theon::testing
