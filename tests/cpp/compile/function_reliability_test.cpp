// theon::function under stress: calls from several threads, Ctrl-C (interrupt_calls),
// shared variables given as inputs, outputs that view arguments, unsigned numbers.
#include <atomic>
#include <chrono>
#include <thread>

#include "support/test_util.hpp"

namespace T = theon::tensor;
using theon::array;
using theon::function;
using theon::shared;
using theon::testing::throws_with;

namespace theon {
namespace {

TEST(FunctionThreads, OneFunctionCalledFromSeveralThreads) {
  auto x = T::dvector("x");
  auto count = shared(0, "count");
  auto f = function({x}, T::sum(T::exp(x) * 2.0) + T::sum(x), {{count, count + 1}});
  constexpr int kThreads = 4, kCalls = 300;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([f, t, &wrong] {  // a copy of the handle: the same function
      const double v = t;
      NDArray arg = array({v, v, v});
      const double want = 3 * (2 * std::exp(v) + v);
      for (int i = 0; i < kCalls; ++i)
        if (std::abs(f(arg).array().item<double>() - want) > 1e-9) ++wrong;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(count.get_value().item<int64_t>(), kThreads * kCalls);
}

TEST(FunctionThreads, FunctionsSharingAScanRunInParallel) {
  auto xs = T::dvector("xs");
  auto h0 = T::dscalar("h0");
  auto r = scan([](std::span<const Var> a) { return a[1] * 0.5 + a[0]; }, {xs}, {ScanOutputInfo(h0)});
  // Two functions over the same Scan op (compiled from one graph).
  auto f = function({xs, h0}, r.outputs[0]);
  auto g = function({xs, h0}, r.outputs[0] * 1.0);
  NDArray seq = NDArray::zeros(DType::Float64, {200});
  std::atomic<int> wrong{0};
  auto work = [&](const Function& fn) {
    for (int i = 0; i < 200; ++i) {
      NDArray out = fn(seq, 8.0);
      if (std::abs(out.at<double>({199}) - 8.0 * std::pow(0.5, 200)) > 1e-12 ||
          std::abs(out.at<double>({0}) - 4.0) > 1e-12)
        ++wrong;
    }
  };
  std::thread a(work, f), b(work, g);
  a.join();
  b.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(FunctionThreads, UpdatesAndReadsOfOneSharedVariableInParallel) {
  auto w = shared(array({1.0, 1.0, 1.0, 1.0}), "w");
  auto bump = function({}, std::vector<Var>{}, {{w, w + 1.0}});
  auto read = function({}, T::sum(w));
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) bump();
  });
  double last = 0;
  bool monotone = true;
  for (int i = 0; i < 2000; ++i) {
    const double v = read().array().item<double>();
    monotone = monotone && v >= last;
    last = v;
  }
  writer.join();
  EXPECT_TRUE(monotone);
  EXPECT_EQ(read().array().item<double>(), 4.0 * 2001);
}

// A scan of `n` cheap steps: long enough to interrupt, with an update to check.
struct LongScan {
  Var n = T::lscalar("n");
  SharedVar total = shared(0.0, "total");
  Function f;
  LongScan() {
    auto h0 = T::dscalar("h0");
    auto r = scan([](std::span<const Var> a) { return a[0] * 0.5 + 1.0; }, {}, {ScanOutputInfo(h0)}, {},
                  {.n_steps = VarArg(n)});
    auto last = T::index(r.outputs[0], {-1});
    f = function({n, h0}, last, {{total, total + last}});
  }
};

TEST(FunctionInterrupt, StopsARunningCallWithoutCommitting) {
  LongScan s;
  EXPECT_NEAR(s.f(int64_t{10}, 0.0).array().item<double>(), 2.0, 1e-2);
  const double before = s.total.get_value().item<double>();
  std::atomic<bool> started{false};
  std::thread stopper([&] {
    while (!started.load()) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    interrupt_calls();
  });
  const auto t0 = std::chrono::steady_clock::now();
  started = true;
  EXPECT_THROW(s.f(int64_t{2'000'000'000}, 0.0), Interrupted);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stopper.join();
  EXPECT_LT(seconds, 5.0);
  EXPECT_EQ(s.total.get_value().item<double>(), before);
  // The interrupt is not sticky: the next call runs.
  EXPECT_NEAR(s.f(int64_t{10}, 0.0).array().item<double>(), 2.0, 1e-2);
}

TEST(FunctionInputs, SharedVariableAsInputIsRefused) {
  auto w = shared(array({1.0, 2.0, 3.0}), "w");
  EXPECT_TRUE(throws_with<TypeError>([&] { function({w}, w * 2.0); }, {"givens"}));
}

TEST(FunctionInputs, BigUnsignedNumbersNeverWrap) {
  auto d = T::dscalar("d");
  auto l = T::lscalar("l");
  auto fd = function({d}, d * 1.0);
  auto fl = function({l}, l * 1);
  const uint64_t big = UINT64_MAX;
  EXPECT_EQ(fd(big).array().item<double>(), 18446744073709551616.0);
  EXPECT_THROW(fl(big), TypeError);
  EXPECT_EQ(fl(uint64_t{5}).array().item<int64_t>(), 5);
}

TEST(FunctionViews, OutputViewingAnArgumentIsCopied) {
  auto x = T::dvector("x");
  auto f = function({x}, T::index(x, {T::slice({}, {}, -1)}));
  NDArray a = array({1.0, 2.0, 3.0});
  NDArray y = f(a);
  a.fill(0.0);
  EXPECT_ALLCLOSE(y, array({3.0, 2.0, 1.0}));
}

TEST(FunctionViews, BorrowedOutputMayViewTheArgument) {
  auto x = T::dvector("x");
  FunctionOptions options;
  options.borrow_outputs = {true};
  auto f = function({x}, T::index(x, {T::slice({}, {}, -1)}), {}, options);
  NDArray a = array({1.0, 2.0, 3.0});
  NDArray y = f(a);
  EXPECT_EQ(y.buffer(), a.buffer());
}

TEST(FunctionViews, ViewOfAConstantIsCopiedEvenUnoptimized) {
  auto c = constant(array({1.0, 2.0, 3.0}));
  auto x = T::dscalar("x");
  FunctionOptions options;
  options.mode = "NONE";
  options.borrow_outputs = {true};
  auto f = function({}, T::index(c, {T::slice({}, {}, -1)}), {}, options);
  NDArray y = f();
  y.fill(7.0);
  EXPECT_ALLCLOSE(f(), array({3.0, 2.0, 1.0}));
  auto g = function({x}, c + x, {}, {.mode = "NONE"});
  EXPECT_ALLCLOSE(g(0.0), array({1.0, 2.0, 3.0}));
}

TEST(FunctionViews, UpdateViewingAnArgumentIsCopied) {
  auto w = shared(array({0.0, 0.0}), "w");
  auto x = T::dvector("x");
  auto f = function({x}, std::vector<Var>{}, {{w, T::index(x, {T::slice({}, {}, -1)})}});
  NDArray a = array({1.0, 2.0});
  f(a);
  a.fill(9.0);
  EXPECT_ALLCLOSE(w.get_value(), array({2.0, 1.0}));
}

TEST(FunctionViews, ComputedOutputsAreNotCopied) {
  auto x = T::dvector("x");
  auto f = function({x}, x * 2.0);
  std::vector<NDArray> outs;
  NDArray a = array({1.0, 2.0});
  f.call_into(std::vector<Arg>{Arg(a)}, outs);
  const void* first = outs[0].raw();
  f.call_into(std::vector<Arg>{Arg(a)}, outs);
  EXPECT_EQ(outs[0].raw(), first);  // the slot's buffer, reused: no copy was made
}

TEST(FunctionCommit, ConversionFailureBeforeCommitLeavesUpdates) {
  auto w = shared(1.0, "w");
  auto x = T::dscalar("x");
  auto f = function({x}, x + w, {{w, w + 1.0}});
  CallHooks hooks;
  hooks.before_commit = [](void*, std::vector<NDArray>&) { throw ValueError("cannot convert"); };
  std::vector<NDArray> outs;
  const Arg args[] = {Arg(2.0)};
  EXPECT_THROW(f.call_into(args, outs, hooks), ValueError);
  EXPECT_EQ(w.get_value().item<double>(), 1.0);
  EXPECT_TRUE(outs.empty());
  f.call_into(args, outs);
  EXPECT_EQ(w.get_value().item<double>(), 2.0);
}

}  // namespace
}  // namespace theon
