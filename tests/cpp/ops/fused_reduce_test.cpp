// The fused reduction, built by hand from FusedPrograms, against the same expressions run
// unfused by the interpreter (mode NONE): every kind, float32/float64/int32, sizes around
// the block and chunk lengths and large enough for threads, 2-D over all axes, rows or
// columns (keepdims), transposed and broadcast inputs, NaN and inf, errors and printing.
#include <cmath>
#include <limits>

#include "ops/fused_reduce.hpp"
#include "support/test_util.hpp"

namespace T = theon::tensor;

namespace theon {
namespace {

using detail::FusedProgram;
using detail::ReduceKind;
using detail::ScalarOpId;
using testing::allclose;
using testing::random_array;
using testing::throws_with;

constexpr DType f32 = DType::Float32, f64 = DType::Float64, i32 = DType::Int32;

Function unoptimized(const Vars& in, const Vars& out) {
  FunctionOptions options;
  options.mode = "NONE";
  return function(in, out, {}, options);
}

// One instruction `op` over inputs 0..arity-1 of dtype d.
FusedProgram one_op(ScalarOpId op, DType d, int arity) {
  FusedProgram p;
  p.input_dtypes.assign(arity, d);
  std::vector<int> args;
  for (int k = 0; k < arity; ++k) args.push_back(k);
  p.instrs = {{op, d, d, args}};
  p.outputs = {arity};
  return p;
}

Var fused(const FusedProgram& p, ReduceKind kind, std::vector<int> axes, bool keepdims, Vars inputs) {
  std::vector<Loc> locs(p.instrs.size(), Loc::current());
  return detail::fused_reduce(p, locs, kind, std::move(axes), keepdims, std::move(inputs), Loc::current());
}

// The fused node and `reference` (unfused) on `args`: same dtype and shape, values equal to
// rounding, and the fused result the same on a second call (no dependence on threads).
void expect_matches(const Vars& in, const Var& got_var, const Var& want_var, const std::vector<NDArray>& args,
                    double rtol) {
  auto f = unoptimized(in, {got_var});
  auto g = unoptimized(in, {want_var});
  std::vector<Arg> call(args.begin(), args.end());
  const NDArray got = f.call(call)[0].copy(), want = g.call(call)[0];
  ASSERT_EQ(got.dtype(), want.dtype());
  ASSERT_EQ(got.shape(), want.shape());
  EXPECT_TRUE(allclose(got, want, rtol, rtol)) << to_string(got) << "\nvs\n" << to_string(want);
  EXPECT_TRUE(allclose(f.call(call)[0], got, 0, 0)) << "a second call differs";
}

TEST(FusedReduce, SumOfExpOverSizesAndDtypes) {
  for (DType d : {f32, f64}) {
    for (int64_t n : {0, 1, 7, 257, 100003, 300007}) {
      SCOPED_TRACE(std::string(dtype_name(d)) + " n=" + std::to_string(n));
      auto x = T::tensor(d, {false}, "x");
      auto y = fused(one_op(ScalarOpId::Exp, d, 1), ReduceKind::Sum, {0}, false, {x});
      expect_matches({x}, y, T::sum(T::exp(x)), {random_array({n}, d, -2, 2, 11)}, d == f32 ? 1e-5 : 1e-12);
    }
  }
}

TEST(FusedReduce, EveryKindOfAProduct) {
  auto x = T::dvector("x"), y = T::dvector("y");
  const FusedProgram mul = one_op(ScalarOpId::Mul, f64, 2);
  const std::vector<NDArray> args = {random_array({1000}, f64, 0.5, 1.5, 1), random_array({1000}, f64, 0.5, 1.01, 2)};
  expect_matches({x, y}, fused(mul, ReduceKind::Sum, {0}, false, {x, y}), T::sum(x * y), args, 1e-12);
  expect_matches({x, y}, fused(mul, ReduceKind::Prod, {0}, false, {x, y}), T::prod(x * y), args, 1e-10);
  expect_matches({x, y}, fused(mul, ReduceKind::Max, {0}, false, {x, y}), T::max(x * y), args, 0);
  expect_matches({x, y}, fused(mul, ReduceKind::Min, {0}, false, {x, y}), T::min(x * y), args, 0);
  expect_matches({x, y}, fused(mul, ReduceKind::All, {0}, false, {x, y}), T::all(x * y), args, 0);
  expect_matches({x, y}, fused(mul, ReduceKind::Any, {0}, false, {x, y}), T::any(x * y), args, 0);
}

// int32 products summed in int64 (no overflow at int32's range), as Reduce does.
TEST(FusedReduce, IntegerSumsAccumulateInInt64) {
  auto x = T::ivector("x");
  auto y = fused(one_op(ScalarOpId::Mul, i32, 2), ReduceKind::Sum, {0}, false, {x, x});
  const NDArray big = (random_array({50}, f64, 40000, 46000, 3)).astype(i32);
  auto f = unoptimized({x}, {y});
  EXPECT_EQ(f(big).array().dtype(), DType::Int64);
  expect_matches({x}, y, T::sum(x * x), {big}, 0);
}

TEST(FusedReduce, MatrixOverAllAxesRowsAndColumns) {
  for (DType d : {f32, f64}) {
    SCOPED_TRACE(dtype_name(d));
    const double tol = d == f32 ? 1e-5 : 1e-12;
    auto x = T::tensor(d, {false, false}, "x");
    const FusedProgram e = one_op(ScalarOpId::Exp, d, 1);
    const NDArray m = random_array({37, 3001}, d, -1, 1, 4);
    expect_matches({x}, fused(e, ReduceKind::Sum, {0, 1}, false, {x}), T::sum(T::exp(x)), {m}, tol);
    expect_matches({x}, fused(e, ReduceKind::Sum, {1}, false, {x}), T::sum(T::exp(x), 1), {m}, tol);
    expect_matches({x}, fused(e, ReduceKind::Sum, {1}, true, {x}), T::sum(T::exp(x), 1, true), {m}, tol);
    expect_matches({x}, fused(e, ReduceKind::Max, {0}, true, {x}), T::max(T::exp(x), 0, true), {m}, tol);
    expect_matches({x}, fused(e, ReduceKind::Sum, {0, 1}, true, {x}), T::sum(T::exp(x), Axes(), true), {m}, tol);
    // Transposed (a strided walk), and empty rows or columns.
    expect_matches({x}, fused(e, ReduceKind::Sum, {1}, false, {x}), T::sum(T::exp(x), 1), {m.transpose()}, tol);
    expect_matches({x}, fused(e, ReduceKind::Sum, {0, 1}, false, {x}), T::sum(T::exp(x)), {m.transpose()}, tol);
    expect_matches({x}, fused(e, ReduceKind::Sum, {1}, false, {x}), T::sum(T::exp(x), 1),
                   {random_array({5, 0}, d)}, tol);
    expect_matches({x}, fused(e, ReduceKind::Sum, {0}, false, {x}), T::sum(T::exp(x), 0),
                   {random_array({5, 1}, d)}, tol);
  }
}

// A row broadcast over a matrix: its stride is 0 along the rows.
TEST(FusedReduce, BroadcastOperands) {
  auto x = T::dmatrix("x");
  auto b = T::drow("b");
  const FusedProgram mul = one_op(ScalarOpId::Mul, f64, 2);
  const std::vector<NDArray> args = {random_array({300, 70}, f64, -1, 1, 5), random_array({1, 70}, f64, -1, 1, 6)};
  expect_matches({x, b}, fused(mul, ReduceKind::Sum, {1}, false, {x, b}), T::sum(x * b, 1), args, 1e-12);
  expect_matches({x, b}, fused(mul, ReduceKind::Sum, {0}, false, {x, b}), T::sum(x * b, 0), args, 1e-12);
  expect_matches({x, b}, fused(mul, ReduceKind::Sum, {0, 1}, false, {x, b}), T::sum(x * b), args, 1e-12);
}

TEST(FusedReduce, NanAndInfinity) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  auto x = T::dvector("x");
  const FusedProgram a = one_op(ScalarOpId::Abs, f64, 1);
  std::vector<double> values(300, 0.5);
  values[7] = -inf;
  const NDArray with_inf = detail::array_from_flat(f64, {300}, values.data());
  values[200] = nan;
  const NDArray with_nan = detail::array_from_flat(f64, {300}, values.data());
  for (bool has_nan : {false, true}) {
    const NDArray& v = has_nan ? with_nan : with_inf;
    auto f = unoptimized({x}, {fused(a, ReduceKind::Max, {0}, false, {x}), fused(a, ReduceKind::Min, {0}, false, {x}),
                               fused(a, ReduceKind::Sum, {0}, false, {x})});
    const Result r = f(v);
    EXPECT_EQ(std::isnan(r[0].item<double>()), has_nan);
    if (!has_nan) {
      EXPECT_EQ(r[0].item<double>(), inf);
    }
    EXPECT_EQ(std::isnan(r[1].item<double>()), has_nan);
    EXPECT_EQ(std::isnan(r[2].item<double>()), has_nan);
  }
}

TEST(FusedReduce, ErrorsAsUnfused) {
  auto x = T::dvector("x"), y = T::dvector("y");
  auto f = unoptimized({x}, {fused(one_op(ScalarOpId::Exp, f64, 1), ReduceKind::Max, {0}, false, {x})});
  EXPECT_TRUE(throws_with<ValueError>([&] { f(random_array({0}, f64)); }, {"zero-size array"}));
  auto g = unoptimized({x, y}, {fused(one_op(ScalarOpId::Mul, f64, 2), ReduceKind::Sum, {0}, false, {x, y})});
  EXPECT_THROW(g(random_array({3}, f64), random_array({4}, f64)), ShapeError);
}

TEST(FusedReduce, PrintsPropsAndGradient) {
  auto x = T::dmatrix("x");
  const FusedProgram e = one_op(ScalarOpId::Exp, f64, 1);
  auto all = fused(e, ReduceKind::Sum, {0, 1}, false, {x});
  auto rows = fused(e, ReduceKind::Max, {1}, true, {x});
  EXPECT_EQ(pp(all), "fused_sum{exp(x)}");
  EXPECT_EQ(pp(rows), "fused_max{exp(x), axis=1, keepdims=True}");
  EXPECT_TRUE(all.owner()->op().equals(fused(e, ReduceKind::Sum, {0, 1}, false, {x}).owner()->op()));
  EXPECT_FALSE(all.owner()->op().equals(fused(e, ReduceKind::Sum, {1}, false, {x}).owner()->op()));
  EXPECT_FALSE(all.owner()->op().equals(fused(e, ReduceKind::Prod, {0, 1}, false, {x}).owner()->op()));
  EXPECT_THROW(T::grad(all, x), InternalError);
}

}  // namespace
}  // namespace theon
