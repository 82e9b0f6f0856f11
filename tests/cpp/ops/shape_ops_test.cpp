// Shape ops: shape, reshape, flatten, join/stack/split, alloc and friends, arange,
// addbroadcast/unbroadcast. Expected values come from NumPy (commands in comments).
#include <numeric>

#include "ops/shape_ops.hpp"
#include "support/test_util.hpp"

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

BroadcastPattern pattern(std::initializer_list<bool> flags) { return BroadcastPattern(flags); }

// ---- shape, shape_i ----

TEST(ShapeOps, ShapeAndShapeIAreInt64) {
  auto x = T::dtensor3("x");
  auto f = function({x}, {T::shape(x), T::shape_i(x, 1), T::shape_i(x, -1)});
  auto outs = f(iota({2, 3, 4}));
  EXPECT_ALLCLOSE(outs[0], array({2, 3, 4}));
  EXPECT_ALLCLOSE(outs[1], array(3));
  EXPECT_ALLCLOSE(outs[2], array(4));
  // Empty and non-contiguous arrays.
  NDArray t = iota({5, 0, 2}).transpose();
  outs = f(t);
  EXPECT_ALLCLOSE(outs[0], array({2, 0, 5}));
}

TEST(ShapeOps, ShapeOfBroadcastableDimensionIsConstantOne) {
  auto r = T::drow("r");
  EXPECT_TRUE(T::shape_i(r, 0).is_constant());
  EXPECT_FALSE(T::shape_i(r, 1).is_constant());
  EXPECT_EQ(T::shape(r).dtype(), DType::Int64);
  EXPECT_TRUE(throws_with<ValueError>([&] { T::shape_i(r, 2); }, {"shape_i"}));
}

TEST(ShapeOps, ShapeArgLengths) {
  auto x = T::dtensor3("x");
  auto n = T::lscalar("n");
  EXPECT_EQ(ShapeArg({2, 3}).length(), 2);
  EXPECT_EQ(ShapeArg({n, -1}).length(), 2);
  EXPECT_EQ(ShapeArg(std::vector<int64_t>{4, 5, 6}).length(), 3);
  EXPECT_EQ(ShapeArg(Shape{7}).length(), 1);
  EXPECT_EQ(ShapeArg(T::shape(x)).length(), 3);
  EXPECT_EQ(ShapeArg(n).length(), 1);
  EXPECT_EQ(ShapeArg(T::lvector("v")).length(), -1);
  EXPECT_TRUE(ShapeArg({2, 3}).vector().is_constant());
  EXPECT_TRUE(throws_with<TypeError>([&] { ShapeArg({2.5, 3}); }, {"shape", "entry 0"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { ShapeArg(T::dvector("v")); }, {"integer vector"}));
}

// ---- reshape ----

TEST(Reshape, MatchesNumpyForSeveralDtypes) {
  for (DType dtype : {DType::Float64, DType::Float32, DType::Int32, DType::Int8}) {
    auto x = T::tensor(dtype, {false, false}, "x");
    auto f = function({x}, {T::reshape(x, {3, 2}), T::reshape(x, {-1}), T::reshape(x, {-1, 1, 2})});
    auto outs = f(iota({2, 3}, dtype));
    EXPECT_ALLCLOSE(outs[0], iota({3, 2}, dtype));
    EXPECT_ALLCLOSE(outs[1], iota({6}, dtype));
    EXPECT_ALLCLOSE(outs[2], iota({3, 1, 2}, dtype));
  }
}

TEST(Reshape, ConstantOnesAreBroadcastable) {
  auto x = T::dmatrix("x");
  auto n = T::lscalar("n");
  EXPECT_EQ(T::reshape(x, {1, -1}).broadcastable(), pattern({true, false}));
  EXPECT_EQ(T::reshape(x, {n, 1, 3}).broadcastable(), pattern({false, true, false}));
  EXPECT_EQ(T::reshape(x, {-1}).ndim(), 1);
}

TEST(Reshape, SymbolicShape) {
  auto x = T::dvector("x");
  auto n = T::lscalar("n");
  auto f = function({x, n}, T::reshape(x, {n, -1}));
  EXPECT_ALLCLOSE(f(iota({12}), 3), iota({3, 4}));
  EXPECT_ALLCLOSE(f(iota({12}), 6), iota({6, 2}));
  // The shape of another variable.
  auto y = T::dmatrix("y");
  auto g = function({x, y}, T::reshape(x, T::shape(y)));
  EXPECT_ALLCLOSE(g(iota({6}), iota({2, 3})), iota({2, 3}));
}

TEST(Reshape, NonContiguousInputCopiesInCOrder) {
  auto x = T::dmatrix("x");
  auto f = function({x}, T::reshape(x, {6}));
  NDArray t = iota({2, 3}).transpose();
  // numpy: np.arange(6).reshape(2, 3).T.reshape(6)
  EXPECT_ALLCLOSE(f(t), array({0.0, 3.0, 1.0, 4.0, 2.0, 5.0}));
  EXPECT_ALLCLOSE(f(t), array({0.0, 3.0, 1.0, 4.0, 2.0, 5.0}));  // reused output
  EXPECT_ALLCLOSE(f(iota({3, 2})), iota({6}));
}

TEST(Reshape, EmptyArrays) {
  auto x = T::dmatrix("x");
  auto f = function({x}, T::reshape(x, {3, 0}));
  EXPECT_EQ(f(iota({0, 3})).array().shape(), Shape({3, 0}));
  auto g = function({x}, T::reshape(x, {-1, 3}));
  EXPECT_EQ(g(iota({0, 3})).array().shape(), Shape({0, 3}));
}

TEST(Reshape, Errors) {
  auto x = T::dmatrix("x");
  auto f = function({x}, T::reshape(x, {4, -1}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(iota({2, 3})); }, {"reshape", "(4, -1)", "6", "shape_ops_test.cpp"}));
  auto g = function({x}, T::reshape(x, {4, 2}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { g(iota({2, 3})); }, {"reshape", "(4, 2)"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::reshape(x, {-1, -1}); }, {"reshape", "-1"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::reshape(x, {-2, 3}); }, {"reshape", "negative"}));
  EXPECT_TRUE(
      throws_with<ValueError>([&] { T::reshape(x, T::lvector("s")); }, {"reshape", "length"}));
  auto n = T::lscalar("n");
  auto h = function({x, n}, T::reshape(x, {n, 3}));
  EXPECT_TRUE(throws_with<ValueError>([&] { h(iota({2, 3}), -2); }, {"reshape", "negative"}));
}

// ---- flatten ----

TEST(Flatten, KeepsLeadingDimensions) {
  auto x = T::dtensor3("x");
  auto f = function({x}, {T::flatten(x), T::flatten(x, 2), T::flatten(x, 3)});
  auto outs = f(iota({2, 3, 4}));
  EXPECT_ALLCLOSE(outs[0], iota({24}));
  EXPECT_ALLCLOSE(outs[1], iota({2, 12}));
  EXPECT_ALLCLOSE(outs[2], iota({2, 3, 4}));
  // numpy: np.arange(24).reshape(2, 3, 4).transpose(2, 0, 1).reshape(4, -1)
  const int perm[] = {2, 0, 1};
  outs = f(iota({2, 3, 4}).transpose(perm));
  EXPECT_ALLCLOSE(outs[1], array({{0.0, 4.0, 8.0, 12.0, 16.0, 20.0},
                                  {1.0, 5.0, 9.0, 13.0, 17.0, 21.0},
                                  {2.0, 6.0, 10.0, 14.0, 18.0, 22.0},
                                  {3.0, 7.0, 11.0, 15.0, 19.0, 23.0}}));
  // Empty arrays flatten, which reshape(0, -1) could not do.
  outs = f(iota({0, 3, 4}));
  EXPECT_EQ(outs[0].shape(), Shape({0}));
  EXPECT_EQ(outs[1].shape(), Shape({0, 12}));
}

TEST(Flatten, BroadcastableAndErrors) {
  auto r = T::tensor(DType::Float64, {true, false, true}, "r");
  EXPECT_EQ(T::flatten(r, 2).broadcastable(), pattern({true, false}));
  EXPECT_EQ(T::flatten(T::tensor(DType::Float64, {false, true, true}), 2).broadcastable(),
            pattern({false, true}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::flatten(r, 0); }, {"flatten"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::flatten(r, 4); }, {"flatten"}));
}

// ---- join, concatenate, stack, split ----

TEST(Join, ConcatenatesAlongAnyAxis) {
  auto [a, b] = T::dmatrices("a", "b");
  auto f = function({a, b}, {T::concatenate({a, b}, 0), T::join(-1, {b, a, b})});
  // numpy: np.concatenate([a, b], 0); np.concatenate([b, a, b], -1)
  NDArray av = array({{1.0, 2.0}, {3.0, 4.0}});
  NDArray bv = array({{5.0, 6.0}, {7.0, 8.0}});
  auto outs = f(av, bv);
  EXPECT_ALLCLOSE(outs[0], array({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}, {7.0, 8.0}}));
  EXPECT_ALLCLOSE(outs[1], array({{5.0, 6.0, 1.0, 2.0, 5.0, 6.0}, {7.0, 8.0, 3.0, 4.0, 7.0, 8.0}}));
  // Non-contiguous and empty inputs.
  NDArray t = bv.transpose();
  outs = f(av, t);
  EXPECT_ALLCLOSE(outs[0], array({{1.0, 2.0}, {3.0, 4.0}, {5.0, 7.0}, {6.0, 8.0}}));
  auto g = function({a, b}, T::concatenate({a, b}));
  EXPECT_ALLCLOSE(g(iota({0, 3}), iota({2, 3})), iota({2, 3}));
  EXPECT_EQ(g(iota({0, 3}), iota({0, 3})).array().shape(), Shape({0, 3}));
}

TEST(Join, PromotesDtypes) {
  auto i = T::ivector("i");
  auto f32 = T::fvector("f");
  auto l = T::lvector("l");
  // numpy: np.concatenate([int32, float32]).dtype == float64
  auto j = T::concatenate({i, f32});
  EXPECT_EQ(j.dtype(), DType::Float64);
  EXPECT_EQ(T::concatenate({i, l}).dtype(), DType::Int64);
  EXPECT_EQ(T::concatenate({i, i}).dtype(), DType::Int32);
  auto f = function({i, f32}, j);
  EXPECT_ALLCLOSE(f(array({1, 2}, DType::Int32), array({0.5}, DType::Float32)),
                  array({1.0, 2.0, 0.5}));
}

TEST(Join, BroadcastablePattern) {
  auto r = T::drow("r");
  auto m = T::dmatrix("m");
  EXPECT_EQ(T::concatenate({r, r}, 0).broadcastable(), pattern({false, false}));
  EXPECT_EQ(T::concatenate({r, m}, 1).broadcastable(), pattern({true, false}));
  EXPECT_TRUE(T::concatenate({r}, 0).is(r));
}

TEST(Join, Errors) {
  auto v = T::dvector("v");
  auto m = T::dmatrix("m");
  EXPECT_TRUE(throws_with<TypeError>([&] { T::concatenate({v, m}); }, {"join", "dimensions", "shape_ops_test.cpp"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::concatenate({T::dscalar(), T::dscalar()}); },
                                     {"join", "scalars"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::concatenate({v, v}, 1); }, {"join"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::concatenate({}); }, {"join"}));
  auto m2 = T::dmatrix("m2");
  auto f = function({m, m2}, T::concatenate({m, m2}, 0));
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(iota({2, 3}), iota({2, 4})); }, {"join", "(2, 4)", "shape_ops_test.cpp"}));
}

TEST(Stack, AddsAnAxis) {
  auto [a, b, c] = T::dvectors("a", "b", "c");
  auto f = function({a, b, c}, {T::stack({a, b, c}), T::stack({a, b, c}, 1), T::stack({a}, -1)});
  auto outs = f(array({1.0, 2.0}), array({3.0, 4.0}), array({5.0, 6.0}));
  // numpy: np.stack([a, b, c], 0), np.stack([a, b, c], 1), np.stack([a], -1)
  EXPECT_ALLCLOSE(outs[0], array({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}));
  EXPECT_ALLCLOSE(outs[1], array({{1.0, 3.0, 5.0}, {2.0, 4.0, 6.0}}));
  EXPECT_ALLCLOSE(outs[2], array({{1.0}, {2.0}}));
  auto [x, y] = T::iscalars("x", "y");
  auto g = function({x, y}, T::stack({x, y}));
  EXPECT_ALLCLOSE(g(3, 4), array({3, 4}, DType::Int32));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::stack({a, T::dmatrix()}); }, {"stack"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::stack({a, b}, 2); }, {"stack"}));
}

TEST(Split, CutsIntoViews) {
  auto x = T::dmatrix("x");
  auto n = T::lscalar("n");
  auto parts = T::split(x, {n, 3}, 1);
  ASSERT_EQ(parts.size(), 2u);
  auto f = function({x, n}, parts);
  // numpy: np.split(np.arange(10).reshape(2, 5), [2], axis=1)
  auto outs = f(iota({2, 5}), 2);
  EXPECT_ALLCLOSE(outs[0], array({{0.0, 1.0}, {5.0, 6.0}}));
  EXPECT_ALLCLOSE(outs[1], array({{2.0, 3.0, 4.0}, {7.0, 8.0, 9.0}}));
  outs = f(iota({2, 3}), 0);
  EXPECT_EQ(outs[0].shape(), Shape({2, 0}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(iota({2, 5}), 1); }, {"split"}));
  EXPECT_EQ(T::split(x, {1, n}, 0)[0].broadcastable(), pattern({true, false}));
}

// ---- alloc, zeros, ones, zeros_like, ones_like ----

TEST(Alloc, BroadcastsValueToShape) {
  auto v = T::dscalar("v");
  auto row = T::dvector("row");
  auto n = T::lscalar("n");
  auto f = function({v, row, n}, {T::alloc(v, {2, 3}), T::alloc(row, {n, 3}), T::alloc(v, {})});
  auto outs = f(1.5, array({1.0, 2.0, 3.0}), 2);
  EXPECT_ALLCLOSE(outs[0], array({{1.5, 1.5, 1.5}, {1.5, 1.5, 1.5}}));
  EXPECT_ALLCLOSE(outs[1], array({{1.0, 2.0, 3.0}, {1.0, 2.0, 3.0}}));
  EXPECT_ALLCLOSE(outs[2], array(1.5));
  // Non-contiguous value, empty result.
  NDArray strided = array({1.0, 9.0, 2.0, 9.0, 3.0, 9.0}).slice(0, Slice{0, Slice::kNone, 2});
  outs = f(0.0, strided, 0);
  EXPECT_EQ(outs[1].shape(), Shape({0, 3}));
  outs = f(0.0, strided, 1);
  EXPECT_ALLCLOSE(outs[1], array({{1.0, 2.0, 3.0}}));
}

TEST(Alloc, TypesAndErrors) {
  auto v = T::fscalar("v");
  auto n = T::lscalar("n");
  auto a = T::alloc(v, {1, n});
  EXPECT_EQ(a.dtype(), DType::Float32);
  EXPECT_EQ(a.broadcastable(), pattern({true, false}));
  EXPECT_EQ(T::alloc(0.5, {2}).dtype(), DType::Float64);
  auto vec = T::dvector("vec");
  auto f = function({vec}, T::alloc(vec, {2, 4}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(array({1.0, 2.0, 3.0})); }, {"alloc", "(2, 4)"}));
  // Only broadcastable dimensions stretch, as in Theano.
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(array({1.0})); }, {"alloc"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::alloc(T::dmatrix(), {3}); }, {"alloc"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::alloc(1.0, {-1}); }, {"alloc", "negative"}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { T::alloc(constant(array({1.0, 2.0})), {3}); },
                                      {"alloc"}));
}

TEST(Alloc, ZerosAndOnes) {
  auto n = T::lscalar("n");
  auto f = function({n}, {T::zeros({2, n}), T::ones({n}, DType::Int32), T::zeros({0, 2}),
                          T::ones({}, DType::Float32)});
  auto outs = f(3);
  EXPECT_ALLCLOSE(outs[0], array({{0.0, 0.0, 0.0}, {0.0, 0.0, 0.0}}));
  EXPECT_ALLCLOSE(outs[1], array({1, 1, 1}, DType::Int32));
  EXPECT_EQ(outs[2].shape(), Shape({0, 2}));
  EXPECT_ALLCLOSE(outs[3], array(1.0f));
  const DType saved = config().floatX;
  config().floatX = DType::Float32;
  EXPECT_EQ(T::zeros({2}).dtype(), DType::Float32);
  config().floatX = saved;
  EXPECT_EQ(T::zeros(Shape{2, 3}).dtype(), DType::Float64);
}

TEST(Alloc, ZerosLikeAndOnesLike) {
  auto x = T::fmatrix("x");
  auto r = T::drow("r");
  auto zx = T::zeros_like(x);
  auto ox = T::ones_like(x, DType::Int8);
  EXPECT_EQ(zx.type(), x.type());
  EXPECT_EQ(ox.dtype(), DType::Int8);
  EXPECT_EQ(T::zeros_like(r).type(), r.type());
  auto f = function({x}, {zx, ox});
  NDArray t = iota({3, 2}, DType::Float32).transpose();
  auto outs = f(t);
  EXPECT_ALLCLOSE(outs[0], NDArray::zeros(DType::Float32, {2, 3}));
  EXPECT_ALLCLOSE(outs[1], NDArray::full(DType::Int8, {2, 3}, 1));
  outs = f(iota({0, 4}, DType::Float32));
  EXPECT_EQ(outs[0].shape(), Shape({0, 4}));
}

// ---- arange ----

TEST(ARange, NumpyLengthsAndValues) {
  auto f = function({}, {T::arange(5), T::arange(1, 10, 3), T::arange(10, 1, -3),
                         T::arange(0, 1, 0.3), T::arange(5, 2), T::arange(-3, 3, 2.5)});
  auto outs = f();
  // numpy: np.arange(5), np.arange(1, 10, 3), np.arange(10, 1, -3), np.arange(0, 1, 0.3),
  //        np.arange(5, 2), np.arange(-3, 3, 2.5)
  EXPECT_ALLCLOSE(outs[0], array({0, 1, 2, 3, 4}));
  EXPECT_ALLCLOSE(outs[1], array({1, 4, 7}));
  EXPECT_ALLCLOSE(outs[2], array({10, 7, 4}));
  EXPECT_ALLCLOSE(outs[3], array({0.0, 0.3, 0.6, 0.9}));
  EXPECT_EQ(outs[4].shape(), Shape({0}));
  EXPECT_EQ(outs[4].dtype(), DType::Int64);
  EXPECT_ALLCLOSE(outs[5], array({-3.0, -0.5, 2.0}));
}

TEST(ARange, SymbolicBoundsAndDtypes) {
  auto n = T::iscalar("n");
  auto s = T::fscalar("s");
  auto f = function({n, s}, {T::arange(n), T::arange(s, n), T::arange(0, n, 1, DType::Int32)});
  auto outs = f(3, 0.5f);
  EXPECT_ALLCLOSE(outs[0], array({0, 1, 2}));
  EXPECT_ALLCLOSE(outs[1], array({0.5f, 1.5f, 2.5f}));
  EXPECT_ALLCLOSE(outs[2], array({0, 1, 2}, DType::Int32));
  const DType saved = config().floatX;
  config().floatX = DType::Float32;
  EXPECT_EQ(T::arange(0, 1, 0.25).dtype(), DType::Float32);
  EXPECT_EQ(T::arange(T::dscalar(), 1, 0.25).dtype(), DType::Float64);
  config().floatX = saved;
  // numpy: np.arange(0.5, 3, dtype=np.int64)
  auto g = function({}, T::arange(0.5, 3, 1, DType::Int64));
  EXPECT_ALLCLOSE(g(), array({0, 1, 2}));
}

TEST(ARange, Errors) {
  auto n = T::lscalar("n");
  auto f = function({n}, T::arange(0, 5, n));
  EXPECT_TRUE(throws_with<ValueError>([&] { f(0); }, {"arange", "step"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::arange(T::dvector()); }, {"arange"}));
}

// ---- addbroadcast, unbroadcast ----

TEST(Rebroadcast, SetsFlagsAndChecksAtRunTime) {
  auto x = T::dmatrix("x");
  auto a = T::addbroadcast(x, {0});
  EXPECT_EQ(a.broadcastable(), pattern({true, false}));
  EXPECT_TRUE(T::addbroadcast(a, {0}).is(a));
  auto f = function({x}, a);
  EXPECT_ALLCLOSE(f(iota({1, 3})), iota({1, 3}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(iota({2, 3})); }, {"rebroadcast", "(2, 3)"}));
  auto r = T::drow("r");
  auto u = T::unbroadcast(r, {-2});
  EXPECT_EQ(u.broadcastable(), pattern({false, false}));
  auto g = function({r}, u * 2);
  NDArray strided = array({{1.0, 9.0, 2.0}}).slice(1, Slice{0, Slice::kNone, 2});
  EXPECT_ALLCLOSE(g(strided), array({{2.0, 4.0}}));
  EXPECT_EQ(T::patternbroadcast(x, {false, true}).broadcastable(), pattern({false, true}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::addbroadcast(x, {2}); }, {"addbroadcast"}));
}

// ---- pullbacks: types match the inputs (the gradient driver checks the numbers) ----

TEST(ShapeOps, PullbackTypesMatchInputs) {
  auto r = T::drow("r");
  auto m = T::dmatrix("m");
  auto n = T::lscalar("n");
  const Var outputs[] = {T::reshape(m, {n, -1}), T::concatenate({r, m, r}, 0),
                         T::alloc(T::dvector("v"), {n, 1, 4}), T::alloc(r, {2, 1, 3}),
                         T::addbroadcast(m, {1}), T::flatten(T::dtensor3("t"), 2),
                         T::stack({r, r}, 1), T::arange(T::dscalar("a"), 5, T::dscalar("b"))};
  for (const Var& out : outputs) {
    const ApplyNode* node = out.owner();
    ASSERT_NE(node, nullptr);
    const Var gz = T::ones_like(out);
    Vars grads = node->op().pullback(*node, std::span<const Var>(&gz, 1));
    ASSERT_EQ(grads.size(), node->inputs.size()) << node->op().name();
    for (size_t i = 0; i < grads.size(); ++i) {
      if (!grads[i].defined()) continue;
      EXPECT_EQ(grads[i].type(), node->inputs[i].type())
          << node->op().name() << " input " << i << ": " << grads[i].type().str() << " vs "
          << node->inputs[i].type().str();
    }
  }
}

TEST(ShapeOps, PullbackValues) {
  auto r = T::drow("r");
  auto m = T::dmatrix("m");
  auto j = T::concatenate({r, m}, 0);
  auto gj = T::dmatrix("gj");
  Vars join_grads = j.owner()->op().pullback(*j.owner(), std::span<const Var>(&gj, 1));
  auto v = T::dvector("v");
  auto al = T::alloc(v, {2, 3});
  auto ga = T::dmatrix("ga");
  Vars alloc_grads = al.owner()->op().pullback(*al.owner(), std::span<const Var>(&ga, 1));
  FunctionOptions options;
  options.on_unused_input = "ignore";  // r's length along the join axis is a constant 1
  auto f = function({r, m, gj, v, ga}, {join_grads[0], join_grads[1], alloc_grads[0]}, {},
                    options);
  auto outs = f(iota({1, 2}), iota({2, 2}), iota({3, 2}), iota({3}), iota({2, 3}));
  EXPECT_ALLCLOSE(outs[0], array({{0.0, 1.0}}));
  EXPECT_ALLCLOSE(outs[1], array({{2.0, 3.0}, {4.0, 5.0}}));
  // numpy: np.arange(6).reshape(2, 3).sum(0)
  EXPECT_ALLCLOSE(outs[2], array({3.0, 5.0, 7.0}));
}

}  // namespace
}  // namespace theon
