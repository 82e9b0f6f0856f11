// AdvancedSubtensor / AdvancedIncSubtensor (NumPy's full indexing) against values
// computed with NumPy, shown beside each case; verify_grad on each index kind; errors.
// x = np.arange(12.).reshape(3, 4) unless said otherwise.
#include "ops/advanced_subtensor.hpp"

#include "support/test_util.hpp"
#include "theon/verify_grad.hpp"

namespace T = theon::tensor;
using theon::array;
using theon::function;
using theon::testing::random_array;
using theon::testing::throws_with;

namespace theon {
namespace {

NDArray matrix() {
  std::vector<double> v(12);
  for (int i = 0; i < 12; ++i) v[i] = i;
  return array(v, Shape{3, 4});
}

NDArray values(std::vector<double> v, Shape shape) { return array(v, shape); }

NDArray ints(std::vector<int64_t> v, Shape shape, DType dtype = DType::Int64) {
  return array(v, shape).astype(dtype);
}

TEST(AdvancedSubtensor, ArraysInAnyPositionMatchNumpy) {
  auto x = T::dmatrix("x");
  auto i = T::lvector("i");
  auto j = T::lvector("j");
  auto m = T::lmatrix("m");
  auto f = function({x, i, j, m}, {T::index(x, {i, j}), T::index(x, {T::slice(), i}), T::index(x, {m}),
                                   T::index(x, {m, i}), T::index(x, {1, i}), T::index(x, {i, T::newaxis, j})});
  const auto out = f(matrix(), ints({0, 2, -1}, {3}), ints({3, 0, 1}, {3}), ints({2, 0}, {2, 1}));
  // x[[0, 2, -1], [3, 0, 1]]
  EXPECT_ALLCLOSE(out[0], values({3, 8, 9}, {3}));
  // x[:, [0, 2, -1]]
  EXPECT_ALLCLOSE(out[1], values({0, 2, 3, 4, 6, 7, 8, 10, 11}, {3, 3}));
  // x[[[2], [0]]]: shape (2, 1, 4)
  EXPECT_ALLCLOSE(out[2], values({8, 9, 10, 11, 0, 1, 2, 3}, {2, 1, 4}));
  // x[[[2], [0]], [0, 2, -1]]: the arrays broadcast to (2, 3)
  EXPECT_ALLCLOSE(out[3], values({8, 10, 11, 0, 2, 3}, {2, 3}));
  // x[1, [0, 2, -1]]
  EXPECT_ALLCLOSE(out[4], values({4, 6, 7}, {3}));
  // x[[0, 2, -1], None, [3, 0, 1]]: not adjacent, so the index dimension leads: (3, 1)
  EXPECT_ALLCLOSE(out[5], values({3, 8, 9}, {3, 1}));
}

TEST(AdvancedSubtensor, SeparatedArraysLeadTheResult) {
  auto x = T::dtensor3("x");
  auto i = T::lvector("i");
  std::vector<double> v(24);
  for (int k = 0; k < 24; ++k) v[k] = k;
  const NDArray x3 = array(v, Shape{2, 3, 4});
  auto f = function({x, i}, {T::index(x, {i, T::slice(), i}), T::index(x, {T::slice(), i, 0}),
                             T::index(x, {0, T::slice(), i})});
  const auto out = f(x3, ints({1, 0}, {2}));
  // np.arange(24.).reshape(2, 3, 4)[[1, 0], :, [1, 0]]: shape (2, 3)
  EXPECT_ALLCLOSE(out[0], values({13, 17, 21, 0, 4, 8}, {2, 3}));
  // [:, [1, 0], 0]: adjacent, in place: shape (2, 2)
  EXPECT_ALLCLOSE(out[1], values({4, 0, 16, 12}, {2, 2}));
  // [0, :, [1, 0]]: the integer counts as an index array, not adjacent: shape (2, 3)
  EXPECT_ALLCLOSE(out[2], values({1, 5, 9, 0, 4, 8}, {2, 3}));
}

TEST(AdvancedSubtensor, BooleanMasks) {
  auto x = T::dmatrix("x");
  auto f = function({x}, {T::index(x, {T::gt(x, 6)}), T::index(x, {T::slice(), T::lt(T::index(x, {0}), 2)})});
  const auto out = f(matrix());
  // x[x > 6]
  EXPECT_ALLCLOSE(out[0], values({7, 8, 9, 10, 11}, {5}));
  // x[:, x[0] < 2]
  EXPECT_ALLCLOSE(out[1], values({0, 1, 4, 5, 8, 9}, {3, 2}));
  EXPECT_FALSE(T::index(x, {T::gt(x, 6)}).broadcastable()[0]);
}

TEST(AdvancedIncSubtensor, SetKeepsTheLastWriteAndIncAccumulates) {
  auto x = T::dmatrix("x");
  auto i = T::lvector("i");
  auto j = T::lvector("j");
  auto y = T::dvector("y");
  auto part = T::index(x, {i, j});
  auto f = function({x, i, j, y}, {T::set_subtensor(part, y), T::inc_subtensor(part, y)});
  const auto out = f(NDArray::zeros(DType::Float64, {2, 2}), ints({0, 1, 0}, {3}), ints({1, 0, 1}, {3}),
                     values({1, 2, 3}, {3}));
  // x[[0, 1, 0], [1, 0, 1]] = [1, 2, 3]
  EXPECT_ALLCLOSE(out[0], values({0, 3, 2, 0}, {2, 2}));
  // np.add.at(x, ([0, 1, 0], [1, 0, 1]), [1, 2, 3])
  EXPECT_ALLCLOSE(out[1], values({0, 4, 2, 0}, {2, 2}));
  // x[x > 6] = 0
  auto g = function({x}, T::set_subtensor(T::index(x, {T::gt(x, 6)}), 0));
  EXPECT_ALLCLOSE(g(matrix()).array(), values({0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0}, {3, 4}));
}

TEST(AdvancedSubtensor, EmptyIndicesAndIndexDtypes) {
  auto x = T::dmatrix("x");
  auto i = T::bvector("i");
  auto f = function({x, i}, T::index(x, {T::slice(), i, T::newaxis}));
  EXPECT_EQ(f(matrix(), ints({}, {0}, DType::Int8)).array().shape(), (Shape{3, 0, 1}));
  EXPECT_EQ(f(NDArray::zeros(DType::Float64, {0, 4}), ints({-1}, {1}, DType::Int8)).array().shape(),
            (Shape{0, 1, 1}));
  EXPECT_ALLCLOSE(f(matrix(), ints({-1}, {1}, DType::Int8)).array(), values({3, 7, 11}, {3, 1, 1}));
}

TEST(AdvancedSubtensor, ErrorsNameTheAxisIndexAndLength) {
  auto x = T::dmatrix("x");
  auto i = T::lvector("i");
  auto f = function({x, i}, T::index(x, {T::slice(), i}));
  EXPECT_TRUE(throws_with<IndexError>([&] { f(matrix(), ints({4}, {1})); },
                                      {"advanced_subtensor", "index 4 is out of bounds for axis 1 with size 4"}));
  auto g = function({x, i}, T::index(x, {i, i}));
  EXPECT_TRUE(throws_with<IndexError>([&] { g(matrix(), ints({-4}, {1})); },
                                      {"index -4 is out of bounds for axis 0 with size 3"}));
  auto h = function({x, i}, T::index(x, {i, T::arange(2)}));
  EXPECT_TRUE(throws_with<IndexError>([&] { h(matrix(), ints({0, 1, 2}, {3})); }, {"shape mismatch"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::index(x, {T::slice(), T::dvector("d")}); },
                                     {"integer (or boolean)", "float64"}));
  EXPECT_TRUE(throws_with<IndexError>([&] { T::index(x, {i, 0, 0}); }, {"too many indices"}));
}

TEST(AdvancedSubtensor, GradientsPassVerifyGrad) {
  const NDArray point = random_array({3, 4}, DType::Float64, -1, 1, 5);
  const NDArray rows = ints({0, 2, 2, -1}, {4});
  const NDArray cols = ints({3, 1, 1, 0}, {4});
  auto constant_of = [](const NDArray& a) { return theon::constant(a); };
  const std::vector<std::function<Var(const Var&)>> kinds = {
      [&](const Var& x) { return T::index(x, {constant_of(rows), constant_of(cols)}); },
      [&](const Var& x) { return T::index(x, {T::slice(), constant_of(cols)}); },
      [&](const Var& x) { return T::index(x, {1, T::newaxis, constant_of(cols)}); },
      [&](const Var& x) { return T::index(x, {T::gt(T::sin(x), 0)}); },
  };
  for (const auto& index : kinds)
    verify_grad([&](const Vars& in) { return T::sum(T::sqr(index(in[0]))); }, {point});
  // inc: gradients with respect to x and to the written values
  verify_grad(
      [&](const Vars& in) { return T::sum(T::sqr(T::inc_subtensor(kinds[0](in[0]), in[1]))); },
      {point, random_array({4}, DType::Float64, -1, 1, 9)});
  // set with repeated positions: only the last write to each reaches the cost
  verify_grad(
      [&](const Vars& in) {
        Var part = T::index(in[0], {constant_of(rows), constant_of(cols)});
        return T::sum(T::sqr(T::set_subtensor(part, in[1])));
      },
      {point, random_array({4}, DType::Float64, -1, 1, 11)});
}

}  // namespace
}  // namespace theon
