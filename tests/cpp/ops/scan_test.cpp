// scan, map, reduce, foldl, foldr: values against plain loops, taps, edge cases, errors.
#include <cmath>

#include "ops/scan/scan_op.hpp"
#include "support/test_util.hpp"
#include "theon/scan.hpp"

namespace theon {
namespace {

namespace T = tensor;
using testing::allclose;
using testing::random_array;
using testing::throws_with;
using Args = std::span<const Var>;

NDArray run(const Vars& in, const Var& out, std::vector<NDArray> args, const Updates& updates = {}) {
  auto f = function(in, out, updates);
  std::vector<Arg> a(args.begin(), args.end());
  return f.call(a).array();
}

Var zero() { return constant(array(0.0)); }

TEST(Scan, CumulativeSumMatchesLoop) {
  auto x = T::dvector("x");
  auto r = scan([](Args a) { return a[0] + a[1]; }, {x}, {zero()});
  ASSERT_EQ(r.outputs.size(), 1u);
  NDArray xv = random_array({7});
  NDArray got = run({x}, r.output(), {xv});
  std::vector<double> want(7);
  double acc = 0;
  for (int t = 0; t < 7; ++t) want[t] = acc += xv.at<double>({t});
  EXPECT_ALLCLOSE(got, array(want, {7}));
}

TEST(Scan, RecurrentCellMatchesLoop) {
  auto x = T::dmatrix("x");
  auto W = T::dmatrix("W");
  auto h0 = T::dvector("h0");
  auto r = scan([&](Args a) { return T::tanh(T::dot(W, a[1]) + a[0]); }, {x}, {h0}, {W});
  NDArray xv = random_array({5, 3}, DType::Float64, -1, 1, 1);
  NDArray wv = random_array({3, 3}, DType::Float64, -1, 1, 2);
  NDArray hv = random_array({3}, DType::Float64, -1, 1, 3);
  NDArray got = run({x, W, h0}, r.output(), {xv, wv, hv});
  std::vector<double> h(hv.data<double>(), hv.data<double>() + 3), want;
  for (int t = 0; t < 5; ++t) {
    std::vector<double> next(3);
    for (int i = 0; i < 3; ++i) {
      double s = xv.at<double>({t, i});
      for (int j = 0; j < 3; ++j) s += wv.at<double>({i, j}) * h[j];
      next[i] = std::tanh(s);
    }
    h = next;
    want.insert(want.end(), h.begin(), h.end());
  }
  EXPECT_ALLCLOSE(got, array(want, {5, 3}));
}

TEST(Scan, SequenceTapsNegativeAndPositive) {
  auto x = T::dvector("x");
  auto r = scan([](Args a) { return a[0] + 2 * a[1] + 3 * a[2]; }, {ScanSequence(x, {-1, 0, 1})});
  NDArray got = run({x}, r.output(), {array({1.0, 2.0, 3.0, 4.0, 5.0, 6.0})});
  // step t reads x[t+1-1], x[t+1], x[t+2]: 4 steps
  EXPECT_ALLCLOSE(got, array({1 + 4 + 9.0, 2 + 6 + 12.0, 3 + 8 + 15.0, 4 + 10 + 18.0}));
}

TEST(Scan, PositiveTapsOnlyStartPastTapZero) {
  auto x = T::dvector("x");
  auto r = scan([](Args a) { return a[0] * 10 + a[1]; }, {ScanSequence(x, {1, 2})});
  NDArray got = run({x}, r.output(), {array({0.0, 1.0, 2.0, 3.0})});
  EXPECT_ALLCLOSE(got, array({12.0, 23.0}));  // (x[1], x[2]), (x[2], x[3])
}

TEST(Scan, OutputTapsFibonacci) {
  auto init = T::lvector("init");
  auto r = scan([](Args a) { return a[0] + a[1]; }, {}, {ScanOutputInfo(init, {-2, -1})}, {},
                {.n_steps = 6});
  NDArray got = run({init}, r.output(), {array({0, 1})});
  EXPECT_ALLCLOSE(got, array({1, 2, 3, 5, 8, 13}));
}

TEST(Scan, AbsentOutputsAreStackedNotFedBack) {
  auto x = T::dvector("x");
  auto r = scan([](Args a) { return ScanStepResult{a[1] + a[0], a[0] * a[1]}; }, {x},
                {zero(), ScanOutputInfo()});
  ASSERT_EQ(r.outputs.size(), 2u);
  auto f = function({x}, r.outputs);
  auto got = f(array({1.0, 2.0, 3.0}));
  EXPECT_ALLCLOSE(got[0], array({1.0, 3.0, 6.0}));
  EXPECT_ALLCLOSE(got[1], array({0.0, 2.0, 9.0}));  // x[t] * (sum before t)
}

TEST(Scan, PowersByRepeatedMultiplication) {
  auto A = T::dvector("A");
  auto k = T::lscalar("k");
  auto r = scan([](Args a) { return a[0] * a[1]; }, {}, {T::ones_like(A)}, {A}, {.n_steps = k});
  auto last = T::index(r.output(), {-1});
  auto f = function({A, k}, last);
  EXPECT_ALLCLOSE(f(array({1.0, 2.0, 3.0}), 4).array(), array({1.0, 16.0, 81.0}));
}

TEST(Scan, ShortestSequenceAndNStepsWin) {
  auto x = T::dvector("x"), y = T::dvector("y");
  auto n = T::lscalar("n");
  auto r = scan([](Args a) { return a[0] - a[1]; }, {x, y}, {}, {}, {.n_steps = n});
  auto f = function({x, y, n}, r.output());
  EXPECT_ALLCLOSE(f(array({5.0, 6.0, 7.0, 8.0, 9.0}), array({1.0, 1.0, 1.0}), 4).array(),
                  array({4.0, 5.0, 6.0}));
  EXPECT_ALLCLOSE(f(array({5.0, 6.0, 7.0, 8.0, 9.0}), array({1.0, 1.0, 1.0}), 2).array(),
                  array({4.0, 5.0}));
}

TEST(Scan, GoBackwardsIteratesFromTheEnd) {
  auto x = T::dvector("x");
  auto r = scan([](Args a) { return a[0] + a[1]; }, {x}, {zero()}, {}, {.go_backwards = true});
  EXPECT_ALLCLOSE(run({x}, r.output(), {array({1.0, 2.0, 3.0})}), array({3.0, 5.0, 6.0}));
}

TEST(Scan, ZeroStepsGiveEmptyStacks) {
  auto x = T::dmatrix("x");
  auto h0 = T::dvector("h0");
  auto r = scan([](Args a) { return ScanStepResult{a[1] + a[0], T::sum(a[0])}; }, {x},
                {h0, ScanOutputInfo()});
  auto f = function({x, h0}, r.outputs);
  auto got = f(NDArray::zeros(DType::Float64, {0, 3}), array({1.0, 2.0, 3.0}));
  EXPECT_EQ(got[0].shape(), (Shape{0, 3}));
  EXPECT_EQ(got[1].shape(), (Shape{0}));
  auto m = map([](Args a) { return a[0] * 2; }, {x});
  EXPECT_EQ(run({x}, m.output(), {NDArray::zeros(DType::Float64, {0, 4})}).shape(), (Shape{0, 4}));
}

TEST(Scan, NegativeStepsRaiseValueErrorNamingScan) {
  auto h0 = T::dscalar("h0");
  EXPECT_TRUE(throws_with<ValueError>(
      [&] { scan([](Args a) { return a[0] * 2; }, {}, {h0}, {}, {.n_steps = -2}); },
      {"scan", "n_steps is -2", "scan_test.cpp"}));
  auto n = T::lscalar("n");
  auto r = scan([](Args a) { return a[0] * 2; }, {}, {h0}, {}, {.n_steps = n, .name = "doubling"});
  auto f = function({h0, n}, r.output());
  EXPECT_TRUE(throws_with<ValueError>([&] { f(1.0, -3); }, {"scan 'doubling'", "n_steps is -3"}));
}

TEST(Scan, DtypeMismatchNamesBothDtypes) {
  auto x = T::dvector("x");
  auto h0 = T::fscalar("h0");
  EXPECT_TRUE(throws_with<TypeError>([&] { scan([](Args a) { return a[0] + a[1]; }, {x}, {h0}); },
                                     {"float64", "float32", "outputs_info[0]", "scan built at",
                                      "scan_test.cpp"}));
}

TEST(Scan, LiteralInitialValueTakesTheStepsDtype) {
  // 0 is an int64 literal; the step's result is float64, so the state becomes float64.
  auto y = T::dvector("y");
  auto r = scan([](Args a) { return a[1] + a[0] * 0.5; }, {y}, {0});
  EXPECT_EQ(r.output().dtype(), DType::Float64);
  EXPECT_ALLCLOSE(run({y}, r.output(), {array({1.0, 2.0})}), array({0.5, 1.5}));
  // A variable initial value is not cast: its dtype must match.
  EXPECT_THROW(scan([](Args a) { return a[1] + a[0] * 0.5; }, {y}, {T::lscalar("h0")}), TypeError);
}

TEST(Scan, ScalarAndTensorStatesTogether) {
  auto x = T::dmatrix("x");
  auto r = scan([](Args a) { return ScanStepResult{a[1] + T::sum(a[0]), a[2] * a[0]}; }, {x},
                {zero(), T::ones_like(T::index(x, {0}))});
  auto f = function({x}, r.outputs);
  auto got = f(array({{1.0, 2.0}, {3.0, 4.0}}));
  EXPECT_ALLCLOSE(got[0], array({3.0, 10.0}));
  EXPECT_ALLCLOSE(got[1], array({{1.0, 2.0}, {3.0, 8.0}}));
}

TEST(Scan, RowStateRelaxesToMatrixResult) {
  // The initial value is a row (broadcastable first axis); the step's result, a row
  // plus a (1, 2) matrix, is not: the state's type becomes a matrix.
  auto m = T::dtensor3("m");
  auto h0 = T::drow("h0");
  auto r = scan([](Args a) { return a[1] + a[0]; }, {m}, {h0});
  EXPECT_EQ(r.output().broadcastable(), (BroadcastPattern{false, false, false}));
  auto got = run({m, h0}, T::index(r.output(), {-1}),
                 {NDArray::full(DType::Float64, {3, 1, 2}, 1.0), array({{1.0, 2.0}})});
  EXPECT_ALLCLOSE(got, array({{4.0, 5.0}}));
}

TEST(Scan, SharedUpdatesAdvanceOncePerStep) {
  auto count = shared(array(int64_t{10}), "count");
  auto x = T::dvector("x");
  auto r = scan([&](Args a) { return ScanStepResult{{a[0] * T::cast(count, DType::Float64)}, {{count, count + 1}}}; },
                {x});
  ASSERT_EQ(r.updates.size(), 1u);
  auto f = function({x}, r.output(), r.updates);
  EXPECT_ALLCLOSE(f(array({1.0, 1.0, 1.0})).array(), array({10.0, 11.0, 12.0}));
  EXPECT_EQ(count.get_value().item<int64_t>(), 13);
  EXPECT_ALLCLOSE(f(array({2.0})).array(), array({26.0}));
  EXPECT_EQ(count.get_value().item<int64_t>(), 14);
}

TEST(Scan, OuterVariablesAndSharedReadsBecomeNonSequences) {
  auto W = shared(array({1.0, 2.0}), "W");
  auto s = T::dscalar("s");
  auto scaled = W * s;  // an outer expression used in the step
  auto x = T::dmatrix("x");
  auto r = map([&](Args a) { return a[0] * scaled; }, {x});
  const auto* node = r.output().owner();
  ASSERT_NE(detail::scan_of(node), nullptr);
  EXPECT_EQ(detail::scan_of(node)->spec().n_non_seqs, 2);  // W and s
  auto f = function({x, s}, r.output());
  EXPECT_ALLCLOSE(f(array({{1.0, 1.0}, {2.0, 3.0}}), 2.0).array(), array({{2.0, 4.0}, {4.0, 12.0}}));
  W.set_value(array({0.0, 1.0}));
  EXPECT_ALLCLOSE(f(array({{1.0, 1.0}, {2.0, 3.0}}), 2.0).array(), array({{0.0, 2.0}, {0.0, 6.0}}));
}

TEST(Scan, ReduceFoldlFoldr) {
  auto x = T::dvector("x");
  auto sum = reduce([](Args a) { return a[0] + a[1]; }, {x}, {zero()});
  EXPECT_ALLCLOSE(run({x}, sum.output(), {array({1.0, 2.0, 3.0, 4.0})}), array(10.0));
  // foldl and foldr differ for a non-commutative step: acc * 10 + x
  auto l = foldl([](Args a) { return a[1] * 10 + a[0]; }, {x}, {zero()});
  auto r = foldr([](Args a) { return a[1] * 10 + a[0]; }, {x}, {zero()});
  EXPECT_ALLCLOSE(run({x}, l.output(), {array({1.0, 2.0, 3.0})}), array(123.0));
  EXPECT_ALLCLOSE(run({x}, r.output(), {array({1.0, 2.0, 3.0})}), array(321.0));
}

TEST(Scan, IntegerAndFloat32Dtypes) {
  auto x = T::ivector("x");
  auto p = scan([](Args a) { return a[0] * a[1]; }, {x}, {constant(array(1, DType::Int32))});
  EXPECT_EQ(p.output().dtype(), DType::Int32);
  EXPECT_ALLCLOSE(run({x}, p.output(), {array({2, 3, 4}, DType::Int32)}), array({2, 6, 24}, DType::Int32));
  auto y = T::fvector("y");
  auto q = scan([](Args a) { return a[0] * 0.5f + a[1]; }, {y}, {constant(array(0.0f))});
  EXPECT_EQ(q.output().dtype(), DType::Float32);
  EXPECT_ALLCLOSE(run({y}, q.output(), {array({2.0f, 4.0f})}), array({1.0f, 3.0f}));
}

TEST(Scan, NonContiguousSequenceAndNaN) {
  auto x = T::dmatrix("x");
  auto r = map([](Args a) { return T::sum(a[0]); }, {x});
  const double nan = std::nan("");
  NDArray base = array({{1.0, 2.0, nan}, {4.0, 5.0, 6.0}});
  NDArray got = run({x}, r.output(), {base.transpose()});  // rows are columns of base
  EXPECT_ALLCLOSE(got, array({5.0, 7.0, nan}));
}

TEST(Scan, NestedScan) {
  auto x = T::dmatrix("x");
  // Outer loop over rows, inner loop a cumulative sum of the row.
  auto r = map([](Args a) {
    return scan([](Args b) { return b[0] + b[1]; }, {a[0]}, {zero()}).output();
  }, {x});
  EXPECT_ALLCLOSE(run({x}, r.output(), {array({{1.0, 2.0}, {3.0, 4.0}})}), array({{1.0, 3.0}, {3.0, 7.0}}));
}

TEST(Scan, WrongOutputCountIsValueError) {
  auto x = T::dvector("x");
  EXPECT_TRUE(throws_with<ValueError>(
      [&] { scan([](Args a) { return ScanStepResult{a[0], a[1]}; }, {x}, {zero()}); },
      {"returned 2 outputs", "outputs_info has 1"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { scan([](Args a) { return a[0]; }, {}, {zero()}); },
                                      {"n_steps"}));
}

TEST(Scan, StepShapeChangeIsShapeError) {
  auto h0 = T::dvector("h0");
  auto r = scan([](Args a) { return T::concatenate({a[0], a[0]}); }, {}, {h0}, {}, {.n_steps = 2});
  auto f = function({h0}, r.output());
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(array({1.0})); }, {"scan", "shape"}));
}

}  // namespace
}  // namespace theon
