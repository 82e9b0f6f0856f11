// The fused element-wise op, built by hand from FusedPrograms, against the same
// expressions run unfused by the interpreter (mode NONE): dtypes, broadcasting, strided
// inputs, empty and large sizes (which run on several threads), several outputs, the
// registers' dtype conversions, printing and run-time shape errors.
#include "ops/fused.hpp"
#include "support/test_util.hpp"

namespace T = theon::tensor;

namespace theon {
namespace {

using detail::FusedProgram;
using detail::ScalarOpId;
using testing::allclose;
using testing::random_array;
using testing::throws_with;

constexpr DType f32 = DType::Float32, f64 = DType::Float64, i32 = DType::Int32, b8 = DType::Bool;

Function unoptimized(const Vars& in, const Vars& out) {
  FunctionOptions options;
  options.mode = "NONE";
  return function(in, out, {}, options);
}

std::vector<Loc> locs(const FusedProgram& p, Loc loc = Loc::current()) {
  return std::vector<Loc>(p.instrs.size(), loc);
}

// exp(sin(x * x)) and, when `with_gradient`, its derivative exp(sin(x^2)) cos(x^2) 2x.
FusedProgram chain(DType d, bool with_gradient) {
  FusedProgram p;
  p.input_dtypes = {d};
  p.instrs = {{ScalarOpId::Sqr, d, d, {0}}, {ScalarOpId::Sin, d, d, {1}}, {ScalarOpId::Exp, d, d, {2}}};
  p.outputs = {3};
  if (with_gradient) {
    p.instrs.push_back({ScalarOpId::Cos, d, d, {1}});       // r4 = cos(x^2)
    p.instrs.push_back({ScalarOpId::Mul, d, d, {3, 4}});    // r5 = y * r4
    p.instrs.push_back({ScalarOpId::Add, d, d, {0, 0}});    // r6 = 2x
    p.instrs.push_back({ScalarOpId::Mul, d, d, {5, 6}});    // r7
    p.outputs = {3, 7};
  }
  return p;
}

Vars chain_reference(const Var& x, bool with_gradient) {
  Var y = T::exp(T::sin(T::sqr(x)));
  if (!with_gradient) return {y};
  return {y, (y * T::cos(T::sqr(x))) * (x + x)};
}

void expect_same(const Function& fused, const Function& reference, const std::vector<NDArray>& args,
                 double rtol) {
  std::vector<Arg> call(args.begin(), args.end());
  Result got = fused.call(call), want = reference.call(call);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(allclose(got[i], want[i], rtol, rtol)) << "output " << i;
}

TEST(FusedElemwise, ChainMatchesTheInterpreterAtEverySize) {
  for (DType d : {f64, f32}) {
    for (bool with_gradient : {false, true}) {
      auto x = T::tensor(d, {false}, "x");
      FusedProgram p = chain(d, with_gradient);
      Function fused = unoptimized({x}, detail::fused_elemwise(p, locs(p), {x}, Loc::current()));
      Function reference = unoptimized({x}, chain_reference(x, with_gradient));
      // 300001 elements pass the threshold for threads; 255..257 straddle a block.
      for (int64_t n : {0, 1, 7, 255, 256, 257, 1000, 300001})
        expect_same(fused, reference, {random_array({n}, d, -3, 3, static_cast<unsigned>(n))},
                    d == f64 ? 1e-13 : 2e-5);
    }
  }
}

TEST(FusedElemwise, BroadcastsRowsColumnsAndScalarsAsElemwise) {
  // (x * r + c) * s with x a matrix, r a row, c a column and s a broadcastable 0-d.
  auto x = T::dmatrix("x");
  auto r = T::drow("r");
  auto c = T::dcol("c");
  auto s = T::tensor(f64, {true, true}, "s");
  FusedProgram p;
  p.input_dtypes = {f64, f64, f64, f64};
  p.instrs = {{ScalarOpId::Mul, f64, f64, {0, 1}},
              {ScalarOpId::Add, f64, f64, {4, 2}},
              {ScalarOpId::Mul, f64, f64, {5, 3}}};
  p.outputs = {6};
  Function fused = unoptimized({x, r, c, s}, detail::fused_elemwise(p, locs(p), {x, r, c, s}, Loc::current()));
  Function reference = unoptimized({x, r, c, s}, {(x * r + c) * s});
  for (auto [m, n] : {std::pair<int64_t, int64_t>{3, 5}, {1, 1}, {0, 4}, {4, 0}, {17, 300}, {700, 600}})
    expect_same(fused, reference,
                {random_array({m, n}), random_array({1, n}, f64, -1, 1, 1), random_array({m, 1}, f64, -1, 1, 2),
                 random_array({1, 1}, f64, -1, 1, 3)},
                1e-15);
  EXPECT_EQ(fused(random_array({3, 5}), random_array({1, 5}), random_array({3, 1}), random_array({1, 1}))
                .array()
                .shape(),
            Shape({3, 5}));
}

TEST(FusedElemwise, ReadsStridedViews) {
  auto x = T::dmatrix("x");
  auto y = T::dmatrix("y");
  FusedProgram p;
  p.input_dtypes = {f64, f64};
  p.instrs = {{ScalarOpId::Sub, f64, f64, {0, 1}}, {ScalarOpId::Exp, f64, f64, {2}}};
  p.outputs = {2, 3};
  Function fused = unoptimized({x, y}, detail::fused_elemwise(p, locs(p), {x, y}, Loc::current()));
  Function reference = unoptimized({x, y}, {x - y, T::exp(x - y)});
  const NDArray big = random_array({40, 600});
  const NDArray transposed = random_array({20, 40}, f64, -1, 1, 5).transpose();
  const NDArray every_other = big.slice(1, Slice{0, Slice::kNone, 30});  // (40, 20), stride 30
  const NDArray reversed = random_array({40, 20}, f64, -1, 1, 6).slice(0, Slice{Slice::kNone, Slice::kNone, -1});
  expect_same(fused, reference, {transposed, every_other}, 1e-15);
  expect_same(fused, reference, {reversed, transposed}, 1e-15);
  expect_same(fused, reference, {random_array({40, 20}), every_other}, 1e-15);
}

TEST(FusedElemwise, ConvertsRegistersToEachInstructionsComputeDtype) {
  // s = x + y (int32 + float32 computes in float64); switch(s < y, s, x) in float64.
  auto x = T::ivector("x");
  auto y = T::fvector("y");
  FusedProgram p;
  p.input_dtypes = {i32, f32};
  p.instrs = {{ScalarOpId::Add, f64, f64, {0, 1}},
              {ScalarOpId::Lt, f64, b8, {2, 1}},
              {ScalarOpId::Switch, f64, f64, {3, 2, 0}},
              {ScalarOpId::Identity, f32, f32, {4}}};
  p.outputs = {3, 5};
  Function fused = unoptimized({x, y}, detail::fused_elemwise(p, locs(p), {x, y}, Loc::current()));
  Var s = x + y;
  Var lt = s < y;
  Function reference = unoptimized({x, y}, {lt, T::cast(T::switch_(lt, s, x), f32)});
  ASSERT_EQ(s.dtype(), f64);
  for (int64_t n : {1, 9, 1000}) {
    NDArray xs = NDArray::empty(i32, {n});
    for (int64_t k = 0; k < n; ++k) static_cast<int32_t*>(xs.raw())[k] = static_cast<int32_t>(k % 7) - 3;
    expect_same(fused, reference, {xs, random_array({n}, f32, -4, 4, 9)}, 0);
  }
}

TEST(FusedElemwise, NanAndInfinityPassThrough) {
  auto x = T::dvector("x");
  FusedProgram p = chain(f64, true);
  Function fused = unoptimized({x}, detail::fused_elemwise(p, locs(p), {x}, Loc::current()));
  Function reference = unoptimized({x}, chain_reference(x, true));
  expect_same(fused, reference, {array({double(NAN), double(INFINITY), -double(INFINITY), 0.0, 1e300})}, 1e-15);
}

TEST(FusedElemwise, PrintsItsProgram) {
  auto x = T::dvector("x");
  FusedProgram p = chain(f64, false);
  Vars out = detail::fused_elemwise(p, locs(p), {x}, Loc::current());
  EXPECT_EQ(pp(out[0]), "fused{exp(sin(sqr(x)))}");
  // A register read twice is named once.
  FusedProgram q = chain(f64, false);
  q.outputs = {1, 3};
  Vars two = detail::fused_elemwise(q, locs(q), {x}, Loc::current());
  EXPECT_EQ(two[0].owner()->op().props(), "t1 = sqr(i0); t1, exp(sin(t1)) [float64]");
  // Equal programs are equal ops (merge relies on it); other dtypes are not.
  EXPECT_TRUE(out[0].owner()->op().equals(detail::FusedElemwise(chain(f64, false), locs(p))));
  EXPECT_FALSE(out[0].owner()->op().equals(detail::FusedElemwise(chain(f32, false), locs(p))));
}

TEST(FusedElemwise, ShapeErrorNamesTheInstructionsLine) {
  auto [x, y] = T::dvectors("x", "y");
  FusedProgram p;
  p.input_dtypes = {f64, f64};
  p.instrs = {{ScalarOpId::Exp, f64, f64, {0}}, {ScalarOpId::Mul, f64, f64, {2, 1}}};
  p.outputs = {3};
  const Loc line = Loc::current();
  Function f = unoptimized({x, y}, detail::fused_elemwise(p, {line, line}, {x, y}, line));
  const std::string where = "fused_test.cpp:" + std::to_string(line.line());
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(array({1.0, 2.0, 3.0}), array({1.0, 2.0})); },
                                      {"mul", "dimension 0", "length 3", "2", where}));
}

}  // namespace
}  // namespace theon
