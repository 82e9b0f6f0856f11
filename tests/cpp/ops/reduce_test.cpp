// Reductions (sum, prod, max, min, all, any, mean, var, std) and argmax/argmin,
// against NumPy.
#include <cmath>
#include <functional>
#include <limits>

#include "test_util.hpp"

namespace T = theon::tensor;
using theon::array;
using theon::function;
using theon::testing::allclose;
using theon::testing::random_array;
using theon::testing::throws_with;

namespace theon {
namespace {

const double kNan = std::numeric_limits<double>::quiet_NaN();

struct Case {
  const char* name;
  Var (*fn)(VarArg, Axes, bool);
  Axes axes;
  bool keepdims;
  Shape shape;
  std::vector<double> want;
};

// x = np.arange(24, dtype=float).reshape(2, 3, 4) * 0.5 - 3; want = np.<name>(x, axis, keepdims)
const std::vector<Case> kCases = {
    {"sum", T::sum, Axes(), false, {}, {66}},
    {"sum", T::sum, Axes(0), false, {3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
    {"sum", T::sum, Axes(-1), false, {2, 3}, {-9, -1, 7, 15, 23, 31}},
    {"sum", T::sum, Axes{0, 2}, true, {1, 3, 1}, {6, 22, 38}},
    {"sum", T::sum, Axes{2, 0}, false, {3}, {6, 22, 38}},
    {"sum", T::sum, Axes(std::vector<int>{}), false, {2, 3, 4}, {-3, -2.5, -2, -1.5, -1, -0.5,
                                                                 0,  0.5,  1,  1.5,  2,  2.5,
                                                                 3,  3.5,  4,  4.5,  5,  5.5,
                                                                 6,  6.5,  7,  7.5,  8,  8.5}},
    {"prod", T::prod, Axes(), false, {}, {0}},
    {"prod", T::prod, Axes(1), true, {2, 1, 4}, {3, 1.875, -0, -1.875, 105, 144.375, 192, 248.625}},
    {"prod", T::prod, Axes{0, 1}, false, {4}, {315, 270.703125, -0, -466.171875}},
    {"max", T::max, Axes(), true, {1, 1, 1}, {8.5}},
    {"max", T::max, Axes(1), false, {2, 4}, {1, 1.5, 2, 2.5, 7, 7.5, 8, 8.5}},
    {"max", T::max, Axes{0, 2}, false, {3}, {4.5, 6.5, 8.5}},
    {"min", T::min, Axes(), false, {}, {-3}},
    {"min", T::min, Axes(2), true, {2, 3, 1}, {-3, -1, 1, 3, 5, 7}},
    {"min", T::min, Axes{0, 1}, false, {4}, {-3, -2.5, -2, -1.5}},
    {"mean", T::mean, Axes(), false, {}, {2.75}},
    {"mean", T::mean, Axes(1), true, {2, 1, 4}, {-1, -0.5, 0, 0.5, 5, 5.5, 6, 6.5}},
    {"mean", T::mean, Axes{0, 2}, false, {3}, {0.75, 2.75, 4.75}},
    {"var", T::var, Axes(), false, {}, {11.9791666667}},
    {"var", T::var, Axes(2), false, {2, 3}, {0.3125, 0.3125, 0.3125, 0.3125, 0.3125, 0.3125}},
    {"var", T::var, Axes{0, 1}, true, {1, 1, 4}, {35 / 3., 35 / 3., 35 / 3., 35 / 3.}},
    {"std", T::std_, Axes(), false, {}, {3.46109327622}},
    {"std", T::std_, Axes(0), false, {3, 4}, {3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}},
    {"std", T::std_, Axes{1, 2}, true, {2, 1, 1}, {1.72602626477, 1.72602626477}},
};

NDArray arange_input() {
  std::vector<double> v;
  for (int i = 0; i < 24; ++i) v.push_back(i * 0.5 - 3);
  return array(v, {2, 3, 4});
}

TEST(Reduce, MatchesNumpyOverAxesAndKeepdims) {
  const NDArray x_value = arange_input();
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    auto x = T::dtensor3("x");
    Var y = c.fn(x, c.axes, c.keepdims);
    EXPECT_EQ(y.ndim(), static_cast<int>(c.shape.size()));
    EXPECT_ALLCLOSE(function({x}, y)(x_value), array(c.want, c.shape), 1e-10);
  }
}

TEST(Reduce, KeepdimsMarksReducedAxesBroadcastable) {
  auto x = T::dtensor3("x");
  EXPECT_EQ(T::sum(x, 1, true).broadcastable(), BroadcastPattern({false, true, false}));
  EXPECT_EQ(T::max(x, {0, 2}).broadcastable(), BroadcastPattern({false}));
  EXPECT_EQ(T::sum(T::drow("r"), 1).broadcastable(), BroadcastPattern({true}));
  EXPECT_EQ(T::argmax(x, 1, true).broadcastable(), BroadcastPattern({false, true, false}));
  EXPECT_EQ(T::argmax(x, std::nullopt, true).broadcastable(), BroadcastPattern(3, true));
}

TEST(Reduce, DtypesFollowNumpy) {
  auto i = T::imatrix("i");
  auto f = T::fmatrix("f");
  auto b = T::tensor(DType::Bool, {false, false}, "b");
  auto bv = T::bvector("bv");
  EXPECT_EQ(T::sum(i).dtype(), DType::Int64);
  EXPECT_EQ(T::prod(bv).dtype(), DType::Int64);
  EXPECT_EQ(T::sum(b).dtype(), DType::Int64);
  EXPECT_EQ(T::sum(f).dtype(), DType::Float32);
  EXPECT_EQ(T::max(i).dtype(), DType::Int32);
  EXPECT_EQ(T::min(f).dtype(), DType::Float32);
  EXPECT_EQ(T::all(f).dtype(), DType::Bool);
  EXPECT_EQ(T::any(i).dtype(), DType::Bool);
  EXPECT_EQ(T::mean(i).dtype(), DType::Float64);
  EXPECT_EQ(T::mean(f).dtype(), DType::Float32);
  EXPECT_EQ(T::var(i).dtype(), DType::Float64);
  EXPECT_EQ(T::std_(f).dtype(), DType::Float32);
  EXPECT_EQ(T::argmax(f).dtype(), DType::Int64);

  // np.sum(np.int32([[1,2,3],[4,5,6]]), axis=0) -> [5 7 9] int64
  EXPECT_ALLCLOSE(function({i}, T::sum(i, 0))(array({{1, 2, 3}, {4, 5, 6}}).astype(DType::Int32)),
                  array({5, 7, 9}));
  // np.prod(np.int8([100, 3]) ...): int64, no int8 overflow -> [300 -200]
  auto bm = T::bmatrix("bm");
  EXPECT_ALLCLOSE(function({bm}, T::prod(bm, 0))(array({{100, 100}, {3, -2}}).astype(DType::Int8)),
                  array({300, -200}));
  // np.sum([[True, False], [True, True]]) -> 3
  EXPECT_ALLCLOSE(function({b}, T::sum(b))(array({{true, false}, {true, true}})),
                  array(int64_t{3}));
  // np.mean(np.int32([1, 2, 4])), np.var(...) -> 2.3333333333333335 1.5555555555555554
  auto iv = T::ivector("iv");
  auto stats = function({iv}, {T::mean(iv), T::var(iv)});
  auto outs = stats(array({1, 2, 4}).astype(DType::Int32));
  EXPECT_ALLCLOSE(outs[0], array(2.3333333333333335));
  EXPECT_ALLCLOSE(outs[1], array(1.5555555555555554));
  // float32 stays float32.
  EXPECT_ALLCLOSE(
      function({f}, T::max(f, 1))(array({{1.5, -2.0}, {0.25, 4.0}}).astype(DType::Float32)),
      array({1.5, 4.0}).astype(DType::Float32));
  EXPECT_ALLCLOSE(function({f}, T::mean(f))(array({{1.0, 2.0}, {4.0, 5.0}}).astype(DType::Float32)),
                  array(3.0f));
}

TEST(Reduce, Float32SumsAccumulateInFloat64) {
  // NumPy's float32 pairwise sum gives 0 here; accumulating in float64 keeps the 1.
  auto v = T::fvector("v");
  EXPECT_ALLCLOSE(function({v}, T::sum(v))(array({1e8, 1.0, -1e8}).astype(DType::Float32)),
                  array(1.0f));
}

TEST(Reduce, AllAndAny) {
  auto m = T::imatrix("m");
  auto f = function({m}, {T::all(m, 1), T::any(m, 1), T::all(m), T::any(m, 0, true)});
  auto outs = f(array({{1, 0}, {2, 3}}).astype(DType::Int32));
  // np.all(..., axis=1) -> [False True]; np.any(..., axis=1) -> [True True]
  EXPECT_ALLCLOSE(outs[0], array({false, true}));
  EXPECT_ALLCLOSE(outs[1], array({true, true}));
  EXPECT_ALLCLOSE(outs[2], array(false));
  EXPECT_ALLCLOSE(outs[3], array({{true, true}}));
}

TEST(Reduce, EmptyArrays) {
  auto x = T::dmatrix("x");
  const NDArray empty = NDArray::zeros(DType::Float64, {0, 3});
  auto f = function({x}, {T::sum(x, 0), T::prod(x, 0), T::all(x, 0), T::any(x, 0), T::sum(x),
                          T::max(x, 1), T::mean(x, 0)});
  auto outs = f(empty);
  EXPECT_ALLCLOSE(outs[0], array({0.0, 0.0, 0.0}));
  EXPECT_ALLCLOSE(outs[1], array({1.0, 1.0, 1.0}));
  EXPECT_ALLCLOSE(outs[2], array({true, true, true}));
  EXPECT_ALLCLOSE(outs[3], array({false, false, false}));
  EXPECT_ALLCLOSE(outs[4], array(0.0));
  EXPECT_EQ(outs[5].shape(), Shape({0}));  // nothing reduced is empty: no error (NumPy)
  EXPECT_ALLCLOSE(outs[6], array({kNan, kNan, kNan}));

  auto max0 = function({x}, T::max(x, 0));
  EXPECT_TRUE(throws_with<ValueError>([&] { max0(empty); },
                                      {"max", "zero-size array to reduction operation max"}));
  auto min_all = function({x}, T::min(x));
  EXPECT_TRUE(throws_with<ValueError>(
      [&] {
        min_all(NDArray::zeros(DType::Float64, {3, 0}));
      },
      {"zero-size array to reduction operation min"}));
  auto am = function({x}, T::argmax(x, 0));
  EXPECT_TRUE(throws_with<ValueError>([&] { am(empty); }, {"argmax", "empty sequence"}));
}

TEST(Reduce, NonContiguousInputs) {
  // x = np.arange(12.).reshape(3, 4)
  NDArray x_value = NDArray::empty(DType::Float64, {3, 4});
  for (int i = 0; i < 12; ++i) x_value.data<double>()[i] = i;
  auto x = T::dmatrix("x");
  auto f = function({x}, {T::sum(x, 0), T::max(x, 1), T::argmax(x, 0), T::argmax(x), T::argmin(x)});
  // x.T.sum(axis=0), x.T.max(axis=1) -> [6 22 38] [8 9 10 11]
  auto outs = f(x_value.transpose());
  EXPECT_ALLCLOSE(outs[0], array({6.0, 22.0, 38.0}));
  EXPECT_ALLCLOSE(outs[1], array({8.0, 9.0, 10.0, 11.0}));
  // r = x.T[::-1]; np.argmax(r, axis=0), np.argmax(r), np.argmin(r) -> [0 0 0] 2 9
  outs = f(x_value.transpose().slice(0, {Slice::kNone, Slice::kNone, -1}));
  EXPECT_ALLCLOSE(outs[2], array({0, 0, 0}));
  EXPECT_ALLCLOSE(outs[3], array(int64_t{2}));
  EXPECT_ALLCLOSE(outs[4], array(int64_t{9}));
  // x[:, ::2].sum(axis=1) -> [2 10 18]; x[::-1, 1::2].min(axis=0) -> [1 3]
  auto g = function({x}, T::sum(x, 1));
  EXPECT_ALLCLOSE(g(x_value.slice(1, {Slice::kNone, Slice::kNone, 2})), array({2.0, 10.0, 18.0}));
  auto h = function({x}, T::min(x, 0));
  EXPECT_ALLCLOSE(
      h(x_value.slice(0, {Slice::kNone, Slice::kNone, -1}).slice(1, {1, Slice::kNone, 2})),
      array({1.0, 3.0}));
}

// A reference reduction over every index of x, in double.
NDArray naive_reduce(const NDArray& x, const std::vector<int>& axes, double init,
                     const std::function<double(double, double)>& combine) {
  Shape kept;
  for (int d = 0; d < x.ndim(); ++d)
    if (std::find(axes.begin(), axes.end(), d) == axes.end()) kept.push_back(x.shape(d));
  NDArray out = NDArray::full(DType::Float64, kept, init);
  std::vector<int64_t> index(x.ndim(), 0);
  for (int64_t flat = 0; flat < x.size(); ++flat) {
    int64_t rest = flat, out_flat = 0;
    for (int d = x.ndim() - 1; d >= 0; --d) {
      index[d] = rest % x.shape(d);
      rest /= x.shape(d);
    }
    for (int d = 0; d < x.ndim(); ++d)
      if (std::find(axes.begin(), axes.end(), d) == axes.end())
        out_flat = out_flat * x.shape(d) + index[d];
    double& o = out.data<double>()[out_flat];
    o = combine(o, x.at<double>(index));
  }
  return out;
}

TEST(Reduce, StridedViewsMatchAReferenceLoop) {
  const NDArray base = random_array({6, 5, 8, 3}, DType::Float64, 0.5, 1.5, 7);
  const int perm[] = {2, 0, 3, 1};
  // Transposed, reversed, strided and broadcast (stride 0) views, with every axis subset.
  const std::vector<NDArray> views = {base, base.transpose(perm),
                                      base.slice(0, {Slice::kNone, Slice::kNone, -2}),
                                      base.slice(2, {1, 7, 3}).transpose(),
                                      base.index(1, 0).expand_dims(1).broadcast_to({6, 5, 8, 3})};
  auto x = T::dtensor4("x");
  for (int mask = 0; mask < 16; ++mask) {
    std::vector<int> axes;
    for (int d = 0; d < 4; ++d)
      if (mask & (1 << d)) axes.push_back(d);
    auto f = function({x}, {T::sum(x, Axes(axes)), T::prod(x, Axes(axes)), T::max(x, Axes(axes)),
                            T::min(x, Axes(axes))});
    for (const NDArray& v : views) {
      SCOPED_TRACE("mask " + std::to_string(mask) + " view " + shape_str(v.shape()));
      auto outs = f(v);
      EXPECT_ALLCLOSE(outs[0], naive_reduce(v, axes, 0, std::plus<>()), 1e-12);
      EXPECT_ALLCLOSE(outs[1], naive_reduce(v, axes, 1, std::multiplies<>()), 1e-12);
      auto mx = [](double a, double b) { return std::max(a, b); };
      auto mn = [](double a, double b) { return std::min(a, b); };
      EXPECT_ALLCLOSE(outs[2], naive_reduce(v, axes, -INFINITY, mx));
      EXPECT_ALLCLOSE(outs[3], naive_reduce(v, axes, INFINITY, mn));
    }
  }
}

TEST(Reduce, LargeContiguousRowsAndColumns) {
  // Exercises the vectorized row fold and the column accumulation on a long input.
  const int64_t n = 1000;
  NDArray a = NDArray::empty(DType::Int32, {n, n});
  for (int64_t i = 0; i < n * n; ++i) a.data<int32_t>()[i] = static_cast<int32_t>(i % 7);
  auto x = T::imatrix("x");
  auto f = function({x}, {T::sum(x, 0), T::sum(x, 1), T::max(x, 1), T::sum(x)});
  auto outs = f(a);
  EXPECT_EQ(outs[3].item<int64_t>(), 2999997);  // sum(i % 7 for i in range(10**6))
  EXPECT_ALLCLOSE(outs[0].astype(DType::Float64),
                  naive_reduce(a.astype(DType::Float64), {0}, 0, std::plus<>()));
  EXPECT_ALLCLOSE(outs[1].astype(DType::Float64),
                  naive_reduce(a.astype(DType::Float64), {1}, 0, std::plus<>()));
  EXPECT_EQ(outs[2].at<int32_t>({5}), 6);
}

TEST(Reduce, MaxAndMinPropagateNan) {
  auto x = T::dmatrix("x");
  auto f = function({x}, {T::max(x, 1), T::min(x, 0), T::argmax(x, 1), T::argmin(x, 1)});
  // np.max(a, axis=1), np.min(a, axis=0) with a = [[1, nan, nan], [2, 3, -1]] -> [nan 3], [1 nan
  // nan]
  auto outs = f(array({{1.0, kNan, kNan}, {2.0, 3.0, -1.0}}));
  EXPECT_ALLCLOSE(outs[0], array({kNan, 3.0}));
  EXPECT_ALLCLOSE(outs[1], array({1.0, kNan, kNan}));
  // np.argmax(a, axis=1), np.argmin(a, axis=1) -> [1 1] [1 2]: the first NaN wins
  EXPECT_ALLCLOSE(outs[2], array({1, 1}));
  EXPECT_ALLCLOSE(outs[3], array({1, 2}));
}

TEST(Argmax, FirstOccurrenceAlongAxesAndFlattened) {
  auto y = T::imatrix("y");
  auto f = function({y}, {T::argmax(y, 1), T::argmin(y, 0), T::argmax(y), T::argmin(y, -1, true),
                          T::argmax(y, std::nullopt, true)});
  // y = [[3, 1, 3], [0, 5, 5]]: np.argmax(y, 1), np.argmin(y, 0), np.argmax(y),
  // np.argmin(y, -1, keepdims=True) -> [0 1] [1 0 0] 4 [[1] [0]]
  auto outs = f(array({{3, 1, 3}, {0, 5, 5}}).astype(DType::Int32));
  EXPECT_ALLCLOSE(outs[0], array({0, 1}));
  EXPECT_ALLCLOSE(outs[1], array({1, 0, 0}));
  EXPECT_ALLCLOSE(outs[2], array(int64_t{4}));
  EXPECT_ALLCLOSE(outs[3], array({{1}, {0}}));
  EXPECT_ALLCLOSE(outs[4], array({{4}}));
}

TEST(Reduce, NoAxesIsACopyInTheResultDtype) {
  auto i = T::ivector("i");
  auto f =
      function({i}, {T::sum(i, Axes(std::vector<int>{})), T::max(i, Axes(std::vector<int>{}))});
  auto outs = f(array({4, -2}).astype(DType::Int32));
  EXPECT_ALLCLOSE(outs[0], array({4, -2}));  // int64, as np.sum(..., axis=())
  EXPECT_ALLCLOSE(outs[1], array({4, -2}).astype(DType::Int32));
}

TEST(Reduce, MeanOverBroadcastableAxesNeedsNoShape) {
  auto r = T::drow("r");
  EXPECT_ALLCLOSE(function({r}, T::mean(r, 0))(array({{1.0, 3.0}})), array({1.0, 3.0}));
}

TEST(Reduce, PrintsAxesAndKeepdims) {
  auto x = T::dmatrix("x");
  EXPECT_EQ(T::sum(x).owner()->op().print(std::vector<std::string>{"x"}), "sum(x)");
  EXPECT_EQ(T::max(x, -1, true).owner()->op().print(std::vector<std::string>{"x"}),
            "max(x, axis=1, keepdims=True)");
  EXPECT_FALSE(T::sum(x, 0).owner()->op().equals(T::sum(x, 1).owner()->op()));
  EXPECT_TRUE(T::sum(x, 0).owner()->op().equals(T::sum(x, -2).owner()->op()));
}

TEST(Reduce, ErrorsNameTheOp) {
  auto x = T::dmatrix("x");
  EXPECT_TRUE(throws_with<ValueError>([&] { T::sum(x, 2); }, {"sum", "axis 2", "out of range"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::max(x, {0, -2}); }, {"max", "duplicate"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::mean(x, -3); }, {"mean", "out of range"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::var(x, 5); }, {"var"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::argmax(x, 2); }, {"argmax", "out of range"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::argmin(x, -3); }, {"argmin"}));
  auto z = T::zvector("z");
  EXPECT_TRUE(throws_with<TypeError>([&] { T::max(z); }, {"max", "complex"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::argmin(z); }, {"argmin", "complex"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::var(z); }, {"var", "complex"}));
}

TEST(Reduce, ComplexSumAndProd) {
  auto z = T::zvector("z");
  auto f = function({z}, {T::sum(z), T::prod(z)});
  // np.sum([1+2j, 3-1j]), np.prod(...) -> (4+1j) (5+5j)
  auto outs = f(array({complex128(1, 2), complex128(3, -1)}));
  EXPECT_ALLCLOSE(outs[0], array(complex128(4, 1)));
  EXPECT_ALLCLOSE(outs[1], array(complex128(5, 5)));
}

}  // namespace
}  // namespace theon
