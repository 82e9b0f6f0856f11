// Deep graphs: every graph algorithm walks with explicit stacks, so very long chains
// build, differentiate, compile, run and are freed. The bodies run on a thread with a
// small stack, where a recursion on depth that happens to fit in the default 8 MiB
// would still fail.
#include <pthread.h>

#include <cmath>
#include <exception>
#include <functional>

#include "support/test_util.hpp"
#include "theon/clone.hpp"
#include "theon/fgraph.hpp"

namespace T = theon::tensor;

namespace theon {
namespace {

// Runs `body` on a new thread with a stack of `bytes`, and rethrows what it throws.
void on_small_stack(const std::function<void()>& body, size_t bytes = 512 << 10) {
  struct Job {
    const std::function<void()>* body;
    std::exception_ptr error;
  } job{&body, nullptr};
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, bytes), 0);
  pthread_t thread;
  auto run = [](void* p) -> void* {
    auto* j = static_cast<Job*>(p);
    try {
      (*j->body)();
    } catch (...) {
      j->error = std::current_exception();
    }
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, run, &job), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  if (job.error) std::rethrow_exception(job.error);
}

Var add_chain(const Var& x, int n) {
  Var y = x;
  for (int i = 0; i < n; ++i) y = y + 1.0;
  return y;
}

TEST(DeepGraph, MillionNodeChainBuildsDifferentiatesAndIsFreed) {
  on_small_stack([] {
    auto x = T::dscalar("x");
    Var y = add_chain(x, 1000000);
    Var g = T::grad(y, x);
    ASSERT_TRUE(g.defined());
    EXPECT_EQ(g.dtype(), DType::Float64);
    // Dropping the last handles frees two million nodes, one at a time.
    y = Var();
    g = Var();
  });
}

TEST(DeepGraph, FreeingAChainUsesConstantStack) {
  // A tiny stack: freeing must not take a frame per node.
  Var y;
  on_small_stack([&] { y = add_chain(T::dvector("x"), 300000); });
  on_small_stack([&] { y = Var(); }, 128 << 10);
}

TEST(DeepGraph, AddChainCompilesToOneSumAndRuns) {
  on_small_stack([] {
    auto x = T::dscalar("x");
    Var y = add_chain(x, 100000);
    Function f = function({x}, {y, T::grad(y, x)});
    auto r = f(0.5);
    EXPECT_DOUBLE_EQ(r[0].item<double>(), 100000.5);
    EXPECT_DOUBLE_EQ(r[1].item<double>(), 1.0);
    EXPECT_LE(f.fgraph().n_nodes(), 4u) << "the chain gathers into one sum";
  });
}

// y = tanh(y) * 1.0001 and y = (y + 0.25) * 0.5 alternately, `n` times; with the
// derivative (computed alongside in plain C++) when `slope` is given.
double mix_reference(double v, int n, double* slope = nullptr) {
  double d = 1;
  for (int i = 0; i < n; ++i) {
    if (i % 2) {
      d *= (1 - std::tanh(v) * std::tanh(v)) * 1.0001;
      v = std::tanh(v) * 1.0001;
    } else {
      d *= 0.5;
      v = (v + 0.25) * 0.5;
    }
  }
  if (slope) *slope = d;
  return v;
}

Var mix_chain(const Var& x, int n) {
  Var y = x;
  for (int i = 0; i < n; ++i) y = i % 2 ? T::tanh(y) * 1.0001 : (y + 0.25) * 0.5;
  return y;
}

TEST(DeepGraph, UnaryBinaryMixCompilesAndRuns) {
  on_small_stack([] {
    auto x = T::dvector("x");
    NDArray in = testing::random_array({3});
    constexpr int n = 20000;
    NDArray r = function({x}, mix_chain(x, n))(in);
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(r.at<double>({k}), mix_reference(in.at<double>({k}), n), 1e-9);
    // With the gradient, a shorter chain: fusion's convexity checks make it slower.
    constexpr int m = 1500;
    Var y = mix_chain(x, m);
    auto both = function({x}, {y, T::grad(T::sum(y), x)})(in);
    for (int k = 0; k < 3; ++k) {
      double slope = 0;
      EXPECT_NEAR(both[0].at<double>({k}), mix_reference(in.at<double>({k}), m, &slope), 1e-9);
      EXPECT_NEAR(both[1].at<double>({k}), slope, 1e-12);
    }
  });
}

TEST(DeepGraph, CloneFgraphAndReplaceWalkDeepChains) {
  on_small_stack([] {
    constexpr int n = 100000;
    auto x = T::dscalar("x"), z = T::dscalar("z");
    Var y = x;
    for (int i = 0; i < n; ++i) y = T::exp(y) * 0.5;
    Var moved = clone(y, {{x, z}});
    FunctionGraph fg({z}, {moved});
    EXPECT_EQ(fg.toposort().size(), 2u * n);
    EXPECT_EQ(fg.variables().size(), 3u * n + 1);  // z, and per node its 0.5 and two outputs
    // Replacing the innermost node's input by a constant drops nothing; replacing the
    // output drops the whole chain, one node at a time.
    fg.replace(fg.outputs()[0], T::exp(fg.inputs()[0]));
    EXPECT_EQ(fg.n_nodes(), 1u);
    fg.check_integrity();
  });
}

TEST(DeepGraph, MergedConstantWithManyReadersIsCheapToRewrite) {
  // One constant read by every node of the chain (after merge): each node removed by a
  // rewrite must not search the constant's whole reader list.
  on_small_stack([] {
    constexpr int n = 30000;
    auto x = T::dvector("x");
    Var y = x;
    for (int i = 0; i < n; ++i) y = T::tanh(y) * 1.0001;
    Function f = function({x}, y);
    NDArray in = testing::random_array({2});
    NDArray r = f(in);
    for (int k = 0; k < 2; ++k) {
      double v = in.at<double>({k});
      for (int i = 0; i < n; ++i) v = std::tanh(v) * 1.0001;
      EXPECT_NEAR(r.at<double>({k}), v, 1e-9);
    }
  });
}

TEST(DeepGraph, PrintingADeepChainIsLinear) {
  on_small_stack([] {
    constexpr int n = 100000;
    auto x = T::dscalar("x");
    Var y = add_chain(x, n);
    std::string text = pp(y);
    EXPECT_EQ(text.size(), n * std::string("( + 1.0)").size() + 1);
    EXPECT_EQ(text.substr(text.size() - 7), " + 1.0)") << text.substr(text.size() - 20);
    EXPECT_LE(pp(y, 80).size(), 80u);
    EXPECT_NE(describe(y).find("..."), std::string::npos);
    EXPECT_NE(debugprint(T::exp(x) + 1.0).find("exp"), std::string::npos);
  });
}

}  // namespace
}  // namespace theon
