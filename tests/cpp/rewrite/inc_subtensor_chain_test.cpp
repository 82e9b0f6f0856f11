// inc_subtensor_chain (src/rewrite/inc_subtensor_chain.cpp): a sum of inc_subtensors into
// the same array becomes one chain, run in place; values agree with the graph as built.
#include "core/inplace.hpp"
#include "rewrite/rewrite_test_util.hpp"
#include "theon/theon.hpp"

namespace T = theon::tensor;
using namespace theon;
using namespace theon::testing;

namespace {

// The gradient of W read as W[0] and W[1], plus a dense term: zeros + A at 0 + B at 1 + D.
Graph indexed_gradient(bool with_dense) {
  auto W = T::dtensor3("W");
  auto a = T::dmatrix("a");
  auto b = T::dmatrix("b");
  auto d = T::dtensor3("d");
  Var z = T::zeros_like(VarArg(W));
  Var sum =
      T::inc_subtensor(T::index(VarArg(z), {0}), a) + T::inc_subtensor(T::index(VarArg(z), {1}), b);
  if (with_dense) return {{W, a, b, d}, sum + d};
  return {{W, a, b}, sum};
}

TEST(IncSubtensorChain, TwoTermsBecomeOneChain) {
  for (bool dense : {false, true}) {
    Graph g = indexed_gradient(dense);
    auto f = function(g.inputs, g.output, {}, phases("specialize"));
    EXPECT_EQ(count_ops(f, "add"), dense ? 1 : 0) << op_list(f);
    EXPECT_EQ(count_ops(f, "inc_subtensor"), 2) << op_list(f);
    for (Inputs kind : {Inputs::Random, Inputs::Empty})
      EXPECT_TRUE(agrees_with_none(function(g.inputs, g.output), g.inputs, g.output,
                                   make_inputs(g.inputs, kind)))
          << dense;
  }
}

TEST(IncSubtensorChain, RunsInPlace) {
  Graph g = indexed_gradient(false);
  auto f = function(g.inputs, g.output);
  const std::vector<NDArray> args = make_inputs(g.inputs);
  run(f, args);
  const size_t before = detail::in_place_writes();
  run(f, args);
  EXPECT_GE(detail::in_place_writes() - before, 1u);
}

TEST(IncSubtensorChain, SetSubtensorIsLeftAlone) {
  auto W = T::dmatrix("W");
  auto a = T::dvector("a");
  Var z = T::zeros_like(VarArg(W));
  // set_subtensor writes, it does not add: the sum of two sets is not a chain of them.
  Var sum = T::set_subtensor(T::index(VarArg(z), {0}), a) +
            T::set_subtensor(T::index(VarArg(z), {0}), a * 2);
  auto f = function({W, a}, sum, {}, phases("specialize"));
  EXPECT_EQ(count_ops(f, "add"), 1) << op_list(f);
  EXPECT_TRUE(agrees_with_none(function({W, a}, sum), {W, a}, sum, make_inputs({W, a})));
}

}  // namespace
