// Saving a compiled theon::Function (theon::save(Function) / serialize(Function)): the
// graph it was built from is stored, loading compiles it again, and the loaded function
// computes what the original does, applying its updates to its own shared variables.
#include <cstdio>

#include "support/test_util.hpp"
#include "theon/serialize.hpp"

namespace theon {
namespace {

namespace T = theon::tensor;
using theon::testing::random_array;
using theon::testing::throws_with;

TEST(FunctionSave, TrainingStepLoadsWithSameResultsAndItsUpdates) {
  auto x = T::dmatrix("x");
  auto y = T::dvector("y");
  SharedVar W = shared(random_array({3}, DType::Float64, -1, 1, 11), "W");
  SharedVar b = shared(array(0.5), "b");
  Var err = T::dot(x, W) + b - y;
  Var cost = T::mean(err * err);
  FunctionOptions options;
  options.name = "train";
  Function train = function({x, y}, cost, {{W, W - 0.1 * T::grad(cost, W)}, {b, b - 0.1 * T::grad(cost, b)}}, options);
  const NDArray xs = random_array({4, 3}, DType::Float64, -1, 1, 12), ys = random_array({4}, DType::Float64, -1, 1, 13);
  train(xs, ys);  // the saved W and b are the values at saving time
  const std::string path = ::testing::TempDir() + "/train_function.theon";
  save(train, path);
  Function loaded = load_function(path);
  std::remove(path.c_str());
  EXPECT_EQ(loaded.name(), "train");
  ASSERT_EQ(loaded.inputs().size(), 2u);
  const NDArray W_before = W.get_value();
  // Both start from the same state and take the same steps: the same costs.
  for (int step = 0; step < 3; ++step) {
    const NDArray got = loaded(xs, ys).array();
    EXPECT_ALLCLOSE(got, train(xs, ys).array()) << "step " << step;
  }
  // The loaded function updated its own W: the original's moved only by its own calls.
  EXPECT_FALSE(theon::testing::allclose(W.get_value(), W_before));
  const Result once_more = train(xs, ys);
  EXPECT_ALLCLOSE(loaded(xs, ys).array(), once_more.array());
}

TEST(FunctionSave, DefaultUpdatesAndGivensAreKept) {
  SharedVar count = shared(array(0.0), "count");
  const Var next = count + 1;  // a default update is held weakly by its variable
  count.set_default_update(next);
  auto x = T::dscalar("x");
  auto scale = T::dscalar("scale");
  FunctionOptions options;
  options.givens = {{scale, constant(array(10.0))}};
  Function f = function({x}, count * scale + x, {}, options);
  f(0.0);
  f(0.0);  // count is 2
  Function loaded = compile(deserialize_function_spec(serialize(f)));
  EXPECT_ALLCLOSE(loaded(1.0).array(), array(21.0));
  EXPECT_ALLCLOSE(loaded(1.0).array(), array(31.0));  // its count advanced to 3
  EXPECT_ALLCLOSE(count.get_value(), array(2.0));     // the original's did not
}

TEST(FunctionSave, ACopySavesAsTheCopy) {
  SharedVar total = shared(array(0.0), "total");
  SharedVar other = shared(array(100.0), "other");
  auto x = T::dscalar("x");
  Function add = function({x}, total + x, {{total, total + x}});
  Function swapped = add.copy({.swap = {{total, other}}, .name = "swapped"});
  Function frozen = add.copy({.delete_updates = true});
  Function loaded_swapped = compile(deserialize_function_spec(serialize(swapped)));
  Function loaded_frozen = compile(deserialize_function_spec(serialize(frozen)));
  EXPECT_EQ(loaded_swapped.name(), "swapped");
  EXPECT_ALLCLOSE(loaded_swapped(1.0).array(), array(101.0));
  EXPECT_ALLCLOSE(loaded_swapped(1.0).array(), array(102.0));  // reads and updates its `other`
  EXPECT_ALLCLOSE(loaded_frozen(5.0).array(), array(5.0));
  EXPECT_ALLCLOSE(loaded_frozen(5.0).array(), array(5.0));  // no update
}

TEST(FunctionSave, AnEmptyFunctionIsRefused) {
  EXPECT_TRUE(throws_with<ValueError>([] { serialize(Function()); }, {"empty Function"}));
}

}  // namespace
}  // namespace theon
