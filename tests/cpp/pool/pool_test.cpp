// Pooling against a direct float64 reference (pool_reference.hpp): every mode, 2-d and
// 3-d, random shapes (windows larger than the image, strides below and above the
// window, padding, odd sizes, ranks 2 to 5, empty batches), float32 / float64, integer
// max pooling, non-contiguous inputs, any number of threads; gradients through both
// the plain and the arg-max forms; errors.
#include <random>

#include "ops/pool/pool_kernels.hpp"
#include "pool_reference.hpp"
#include "support/test_util.hpp"
#include "theon/pool.hpp"

namespace T = theon::tensor;
namespace S = theon::tensor::signal;

namespace theon {
namespace {

using testing::PoolCase;

FunctionOptions mode(const std::string& name) {
  FunctionOptions o;
  o.mode = name;
  return o;
}

Var pool_of(const Var& x, const PoolCase& c) {
  return c.nd() == 2 ? S::pool_2d(x, c.ws, c.ignore_border, c.stride, c.pad, c.mode)
                     : S::pool_3d(x, c.ws, c.ignore_border, c.stride, c.pad, c.mode);
}

// Random cases: ranks nd..nd+2, leading lengths 0..3, image lengths 1..7, windows 1..4,
// strides 1..4, padding below the window where ignore_border allows it.
std::vector<PoolCase> random_cases(int count, unsigned seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const char* modes[] = {"max", "sum", "average_inc_pad", "average_exc_pad"};
  std::vector<PoolCase> cases;
  for (int i = 0; i < count; ++i) {
    PoolCase c;
    const int nd = pick(2, 3);
    const int lead = pick(0, 2);
    for (int d = 0; d < lead; ++d) c.shape.push_back(pick(i % 9 == 0 ? 0 : 1, 3));
    c.ignore_border = pick(0, 1) == 1;
    for (int d = 0; d < nd; ++d) {
      c.shape.push_back(pick(1, nd == 2 ? 7 : 5));
      c.ws.push_back(pick(1, 4));
      c.stride.push_back(pick(1, 4));
      c.pad.push_back(c.ignore_border ? pick(0, static_cast<int>(c.ws.back()) - 1) : 0);
    }
    c.mode = modes[i % 4];
    cases.push_back(c);
  }
  return cases;
}

TEST(Pool, OutputLengthsFollowTheano) {
  // Theano's docstring: a (5, 5) image with ws (2, 2) gives (2, 2) with ignore_border,
  // (3, 3) without.
  EXPECT_EQ(S::pool_output_length(5, 2, 2, 0, true), 2);
  EXPECT_EQ(S::pool_output_length(5, 2, 2, 0, false), 3);
  for (int64_t n = 0; n < 12; ++n)
    for (int64_t ws = 1; ws < 6; ++ws)
      for (int64_t st = 1; st < 6; ++st)
        for (int64_t pad = 0; pad < ws; ++pad)
          for (bool ib : {true, false}) {
            if (!ib && pad) continue;
            EXPECT_EQ(S::pool_output_length(n, ws, st, pad, ib),
                      testing::reference_length(n, ws, st, pad, ib))
                << "n " << n << " ws " << ws << " stride " << st << " pad " << pad << " ib " << ib;
          }
}

TEST(Pool, RandomShapesMatchReferenceWithGradients) {
  for (const PoolCase& c : random_cases(48, 7)) {
    for (DType dtype : {DType::Float64, DType::Float32}) {
      SCOPED_TRACE(c.str() + " " + std::string(dtype_name(dtype)));
      const double tol = dtype == DType::Float32 ? 1e-5 : 1e-12;
      Var x = T::tensor(dtype, BroadcastPattern(c.shape.size(), false), "x");
      Var w = T::tensor(dtype, BroadcastPattern(c.shape.size(), false), "w");
      const Var y = pool_of(x, c);
      const Var gx = T::grad(T::sum(y * w), x);
      const NDArray xv = testing::random_array(c.shape, dtype, -2, 2, 11);
      const NDArray wv = testing::random_array(testing::reference_shape(c), dtype, -1, 1, 12);
      for (const char* m : {"FAST_RUN", "NONE"}) {
        SCOPED_TRACE(m);
        Function f = function({x, w}, {y, gx}, {}, mode(m));
        Result r = f(xv, wv);
        EXPECT_ALLCLOSE(r[0], testing::reference_pool(c, xv), tol, tol, false);
        EXPECT_EQ(r[0].dtype(), dtype);
        EXPECT_ALLCLOSE(r[1], testing::reference_grad(c, xv, wv), tol, tol, false);
      }
    }
  }
}

TEST(Pool, NonContiguousInputs) {
  PoolCase c{{3, 2, 9, 7}, {3, 2}, {2, 1}, {1, 1}, true, "average_exc_pad"};
  auto x = T::dtensor4("x");
  // A transposed and strided view: axes swapped, every other column.
  const NDArray big = testing::random_array({2, 3, 9, 14}, DType::Float64, -1, 1, 3);
  const NDArray view = big.transpose(std::vector<int>{1, 0, 2, 3}).slice(3, Slice{0, std::nullopt, 2});
  ASSERT_FALSE(view.is_contiguous());
  for (const char* m : {"max", "sum", "average_inc_pad", "average_exc_pad"}) {
    c.mode = m;
    SCOPED_TRACE(m);
    auto w = T::dtensor4("w");
    const Var y = pool_of(x, c);
    Function f = function({x, w}, {y, T::grad(T::sum(y * w), x)});
    const NDArray wv = testing::random_array(testing::reference_shape(c), DType::Float64, -1, 1, 4);
    // The output gradient non-contiguous too (a reversed view of a copy).
    Result r = f(view, wv);
    EXPECT_ALLCLOSE(r[0], testing::reference_pool(c, view.copy()), 1e-12);
    EXPECT_ALLCLOSE(r[1], testing::reference_grad(c, view.copy(), wv), 1e-12);
    const NDArray gz = wv.slice(3, Slice{std::nullopt, std::nullopt, -1}).copy().slice(
        3, Slice{std::nullopt, std::nullopt, -1});
    ASSERT_FALSE(gz.is_contiguous());
    const Var g = c.mode == "max" ? S::max_pool_grad(x, y, w, c.ws, true, c.stride, c.pad)
                                  : S::average_pool_grad(x, w, c.ws, true, c.stride, c.pad, c.mode);
    EXPECT_ALLCLOSE(function({x, w}, g)(view, gz), testing::reference_grad(c, view.copy(), wv), 1e-12);
  }
}

TEST(Pool, IntegerMaxPooling) {
  PoolCase c{{2, 3, 5, 6}, {2, 3}, {2, 2}, {0, 0}, false, "max"};
  for (DType dtype : {DType::Int8, DType::Int32, DType::Int64, DType::UInt8}) {
    SCOPED_TRACE(dtype_name(dtype));
    Var x = T::tensor(dtype, BroadcastPattern(4, false), "x");
    const NDArray xv = testing::random_array(c.shape, DType::Float64, 0, 100, 5).astype(dtype);
    const NDArray y = function({x}, pool_of(x, c))(xv);
    EXPECT_EQ(y.dtype(), dtype);
    EXPECT_ALLCLOSE(y, testing::reference_pool(c, xv), 0, 0, false);
  }
  auto i = T::itensor4("i");
  EXPECT_TRUE(testing::throws_with<TypeError>([&] { S::pool_2d(i, {2, 2}, true, {}, {}, "sum"); },
                                              {"pool_2d", "sum pooling needs a float input", "int32"}));
}

TEST(Pool, NaNPropagatesThroughMaxAndItsGradient) {
  auto x = T::dmatrix("x");
  const double nan = std::nan("");
  NDArray xv = array({{1.0, nan, 3.0, 4.0}, {5.0, 6.0, 7.0, nan}});
  const Var y = S::pool_2d(x, {2, 2}, true);
  Result r = function({x}, {y, T::grad(T::sum(y), x)})(xv);
  EXPECT_TRUE(std::isnan(r[0].at<double>({0, 0})) && std::isnan(r[0].at<double>({0, 1})));
  // The gradient goes to the first NaN of each window.
  EXPECT_ALLCLOSE(r[1], array({{0.0, 1.0, 0.0, 0.0}, {0.0, 0.0, 0.0, 1.0}}));
  // float32 rows long enough for the vectorized 2x2 loop, a NaN in one 16-output chunk.
  auto f = T::fmatrix("f");
  NDArray fv = testing::random_array({4, 70}, DType::Float32, -1, 1, 8);
  fv.data<float>()[70 + 33] = NAN;
  const NDArray fy = function({f}, S::pool_2d(f, {2, 2}, false))(fv);
  PoolCase c{{4, 70}, {2, 2}, {2, 2}, {0, 0}, false, "max"};
  const NDArray want = testing::reference_pool(c, fv);
  EXPECT_TRUE(std::isnan(fy.at<float>({0, 16})));
  EXPECT_ALLCLOSE(fy, want.astype(DType::Float32), 0, 0);  // NaNs must match
}

TEST(Pool, TiesGoToTheFirstMaximumInBothForms) {
  // Integer-valued floats: many ties. The plain gradient and the arg-max form agree.
  auto x = T::dtensor4("x");
  const NDArray xv = testing::random_array({2, 3, 7, 8}, DType::Float64, 0, 3, 9).astype(DType::Int64).astype(DType::Float64);
  PoolCase c{{2, 3, 7, 8}, {3, 2}, {2, 1}, {1, 0}, true, "max"};
  const Var y = pool_of(x, c);
  const Var gx = T::grad(T::sum(y), x);
  const NDArray fast = function({x}, gx, {}, mode("FAST_RUN"))(xv);
  const NDArray plain = function({x}, gx, {}, mode("NONE"))(xv);
  EXPECT_ALLCLOSE(fast, plain, 0, 0);
  EXPECT_ALLCLOSE(fast, testing::reference_grad(c, xv, NDArray::full(DType::Float64, testing::reference_shape(c), 1.0)), 0, 0);
  // The same through the vectorized float32 2x2 loops (rows of 2 to 40 outputs), ties,
  // -inf windows and a NaN included.
  auto xf = T::ftensor4("xf");
  for (int64_t width : {4, 21, 64, 80}) {
    SCOPED_TRACE(width);
    NDArray v = testing::random_array({2, 2, 6, width}, DType::Float64, 0, 3, 10).astype(DType::Int64).astype(DType::Float32);
    v.data<float>()[5] = -INFINITY, v.data<float>()[6] = -INFINITY;
    v.data<float>()[width + 6] = -INFINITY, v.data<float>()[width + 7] = -INFINITY;
    v.data<float>()[3 * width + 9] = std::nanf("");
    const Var yf = S::pool_2d(xf, {2, 2}, false);
    const Var gf = T::grad(T::sum(yf), xf);
    Result fr = function({xf}, {yf, gf}, {}, mode("FAST_RUN"))(v);
    Result nr = function({xf}, {yf, gf}, {}, mode("NONE"))(v);
    EXPECT_ALLCLOSE(fr[0], nr[0], 0, 0);
    EXPECT_ALLCLOSE(fr[1], nr[1], 0, 0);
  }
  // max_pool_2d_same_size keeps the first maximum of each patch only.
  auto m = T::dmatrix("m");
  EXPECT_ALLCLOSE(function({m}, S::max_pool_2d_same_size(m, {2, 2}))(array({{1.0, 3.0, 2.0}, {3.0, 0.0, 2.0}, {4.0, 5.0, 6.0}})),
                  array({{0.0, 3.0, 0.0}, {0.0, 0.0, 0.0}, {0.0, 0.0, 0.0}}));
}

// The arg-max gradient's vectorized rows (2x2 windows, stride 2, float32): random output
// gradients, odd and even heights and widths (rows of 1 to 40 windows, a partial 16-chunk),
// ignore_border both ways (a cut last row and column go to the scalar loop), against the
// float64 reference.
TEST(Pool, ArgmaxScatterRowsOf2x2MatchReference) {
  auto x = T::ftensor4("x");
  auto w = T::ftensor4("w");
  for (bool ignore_border : {true, false})
    for (auto [h, width] : std::vector<std::pair<int64_t, int64_t>>{{2, 2}, {5, 7}, {6, 35}, {7, 80}}) {
      SCOPED_TRACE(::testing::Message() << h << "x" << width << " ignore_border " << ignore_border);
      PoolCase c{{2, 3, h, width}, {2, 2}, {2, 2}, {0, 0}, ignore_border, "max"};
      const NDArray xv = testing::random_array(c.shape, DType::Float32, -1, 1, 11);
      const NDArray wv = testing::random_array(testing::reference_shape(c), DType::Float32, -1, 1, 12);
      const Var y = S::pool_2d(x, {2, 2}, ignore_border);
      const NDArray gx = function({x, w}, T::grad(T::sum(y * w), x), {}, mode("FAST_RUN"))(xv, wv);
      const NDArray want = testing::reference_grad(c, xv.astype(DType::Float64), wv.astype(DType::Float64));
      EXPECT_ALLCLOSE(gx, want.astype(DType::Float32), 0, 0);
    }
}

TEST(Pool, ArgmaxRewriteFiresAndKeepsValues) {
  auto x = T::ftensor4("x");
  const Var y = S::pool_2d(x, {2, 2}, true);
  const Var gx = T::grad(T::sum(y * y), x);
  Function f = function({x}, {y, gx});
  int argmax = 0, scatter = 0, search = 0, plain = 0;
  for (const ApplyNode* node : f.fgraph().toposort()) {
    const std::string n = node->op().name();
    argmax += n == "pool_argmax";
    scatter += n == "max_pool_argmax_grad";
    search += n == "max_pool_grad";
    plain += n == "pool";
  }
  EXPECT_EQ(argmax, 1);
  EXPECT_EQ(scatter, 1);
  EXPECT_EQ(search, 0);
  EXPECT_EQ(plain, 0);
  const NDArray xv = testing::random_array({3, 4, 10, 12}, DType::Float32, -1, 1, 2);
  Result a = f(xv);
  Result b = function({x}, {y, gx}, {}, mode("NONE"))(xv);
  EXPECT_ALLCLOSE(a[0], b[0], 0, 0);
  EXPECT_ALLCLOSE(a[1], b[1], 0, 0);
  // Excluding the rewrite by name keeps the search form.
  FunctionOptions o;
  o.optimizer_excluding = "pool_argmax";
  Function g = function({x}, {y, gx}, {}, o);
  int kept = 0;
  for (const ApplyNode* node : g.fgraph().toposort()) kept += node->op().name() == "max_pool_grad";
  EXPECT_EQ(kept, 1);
  // Only the forward: nothing to rewrite.
  Function h = function({x}, y);
  for (const ApplyNode* node : h.fgraph().toposort()) EXPECT_NE(node->op().name(), "pool_argmax");
}

TEST(Pool, AnyTaskCountGivesTheSameResult) {
  using namespace detail::pool;
  const NDArray x = testing::random_array({5, 3, 11, 13}, DType::Float32, -1, 1, 6);
  for (Mode m : {Mode::Max, Mode::Sum, Mode::AverageIncPad, Mode::AverageExcPad}) {
    const Params p = Params::make("test", 2, {3, 3}, true, {2, 2}, {1, 1}, m);
    const Geometry g = Geometry::make(p, x.shape(), "test");
    ASSERT_EQ(g.output_shape(x.shape(), 2), Shape({5, 3, 6, 7}));
    const Shape os = g.output_shape(x.shape(), 2);
    const NDArray gzs = testing::random_array(os, DType::Float32, -1, 1, 7);
    auto run = [&](int tasks) {
      NDArray out = NDArray::empty(DType::Float32, os), arg = NDArray::empty(DType::Int32, os);
      NDArray gx = NDArray::empty(DType::Float32, x.shape());
      NDArray out2 = NDArray::empty(DType::Float32, os);
      forward<float>(g, view_as<float>(x, 2), out.data<float>(), tasks);
      if (m == Mode::Max) {
        forward_argmax<float>(g, view_as<float>(x, 2), out2.data<float>(), arg.data<int32_t>(), tasks);
        argmax_scatter<float>(g, view_as<int32_t>(arg, 2), view_as<float>(gzs, 2), gx.data<float>(), tasks);
      } else {
        average_grad<float>(g, view_as<float>(gzs, 2), gx.data<float>(), tasks);
      }
      return std::vector<NDArray>{out, gx};
    };
    const std::vector<NDArray> one = run(1);
    for (int tasks : {2, 3, 7, 64}) {
      const std::vector<NDArray> many = run(tasks);
      EXPECT_ALLCLOSE(many[0], one[0], 0, 0);
      EXPECT_ALLCLOSE(many[1], one[1], 0, 0);
    }
  }
}

TEST(Pool, EmptyAndTinyInputs) {
  auto x = T::dtensor4("x");
  // An empty batch.
  Result r = function({x}, {S::pool_2d(x, {2, 2}, false), T::grad(T::sum(S::pool_2d(x, {2, 2}, false)), x)})(
      NDArray::zeros(DType::Float64, {0, 3, 5, 5}));
  EXPECT_EQ(r[0].shape(), Shape({0, 3, 3, 3}));
  EXPECT_EQ(r[1].shape(), Shape({0, 3, 5, 5}));
  // A window larger than the image: one partial window, or none.
  const NDArray small = testing::random_array({1, 1, 2, 3}, DType::Float64, -1, 1, 1);
  EXPECT_EQ(function({x}, S::pool_2d(x, {4, 4}, false))(small).array().shape(), Shape({1, 1, 1, 1}));
  EXPECT_EQ(function({x}, S::pool_2d(x, {4, 4}, true))(small).array().shape(), Shape({1, 1, 0, 0}));
  // Rank 2 pools the whole input; rank 5 has three leading axes for pool_2d.
  auto m = T::dmatrix("m");
  EXPECT_ALLCLOSE(function({m}, S::pool_2d(m, {2, 3}, true, {}, {}, "sum"))(array({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}})),
                  array({{21.0}}));
}

TEST(Pool, GradientsMatchFiniteDifferences) {
  const std::vector<PoolCase> cases = {
      {{2, 5, 6}, {2, 2}, {2, 2}, {0, 0}, false, "max"},
      {{1, 2, 5, 6}, {3, 2}, {1, 2}, {1, 1}, true, "max"},
      {{2, 5, 6}, {3, 3}, {2, 2}, {1, 2}, true, "sum"},
      {{2, 5, 6}, {3, 3}, {2, 1}, {2, 1}, true, "average_inc_pad"},
      {{2, 5, 6}, {2, 4}, {3, 3}, {0, 0}, false, "average_exc_pad"},
      {{1, 4, 3, 5}, {2, 2, 3}, {1, 2, 2}, {1, 0, 1}, true, "max"},
      {{4, 3, 5}, {2, 2, 3}, {2, 1, 2}, {0, 0, 0}, false, "average_exc_pad"},
      {{4, 3, 5}, {3, 2, 2}, {1, 1, 3}, {1, 1, 1}, true, "average_inc_pad"},
  };
  for (const PoolCase& c : cases) {
    SCOPED_TRACE(c.str());
    // Distinct values far apart: no ties, so max pooling is differentiable at the point.
    NDArray xv = testing::random_array(c.shape, DType::Float64, -1, 1, 21);
    for (int64_t i = 0; i < xv.size(); ++i) xv.data<double>()[i] += 0.1 * static_cast<double>(i % 37);
    EXPECT_NO_THROW(verify_grad([&](const Vars& in) { return pool_of(in[0], c); }, {xv}));
    const NDArray gz = testing::random_array(testing::reference_shape(c), DType::Float64, -1, 1, 22);
    const NDArray gg = testing::random_array(c.shape, DType::Float64, -1, 1, 23);
    if (c.mode == "max") {
      // d/dgz max_pool_grad(x, pool(x), gz), d/dx of it (zero: the arg-max stays put),
      // and the grad-grad op both ways.
      EXPECT_NO_THROW(verify_grad(
          [&](const Vars& in) {
            return S::max_pool_grad(in[0], pool_of(in[0], c), in[1], c.ws, c.ignore_border, c.stride, c.pad);
          },
          {xv, gz}));
      EXPECT_NO_THROW(verify_grad(
          [&](const Vars& in) {
            return S::max_pool_grad_grad(in[0], pool_of(in[0], c), in[1], c.ws, c.ignore_border, c.stride, c.pad);
          },
          {xv, gg}));
    } else {
      EXPECT_NO_THROW(verify_grad(
          [&](const Vars& in) {
            return S::average_pool_grad(in[0], in[1], c.ws, c.ignore_border, c.stride, c.pad, c.mode);
          },
          {xv, gz}));
    }
  }
}

TEST(Pool, SecondDerivativeOfMaxPooling) {
  // grad of (grad of sum(pool(x) * w) . v) with respect to w: max_pool_grad_grad.
  auto x = T::dtensor4("x");
  auto w = T::dtensor4("w");
  auto v = T::dtensor4("v");
  const Var y = S::pool_2d(x, {2, 2}, true);
  const Var gx = T::grad(T::sum(y * w), x);
  const Var gw = T::grad(T::sum(gx * v), w);
  const NDArray xv = testing::random_array({1, 2, 4, 4}, DType::Float64, -1, 1, 1);
  const NDArray wv = testing::random_array({1, 2, 2, 2}, DType::Float64, -1, 1, 2);
  const NDArray vv = testing::random_array({1, 2, 4, 4}, DType::Float64, -1, 1, 3);
  PoolCase c{{1, 2, 4, 4}, {2, 2}, {2, 2}, {0, 0}, true, "max"};
  // gw[o] = v at the arg-max of window o.
  const std::vector<double> xs = testing::flat_values(xv), vs = testing::flat_values(vv);
  std::vector<double> want(8, 0.0);
  testing::for_each_window(c, [&](int64_t o, const std::vector<int64_t>& e, int64_t) {
    int64_t best = e[0];
    for (int64_t i : e)
      if (xs[i] > xs[best]) best = i;
    want[o] = vs[best];
  });
  EXPECT_ALLCLOSE(function({x, w, v}, gw)(xv, wv, vv), array(want, {1, 2, 2, 2}), 1e-12);
}

TEST(Pool, ErrorsNameTheOpAndTheProblem) {
  auto x = T::dtensor4("x");
  auto v = T::dvector("v");
  using testing::throws_with;
  EXPECT_TRUE(throws_with<ValueError>([&] { S::pool_2d(x, {2, 2}, true, {}, {}, "median"); },
                                      {"pool_2d", "mode", "median"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { S::pool_2d(x, {2, 2}, false, {}, {1, 1}); },
                                      {"pool_2d", "ignore_border=True"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { S::pool_2d(x, {2, 2}, true, {}, {2, 0}); },
                                      {"pool_2d", "smaller than the window"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { S::pool_2d(x, {0, 2}, true); }, {"pool_2d", "at least 1"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { S::pool_2d(x, {2, 2, 2}, true); }, {"pool_2d", "2 entries"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { S::pool_2d(x, {2, 2}, true, {1, -1}); }, {"pool_2d", "stride"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { S::pool_3d(T::dmatrix("m"), {2, 2, 2}, true); },
                                     {"pool_3d", "at least 3 dimensions"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { S::pool_2d(v, {2, 2}, true); }, {"pool_2d", "at least 2"}));
  EXPECT_TRUE(throws_with<MemoryError>([&] { S::pool_2d(x, {INT64_MAX / 2, 4}, true); }, {"pool_2d"}));
  // A gradient whose shape does not match the pooling, at run time.
  auto gz = T::dtensor4("gz");
  Function f = function({x, gz}, S::max_pool_grad(x, S::pool_2d(x, {2, 2}, true), gz, {2, 2}, true));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] { f(NDArray::zeros(DType::Float64, {1, 1, 4, 4}), NDArray::zeros(DType::Float64, {1, 1, 3, 2})); },
      {"max_pool", "gz", "(1, 1, 3, 2)", "(1, 1, 2, 2)"}));
}

}  // namespace
}  // namespace theon
