// The OpenBLAS core selection (ops/blas_setup.hpp): what load time did, idempotence,
// blas_coretype=keep and OPENBLAS_CORETYPE respected (checked in child processes, since
// the choice is made while the library loads), and products that match a naive
// reference under each core. The switch itself is asserted only on a CPU with AVX-512
// whose OpenBLAS picked an older core; elsewhere the same tests check that nothing moved.
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ops/blas_setup.hpp"
#include "support/test_util.hpp"
#include "theon/theon.hpp"

namespace T = theon::tensor;
using namespace theon;
using namespace theon::testing;
using detail::blas_core_name;
using detail::blas_setup_at_load;
using detail::BlasSetup;
using detail::setup_blas;

namespace {

bool is_avx512_core(const std::string& core) {
  return core == "SkylakeX" || core == "Cooperlake" || core == "SapphireRapids";
}

bool user_set_coretype() { return std::getenv("OPENBLAS_CORETYPE") != nullptr; }

// alpha * op(X) op(Y) + beta * z (a bias row), summed in double from the stored arrays.
NDArray naive(const NDArray& xs, bool tx, const NDArray& ys, bool ty, double alpha,
              const NDArray* z, double beta, DType dtype) {
  const NDArray x = xs.astype(DType::Float64).contiguous();
  const NDArray y = ys.astype(DType::Float64).contiguous();
  const int64_t m = tx ? x.shape(1) : x.shape(0), k = tx ? x.shape(0) : x.shape(1);
  const int64_t n = ty ? y.shape(0) : y.shape(1);
  const double* px = x.data<double>();
  const double* py = y.data<double>();
  std::vector<double> out(static_cast<size_t>(m * n));
  NDArray zd = z ? z->astype(DType::Float64).contiguous() : NDArray();
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p) {
        const double a = tx ? px[p * m + i] : px[i * k + p];
        const double b = ty ? py[j * k + p] : py[p * n + j];
        acc += a * b;
      }
      out[static_cast<size_t>(i * n + j)] = alpha * acc + (z ? beta * zd.data<double>()[j] : 0);
    }
  }
  return array(out, {m, n}).astype(dtype);
}

// Products through function() under FAST_RUN: plain dot (Dot, blas_kernel.cpp) and a
// scaled sum with a bias row (Gemm, gemm.cpp), each operand stored as is or transposed.
// The sizes are above OpenBLAS's threading threshold and not multiples of any kernel's
// tile, so edge tiles and both threads run.
void expect_products_match(DType dtype) {
  SCOPED_TRACE(std::string(dtype_name(dtype)) + " under OpenBLAS core " + blas_core_name());
  const double tol = dtype == DType::Float32 ? 2e-4 : 1e-11;
  // Small sizes take OpenBLAS's small-matrix kernels (one thread); the others its
  // blocked, threaded path.
  const std::array<std::array<int64_t, 3>, 3> sizes = {{{5, 3, 7}, {131, 77, 93}, {210, 150, 64}}};
  for (bool tx : {false, true}) {
    for (bool ty : {false, true}) {
      SCOPED_TRACE(std::string("transposed x: ") + (tx ? "yes" : "no") +
                   ", transposed y: " + (ty ? "yes" : "no"));
      Var xs = T::tensor(dtype, {false, false}, "xs"), ys = T::tensor(dtype, {false, false}, "ys");
      Var b = T::tensor(dtype, {false}, "b");
      Var x = tx ? T::transpose(xs) : xs;
      Var y = ty ? T::transpose(ys) : ys;
      Var alpha = T::cast(theon::constant(array(0.5)), dtype);
      Function plain = theon::function({xs, ys}, T::dot(x, y));
      Function scaled = theon::function({xs, ys, b}, b - alpha * T::dot(x, y));
      for (const auto& [m, k, n] : sizes) {
        const NDArray xv = random_array(tx ? Shape{k, m} : Shape{m, k}, dtype, -1, 1, 3);
        const NDArray yv = random_array(ty ? Shape{n, k} : Shape{k, n}, dtype, -1, 1, 4);
        const NDArray bv = random_array({n}, dtype, -1, 1, 5);
        EXPECT_ALLCLOSE(plain(xv, yv).array(), naive(xv, tx, yv, ty, 1, nullptr, 0, dtype), tol,
                        tol);
        EXPECT_ALLCLOSE(scaled(xv, yv, bv).array(), naive(xv, tx, yv, ty, -0.5, &bv, 1, dtype),
                        tol, tol);
      }
    }
  }
}

// Runs this test binary again under `env OPTIONS` (unsets first, then assignments) and
// returns the load-time setup the child printed ("before|core|switched|reason"), or ""
// when it printed none.
std::string child_setup(const std::string& options) {
  std::array<char, 4096> exe{};
  const ssize_t len = readlink("/proc/self/exe", exe.data(), exe.size() - 1);
  if (len <= 0) return "";
  const std::string cmd = "env " + options + " THEON_BLAS_SETUP_CHILD=1 '" +
                          std::string(exe.data(), static_cast<size_t>(len)) +
                          "' --gtest_filter=BlasSetup.ChildReport 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return "";
  std::string out, line;
  std::array<char, 512> buf{};
  while (fgets(buf.data(), buf.size(), pipe)) {
    line = buf.data();
    if (line.rfind("blas_setup:", 0) == 0) out = line.substr(11, line.find('\n') - 11);
  }
  pclose(pipe);
  return out;
}

// OPENBLAS_CORETYPE removed for the scope (restored after), so that auto may switch in
// this process: this project's machines set it for every process.
class WithoutUserCoretype {
 public:
  WithoutUserCoretype() {
    if (const char* v = std::getenv("OPENBLAS_CORETYPE")) {
      saved_ = v;
      had_ = true;
      ::unsetenv("OPENBLAS_CORETYPE");
    }
  }
  ~WithoutUserCoretype() {
    if (had_) ::setenv("OPENBLAS_CORETYPE", saved_.c_str(), 1);
  }
  WithoutUserCoretype(const WithoutUserCoretype&) = delete;
  WithoutUserCoretype& operator=(const WithoutUserCoretype&) = delete;

 private:
  std::string saved_;
  bool had_ = false;
};

std::string describe(const BlasSetup& s) {
  return s.core_before + "|" + s.core + "|" + (s.switched ? "1" : "0") + "|" + s.reason;
}

}  // namespace

// Not a test of its own: what the child processes of LoadTime* print.
TEST(BlasSetup, ChildReport) {
  if (!std::getenv("THEON_BLAS_SETUP_CHILD")) GTEST_SKIP() << "runs as a child of LoadTime*";
  std::printf("blas_setup:%s\n", describe(blas_setup_at_load()).c_str());
}

TEST(BlasSetup, LoadTimeChoice) {
  const BlasSetup& s = blas_setup_at_load();
  SCOPED_TRACE(describe(s));
  if (!detail::blas_can_switch()) {
    EXPECT_FALSE(s.switched) << "no OpenBLAS core to switch";
    return;
  }
  EXPECT_EQ(s.core, blas_core_name());
  if (config().blas_coretype != "auto") return;
  if (user_set_coretype()) {
    EXPECT_FALSE(s.switched);
    EXPECT_EQ(s.reason, "OPENBLAS_CORETYPE is set");
  } else if (!detail::cpu_has_avx512()) {
    EXPECT_FALSE(s.switched);
    EXPECT_FALSE(is_avx512_core(s.core)) << "AVX-512 kernels on a CPU without AVX-512";
  } else {
    EXPECT_TRUE(is_avx512_core(s.core));
    EXPECT_EQ(s.switched, !is_avx512_core(s.core_before));
  }
}

TEST(BlasSetup, IdempotentAndKeep) {
  const std::string now = blas_core_name();
  if (config().blas_coretype == "auto") {  // what load time did, done again
    const BlasSetup again = setup_blas("auto");
    EXPECT_FALSE(again.switched) << describe(again);
    EXPECT_EQ(blas_core_name(), now);
  }
  const BlasSetup same = setup_blas(now.empty() ? "auto" : now);
  EXPECT_FALSE(same.switched) << describe(same);
  const BlasSetup keep = setup_blas("keep");
  EXPECT_FALSE(keep.switched);
  EXPECT_EQ(keep.core, now);
  EXPECT_EQ(keep.reason, "blas_coretype=keep");
  EXPECT_EQ(blas_core_name(), now);
  const BlasSetup unknown = setup_blas("NoSuchCore");
  EXPECT_FALSE(unknown.switched);
  EXPECT_EQ(blas_core_name(), now);
}

// Child processes, since the choice is made while the library loads. Prescott and Core2
// (SSE3, SSSE3) are cores every x86-64 CPU of the last 15 years runs; the children only
// load OpenBLAS and print.
TEST(BlasSetup, LoadTimeRespectsKeepAndUserCoretype) {
  const BlasSetup& s = blas_setup_at_load();
  if (!detail::blas_can_switch()) GTEST_SKIP() << "not a DYNAMIC_ARCH OpenBLAS";
  // keep: the child's OpenBLAS stays on the core it picked itself, as the parent's did.
  EXPECT_EQ(child_setup("THEON_FLAGS=blas_coretype=keep"),
            s.core_before + "|" + s.core_before + "|0|blas_coretype=keep");
  // A THEON_FLAGS that does not parse leaves OpenBLAS alone (its error comes at first use).
  EXPECT_EQ(child_setup("THEON_FLAGS=no_such_flag=1,blas_coretype=SkylakeX"),
            s.core_before + "|" + s.core_before + "|0|THEON_FLAGS unreadable");
  // The user's OPENBLAS_CORETYPE wins over auto...
  EXPECT_EQ(child_setup("OPENBLAS_CORETYPE=Prescott THEON_FLAGS=blas_coretype=auto"),
            "Prescott|Prescott|0|OPENBLAS_CORETYPE is set");
  // ... and a named core over OPENBLAS_CORETYPE (names in any case).
  EXPECT_EQ(child_setup("OPENBLAS_CORETYPE=Core2 THEON_FLAGS=blas_coretype=prescott"),
            "Core2|Prescott|1|selected Prescott");
  // Left alone, auto ends on AVX-512 kernels exactly where the CPU has AVX-512.
  const std::string clean = child_setup("-u OPENBLAS_CORETYPE THEON_FLAGS=blas_coretype=auto");
  const size_t bar = clean.find('|');
  ASSERT_NE(bar, std::string::npos) << clean;
  const std::string core = clean.substr(bar + 1, clean.find('|', bar + 1) - bar - 1);
  EXPECT_EQ(is_avx512_core(core), detail::cpu_has_avx512()) << clean;
}

TEST(BlasSetup, ProductsMatchReferenceUnderEachCore) {
  const std::string start = blas_core_name();
  expect_products_match(DType::Float32);
  expect_products_match(DType::Float64);
  if (!detail::blas_can_switch() || !__builtin_cpu_supports("avx2") ||
      !__builtin_cpu_supports("fma"))
    return;
  // To AVX2 kernels by name, then back to AVX-512 ones with auto where the CPU has them.
  const BlasSetup down = setup_blas("Haswell");
  EXPECT_EQ(blas_core_name(), "Haswell") << describe(down);
  expect_products_match(DType::Float32);
  expect_products_match(DType::Float64);
  {
    WithoutUserCoretype clean;
    const BlasSetup up = setup_blas("auto");
    if (detail::cpu_has_avx512()) {
      EXPECT_TRUE(up.switched) << describe(up);
      EXPECT_EQ(blas_core_name(), "SkylakeX");
      expect_products_match(DType::Float32);
      expect_products_match(DType::Float64);
      const BlasSetup again = setup_blas("auto");
      EXPECT_FALSE(again.switched) << describe(again);
    } else {
      EXPECT_FALSE(up.switched) << describe(up);
      EXPECT_EQ(blas_core_name(), "Haswell");
    }
  }
  setup_blas(start);
  EXPECT_EQ(blas_core_name(), start);
}
