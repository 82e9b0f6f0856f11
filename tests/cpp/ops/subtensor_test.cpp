// Indexing: basic (integers, slices, symbolic bounds), integer-array indexing on axis 0,
// and set/inc_subtensor, against NumPy. Expected values come from
//   x = np.arange(12.).reshape(3, 4)
// unless a test says otherwise.
#include "ops/subtensor.hpp"

#include "support/test_util.hpp"

namespace T = theon::tensor;
using theon::array;
using theon::function;
using theon::testing::throws_with;

namespace theon {
namespace {

NDArray arange_matrix(DType dtype = DType::Float64) {
  std::vector<double> v(12);
  for (int i = 0; i < 12; ++i) v[i] = i;
  return array(v, Shape{3, 4}).astype(dtype);
}

NDArray values(std::vector<double> v, Shape shape, DType dtype = DType::Float64) {
  return array(v, shape).astype(dtype);
}

NDArray ints(std::vector<int64_t> v, DType dtype = DType::Int64) {
  const Shape shape{static_cast<int64_t>(v.size())};
  return array(v, shape).astype(dtype);
}

struct BasicCase {
  const char* numpy;
  std::vector<IndexArg> index;
  NDArray want;
};

TEST(Subtensor, IntegersAndSlicesMatchNumpy) {
  const std::vector<BasicCase> cases = {
      {"x[1]", {1}, values({4, 5, 6, 7}, {4})},
      {"x[-1]", {-1}, values({8, 9, 10, 11}, {4})},
      {"x[:, 1]", {T::slice(), 1}, values({1, 5, 9}, {3})},
      {"x[1, -2]", {1, -2}, values({6}, {})},
      {"x[::-1]", {T::slice({}, {}, -1)}, values({8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3}, {3, 4})},
      {"x[1:, ::2]", {T::slice(1), T::slice({}, {}, 2)}, values({4, 6, 8, 10}, {2, 2})},
      {"x[::-2, 3:0:-1]",
       {T::slice({}, {}, -2), T::slice(3, 0, -1)},
       values({11, 10, 9, 3, 2, 1}, {2, 3})},
      {"x[-2:]", {T::slice(-2)}, values({4, 5, 6, 7, 8, 9, 10, 11}, {2, 4})},
      {"x[-10:2, -1:-5:-2]",
       {T::slice(-10, 2), T::slice(-1, -5, -2)},
       values({3, 1, 7, 5}, {2, 2})},
      {"x[10:]", {T::slice(10)}, NDArray::zeros(DType::Float64, {0, 4})},
      {"x[:, 5:1]", {T::slice(), T::slice(5, 1)}, NDArray::zeros(DType::Float64, {3, 0})},
      {"x[:]", {T::slice()}, arange_matrix()},
      {"x[()]", {}, arange_matrix()},
  };
  for (const BasicCase& c : cases) {
    SCOPED_TRACE(c.numpy);
    auto x = T::dmatrix("x");
    auto f = function({x}, T::index(x, c.index));
    EXPECT_ALLCLOSE(f(arange_matrix()), c.want);
  }
}

TEST(Subtensor, SymbolicBounds) {
  auto x = T::dmatrix("x");
  auto i = T::iscalar("i");
  auto window = function({x, i}, T::index(x, {T::slice(i, i + 2)}));
  // x[i:i+2] for i = 1, -3, 2
  EXPECT_ALLCLOSE(window(arange_matrix(), 1), values({4, 5, 6, 7, 8, 9, 10, 11}, {2, 4}));
  EXPECT_ALLCLOSE(window(arange_matrix(), -3), values({0, 1, 2, 3, 4, 5, 6, 7}, {2, 4}));
  EXPECT_ALLCLOSE(window(arange_matrix(), 2), values({8, 9, 10, 11}, {1, 4}));

  auto row = function({x, i}, T::index(x, {i}));
  EXPECT_ALLCLOSE(row(arange_matrix(), -1), values({8, 9, 10, 11}, {4}));
  EXPECT_TRUE(throws_with<IndexError>([&] { row(arange_matrix(), 3); },
                                      {"subtensor", "index 3", "axis 0", "size 3"}));

  auto stepped = function({x, i}, T::index(x, {T::slice(), T::slice({}, {}, i)}));
  // x[:, ::-1]
  EXPECT_ALLCLOSE(stepped(arange_matrix(), -1),
                  values({3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8}, {3, 4}));
  EXPECT_TRUE(throws_with<ValueError>([&] { stepped(arange_matrix(), 0); },
                                      {"subtensor", "step cannot be zero"}));
}

TEST(Subtensor, DtypesAndNonContiguousInput) {
  for (DType dtype : {DType::Int32, DType::Float32, DType::Int8, DType::Complex128}) {
    SCOPED_TRACE(dtype_name(dtype));
    auto x = T::tensor(dtype, {false, false}, "x");
    auto f = function({x}, T::index(x, {T::slice(1), T::slice({}, {}, 2)}));
    NDArray got = f(arange_matrix(dtype));
    EXPECT_EQ(got.dtype(), dtype);
    EXPECT_ALLCLOSE(got, values({4, 6, 8, 10}, {2, 2}, dtype));
  }
  // xt = x.T; xt[1:3, ::-1]
  auto x = T::dmatrix("x");
  auto f = function({x}, T::index(x, {T::slice(1, 3), T::slice({}, {}, -1)}));
  NDArray xt = arange_matrix().transpose();
  EXPECT_ALLCLOSE(f(xt), values({9, 5, 1, 10, 6, 2}, {2, 3}));
}

TEST(Subtensor, BroadcastablePatterns) {
  auto r = T::drow("r");  // (True, False)
  EXPECT_EQ(T::index(r, {T::slice()}).broadcastable(), (BroadcastPattern{true, false}));
  EXPECT_EQ(T::index(r, {T::slice({}, {}, -1)}).broadcastable(), (BroadcastPattern{true, false}));
  // r[1:] has length 0, so it is no longer broadcastable.
  EXPECT_EQ(T::index(r, {T::slice(1)}).broadcastable(), (BroadcastPattern{false, false}));
  EXPECT_EQ(T::index(r, {0}).broadcastable(), (BroadcastPattern{false}));
  EXPECT_EQ(T::index(r, {T::slice(), 2}).broadcastable(), (BroadcastPattern{true}));
  auto out = T::index(T::dmatrix("m"), {T::slice(0, 2)});
  EXPECT_EQ(out.owner()->op().view_of(0), 0);
}

TEST(Subtensor, PrintsAsPython) {
  auto x = T::dmatrix("x");
  auto i = T::iscalar("i");
  EXPECT_EQ(pp(T::index(x, {T::slice(1, {}, -1), 2})), "x[1::-1, 2]");
  EXPECT_EQ(pp(T::index(x, {T::slice(i), i})), "x[i:, i]");
}

TEST(Subtensor, Errors) {
  auto x = T::dmatrix("x");
  auto f = function({x}, T::index(x, {5}));
  EXPECT_TRUE(
      throws_with<IndexError>([&] { f(arange_matrix()); }, {"subtensor", "index 5", "size 3"}));
  auto g = function({x}, T::index(x, {T::slice(), -5}));
  EXPECT_TRUE(throws_with<IndexError>([&] { g(arange_matrix()); },
                                      {"subtensor", "index -5", "axis 1", "size 4"}));
  EXPECT_TRUE(throws_with<IndexError>(
      [&] {
        T::index(x, {0, 0, 0});
      },
      {"subtensor", "too many indices"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::index(x, {1.5}); }, {"subtensor", "integer"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::index(x, {T::slice(T::dscalar("s"))}); },
                                     {"subtensor", "slice start"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::index(x, {T::slice({}, {}, 0)}); },
                                      {"subtensor", "step cannot be zero"}));
}

TEST(AdvancedSubtensor1, TakesAlongAxisZero) {
  auto v = T::dvector("v");
  auto idx = T::lvector("idx");
  auto f = function({v, idx}, T::index(v, {idx}));
  // (np.arange(5.) * 10)[[4, 0, -1, 2, 2]]
  EXPECT_ALLCLOSE(f(values({0, 10, 20, 30, 40}, {5}), ints({4, 0, -1, 2, 2})),
                  values({40, 0, 40, 20, 20}, {5}));
  EXPECT_EQ(f(values({0, 10}, {2}), NDArray::zeros(DType::Int64, {0})).array().shape(0), 0);

  auto x = T::dmatrix("x");
  auto rows = T::ivector("rows");
  auto g = function({x, rows}, T::index(x, {rows, T::slice()}));
  // x[[2, 0, -1]]
  EXPECT_ALLCLOSE(g(arange_matrix(), ints({2, 0, -1}, DType::Int32)),
                  values({8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}, {3, 4}));
  // x.T[[3, 1]]
  EXPECT_ALLCLOSE(g(arange_matrix().transpose(), ints({3, 1}, DType::Int32)),
                  values({3, 7, 11, 1, 5, 9}, {2, 3}));
  // a reversed (negative-stride) index vector: [2, 0][::-1]
  const NDArray reversed = ints({2, 0}, DType::Int32).slice(0, {Slice::kNone, Slice::kNone, -1});
  EXPECT_ALLCLOSE(g(arange_matrix(), reversed), values({0, 1, 2, 3, 8, 9, 10, 11}, {2, 4}));
  EXPECT_TRUE(throws_with<IndexError>(
      [&] {
        g(arange_matrix(), ints({0, 3}, DType::Int32));
      },
      {"advanced_subtensor1", "index 3", "size 3"}));
  EXPECT_TRUE(throws_with<IndexError>([&] { g(arange_matrix(), ints({-4}, DType::Int32)); },
                                      {"advanced_subtensor1", "index -4"}));
}

// Other integer-array patterns go to the general op (advanced_subtensor_test.cpp);
// x[ivec] keeps the row gather.
TEST(AdvancedSubtensor1, OnlyTheRowGatherUsesIt) {
  auto x = T::dmatrix("x");
  auto idx = T::lvector("idx");
  auto op_name = [](const Var& v) { return v.owner()->op().name(); };
  EXPECT_EQ(op_name(T::index(x, {idx})), "advanced_subtensor1");
  EXPECT_EQ(op_name(T::index(x, {idx, T::slice()})), "advanced_subtensor1");
  EXPECT_EQ(op_name(T::index(x, {T::slice(), idx})), "advanced_subtensor");
  EXPECT_EQ(op_name(T::index(x, {idx, 0})), "advanced_subtensor");
  EXPECT_EQ(op_name(T::index(x, {T::lmatrix("m")})), "advanced_subtensor");
  EXPECT_TRUE(throws_with<TypeError>([&] { T::index(x, {T::dvector("d")}); },
                                     {"index", "integer (or boolean)", "float64"}));
}

TEST(IncSubtensor, SetAndIncMatchNumpy) {
  auto x = T::dmatrix("x");
  NDArray data = arange_matrix();
  {
    // y = x.copy(); y[1:, ::2] = 5
    auto f = function({x}, T::set_subtensor(T::index(x, {T::slice(1), T::slice({}, {}, 2)}), 5));
    EXPECT_ALLCLOSE(f(data), values({0, 1, 2, 3, 5, 5, 5, 7, 5, 9, 5, 11}, {3, 4}));
  }
  {
    // y[:, 1] += [1, 2, 3]
    auto c = T::dvector("c");
    auto f = function({x, c}, T::inc_subtensor(T::index(x, {T::slice(), 1}), c));
    EXPECT_ALLCLOSE(f(data, values({1, 2, 3}, {3})),
                    values({0, 2, 2, 3, 4, 7, 6, 7, 8, 12, 10, 11}, {3, 4}));
  }
  {
    // y[0:2] += [[10, 20, 30, 40]]: a row broadcasts along the broadcastable axis
    auto r = T::drow("r");
    auto f = function({x, r}, T::inc_subtensor(T::index(x, {T::slice(0, 2)}), r));
    EXPECT_ALLCLOSE(f(data, values({10, 20, 30, 40}, {1, 4})),
                    values({10, 21, 32, 43, 14, 25, 36, 47, 8, 9, 10, 11}, {3, 4}));
    // a vector is padded on the left
    auto v = T::dvector("v");
    auto g = function({x, v}, T::inc_subtensor(T::index(x, {T::slice(0, 2)}), v));
    EXPECT_ALLCLOSE(g(data, values({10, 20, 30, 40}, {4})),
                    values({10, 21, 32, 43, 14, 25, 36, 47, 8, 9, 10, 11}, {3, 4}));
    EXPECT_TRUE(throws_with<ShapeError>(
        [&] {
          g(data, values({1, 2, 3}, {3}));
        },
        {"inc_subtensor", "(3,)", "(2, 4)"}));
  }
  {
    // y[::-1, 1] = [100, 200, 300], with a symbolic step
    auto i = T::iscalar("i");
    auto v = T::dvector("v");
    auto f = function({x, i, v}, T::set_subtensor(T::index(x, {T::slice({}, {}, i), 1}), v));
    EXPECT_ALLCLOSE(f(data, -1, values({100, 200, 300}, {3})),
                    values({0, 300, 2, 3, 4, 200, 6, 7, 8, 100, 10, 11}, {3, 4}));
  }
  EXPECT_ALLCLOSE(data, arange_matrix());  // inputs are never written
}

TEST(IncSubtensor, DtypesEmptyAndNonContiguous) {
  // y = np.arange(12, dtype=np.int32).reshape(3, 4); y[0] = 2.7  (truncates)
  auto xi = T::imatrix("xi");
  auto f = function({xi}, T::set_subtensor(T::index(xi, {0}), 2.7));
  NDArray got = f(arange_matrix(DType::Int32));
  EXPECT_EQ(got.dtype(), DType::Int32);
  EXPECT_ALLCLOSE(got, values({2, 2, 2, 2, 4, 5, 6, 7, 8, 9, 10, 11}, {3, 4}, DType::Int32));

  auto xf = T::fmatrix("xf");
  auto d = T::dscalar("d");
  auto g = function({xf, d}, T::inc_subtensor(T::index(xf, {T::slice(5)}), d));
  EXPECT_ALLCLOSE(g(arange_matrix(DType::Float32), 1.0), arange_matrix(DType::Float32));

  // xt = x.T; xt[1:3] += 1
  auto x = T::dmatrix("x");
  auto h = function({x}, T::inc_subtensor(T::index(x, {T::slice(1, 3)}), 1));
  EXPECT_ALLCLOSE(h(arange_matrix().transpose()),
                  values({0, 4, 8, 2, 6, 10, 3, 7, 11, 3, 7, 11}, {4, 3}));
}

TEST(IncSubtensor, Errors) {
  auto x = T::dmatrix("x");
  EXPECT_TRUE(throws_with<ValueError>([&] { T::set_subtensor(x, 1); },
                                      {"set_subtensor", "result of index()"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::inc_subtensor(x * 2, 1); },
                                      {"inc_subtensor", "result of index()", "mul"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::set_subtensor(T::index(x, {0}), T::dmatrix("m")); },
                                     {"set_subtensor", "rank 2"}));
  auto f = function({x}, T::set_subtensor(T::index(x, {3}), 0));
  EXPECT_TRUE(
      throws_with<IndexError>([&] { f(arange_matrix()); }, {"set_subtensor", "index 3", "size 3"}));
}

TEST(AdvancedIncSubtensor1, RepeatedIndicesAccumulate) {
  auto x = T::dmatrix("x");
  auto idx = T::lvector("idx");
  auto v = T::dvector("v");
  auto inc = function({x, idx, v}, T::inc_subtensor(T::index(x, {idx}), v));
  // y = x.copy(); np.add.at(y, [0, 2, 0, 0], [1., 2, 3, 4])
  EXPECT_ALLCLOSE(inc(arange_matrix(), ints({0, 2, 0, 0}), values({1, 2, 3, 4}, {4})),
                  values({3, 7, 11, 15, 4, 5, 6, 7, 9, 11, 13, 15}, {3, 4}));

  auto m = T::dmatrix("m");
  auto set = function({x, idx, m}, T::set_subtensor(T::index(x, {idx}), m));
  // y[[0, 2, -3]] = [[7, 8, 9, 10], [1, 1, 1, 1], [5, 5, 5, 5]]  (the last write wins)
  EXPECT_ALLCLOSE(
      set(arange_matrix(), ints({0, 2, -3}), values({7, 8, 9, 10, 1, 1, 1, 1, 5, 5, 5, 5}, {3, 4})),
      values({5, 5, 5, 5, 4, 5, 6, 7, 1, 1, 1, 1}, {3, 4}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        set(arange_matrix(), ints({0}), values({1, 2, 3, 4, 5, 6, 7, 8}, {2, 4}));
      },
      {"advanced_set_subtensor1", "(2, 4)", "(1, 4)"}));
  EXPECT_TRUE(throws_with<IndexError>(
      [&] {
        inc(arange_matrix(), ints({1, 7}), values({1, 2, 3, 4}, {4}));
      },
      {"advanced_inc_subtensor1", "index 7", "size 3"}));

  // f = np.arange(6, dtype=np.float32); np.add.at(f, [1, 1, 5], 0.5)
  auto fv = T::fvector("fv");
  auto iv = T::ivector("iv");
  auto g = function({fv, iv}, T::inc_subtensor(T::index(fv, {iv}), 0.5));
  NDArray data = values({0, 1, 2, 3, 4, 5}, {6}, DType::Float32);
  EXPECT_ALLCLOSE(g(data, ints({1, 1, 5}, DType::Int32)),
                  values({0, 2, 2, 3, 4, 5.5}, {6}, DType::Float32));
  EXPECT_ALLCLOSE(data, values({0, 1, 2, 3, 4, 5}, {6}, DType::Float32));
}

}  // namespace
}  // namespace theon
