// The all-reduce ops in a world of size 1 (no mpirun): identity, types, errors, gradient,
// and the interpreter's order (starts early, waits late). mpi_check.cpp runs them on
// several ranks.
#include <algorithm>

#include "backend/vm/schedule_hint.hpp"
#include "distributed/comm.hpp"
#include "test_util.hpp"
#include "theon/distributed.hpp"

namespace T = theon::tensor;
namespace D = theon::distributed;
using theon::array;
using theon::NDArray;

// In a world of 1 allreduce() returns its inputs; these tests build the nodes anyway, to
// check them here (mpi_check.cpp runs them on several ranks).
struct BuildNodes {
  BuildNodes() { D::detail::set_nodes_in_world_of_one(true); }
  ~BuildNodes() { D::detail::set_nodes_in_world_of_one(false); }
};

TEST(AllReduceSizeOne, ReturnsItsInputsByDefault) {
  auto x = T::dmatrix("x");
  auto y = T::fvector("y");
  auto outs = D::allreduce({x, y});
  ASSERT_EQ(outs.size(), 2u);
  EXPECT_TRUE(outs[0].is(x));
  EXPECT_TRUE(outs[1].is(y));
}

TEST(AllReduceSizeOne, WorldOfOneWithoutMpirun) {
  D::init();
  EXPECT_TRUE(D::is_initialized());
  EXPECT_EQ(D::size(), 1);
  EXPECT_EQ(D::rank(), 0);
  D::barrier();
}

TEST(AllReduceSizeOne, IsTheIdentityForEveryDtypeAndOp) {
  BuildNodes nodes;
  for (auto dtype : {theon::DType::Float32, theon::DType::Float64, theon::DType::Int32,
                     theon::DType::Int64}) {
    for (auto op : {D::ReduceOp::Sum, D::ReduceOp::Mean}) {
      auto x = T::tensor(dtype, {false, false}, "x");
      auto v = T::tensor(dtype, {false}, "v");
      auto outs = D::allreduce({x, v}, op);
      ASSERT_EQ(outs.size(), 2u);
      EXPECT_EQ(outs[0].dtype(), dtype);
      auto f = theon::function({x, v}, outs);
      NDArray xs = theon::testing::random_array({3, 4}, dtype, -5, 5, 1);
      NDArray vs = theon::testing::random_array({0}, dtype);  // empty
      auto r = f(xs, vs);
      EXPECT_ALLCLOSE(r[0], xs);
      EXPECT_ALLCLOSE(r[1], vs);
    }
  }
}

TEST(AllReduceSizeOne, NonContiguousInput) {
  BuildNodes nodes;
  auto x = T::dmatrix("x");
  auto f = theon::function({x}, D::allreduce({T::transpose(x)}, D::ReduceOp::Sum));
  NDArray xs = theon::testing::random_array({3, 5});
  EXPECT_ALLCLOSE(f(xs), xs.transpose());
}

TEST(AllReduceSizeOne, OtherDtypeIsTypeErrorNamingVariableAndLine) {
  auto b = T::bvector("small");
  EXPECT_TRUE(theon::testing::throws_with<theon::TypeError>(
      [&] { D::allreduce({b}); }, {"allreduce", "int8", "small", "allreduce_test.cpp"}));
}

TEST(AllReduceSizeOne, GradientIsTheAllReduceOfTheOutputGradient) {
  BuildNodes nodes;
  theon::verify_grad(
      [](const theon::Vars& in) { return T::sum(T::sqr(D::allreduce({in[0]}, D::ReduceOp::Mean)[0])); },
      {theon::testing::random_array({2, 3})});
  // The gradient graph holds an all-reduce of the output gradient.
  auto x = T::dvector("x");
  auto g = T::grad(T::sum(D::allreduce({x}, D::ReduceOp::Sum)[0] * 3.0), x);
  auto f = theon::function({x}, g, {}, {.mode = "NONE"});
  int waits = 0;
  for (auto* node : f.fgraph().toposort()) waits += node->op().name() == "allreduce_sum";
  EXPECT_EQ(waits, 2);  // the forward one and the gradient's
  EXPECT_ALLCLOSE(f(array({1.0, 2.0})), array({3.0, 3.0}));
}

TEST(AllReduceSizeOne, UpdatesTrainAsWithoutIt) {
  BuildNodes nodes;
  auto w = theon::shared(array({1.0, 2.0}), "w");
  auto x = T::dvector("x");
  auto cost = T::sum(T::sqr(w * x));
  auto g = T::grad(cost, w);
  auto step = theon::function({x}, cost, {{w, w - 0.1 * D::allreduce({g})[0]}});
  step(array({1.0, 1.0}));
  EXPECT_ALLCLOSE(w.get_value(), array({0.8, 1.6}));  // w - 0.1 * 2 w
}

TEST(AllReduceSchedule, StartsRunEarlyAndWaitsLate) {
  BuildNodes nodes;
  // Two gradients from a chain: a = exp(x), b = exp(a); reduced, then each read once.
  // Independent work c = sin(y) ... must run between the start and the waits.
  auto x = T::dvector("x");
  auto y = T::dvector("y");
  auto a = T::exp(x);
  auto b = T::exp(a);
  auto red = D::allreduce({a, b}, D::ReduceOp::Sum);
  auto c = T::sin(T::sin(T::sin(y)));
  theon::FunctionGraph fg({x, y}, {red[0] + c, red[1]});
  auto order = theon::detail::order_with_hints(fg.toposort());
  auto pos = [&](const std::string& name) {
    std::vector<int> at;
    for (size_t i = 0; i < order.size(); ++i)
      if (order[i]->op().name() == name) at.push_back(static_cast<int>(i));
    return at;
  };
  auto starts = pos("allreduce_start"), waits = pos("allreduce_sum"), sins = pos("sin");
  ASSERT_EQ(starts.size(), 2u);
  ASSERT_EQ(waits.size(), 2u);
  ASSERT_EQ(sins.size(), 3u);
  EXPECT_LT(starts.back(), sins.front());  // the reduction starts before the independent work
  EXPECT_GT(waits.front(), sins.back());   // and is waited for after it
  // Valid order: every node after its producers.
  for (size_t i = 0; i < order.size(); ++i)
    for (const auto& in : order[i]->inputs)
      if (in.owner())
        EXPECT_LT(std::find(order.begin(), order.end(), in.owner()) - order.begin(), static_cast<long>(i));
}

TEST(AllReduceSchedule, GraphsWithoutHintsKeepTheirOrder) {
  auto x = T::dvector("x");
  theon::FunctionGraph fg({x}, {T::exp(x) + T::sin(x), T::cos(x)});
  EXPECT_EQ(theon::detail::order_with_hints(fg.toposort()), fg.toposort());
}

TEST(AllReduceSizeOne, FunctionsHoldingItSaveAndLoad) {
  BuildNodes nodes;
  D::init();  // registers the ops' codecs
  auto w = theon::shared(array({1.0, 2.0}), "w");
  auto x = T::dvector("x");
  auto cost = T::sum(T::sqr(w * x));
  auto step = theon::function({x}, cost, {{w, w - 0.1 * D::allreduce(T::grad(cost, theon::Vars{w}), D::ReduceOp::Sum)[0]}});
  auto loaded = theon::compile(theon::deserialize_function_spec(theon::serialize(step)));
  int ops = 0;
  for (auto* node : loaded.fgraph().toposort())
    ops += node->op().name() == "allreduce_start" || node->op().name() == "allreduce_sum";
  EXPECT_EQ(ops, 2);
  loaded(array({1.0, 1.0}));  // the loaded function updates the loaded shared variable
  auto again = theon::compile(theon::deserialize_function_spec(theon::serialize(step)));
  EXPECT_ALLCLOSE(again(array({1.0, 1.0})), array(5.0));  // a fresh copy of w: 1 + 4
}
