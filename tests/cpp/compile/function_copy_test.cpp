// Function::copy (swap, delete_updates, name) and Function::free.
#include <thread>

#include "support/test_util.hpp"

namespace T = theon::tensor;
using theon::array;
using theon::function;
using theon::shared;
using theon::testing::throws_with;

namespace theon {
namespace {

TEST(FunctionCopy, ComputesTheSameOutputs) {
  auto x = T::dmatrix("x");
  auto f = function({x}, T::exp(x) * 2 + T::log1p(x));
  Function g = f.copy();
  NDArray a = array({{0.5, 1.0}, {2.0, 3.0}});
  EXPECT_ALLCLOSE(g(a), f(a));
  // The same rewritten graph: no rewrite ran again on the copy.
  EXPECT_EQ(g.fgraph().n_nodes(), f.fgraph().n_nodes());
  EXPECT_EQ(g.inputs().size(), 1u);
  EXPECT_TRUE(g.inputs()[0].is(x));
}

TEST(FunctionCopy, SharesSharedVariablesAndTheirUpdates) {
  auto inc = T::iscalar("inc");
  auto state = shared(0, "state");
  auto acc = function({inc}, state, {{state, state + inc}});
  Function copy = acc.copy();
  acc(1);
  copy(10);
  EXPECT_EQ(state.get_value().item<int64_t>(), 11);
}

TEST(FunctionCopy, SwapReadsAndUpdatesTheNewSharedVariable) {
  auto inc = T::iscalar("inc");
  auto state = shared(0, "state");
  auto other = shared(100, "other");
  auto acc = function({inc}, state * 2, {{state, state + inc}});
  Function swapped = acc.copy({.swap = {{state, other}}});
  EXPECT_EQ(swapped(5).array().item<int64_t>(), 200);
  EXPECT_EQ(other.get_value().item<int64_t>(), 105);
  EXPECT_EQ(state.get_value().item<int64_t>(), 0);
  EXPECT_EQ(acc(1).array().item<int64_t>(), 0);
  EXPECT_EQ(state.get_value().item<int64_t>(), 1);
}

TEST(FunctionCopy, DeleteUpdatesLeavesSharedValuesAlone) {
  auto inc = T::iscalar("inc");
  auto state = shared(3, "state");
  auto acc = function({inc}, state + inc, {{state, state + inc}});
  Function frozen = acc.copy({.delete_updates = true, .name = "frozen"});
  EXPECT_EQ(frozen(4).array().item<int64_t>(), 7);
  EXPECT_EQ(state.get_value().item<int64_t>(), 3);
  EXPECT_EQ(frozen.name(), "frozen");
  EXPECT_EQ(acc.copy().name(), "");
}

TEST(FunctionCopy, DefaultUpdatesCarryOver) {
  auto x = T::dscalar("x");
  auto counter = shared(0.0, "counter");
  Var next = counter + 1;  // held: default updates are kept weakly
  counter.set_default_update(next);
  auto f = function({x}, x + counter);
  Function g = f.copy();
  g(0.0);
  EXPECT_EQ(counter.get_value().item<double>(), 1.0);
  Function h = f.copy({.delete_updates = true});
  h(0.0);
  EXPECT_EQ(counter.get_value().item<double>(), 1.0);
}

TEST(FunctionCopy, SwapOfDifferentTypesIsATypeError) {
  auto x = T::dscalar("x");
  auto w = shared(1.0, "w");
  auto f = function({x}, x * w);
  auto v = shared(array({1.0, 2.0}), "v");
  EXPECT_TRUE(throws_with<TypeError>([&] { f.copy({.swap = {{w, v}}}); }, {"cannot swap", "w", "v", "types differ"}));
}

TEST(FunctionCopy, CopiesRunInParallel) {
  auto x = T::dvector("x");
  auto f = function({x}, T::sum(T::exp(x)));
  Function g = f.copy();
  NDArray a = NDArray::zeros(DType::Float64, {1000});
  double got_f = 0, got_g = 0;
  std::thread t([&] {
    for (int i = 0; i < 50; ++i) got_g = g(a).array().item<double>();
  });
  for (int i = 0; i < 50; ++i) got_f = f(a).array().item<double>();
  t.join();
  EXPECT_EQ(got_f, 1000.0);
  EXPECT_EQ(got_g, 1000.0);
}

TEST(FunctionFree, NextCallAllocatesAgain) {
  auto x = T::dvector("x");
  auto f = function({x}, T::exp(x) * 2 + T::sin(x) * T::cos(x));
  NDArray a = NDArray::zeros(DType::Float64, {4096});
  NDArray first = f(a).array().copy();
  f.free();
  EXPECT_ALLCLOSE(f(a), first);
  f.free();
  f.free();
  EXPECT_ALLCLOSE(f(a), first);
  Function empty;
  empty.free();  // nothing to release
}

}  // namespace
}  // namespace theon
