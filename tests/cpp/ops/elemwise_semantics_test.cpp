// Element-wise semantics beyond each op's values (those are in elemwise_test.cpp):
// broadcasting, weak-scalar dtype rules, empty and strided arguments, n-ary nodes,
// casts, Python's integer and float division, and the errors that name the op.
// Expected values from NumPy 1.24.2 (command in the comment next to each).
#include <cstdint>
#include <limits>
#include <numeric>

#include "support/test_util.hpp"

namespace T = theon::tensor;
using theon::testing::throws_with;

namespace theon {
namespace {

// numpy.arange(size).reshape(shape).astype(dtype)
NDArray arange(const Shape& shape, DType dtype = DType::Float64) {
  std::vector<double> values(shape_size(shape));
  std::iota(values.begin(), values.end(), 0.0);
  return array(values, shape).astype(dtype);
}

TEST(ElemwiseBroadcast, RowPlusColGivesMatrix) {
  auto r = T::drow("r");
  auto c = T::dcol("c");
  auto sum = r + c;
  EXPECT_EQ(sum.broadcastable(), (BroadcastPattern{false, false}));
  auto f = function({r, c}, sum);
  // np.array([[1., 2., 3.]]) + np.array([[10.], [20.]])
  EXPECT_ALLCLOSE(f(array({{1.0, 2.0, 3.0}}), array({{10.0}, {20.0}})),
                  array({{11.0, 12.0, 13.0}, {21.0, 22.0, 23.0}}));
}

TEST(ElemwiseBroadcast, MatrixPlusVectorPadsOnTheLeft) {
  auto x = T::dmatrix("x");
  auto v = T::dvector("v");
  auto sum = x + v;
  EXPECT_EQ(sum.broadcastable(), (BroadcastPattern{false, false}));
  auto f = function({x, v}, sum);
  EXPECT_ALLCLOSE(f(arange({2, 3}), array({10.0, 20.0, 30.0})),
                  array({{10.0, 21.0, 32.0}, {13.0, 24.0, 35.0}}));
  auto s = T::dscalar("s");  // a 0-d operand pads to (1, 1)
  EXPECT_ALLCLOSE(function({x, s}, x * s)(arange({2, 2}), 2.0), array({{0.0, 2.0}, {4.0, 6.0}}));
}

TEST(ElemwiseBroadcast, SwitchBroadcastsItsCondition) {
  auto cond = T::tensor(DType::Bool, {false, true}, "cond");  // a bool column
  auto x = T::dmatrix("x");
  auto f = function({cond, x}, T::switch_(cond, x, -1.0));
  // np.where(np.array([[True], [False]]), np.arange(6.).reshape(2, 3), -1)
  EXPECT_ALLCLOSE(f(array({{true}, {false}}), arange({2, 3})),
                  array({{0.0, 1.0, 2.0}, {-1.0, -1.0, -1.0}}));
}

TEST(ElemwiseBroadcast, FillTakesTheModelsShapeAndTheValuesDtype) {
  auto x = T::imatrix("x");
  auto filled = T::fill(x, 0.5);
  EXPECT_EQ(filled.dtype(), DType::Float64);
  EXPECT_ALLCLOSE(function({x}, filled)(arange({2, 2}, DType::Int32)), array({{0.5, 0.5}, {0.5, 0.5}}));
}

TEST(ElemwiseBroadcast, LengthOneDimensionThatIsNotBroadcastableRaises) {
  // Theano's rule: only dimensions whose type is broadcastable stretch.
  auto [x, y] = T::dmatrices("x", "y");
  auto f = function({x, y}, x + y);
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(arange({2, 1}), arange({2, 3})); },
                                      {"add", "dimension 1", "length 1", "3",
                                       "elemwise_semantics_test.cpp"}));
  auto [u, v] = T::dvectors("u", "v");
  auto g = function({u, v}, T::mul(u, v));
  EXPECT_TRUE(throws_with<ShapeError>([&] { g(array({1.0}), array({1.0, 2.0, 3.0})); }, {"mul"}));
}

TEST(ElemwiseBroadcast, ConstantsOfKnownMismatchedLengthsRaiseWhenBuilt) {
  auto a = constant(array({1.0, 2.0}));
  auto b = constant(array({1.0, 2.0, 3.0}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { T::sub(a, b); }, {"sub", "length 2", "3"}));
}

TEST(ElemwiseDtype, WeakScalarsTakeTheArraysDtype) {
  auto fv = T::fvector("fv");
  auto iv = T::ivector("iv");
  EXPECT_EQ((fv * 2.0).dtype(), DType::Float32);
  EXPECT_EQ((2.0 * fv).dtype(), DType::Float32);
  EXPECT_EQ((iv + 1).dtype(), DType::Int32);
  EXPECT_EQ((iv * 0.5).dtype(), DType::Float64);         // a float meets an integer array
  EXPECT_EQ((fv * complex128(0, 1)).dtype(), DType::Complex64);
  EXPECT_EQ((iv + fv).dtype(), DType::Float64);          // two arrays promote as NumPy
  EXPECT_EQ((T::bvector("b") + 1).dtype(), DType::Int8);
  auto f = function({fv}, fv * 2.0 + 1);
  EXPECT_ALLCLOSE(f(array({1.0f, -0.25f})), array({3.0f, 0.5f}));
  auto g = function({iv}, iv * 0.5);
  EXPECT_ALLCLOSE(g(array({3, -1}, DType::Int32)), array({1.5, -0.5}));
}

TEST(ElemwiseDtype, TheanoRulesForBoolDivisionAndFloats) {
  auto p = T::tensor(DType::Bool, {false}, "p");
  auto q = T::tensor(DType::Bool, {false}, "q");
  auto sum = p + q;
  EXPECT_EQ(sum.dtype(), DType::Int8);  // bool arithmetic is int8, as Theano
  EXPECT_ALLCLOSE(function({p, q}, sum)(array({true, true, false}), array({true, false, false})),
                  array({2, 1, 0}, DType::Int8));
  auto [i, j] = T::ivectors("i", "j");
  auto ratio = i / j;
  EXPECT_EQ(ratio.dtype(), DType::Float64);
  // np.array([7, -7], dtype=np.int32) / np.array([2, 2], dtype=np.int32)
  EXPECT_ALLCLOSE(function({i, j}, ratio)(array({7, -7}, DType::Int32), array({2, 2}, DType::Int32)),
                  array({3.5, -3.5}));
  auto b = T::bvector("b");
  auto e = T::exp(b);
  EXPECT_EQ(e.dtype(), DType::Float32);  // Theano's upgrade_to_float: int8 -> float32
  EXPECT_ALLCLOSE(function({b}, e)(array({0, 1}, DType::Int8)), array({1.0f, 2.7182817f}),
                  1e-6);
  EXPECT_EQ(T::sqrt(T::lvector("l")).dtype(), DType::Float64);
  EXPECT_EQ(T::abs(T::zvector("z")).dtype(), DType::Float64);
  EXPECT_EQ(T::lt(T::dvector("d"), 1).dtype(), DType::Bool);
}

TEST(ElemwiseDtype, CastTruncatesTowardZero) {
  auto x = T::dvector("x");
  auto f = function({x}, {T::cast(x, DType::Int32), T::cast(x, DType::Bool),
                          T::cast(x, DType::Float32)});
  // np.array([-2.7, -0.5, 0.5, 2.7, 3.99]).astype(np.int32) -> [-2  0  0  2  3]
  auto outs = f(array({-2.7, -0.5, 0.5, 2.7, 3.99}));
  EXPECT_ALLCLOSE(outs[0], array({-2, 0, 0, 2, 3}, DType::Int32));
  EXPECT_ALLCLOSE(outs[1], array({true, true, true, true, true}));
  EXPECT_ALLCLOSE(outs[2], array({-2.7f, -0.5f, 0.5f, 2.7f, 3.99f}));
  EXPECT_TRUE(T::cast(x, DType::Float64).is(x));  // a cast to its own dtype is the variable
}

TEST(ElemwiseMath, RoundsHalfToEven) {
  auto x = T::dvector("x");
  // np.round([0.5, 1.5, 2.5, -0.5, -2.5, 3.5, 2.5000001]) -> [0. 2. 2. -0. -2. 4. 3.]
  EXPECT_ALLCLOSE(function({x}, T::round(x))(array({0.5, 1.5, 2.5, -0.5, -2.5, 3.5, 2.5000001})),
                  array({0.0, 2.0, 2.0, -0.0, -2.0, 4.0, 3.0}));
}

TEST(ElemwiseMath, FloorDivAndModFollowPython) {
  auto [a, b] = T::lvectors("a", "b");
  auto f = function({a, b}, {T::floor_div(a, b), a % b});
  // np.array([7, -7, 7, -7]) // np.array([2, 2, -2, -2]) -> [ 3 -4 -4  3]; % -> [ 1  1 -1 -1]
  auto ints = f(array({7, -7, 7, -7}), array({2, 2, -2, -2}));
  EXPECT_ALLCLOSE(ints[0], array({3, -4, -4, 3}));
  EXPECT_ALLCLOSE(ints[1], array({1, 1, -1, -1}));
  auto [x, y] = T::dvectors("x", "y");
  auto g = function({x, y}, {T::floor_div(x, y), x % y});
  // np.array([7.5, -7.5, 7.5, -7.5, 1, -1]) // np.array([2., 2, -2, -2, 0.1, 0.1])
  auto floats = g(array({7.5, -7.5, 7.5, -7.5, 1.0, -1.0}), array({2.0, 2.0, -2.0, -2.0, 0.1, 0.1}));
  EXPECT_ALLCLOSE(floats[0], array({3.0, -4.0, -4.0, 3.0, 9.0, -10.0}));
  EXPECT_ALLCLOSE(floats[1], array({1.5, 0.5, -0.5, -1.5, 0.09999999999999995, 5.551115123125783e-17}),
                  1e-12, 1e-30);
}

TEST(ElemwiseMath, IntegerDivisionByZeroGivesZero) {
  auto [a, b] = T::lvectors("a", "b");
  auto f = function({a, b}, {T::floor_div(a, b), a % b});
  // np.floor_divide([5, -5, 0], [0, 0, 0]) -> [0 0 0] (NumPy warns); np.mod likewise
  auto outs = f(array({5, -5, 0}), array({0, 0, 0}));
  EXPECT_ALLCLOSE(outs[0], array({0, 0, 0}));
  EXPECT_ALLCLOSE(outs[1], array({0, 0, 0}));
}

TEST(ElemwiseMath, MostNegativeIntegerOverMinusOneDoesNotTrap) {
  auto [a, b] = T::ivectors("a", "b");
  auto f = function({a, b}, {T::floor_div(a, b), a % b});
  const int32_t lowest = std::numeric_limits<int32_t>::min();
  // np.floor_divide(np.int32([-2**31, 5]), np.int32([-1, -1])) -> [-2147483648 -5]; mod [0 0]
  auto outs = f(array(std::vector<int32_t>{lowest, 5}, {2}), array({-1, -1}, DType::Int32));
  EXPECT_ALLCLOSE(outs[0], array(std::vector<int32_t>{lowest, -5}, {2}));
  EXPECT_ALLCLOSE(outs[1], array({0, 0}, DType::Int32));
}

TEST(ElemwiseArgs, EmptyArrays) {
  auto x = T::dmatrix("x");
  auto v = T::dvector("v");
  auto f = function({x, v}, T::exp(x) + v);
  NDArray out = f(NDArray::zeros(DType::Float64, {0, 3}), array({1.0, 2.0, 3.0}));
  EXPECT_EQ(out.shape(), (Shape{0, 3}));
  EXPECT_EQ(out.dtype(), DType::Float64);
  auto r = T::drow("r");
  auto c = T::dcol("c");
  NDArray outer = function({r, c}, r * c)(arange({1, 3}), NDArray::zeros(DType::Float64, {0, 1}));
  EXPECT_EQ(outer.shape(), (Shape{0, 3}));
  // An empty vector meeting a column's broadcastable length-1 dimension.
  NDArray stretched = function({v, c}, v - c)(array(std::vector<double>{}, {0}), arange({1, 1}));
  EXPECT_EQ(stretched.shape(), (Shape{1, 0}));
  // ... but a row's second dimension is not broadcastable: 0 against 1 is an error.
  auto g = function({v, r}, v - r);
  EXPECT_TRUE(throws_with<ShapeError>([&] { g(array(std::vector<double>{}, {0}), arange({1, 1})); },
                                      {"sub", "length 0"}));
}

TEST(ElemwiseArgs, StridedViewsAsArguments) {
  auto [x, y] = T::dmatrices("x", "y");
  auto f = function({x, y}, x * 2 + y);
  NDArray transposed = arange({3, 2}).transpose();                               // strides (1, 2)
  NDArray reversed = arange({2, 3}).slice(1, {Slice::kNone, Slice::kNone, -1});  // stride -1
  ASSERT_FALSE(transposed.is_contiguous());
  // np.arange(6.).reshape(3, 2).T * 2 + np.arange(6.).reshape(2, 3)[:, ::-1]
  EXPECT_ALLCLOSE(f(transposed, reversed), array({{2.0, 5.0, 8.0}, {7.0, 10.0, 13.0}}));
  // A broadcast view (stride 0) and a dtype conversion on a reversed int32 view.
  EXPECT_ALLCLOSE(f(array({1.0, 2.0, 3.0}).broadcast_to({2, 3}), reversed),
                  array({{4.0, 5.0, 6.0}, {7.0, 8.0, 9.0}}));
  auto iv = T::ivector("iv");
  auto dv = T::dvector("dv");
  NDArray every_other = arange({7}, DType::Int32).slice(0, {Slice::kNone, Slice::kNone, -2});
  // np.arange(7, dtype=np.int32)[::-2] + 0.5 * np.arange(4.)
  EXPECT_ALLCLOSE(function({iv, dv}, iv + 0.5 * dv)(every_other, arange({4})),
                  array({6.0, 4.5, 3.0, 1.5}));
  // The inputs are left untouched.
  EXPECT_ALLCLOSE(reversed, array({{2.0, 1.0, 0.0}, {5.0, 4.0, 3.0}}));
}

TEST(ElemwiseArgs, LongStridedRowsCrossBlockBoundaries) {
  // Rows longer than the kernel's block, strided, with a conversion.
  auto x = T::fmatrix("x");
  auto y = T::dmatrix("y");
  NDArray a = arange({600, 2}, DType::Float32).transpose();  // (2, 600), strides (1, 2)
  NDArray b = arange({2, 600});
  NDArray got = function({x, y}, x - y)(a, b);
  NDArray want = NDArray::empty(DType::Float64, {2, 600});
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 600; ++j)
      want.data<double>()[i * 600 + j] = (2.0 * j + i) - (600.0 * i + j);
  EXPECT_ALLCLOSE(got, want);
}

TEST(ElemwiseNary, AddAndMulOfFourOperands) {
  auto x = T::dmatrix("x");
  auto r = T::drow("r");
  auto c = T::dcol("c");
  auto s = T::dscalar("s");
  const Var terms[] = {x, r, c, s};
  auto sum = T::add(terms);
  ASSERT_NE(sum.owner(), nullptr);
  EXPECT_EQ(sum.owner()->inputs.size(), 4u);  // one n-ary node
  auto f = function({x, r, c, s}, {sum, T::mul(terms)});
  auto outs = f(arange({2, 3}), array({{1.0, 2.0, 3.0}}), array({{10.0}, {20.0}}), 0.5);
  // x + r + c + s and x * r * c * s with NumPy broadcasting
  EXPECT_ALLCLOSE(outs[0], array({{11.5, 13.5, 15.5}, {24.5, 26.5, 28.5}}));
  EXPECT_ALLCLOSE(outs[1], array({{0.0, 10.0, 30.0}, {30.0, 80.0, 150.0}}));

  // Mixed dtypes promote over all four operands.
  auto i = T::ivector("i");
  auto fl = T::fvector("f");
  auto b = T::bvector("b");
  auto d = T::dvector("d");
  const Var factors[] = {i, fl, b, d};
  auto product = T::mul(factors);
  EXPECT_EQ(product.dtype(), DType::Float64);
  EXPECT_ALLCLOSE(function({i, fl, b, d}, product)(array({1, 2}, DType::Int32),
                                                   array({0.5f, 0.25f}), array({3, -1}, DType::Int8),
                                                   array({2.0, 4.0})),
                  array({3.0, -2.0}));
  const Var one[] = {x};
  EXPECT_TRUE(T::add(one).is(x));
  EXPECT_TRUE(throws_with<ValueError>([] { T::add(std::span<const Var>()); }, {"add"}));
}

TEST(ElemwiseErrors, DomainErrorsNameTheOp) {
  auto z = T::zvector("z");
  auto d = T::dvector("d");
  EXPECT_TRUE(throws_with<TypeError>([&] { T::lt(z, z); },
                                     {"lt", "complex128", "elemwise_semantics_test.cpp"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::and_(d, d); }, {"and_", "float64"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { return ~d; }, {"invert", "float64"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::floor_div(z, 2); }, {"floor_div", "complex128"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::maximum(d, z); }, {"maximum", "complex128"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::erf(z); }, {"erf"}));
}

}  // namespace
}  // namespace theon
