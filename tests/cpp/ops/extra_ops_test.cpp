// extra_ops (include/theon/extra_ops.hpp): values against NumPy (the commands are in the
// comments), dtypes, empty and non-contiguous inputs, negative axes, gradients by
// finite differences, and the errors that name the op.
#include <cmath>
#include <limits>
#include <numeric>

#include "grad/grad_check.hpp"
#include "support/test_util.hpp"
#include "theon/extra_ops.hpp"
#include "theon/nnet.hpp"

namespace T = theon::tensor;
using theon::array;
using theon::function;
using theon::testing::allclose;
using theon::testing::throws_with;

namespace theon {
namespace {

// numpy.arange(size).reshape(shape).astype(dtype)
NDArray iota(const Shape& shape, DType dtype = DType::Float64) {
  std::vector<double> values(static_cast<size_t>(shape_size(shape)));
  std::iota(values.begin(), values.end(), 0.0);
  return array(values, shape).astype(dtype);
}

TEST(Cumulative, MatchesNumpyAlongEachAxis) {
  auto x = T::dmatrix("x");
  auto f = function({x}, {T::cumsum(x), T::cumsum(x, 0), T::cumprod(x, -1)});
  auto outs = f(array({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}));
  // numpy.cumsum(a), numpy.cumsum(a, 0), numpy.cumprod(a, -1) of a = arange(1, 7).reshape(2, 3)
  EXPECT_ALLCLOSE(outs[0], array({1.0, 3.0, 6.0, 10.0, 15.0, 21.0}));
  EXPECT_ALLCLOSE(outs[1], array({{1.0, 2.0, 3.0}, {5.0, 7.0, 9.0}}));
  EXPECT_ALLCLOSE(outs[2], array({{1.0, 2.0, 6.0}, {4.0, 20.0, 120.0}}));
  // A transposed (non-contiguous) input and an empty one.
  auto t = f(iota({3, 2}).transpose());
  EXPECT_ALLCLOSE(t[1], array({{0.0, 2.0, 4.0}, {1.0, 5.0, 9.0}}));
  auto e = f(NDArray::zeros(DType::Float64, {0, 3}));
  EXPECT_EQ(e[1].shape(), (Shape{0, 3}));
}

TEST(Cumulative, IntegersAccumulateInInt64) {
  auto x = T::bvector("x");
  EXPECT_EQ(T::cumsum(x).dtype(), DType::Int64);
  auto f = function({x}, {T::cumsum(x), T::cumprod(x)});
  auto outs = f(array({100, 100, 100}, DType::Int8));
  EXPECT_ALLCLOSE(outs[0], array({100, 200, 300}));
  EXPECT_ALLCLOSE(outs[1], array({100, 10000, 1000000}));
}

TEST(Cumulative, CumprodGradientIsExactAtZeros) {
  auto x = T::dvector("x");
  auto f = function({x}, {T::grad(T::sum(T::cumprod(x)), x)});
  auto g = f(array({2.0, 0.0, 3.0}))[0];
  // d/dx (x0 + x0 x1 + x0 x1 x2) at (2, 0, 3) = (1 + x1 + x1 x2, x0 + x0 x2, x0 x1) = (1, 8, 0)
  EXPECT_ALLCLOSE(g, array({1.0, 8.0, 0.0}));
}

TEST(Diff, MatchesNumpy) {
  auto x = T::dmatrix("x");
  auto sq = T::sqr(x);
  auto f = function({x}, {T::diff(sq), T::diff(sq, 2, 0), T::diff(sq, 0)});
  auto outs = f(iota({3, 3}));
  // numpy.diff(a ** 2) and numpy.diff(a ** 2, 2, 0) of a = arange(9).reshape(3, 3)
  EXPECT_ALLCLOSE(outs[0], array({{1.0, 3.0}, {7.0, 9.0}, {13.0, 15.0}}));
  EXPECT_ALLCLOSE(outs[1], array({{18.0, 18.0, 18.0}}));
  EXPECT_ALLCLOSE(outs[2], array({{0.0, 1.0, 4.0}, {9.0, 16.0, 25.0}, {36.0, 49.0, 64.0}}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::diff(x, -1); }, {"diff", "-1"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::diff(x, 1, 2); }, {"diff", "axis"}));
}

TEST(Repeat, ScalarAndVectorCounts) {
  auto x = T::imatrix("x");
  auto r = T::lvector("r");
  auto f = function({x, r}, {T::repeat(x, 2), T::repeat(x, r, 1), T::repeat(x, 2, -2)});
  auto outs = f(iota({2, 2}, DType::Int32), array({3, 0}));
  // numpy.repeat(a, 2), numpy.repeat(a, [3, 0], 1), numpy.repeat(a, 2, -2)
  EXPECT_ALLCLOSE(outs[0], array({0, 0, 1, 1, 2, 2, 3, 3}, DType::Int32));
  EXPECT_ALLCLOSE(outs[1], array({{0, 0, 0}, {2, 2, 2}}, DType::Int32));
  EXPECT_ALLCLOSE(outs[2], array({{0, 1}, {0, 1}, {2, 3}, {2, 3}}, DType::Int32));
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(iota({2, 2}, DType::Int32), array({1, 2, 3})); },
                                      {"repeat", "3 repeat counts", "length 2"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { f(iota({2, 2}, DType::Int32), array({1, -1})); },
                                      {"repeat", "non-negative"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::repeat(x, 1.5); }, {"repeat", "integer"}));
}

TEST(Tile, MatchesNumpyWithPaddingAndSymbolicReps) {
  auto x = T::dvector("x");
  auto n = T::lscalar("n");
  auto f = function({x, n}, {T::tile(x, {2}), T::tile(x, {n, 1}), T::tile(x, {2}, 3)});
  auto outs = f(array({1.0, 2.0}), array(int64_t{2}));
  // numpy.tile([1, 2], 2), numpy.tile([1, 2], (2, 1)), numpy.tile([1, 2], (1, 1, 2))
  EXPECT_ALLCLOSE(outs[0], array({1.0, 2.0, 1.0, 2.0}));
  EXPECT_ALLCLOSE(outs[1], array({{1.0, 2.0}, {1.0, 2.0}}));
  EXPECT_EQ(outs[2].shape(), (Shape{1, 1, 4}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::tile(T::dmatrix(), {2}, 1); }, {"tile", "ndim"}));
}

TEST(Roll, MatchesNumpy) {
  auto x = T::dmatrix("x");
  auto s = T::lscalar("s");
  auto f = function({x, s}, {T::roll(x, s), T::roll(x, s, -1), T::roll(x, s, 0)});
  auto outs = f(iota({2, 3}), array(int64_t{-4}));
  // numpy.roll(a, -4), numpy.roll(a, -4, -1), numpy.roll(a, -4, 0) of arange(6).reshape(2, 3)
  EXPECT_ALLCLOSE(outs[0], array({{4.0, 5.0, 0.0}, {1.0, 2.0, 3.0}}));
  EXPECT_ALLCLOSE(outs[1], array({{1.0, 2.0, 0.0}, {4.0, 5.0, 3.0}}));
  EXPECT_ALLCLOSE(outs[2], iota({2, 3}));
  // Shifts near the int64 limits wrap without overflow.
  outs = f(iota({2, 3}), array(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(outs[0].shape(), (Shape{2, 3}));
}

TEST(Sort, StableWithNanLastForEachDtype) {
  auto x = T::dvector("x");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto f = function({x}, {T::sort(x), T::argsort(x)});
  auto outs = f(array({2.0, nan, 1.0, 2.0, 1.0}));
  // numpy.sort / numpy.argsort(kind='stable') of [2, nan, 1, 2, 1]
  EXPECT_ALLCLOSE(outs[0], array({1.0, 1.0, 2.0, 2.0, nan}));
  EXPECT_ALLCLOSE(outs[1], array({2, 4, 0, 3, 1}));
  for (DType dtype : {DType::Float32, DType::Int16, DType::UInt8, DType::Bool}) {
    auto m = T::tensor(dtype, {false, false}, "m");
    auto g = function({m}, {T::sort(m, 0), T::sort(m, std::nullopt)});
    auto got = g(array({{1, 0}, {0, 1}}, dtype));
    EXPECT_ALLCLOSE(got[0], array({{0, 0}, {1, 1}}, dtype));
    EXPECT_ALLCLOSE(got[1], array({0, 0, 1, 1}, dtype));
  }
  EXPECT_TRUE(throws_with<TypeError>([&] { T::sort(T::zvector()); }, {"sort", "complex"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::argsort(T::dmatrix(), 2); }, {"argsort", "axis"}));
}

TEST(SearchSorted, LeftRightAndSorter) {
  auto x = T::dvector("x");
  auto v = T::dmatrix("v");
  auto s = T::lvector("s");
  auto f = function({x, v, s}, {T::searchsorted(x, v), T::searchsorted(x, v, "right"),
                                T::searchsorted(x, v, "left", s)});
  auto outs = f(array({1.0, 2.0, 2.0, 3.0}), array({{2.0, 0.0}, {9.0, 2.5}}), array({0, 1, 2, 3}));
  // numpy.searchsorted([1, 2, 2, 3], [[2, 0], [9, 2.5]], side)
  EXPECT_ALLCLOSE(outs[0], array({{1, 0}, {4, 3}}));
  EXPECT_ALLCLOSE(outs[1], array({{3, 0}, {4, 3}}));
  EXPECT_ALLCLOSE(outs[2], outs[0]);
  EXPECT_TRUE(throws_with<ValueError>(
      [&] { f(array({1.0, 2.0}), array({{1.0}}), array({0, 5})); }, {"searchsorted", "sorter"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::searchsorted(T::dmatrix(), v); }, {"searchsorted", "vector"}));
}

TEST(ShapeHelpers, SqueezeAndSpecifyShape) {
  auto x = T::tensor(DType::Float64, {true, false, true}, "x");
  EXPECT_EQ(T::squeeze(x).ndim(), 1);
  EXPECT_EQ(T::squeeze(x, std::vector<int>{-1}).ndim(), 2);
  EXPECT_TRUE(throws_with<ValueError>([&] { T::squeeze(x, std::vector<int>{1}); },
                                      {"squeeze", "not broadcastable"}));
  auto m = T::dmatrix("m");
  auto f = function({m}, {T::specify_shape(m, {2, -1})});
  EXPECT_EQ(f(iota({2, 5}))[0].shape(), (Shape{2, 5}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(iota({3, 5})); }, {"specify_shape", "(3, 5)"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::specify_shape(m, {1, 2, 3}); }, {"specify_shape"}));
}

TEST(FillDiagonal, MatricesTensorsAndOffsets) {
  auto a = T::dmatrix("a");
  auto k = T::lscalar("k");
  auto f = function({a, k}, {T::fill_diagonal(a, 9.0), T::fill_diagonal_offset(a, 9.0, k)});
  auto outs = f(NDArray::zeros(DType::Float64, {2, 3}), array(int64_t{-1}));
  EXPECT_ALLCLOSE(outs[0], array({{9.0, 0.0, 0.0}, {0.0, 9.0, 0.0}}));
  EXPECT_ALLCLOSE(outs[1], array({{0.0, 0.0, 0.0}, {9.0, 0.0, 0.0}}));
  outs = f(NDArray::zeros(DType::Float64, {2, 3}), array(std::numeric_limits<int64_t>::min()));
  EXPECT_ALLCLOSE(outs[1], NDArray::zeros(DType::Float64, {2, 3}));
  auto t = T::itensor3("t");
  auto g = function({t}, {T::fill_diagonal(t, 1)});
  auto cube = g(NDArray::zeros(DType::Int32, {2, 2, 2}))[0];
  EXPECT_EQ(cube.at<int32_t>({1, 1, 1}), 1);
  EXPECT_EQ(cube.at<int32_t>({1, 1, 0}), 0);
  EXPECT_TRUE(throws_with<ShapeError>([&] { g(NDArray::zeros(DType::Int32, {2, 3, 2})); },
                                      {"fill_diagonal", "same length"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::fill_diagonal(T::imatrix(), T::dscalar()); },
                                     {"fill_diagonal", "float64", "int32"}));
}

TEST(Encodings, OneHotBincountUnravelRavel) {
  auto y = T::ivector("y");
  auto w = T::fvector("w");
  auto f = function({y, w}, {T::to_one_hot(y, 3, DType::Int8), T::bincount(y),
                             T::bincount(y, w, 5)});
  auto outs = f(array({2, 0, 2}, DType::Int32), array({0.5, 1.0, 2.0}, DType::Float32));
  EXPECT_ALLCLOSE(outs[0], array({{0, 0, 1}, {1, 0, 0}, {0, 0, 1}}, DType::Int8));
  // numpy.bincount([2, 0, 2]) and numpy.bincount([2, 0, 2], [0.5, 1, 2], 5) (in float32)
  EXPECT_ALLCLOSE(outs[1], array({1, 0, 2}));
  EXPECT_ALLCLOSE(outs[2], array({1.0, 0.0, 2.5, 0.0, 0.0}, DType::Float32));
  EXPECT_TRUE(throws_with<IndexError>(
      [&] { f(array({3}, DType::Int32), array({1.0}, DType::Float32)); }, {"to_one_hot", "label 3"}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] { f(array({1}, DType::Int32), array({1.0, 2.0}, DType::Float32)); }, {"bincount", "weights"}));

  auto i = T::lvector("i");
  auto coords = T::unravel_index(i, {2, 3});
  auto g = function({i}, {coords[0], coords[1], T::ravel_multi_index(coords, {2, 3})});
  auto got = g(array({5, 0, 4}));
  // numpy.unravel_index([5, 0, 4], (2, 3))
  EXPECT_ALLCLOSE(got[0], array({1, 0, 1}));
  EXPECT_ALLCLOSE(got[1], array({2, 0, 1}));
  EXPECT_ALLCLOSE(got[2], array({5, 0, 4}));
  EXPECT_TRUE(throws_with<ValueError>([&] { g(array({6})); }, {"unravel_index", "out of bounds"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::ravel_multi_index({i}, {2}, "bounce"); },
                                      {"ravel_multi_index", "mode"}));
}

TEST(Nonzero, IndicesValuesCompressBartlett) {
  auto x = T::dmatrix("x");
  auto nz = T::nonzero(x);
  auto f = function({x}, {nz[0], nz[1], T::flatnonzero(x), T::nonzero_values(x)});
  auto outs = f(array({{0.0, 2.0}, {3.0, 0.0}}));
  EXPECT_ALLCLOSE(outs[0], array({0, 1}));
  EXPECT_ALLCLOSE(outs[1], array({1, 0}));
  EXPECT_ALLCLOSE(outs[2], array({1, 2}));
  EXPECT_ALLCLOSE(outs[3], array({2.0, 3.0}));
  auto m = T::lscalar("m");
  auto b = function({m}, {T::bartlett(m)});
  // numpy.bartlett(5)
  EXPECT_ALLCLOSE(b(array(int64_t{5}))[0], array({0.0, 0.5, 1.0, 0.5, 0.0}));
  EXPECT_ALLCLOSE(b(array(int64_t{1}))[0], array({1.0}));
}

TEST(Nnet, HardSigmoidFollowsTheanosFormula) {
  auto x = T::fvector("x");
  auto f = function({x}, {T::nnet::hard_sigmoid(x), T::nnet::ultra_fast_sigmoid(x)});
  auto outs = f(array({-3.0, 0.0, 1.0, 3.0}, DType::Float32));
  EXPECT_ALLCLOSE(outs[0], array({0.0, 0.5, 0.7, 1.0}, DType::Float32), 1e-6, 1e-7);
  EXPECT_NEAR(outs[1].at<float>({2}), 0.7310586f, 1e-6);
}

}  // namespace

namespace testing {
namespace {

TEST(ExtraOpsGrad, MatchesFiniteDifferences) {
  check_rows({
      {"cumsum axis 1", [](const Vars& in) { return T::cumsum(in[0], 1); }, {{{3, 4}}}},
      {"cumsum flat", [](const Vars& in) { return T::cumsum(in[0]); }, {{{2, 3}}}},
      {"cumprod", [](const Vars& in) { return T::cumprod(in[0], 0); }, {{{4, 3}, 0.5, 1.5}}},
      {"cumprod signs", [](const Vars& in) { return T::cumprod(in[0], -1); }, {{{2, 5}, -1.5, 1.5}}},
      {"diff", [](const Vars& in) { return T::diff(in[0], 2, 0); }, {{{5, 2}}}},
      {"repeat scalar", [](const Vars& in) { return T::repeat(in[0], 3, 1); }, {{{2, 3}}}},
      {"repeat vector",
       [](const Vars& in) { return T::repeat(in[0], constant(array({2, 0, 1})), 0); }, {{{3, 2}}}},
      {"tile", [](const Vars& in) { return T::tile(in[0], {2, 1, 3}); }, {{{2, 2}}}},
      {"roll", [](const Vars& in) { return T::roll(in[0], -2, 1); }, {{{2, 5}}}},
      {"roll flat", [](const Vars& in) { return T::roll(in[0], 4); }, {{{2, 3}}}},
      {"sort", [](const Vars& in) { return T::sort(in[0], 0); }, {{{4, 3}}}},
      {"sort flat", [](const Vars& in) { return T::sort(in[0], std::nullopt); }, {{{2, 3}}}},
      {"specify_shape", [](const Vars& in) { return T::specify_shape(in[0], {2, 3}); }, {{{2, 3}}}},
      {"fill_diagonal", [](const Vars& in) { return T::fill_diagonal(in[0], in[1]); },
       {{{3, 4}}, {{}}}},
      {"fill_diagonal_offset",
       [](const Vars& in) { return T::fill_diagonal_offset(in[0], in[1], -1); }, {{{3, 3}}, {{}}}},
      {"bincount weights",
       [](const Vars& in) { return T::bincount(constant(array({0, 2, 2})), in[0]); }, {{{3}}}},
  });
}

}  // namespace
}  // namespace testing
}  // namespace theon
