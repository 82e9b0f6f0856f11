// Products: dot, outer, tensordot and batched_dot against NumPy, every rank combination,
// several dtypes and memory layouts, and the BLAS kernel on strided views. Pasted values
// come from NumPy 1.24 (the command is next to each); random cases compare with
// `reference`, a plain-loop numpy.tensordot checked by the pasted ones.
#include "ops/blas.hpp"

#include <functional>
#include <numeric>

#include "test_util.hpp"

namespace T = theon::tensor;
using theon::array;
using theon::function;
using theon::testing::random_array;
using theon::testing::throws_with;

namespace theon {
namespace {

NDArray ints(std::vector<int64_t> v, Shape shape, DType dtype = DType::Int64) {
  return array(v, shape).astype(dtype);
}

NDArray arange(Shape shape, DType dtype = DType::Int64) {
  std::vector<int64_t> v(shape_size(shape));
  std::iota(v.begin(), v.end(), 0);
  return ints(v, shape, dtype);
}

// Random values of `dtype`: small integers for integer dtypes (sums stay exact), and a
// non-zero imaginary part for complex ones.
NDArray random_of(const Shape& shape, DType dtype, unsigned seed) {
  if (is_discrete(dtype)) return random_array(shape, DType::Float64, -5, 5, seed).astype(dtype);
  NDArray re = random_array(shape, DType::Float64, -1, 1, seed);
  if (!is_complex(dtype)) return re.astype(dtype);
  NDArray im = random_array(shape, DType::Float64, -1, 1, seed + 1000);
  NDArray z = NDArray::empty(DType::Complex128, shape);
  for (int64_t i = 0; i < z.size(); ++i)
    z.data<complex128>()[i] = {re.data<double>()[i], im.data<double>()[i]};
  return z.astype(dtype);
}

// Calls f(index) for every index of `shape`.
template <class F>
void for_each_index(const Shape& shape, F&& f) {
  if (shape_size(shape) == 0) return;
  std::vector<int64_t> index(shape.size(), 0);
  while (true) {
    f(index);
    int d = static_cast<int>(shape.size()) - 1;
    for (; d >= 0 && ++index[d] == shape[d]; --d) index[d] = 0;
    if (d < 0) return;
  }
}

// numpy.tensordot(a, b, (axes_a, axes_b)) by plain loops in complex128.
NDArray reference(const NDArray& a, const NDArray& b, std::vector<int> axes_a,
                  std::vector<int> axes_b) {
  std::vector<int> free_a, free_b;
  for (int d = 0; d < a.ndim(); ++d)
    if (std::find(axes_a.begin(), axes_a.end(), d) == axes_a.end()) free_a.push_back(d);
  for (int d = 0; d < b.ndim(); ++d)
    if (std::find(axes_b.begin(), axes_b.end(), d) == axes_b.end()) free_b.push_back(d);
  Shape out_shape, sum_shape;
  for (int d : free_a) out_shape.push_back(a.shape(d));
  for (int d : free_b) out_shape.push_back(b.shape(d));
  for (int d : axes_a) sum_shape.push_back(a.shape(d));
  NDArray out = NDArray::zeros(DType::Complex128, out_shape);
  std::vector<int64_t> ia(a.ndim()), ib(b.ndim());
  int64_t flat = 0;
  for_each_index(out_shape, [&](const std::vector<int64_t>& o) {
    for (size_t i = 0; i < free_a.size(); ++i) ia[free_a[i]] = o[i];
    for (size_t i = 0; i < free_b.size(); ++i) ib[free_b[i]] = o[free_a.size() + i];
    complex128 acc = 0;
    for_each_index(sum_shape, [&](const std::vector<int64_t>& s) {
      for (size_t i = 0; i < s.size(); ++i) ia[axes_a[i]] = ib[axes_b[i]] = s[i];
      acc += a.at<complex128>(ia) * b.at<complex128>(ib);
    });
    out.data<complex128>()[flat++] = acc;
  });
  return out.astype(promote(a.dtype(), b.dtype()));
}

NDArray reference_dot(const NDArray& a, const NDArray& b) {
  return reference(a, b, {a.ndim() - 1}, {std::max(b.ndim() - 2, 0)});
}

Var symbolic(DType dtype, int ndim, const char* name) {
  return T::tensor(dtype, BroadcastPattern(ndim, false), name);
}

double rtol_for(DType dtype) {
  return dtype == DType::Float32 || dtype == DType::Complex64 ? 1e-5 : 1e-12;
}

// The same values in several memory layouts, to reach the kernel's in-place and copying
// paths: contiguous, transposed, every other row, every other column, reversed.
std::vector<std::pair<std::string, NDArray>> layouts(const NDArray& a) {
  std::vector<std::pair<std::string, NDArray>> out{{"contiguous", a}};
  if (a.ndim() == 0) return out;
  out.emplace_back("transposed", a.transpose().copy().transpose());
  auto spread = [&](int axis) {  // a view of `a` inside an array twice as long on `axis`
    Shape wide = a.shape();
    wide[axis] *= 2;
    NDArray big = NDArray::zeros(a.dtype(), wide);
    NDArray view = big.slice(axis, Slice{Slice::kNone, Slice::kNone, 2});
    view.assign(a);
    return view;
  };
  out.emplace_back("rows", spread(0));
  out.emplace_back("columns", spread(a.ndim() - 1));
  NDArray reversed = a.slice(0, Slice{Slice::kNone, Slice::kNone, -1}).copy();
  out.emplace_back("reversed", reversed.slice(0, Slice{Slice::kNone, Slice::kNone, -1}));
  return out;
}

Shape operand_shape(int ndim, int64_t k, bool is_b, unsigned seed) {
  Shape s;
  for (int d = 0; d < ndim; ++d) s.push_back(2 + (seed + d) % 3);
  if (!is_b)
    s[ndim - 1] = k;
  else
    s[std::max(ndim - 2, 0)] = k;
  return s;
}

TEST(Dot, SmallCasesMatchNumpy) {
  auto A = ints({1, 2, 3, 4, 5, 6}, {2, 3});
  auto B = ints({1, 0, 2, 1, 0, 3}, {3, 2});
  auto v3 = ints({1, -1, 2}, {3});
  auto v2 = ints({3, 4}, {2});
  struct Case {
    const char* numpy;
    NDArray a, b, want;
  };
  const std::vector<Case> cases = {
      {"np.dot(v3, v3)", v3, v3, array(6)},
      {"np.dot(A, v3)", A, v3, ints({5, 11}, {2})},
      {"np.dot(v2, A)", v2, A, ints({19, 26, 33}, {3})},
      {"np.dot(A, B)", A, B, ints({5, 11, 14, 23}, {2, 2})},
      {"np.dot(np.arange(24).reshape(2, 3, 4), np.arange(8).reshape(4, 2))", arange({2, 3, 4}),
       arange({4, 2}), ints({28, 34, 76, 98, 124, 162, 172, 226, 220, 290, 268, 354}, {2, 3, 2})},
      {"np.dot(np.arange(6).reshape(2, 3), np.arange(12).reshape(2, 3, 2))", arange({2, 3}),
       arange({2, 3, 2}), ints({10, 13, 28, 31, 28, 40, 100, 112}, {2, 2, 2})},
  };
  for (const Case& c : cases) {
    auto x = symbolic(DType::Int64, c.a.ndim(), "x");
    auto y = symbolic(DType::Int64, c.b.ndim(), "y");
    NDArray got = function({x, y}, T::dot(x, y))(c.a, c.b);
    EXPECT_ALLCLOSE(got, c.want) << c.numpy;
    EXPECT_ALLCLOSE(reference_dot(c.a, c.b), c.want) << c.numpy;
  }
}

TEST(Dot, EveryRankCombinationDtypeAndLayoutMatchesReference) {
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int32, DType::Complex128}) {
    for (int na = 1; na <= 4; ++na) {
      for (int nb = 1; nb <= 4; ++nb) {
        const unsigned seed = na * 10 + nb;
        NDArray a = random_of(operand_shape(na, 3, false, seed), dtype, seed);
        NDArray b = random_of(operand_shape(nb, 3, true, seed + 1), dtype, seed + 1);
        NDArray want = reference_dot(a, b);
        auto x = symbolic(dtype, na, "x");
        auto y = symbolic(dtype, nb, "y");
        auto z = T::dot(x, y);
        ASSERT_EQ(z.dtype(), dtype);
        ASSERT_EQ(z.ndim(), std::max(na + nb - 2, 0));
        auto f = function({x, y}, z);
        for (const auto& [name_a, la] : layouts(a))
          for (const auto& [name_b, lb] : layouts(b))
            EXPECT_ALLCLOSE(f(la, lb), want, rtol_for(dtype), 1e-6)
                << dtype_name(dtype) << " ranks " << na << ", " << nb << " layouts " << name_a
                << ", " << name_b;
      }
    }
  }
}

TEST(Dot, ComplexDoesNotConjugate) {
  NDArray x = NDArray::empty(DType::Complex128, {2, 2}),
          y = NDArray::empty(DType::Complex128, {2, 2});
  const complex128 xs[] = {{1, 2}, {3, -1}, {0, 0.5}, {2, 0}};
  const complex128 ys[] = {{2, -1}, {0, 1}, {1, 0}, {1, 1}};
  std::copy(xs, xs + 4, x.data<complex128>());
  std::copy(ys, ys + 4, y.data<complex128>());
  auto [p, q] = T::zmatrices("p", "q");
  // np.dot(x, y) with x = [[1+2j, 3-1j], [0.5j, 2]], y = [[2-1j, 1j], [1, 1+1j]]
  NDArray want = NDArray::empty(DType::Complex128, {2, 2});
  const complex128 ws[] = {{7, 2}, {2, 3}, {2.5, 1}, {1.5, 2}};
  std::copy(ws, ws + 4, want.data<complex128>());
  EXPECT_ALLCLOSE(function({p, q}, T::dot(p, q))(x, y), want);
  // np.dot(x[0], y[:, 1]) == 2+3j
  auto [u, v] = T::zvectors("u", "v");
  NDArray got = function({u, v}, T::dot(u, v))(x.index(0, 0), y.index(1, 1));
  EXPECT_EQ(got.item<complex128>(), complex128(2, 3));
}

TEST(Dot, BoolIsAnyOfAndAndIntegersWrap) {
  auto [p, q] = std::array{T::tensor(DType::Bool, {false}), T::tensor(DType::Bool, {false})};
  // np.dot([True, False, True], [False, False, True]) -> True
  NDArray got =
      function({p, q}, T::dot(p, q))(array({true, false, true}), array({false, false, true}));
  EXPECT_EQ(got.dtype(), DType::Bool);
  EXPECT_TRUE(got.item<bool>());
  auto [m, n] =
      std::array{T::tensor(DType::Bool, {false, false}), T::tensor(DType::Bool, {false, false})};
  // np.dot([[True, False], [False, False]], [[False, True], [True, True]])
  EXPECT_ALLCLOSE(function({m, n}, T::dot(m, n))(array({{true, false}, {false, false}}),
                                                 array({{false, true}, {true, true}})),
                  array({{false, true}, {false, false}}));
  // np.dot(np.array([2**31 - 1, 2], np.int32), np.array([2, 1], np.int32)) -> 0
  auto [i, j] = T::ivectors("i", "j");
  NDArray wrapped = function({i, j}, T::dot(i, j))(ints({2147483647, 2}, {2}, DType::Int32),
                                                   ints({2, 1}, {2}, DType::Int32));
  EXPECT_EQ(wrapped.dtype(), DType::Int32);
  EXPECT_EQ(wrapped.item<int64_t>(), 0);
}

TEST(Dot, PromotesDtypesAndScalesByScalars) {
  auto x = T::fmatrix("x");
  auto i = T::ivector("i");
  EXPECT_EQ(T::dot(x, i).dtype(), DType::Float64);    // np.result_type(float32, int32)
  EXPECT_EQ(T::dot(x, 2.0).dtype(), DType::Float32);  // a literal is weak
  auto s = T::dscalar("s");
  auto v = T::dvector("v");
  auto f = function({s, v}, T::dot(s, v));
  EXPECT_ALLCLOSE(f(2.0, array({1.0, -3.0})), array({2.0, -6.0}));
  auto g = function({x, i}, T::dot(x, i));
  EXPECT_ALLCLOSE(g(array({{1.0, 2.0}}).astype(DType::Float32), ints({3, 4}, {2}, DType::Int32)),
                  array({11.0}));
}

TEST(Dot, EmptyDimensions) {
  auto [p, q] = T::dmatrices("p", "q");
  auto mm = function({p, q}, T::dot(p, q));
  // np.dot(np.ones((3, 0)), np.ones((0, 4))) -> zeros((3, 4))
  EXPECT_ALLCLOSE(
      mm(NDArray::full(DType::Float64, {3, 0}, 1), NDArray::full(DType::Float64, {0, 4}, 1)),
      NDArray::zeros(DType::Float64, {3, 4}));
  EXPECT_ALLCLOSE(
      mm(NDArray::zeros(DType::Float64, {0, 3}), NDArray::zeros(DType::Float64, {3, 4})),
      NDArray::zeros(DType::Float64, {0, 4}));
  auto [u, v] = T::ivectors("u", "v");
  NDArray empty_int = NDArray::zeros(DType::Int32, {0});
  EXPECT_EQ(function({u, v}, T::dot(u, v))(empty_int, empty_int).array().item<int64_t>(), 0);
  auto t = T::dtensor3("t");
  NDArray got = function({t, q}, T::dot(t, q))(NDArray::full(DType::Float64, {2, 3, 0}, 1),
                                               NDArray::full(DType::Float64, {0, 5}, 1));
  EXPECT_ALLCLOSE(got, NDArray::zeros(DType::Float64, {2, 3, 5}));
}

TEST(Dot, LargeFloat64MatrixProduct) {
  // 256 x 256 goes through dgemm: this finishes in milliseconds, a naive loop in tens.
  NDArray a = random_array({256, 256}, DType::Float64, -1, 1, 1);
  NDArray b = random_array({256, 256}, DType::Float64, -1, 1, 2);
  auto [p, q] = T::dmatrices("p", "q");
  NDArray got = function({p, q}, T::dot(p, T::transpose(q)))(a, b);
  const double* pa = a.data<double>();
  const double* pb = b.data<double>();
  for (int64_t i : {0, 17, 255})
    for (int64_t j : {0, 100, 255}) {
      double want = 0;
      for (int64_t k = 0; k < 256; ++k) want += pa[i * 256 + k] * pb[j * 256 + k];
      EXPECT_NEAR(got.at<double>({i, j}), want, 1e-10);
    }
}

TEST(Dot, KernelReadsEveryLayoutOfBothOperands) {
  for (DType dtype : {DType::Float64, DType::Float32, DType::Complex64, DType::Int64}) {
    const Shape shapes[][2] = {{{4, 3}, {3, 5}}, {{4, 3}, {3}},    {{3}, {3, 5}},
                               {{3}, {3}},       {{1, 3}, {3, 1}}, {{4, 1}, {1, 5}}};
    for (const auto& s : shapes) {
      NDArray a = random_of(s[0], dtype, 3), b = random_of(s[1], dtype, 4);
      NDArray want = reference_dot(a, b);
      for (const auto& [name_a, la] : layouts(a))
        for (const auto& [name_b, lb] : layouts(b)) {
          NDArray out = NDArray::empty(dtype, want.shape());
          detail::dot_into(la, lb, out);
          EXPECT_ALLCLOSE(out, want, rtol_for(dtype), 1e-6)
              << dtype_name(dtype) << " " << shape_str(s[0]) << " " << name_a << " . "
              << shape_str(s[1]) << " " << name_b;
        }
      // A broadcast operand (zero strides) is copied before BLAS sees it.
      NDArray row = random_of({s[0].back()}, dtype, 5);
      Shape wide = s[0];
      NDArray bcast = row.broadcast_to(wide);
      NDArray out = NDArray::empty(dtype, want.shape());
      detail::dot_into(bcast, b, out);
      EXPECT_ALLCLOSE(out, reference_dot(bcast, b), rtol_for(dtype), 1e-6);
    }
  }
}

TEST(Dot, MismatchedShapesNameDotAndBothShapes) {
  auto [p, q] = T::dmatrices("p", "q");
  auto f = function({p, q}, T::dot(p, q));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        f(NDArray::zeros(DType::Float64, {2, 3}), NDArray::zeros(DType::Float64, {4, 5}));
      },
      {"dot", "(2, 3)", "(4, 5)", "blas_test.cpp"}));
  auto t = T::dtensor3("t");
  auto g = function({t, q}, T::dot(t, q));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        g(NDArray::zeros(DType::Float64, {2, 3, 4}), NDArray::zeros(DType::Float64, {5, 6}));
      },
      {"dot", "(2, 3, 4)", "(5, 6)"}));
  // Both known when the graph is built: the error comes at once.
  Var a = constant(NDArray::zeros(DType::Float64, {2, 3}));
  Var b = constant(NDArray::zeros(DType::Float64, {4, 5}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { T::dot(a, b); }, {"dot", "(2, 3)", "(4, 5)"}));
  EXPECT_TRUE(
      throws_with<ShapeError>([&] { T::dot(T::dcol("c"), b); }, {"dot", "(?, 1)", "(4, 5)"}));
}

TEST(Outer, MatchesNumpy) {
  auto [u, v] = T::lvectors("u", "v");
  auto z = T::outer(u, v);
  EXPECT_EQ(z.ndim(), 2);
  // np.outer([1, 2, 3], [1, 10])
  EXPECT_ALLCLOSE(function({u, v}, z)(ints({1, 2, 3}, {3}), ints({1, 10}, {2})),
                  ints({1, 10, 2, 20, 3, 30}, {3, 2}));
  auto m = T::lmatrix("m");  // numpy.outer flattens its operands
  EXPECT_ALLCLOSE(function({m, v}, T::outer(m, v))(ints({1, 2, 3, 4}, {2, 2}), ints({1, -1}, {2})),
                  ints({1, -1, 2, -2, 3, -3, 4, -4}, {4, 2}));
}

TEST(Tensordot, MatchesNumpy) {
  auto t = T::ltensor3("t");
  auto s = T::ltensor3("s");
  // np.tensordot(np.arange(24).reshape(2, 3, 4), np.arange(24).reshape(4, 3, 2), ([1, 2], [1, 0]))
  auto f = function({t, s}, T::tensordot(t, s, {{1, 2}, {1, 0}}));
  EXPECT_ALLCLOSE(f(arange({2, 3, 4}), arange({4, 3, 2})), ints({880, 946, 2464, 2674}, {2, 2}));
  auto g = function({t, s}, T::tensordot(t, s, {{-2, -1}, {1, 0}}));
  EXPECT_ALLCLOSE(g(arange({2, 3, 4}), arange({4, 3, 2})), ints({880, 946, 2464, 2674}, {2, 2}));
}

TEST(Tensordot, AxesCountsAndPairsMatchReference) {
  struct Case {
    Shape a, b;
    std::vector<int> axes_a, axes_b;
  };
  const std::vector<Case> cases = {
      {{2, 3}, {3, 2}, {}, {}},                // np.tensordot(a, b, 0): shape (2, 3, 3, 2)
      {{2, 3, 4}, {3, 4, 5}, {1, 2}, {0, 1}},  // np.tensordot(a, b, 2)
      {{2, 3, 4}, {4, 3, 2}, {0, 1, 2}, {2, 1, 0}},
      {{3, 4}, {4, 3}, {0}, {1}},
      {{3, 4}, {3, 4}, {0, 1}, {0, 1}},
      {{4}, {2, 4, 3}, {0}, {1}},
      {{2, 4, 3, 2}, {3, 2, 4}, {1, 3}, {2, 1}},
      {{2, 0, 3}, {3, 0}, {1, 2}, {1, 0}},  // an empty sum
  };
  for (DType dtype : {DType::Float64, DType::Float32, DType::Int32, DType::Complex128}) {
    for (const Case& c : cases) {
      NDArray a = random_of(c.a, dtype, 7), b = random_of(c.b, dtype, 8);
      auto x = symbolic(dtype, a.ndim(), "x");
      auto y = symbolic(dtype, b.ndim(), "y");
      auto f = function({x, y}, T::tensordot(x, y, {c.axes_a, c.axes_b}));
      NDArray want = reference(a, b, c.axes_a, c.axes_b);
      for (const auto& [name_a, la] : layouts(a))
        EXPECT_ALLCLOSE(f(la, b.transpose().copy().transpose()), want, rtol_for(dtype), 1e-6)
            << dtype_name(dtype) << " " << shape_str(c.a) << " " << name_a << " . "
            << shape_str(c.b);
    }
  }
  auto x = T::dtensor3("x");
  auto y = T::dtensor3("y");
  NDArray a = random_of({2, 3, 4}, DType::Float64, 1), b = random_of({3, 4, 2}, DType::Float64, 2);
  EXPECT_ALLCLOSE(function({x, y}, T::tensordot(x, y))(a, b), reference(a, b, {1, 2}, {0, 1}));
  const int perm[] = {1, 2, 0};
  NDArray c = b.transpose(perm).copy();
  EXPECT_ALLCLOSE(function({x, y}, T::tensordot(x, y, 1))(a, c), reference(a, c, {2}, {0}));
}

TEST(Tensordot, ErrorsNameTensordot) {
  auto x = T::dtensor3("x");
  auto y = T::dtensor3("y");
  EXPECT_TRUE(throws_with<ValueError>([&] { T::tensordot(x, y, 4); }, {"tensordot"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { T::tensordot(x, y, {{0, 1}, {0}}); }, {"tensordot"}));
  EXPECT_TRUE(throws_with<ValueError>(
      [&] {
        T::tensordot(x, y, {{0, 0}, {0, 1}});
      },
      {"tensordot", "repeated"}));
  // Equal products of lengths are not enough: each pair of axes must agree.
  auto f = function({x, y}, T::tensordot(x, y, {{1, 2}, {0, 1}}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        f(NDArray::zeros(DType::Float64, {2, 3, 4}), NDArray::zeros(DType::Float64, {4, 3, 5}));
      },
      {"tensordot", "(2, 3, 4)", "(4, 3, 5)"}));
}

TEST(BatchedDot, MatchesNumpyEinsum) {
  auto [t, s] = T::ltensor3s("t", "s");
  // np.einsum('bij,bjk->bik', np.arange(12).reshape(2, 2, 3), np.arange(12).reshape(2, 3, 2))
  EXPECT_ALLCLOSE(function({t, s}, T::batched_dot(t, s))(arange({2, 2, 3}), arange({2, 3, 2})),
                  ints({10, 13, 28, 40, 172, 193, 244, 274}, {2, 2, 2}));
  auto [p, q] = T::lmatrices("p", "q");
  // np.einsum('bi,bi->b', np.arange(6).reshape(2, 3), np.arange(6).reshape(2, 3) + 1)
  EXPECT_ALLCLOSE(
      function({p, q}, T::batched_dot(p, q))(arange({2, 3}), ints({1, 2, 3, 4, 5, 6}, {2, 3})),
      ints({8, 62}, {2}));
}

TEST(BatchedDot, EveryRankPairDtypeAndLayoutMatchesReference) {
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int32, DType::Complex128}) {
    for (int na : {2, 3}) {
      for (int nb : {2, 3}) {
        Shape sa = na == 3 ? Shape{4, 2, 3} : Shape{4, 3};
        Shape sb = nb == 3 ? Shape{4, 3, 5} : Shape{4, 3};
        NDArray a = random_of(sa, dtype, 11), b = random_of(sb, dtype, 12);
        NDArray want = NDArray::empty(promote(a.dtype(), b.dtype()),
                                      reference_dot(a.index(0, 0), b.index(0, 0)).shape());
        Shape out_shape{4};
        for (int64_t d : want.shape()) out_shape.push_back(d);
        want = NDArray::empty(dtype, out_shape);
        for (int64_t i = 0; i < 4; ++i)
          want.index(0, i).assign(reference_dot(a.index(0, i), b.index(0, i)));
        auto x = symbolic(dtype, na, "x");
        auto y = symbolic(dtype, nb, "y");
        auto f = function({x, y}, T::batched_dot(x, y));
        for (const auto& [name_a, la] : layouts(a))
          for (const auto& [name_b, lb] : layouts(b))
            EXPECT_ALLCLOSE(f(la, lb), want, rtol_for(dtype), 1e-6)
                << dtype_name(dtype) << " ranks " << na << ", " << nb << " layouts " << name_a
                << ", " << name_b;
      }
    }
  }
}

TEST(BatchedDot, EmptyBatchesVectorsAndErrors) {
  auto [t, s] = T::dtensor3s("t", "s");
  auto f = function({t, s}, T::batched_dot(t, s));
  EXPECT_ALLCLOSE(
      f(NDArray::zeros(DType::Float64, {0, 2, 3}), NDArray::zeros(DType::Float64, {0, 3, 4})),
      NDArray::zeros(DType::Float64, {0, 2, 4}));
  EXPECT_ALLCLOSE(
      f(NDArray::zeros(DType::Float64, {2, 2, 0}), NDArray::zeros(DType::Float64, {2, 0, 4})),
      NDArray::zeros(DType::Float64, {2, 2, 4}));
  // A vector operand scales each batch (Theano's batched_dot).
  auto v = T::dvector("v");
  EXPECT_ALLCLOSE(function({v, t}, T::batched_dot(v, t))(
                      array({2.0, -1.0}), NDArray::full(DType::Float64, {2, 1, 2}, 1)),
                  array({{{2.0, 2.0}}, {{-1.0, -1.0}}}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        f(NDArray::zeros(DType::Float64, {2, 2, 3}), NDArray::zeros(DType::Float64, {3, 3, 4}));
      },
      {"batched_dot", "(2, 2, 3)", "(3, 3, 4)"}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] {
        f(NDArray::zeros(DType::Float64, {2, 2, 3}), NDArray::zeros(DType::Float64, {2, 4, 4}));
      },
      {"batched_dot", "not aligned"}));
  EXPECT_TRUE(
      throws_with<TypeError>([&] { T::batched_dot(T::dtensor4("w"), t); }, {"batched_dot"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::batched_dot(T::dscalar("c"), t); }, {"batched_dot"}));
}

// The products are bilinear, so each gradient entry is exact: d sum(gz * f(x, y)) / dx_i
// = sum(gz * f(e_i, y)). This checks the pullbacks' math and types; theon::grad's
// finite-difference tests come with the gradient driver.
void expect_pullback_matches(const Var& z,
                             const std::function<NDArray(const NDArray&, const NDArray&)>& f,
                             const NDArray& a, const NDArray& b) {
  const ApplyNode& node = *z.owner();
  const Var& x = node.inputs[0];
  const Var& y = node.inputs[1];
  Var gz = T::variable(z.type(), "gz");
  Var gzs[] = {gz};
  Vars grads = node.op().pullback(node, gzs);
  ASSERT_EQ(grads.size(), 2u);
  ASSERT_EQ(grads[0].type(), x.type()) << node.op().name();
  ASSERT_EQ(grads[1].type(), y.type()) << node.op().name();
  NDArray g = random_of(f(a, b).shape(), DType::Float64, 21);
  auto outs = function({x, y, gz}, grads)(a, b, g);
  auto expected = [&](const NDArray& wrt, bool first) {
    NDArray want = NDArray::zeros(DType::Float64, wrt.shape());
    for (int64_t i = 0; i < wrt.size(); ++i) {
      NDArray e = NDArray::zeros(DType::Float64, wrt.shape());
      e.data<double>()[i] = 1;
      NDArray prod = (first ? f(e, b) : f(a, e)).copy();
      double s = 0;
      for (int64_t j = 0; j < prod.size(); ++j) s += prod.data<double>()[j] * g.data<double>()[j];
      want.data<double>()[i] = s;
    }
    return want;
  };
  EXPECT_ALLCLOSE(outs[0], expected(a, true)) << node.op().name() << " gx";
  EXPECT_ALLCLOSE(outs[1], expected(b, false)) << node.op().name() << " gy";
}

TEST(Dot, PullbacksMatchTheBilinearForm) {
  for (int na : {1, 2})
    for (int nb : {1, 2}) {
      NDArray a = random_of(operand_shape(na, 3, false, 1), DType::Float64, 1);
      NDArray b = random_of(operand_shape(nb, 3, true, 2), DType::Float64, 2);
      auto z = T::dot(symbolic(DType::Float64, na, "x"), symbolic(DType::Float64, nb, "y"));
      expect_pullback_matches(z, reference_dot, a, b);
    }
  NDArray a = random_of({2, 4, 3, 2}, DType::Float64, 3),
          b = random_of({3, 2, 4}, DType::Float64, 4);
  auto z = T::tensordot(T::dtensor4("x"), T::dtensor3("y"), {{1, 3}, {2, 1}});
  expect_pullback_matches(
      z,
      [](const NDArray& p, const NDArray& q) {
        return reference(p, q, {1, 3}, {2, 1});
      },
      a, b);
  // A broadcastable summed axis on one side only: the gradient keeps each input's pattern.
  auto zc = T::dot(T::dmatrix("m"), T::drow("r"));
  Var gz = T::variable(zc.type(), "gz");
  Var gzs[] = {gz};
  Vars grads = zc.owner()->op().pullback(*zc.owner(), gzs);
  EXPECT_EQ(grads[0].type(), zc.owner()->inputs[0].type());
  EXPECT_EQ(grads[1].type(), zc.owner()->inputs[1].type());
}

TEST(BatchedDot, PullbacksMatchTheBilinearForm) {
  auto batched = [](const NDArray& p, const NDArray& q) {
    Shape shape{p.shape(0)};
    NDArray first = reference_dot(p.index(0, 0), q.index(0, 0));
    for (int64_t d : first.shape()) shape.push_back(d);
    NDArray out = NDArray::empty(DType::Float64, shape);
    for (int64_t i = 0; i < p.shape(0); ++i)
      out.index(0, i).assign(reference_dot(p.index(0, i), q.index(0, i)));
    return out;
  };
  for (int na : {2, 3})
    for (int nb : {2, 3}) {
      NDArray a = random_of(na == 3 ? Shape{2, 2, 3} : Shape{2, 3}, DType::Float64, 5);
      NDArray b = random_of(nb == 3 ? Shape{2, 3, 2} : Shape{2, 3}, DType::Float64, 6);
      auto z = T::batched_dot(symbolic(DType::Float64, na, "x"), symbolic(DType::Float64, nb, "y"));
      expect_pullback_matches(z, batched, a, b);
    }
}

}  // namespace
}  // namespace theon
