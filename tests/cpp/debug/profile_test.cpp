// Profiling (theon/profile.hpp): FunctionOptions::profile records calls, per-node times,
// compile phases and the memory peak; summary() prints Theano's sections.
#include <chrono>

#include "support/test_util.hpp"
#include "theon/profile.hpp"

namespace T = theon::tensor;
using theon::array;
using theon::function;
using theon::testing::random_array;

namespace theon {
namespace {

FunctionOptions profiled(const std::shared_ptr<ProfileStats>& stats, std::string name = "f") {
  FunctionOptions o;
  o.profile = stats;
  o.name = std::move(name);
  return o;
}

TEST(Profile, CountsCallsAndEveryNodeExactly) {
  auto stats = std::make_shared<ProfileStats>();
  auto x = T::dmatrix("x");
  auto w = T::dmatrix("w");
  auto f = function({x, w}, T::sum(T::tanh(T::dot(x, w))), {}, profiled(stats));
  const NDArray a = random_array({8, 5}), b = random_array({5, 3}, DType::Float64, -1, 1, 1);
  for (int i = 0; i < 7; ++i) f(a, b);
  EXPECT_EQ(stats->fct_callcount, 7);
  ASSERT_EQ(stats->nodes.size(), f.fgraph().n_nodes());
  ASSERT_FALSE(stats->nodes.empty());
  for (const NodeProfile& n : stats->nodes) {
    EXPECT_EQ(n.calls, 7) << n.description;
    EXPECT_GT(n.time, 0) << n.description;
    EXPECT_EQ(n.function, "f");
  }
  // Ids are the run order, 0..n-1.
  for (size_t i = 0; i < stats->nodes.size(); ++i) EXPECT_EQ(stats->nodes[i].id, static_cast<int>(i));
}

TEST(Profile, NodeTimesSumWithinTheCallTime) {
  auto stats = std::make_shared<ProfileStats>();
  auto x = T::dmatrix("x");
  auto w = T::dmatrix("w");
  auto f = function({x, w}, T::dot(T::tanh(T::dot(x, w)), w), {}, profiled(stats));
  const NDArray a = random_array({200, 200}), b = random_array({200, 200}, DType::Float64, -1, 1, 1);
  for (int i = 0; i < 20; ++i) f(a, b);
  const double nodes = stats->apply_time();
  EXPECT_GT(nodes, 0);
  EXPECT_LE(nodes, stats->fct_call_time);
  // Matrix products dominate: the nodes are within 10 % of the call.
  EXPECT_GT(nodes, 0.9 * stats->fct_call_time) << stats->summary();
}

TEST(Profile, RecordsTheInputsShapesAndHowNodesRan) {
  auto stats = std::make_shared<ProfileStats>();
  auto x = T::dmatrix("x");
  auto w = T::dmatrix("w");
  auto f = function({x, w}, T::exp(T::dot(x, w)) + 1, {}, profiled(stats));
  f(random_array({4, 3}), random_array({3, 2}));
  bool saw_dot = false;
  for (const NodeProfile& n : stats->nodes) {
    EXPECT_TRUE(n.impl == "C" || n.impl == "N" || n.impl == "I") << n.impl;
    if (n.description.find("x") != std::string::npos && n.inputs.size() >= 2 &&
        n.inputs[0] == "float64 (4, 3)") {
      saw_dot = true;
      EXPECT_EQ(n.inputs[1], "float64 (3, 2)");
    }
  }
  EXPECT_TRUE(saw_dot) << stats->summary();
}

TEST(Profile, AggregatesByClassAndOp) {
  auto stats = std::make_shared<ProfileStats>();
  auto x = T::dvector("x");
  // Two reductions of different axes: two nodes, one op class.
  auto m = T::dmatrix("m");
  auto f = function({m, x}, {T::sum(m, {0}) + x, T::sum(m, {1})}, {},
                    profiled(stats));
  for (int i = 0; i < 3; ++i) f(random_array({3, 3}), random_array({3}));
  int64_t calls = 0;
  double time = 0;
  int applies = 0;
  for (const auto& row : stats->by_class()) {
    calls += row.calls;
    time += row.time;
    applies += row.n_apply;
    EXPECT_EQ(row.calls % 3, 0) << row.name;
  }
  EXPECT_EQ(applies, static_cast<int>(stats->nodes.size()));
  EXPECT_EQ(calls, 3 * static_cast<int64_t>(stats->nodes.size()));
  EXPECT_NEAR(time, stats->apply_time(), 1e-12);
  // Sorted by time, the most first.
  const auto ops = stats->by_op();
  for (size_t i = 1; i < ops.size(); ++i) EXPECT_GE(ops[i - 1].time, ops[i].time);
}

TEST(Profile, CompilePhasesArePresent) {
  auto stats = std::make_shared<ProfileStats>();
  auto x = T::dvector("x");
  auto f = function({x}, T::log(1 + T::exp(x)), {}, profiled(stats));
  std::vector<std::string> names;
  for (const auto& [phase, seconds] : stats->compile_phases) {
    names.push_back(phase);
    EXPECT_GE(seconds, 0) << phase;
  }
  for (const char* want : {"build graph", "canonicalize", "stabilize", "specialize", "fusion", "build vm"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  double sum = 0;
  for (const auto& [phase, seconds] : stats->compile_phases) sum += seconds;
  EXPECT_GT(stats->compile_time, 0);
  EXPECT_LE(sum, stats->compile_time * 1.0001);
  EXPECT_GT(stats->optimizer_time(), 0);
}

TEST(Profile, MemoryPeakCountsLiveIntermediates) {
  auto stats = std::make_shared<ProfileStats>();
  auto x = T::dmatrix("x");
  // Two 100x100 float64 products alive at once (both read by the last add): 2 x 80 000
  // bytes at least; the output itself too.
  auto a = T::dot(x, x);
  auto b = T::dot(x, T::transpose(x));
  auto f = function({x}, T::dot(a, b), {}, profiled(stats));
  f(random_array({100, 100}));
  EXPECT_GE(stats->memory_peak, 2 * 80000);
  EXPECT_LE(stats->memory_peak, 4 * 80000 + 4096);
}

TEST(Profile, UnprofiledFunctionRecordsNothingAndSummaryHasTheSections) {
  auto stats = std::make_shared<ProfileStats>("train step");
  auto x = T::dmatrix("x");
  auto g = function({x}, T::exp(x));
  g(random_array({2, 2}));
  EXPECT_EQ(stats->fct_callcount, 0);
  auto f = function({x}, T::dot(x, x) * 2, {}, profiled(stats, "step"));
  f(random_array({3, 3}));
  const std::string s = stats->summary();
  for (const char* section : {"Function profiling", "Message: train step", "Time in 1 calls",
                              "Total compile time", "Class\n---", "Ops\n---", "Apply\n------",
                              "<% time> <sum %> <apply time> <time per call>", "input 0: float64 (3, 3)",
                              "Memory Profile", "canonicalize"})
    EXPECT_NE(s.find(section), std::string::npos) << section << "\n" << s;
}

TEST(Profile, SharedStatsAddUpAcrossFunctions) {
  auto stats = std::make_shared<ProfileStats>();
  auto x = T::dvector("x");
  auto f = function({x}, T::exp(x), {}, profiled(stats, "f"));
  auto g = function({x}, T::sum(x), {}, profiled(stats, "g"));
  f(random_array({4}));
  g(random_array({4}));
  g(random_array({4}));
  EXPECT_EQ(stats->fct_callcount, 3);
  EXPECT_EQ(stats->nodes.size(), f.fgraph().n_nodes() + g.fgraph().n_nodes());
  ProfileStats sum;
  sum.merge(*stats);
  sum.merge(*stats);
  EXPECT_EQ(sum.fct_callcount, 6);
}

// THEON_FLAGS=profile=True (config().profile): every function is profiled and the
// summaries, then their sum, print to stderr at exit.
TEST(ProfileDeathTest, FlagPrintsEverySummaryAtExit) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        config().profile = true;
        auto x = T::dvector("x");
        FunctionOptions o;
        o.name = "first";
        auto f = function({x}, T::exp(x), {}, o);
        o.name = "second";
        auto g = function({x}, T::sum(x), {}, o);
        f(random_array({3}));
        g(random_array({3}));
        std::exit(0);
      },
      ::testing::ExitedWithCode(0),
      "Message: first(.|\n)*Message: second(.|\n)*Sum of all printed profiles at exit");
}

}  // namespace
}  // namespace theon
