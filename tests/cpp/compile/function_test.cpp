// theon::function: arguments, outputs, updates, givens and failure atomicity.
#include "support/test_util.hpp"

namespace T = theon::tensor;
using theon::array;
using theon::function;
using theon::shared;
using theon::testing::allclose;
using theon::testing::throws_with;

namespace theon {
namespace {

TEST(Function, MultipliesScalars) {
  auto a = T::dscalar("a"), b = T::dscalar("b");
  auto f = function({a, b}, a * b);
  NDArray out = f(1.5, 3);
  EXPECT_EQ(out.ndim(), 0);
  EXPECT_EQ(out.item<double>(), 4.5);
}

TEST(Function, SeveralOutputsComeBackAsAList) {
  auto [p, q] = T::dmatrices("p", "q");
  auto diff = p - q;
  auto g = function({p, q}, {diff, T::abs(diff), T::sqr(diff)});
  auto outs = g(array({{1, 1}, {1, 1}}), array({{0, 1}, {2, 3}}));
  ASSERT_EQ(outs.size(), 3u);
  EXPECT_ALLCLOSE(outs[0], array({{1.0, 0.0}, {-1.0, -2.0}}));
  EXPECT_ALLCLOSE(outs[1], array({{1.0, 0.0}, {1.0, 2.0}}));
  EXPECT_ALLCLOSE(outs[2], array({{1.0, 0.0}, {1.0, 4.0}}));
}

TEST(Function, AccumulatorUpdatesAfterOutputs) {
  auto x = T::iscalar("x");
  auto sh = shared(0, "sh");
  auto acc = function({x}, T::pow(sh, 2), {{sh, sh + x}});
  EXPECT_EQ(acc(1).array().item<int64_t>(), 0);
  EXPECT_EQ(acc(2).array().item<int64_t>(), 1);
  EXPECT_EQ(acc(3).array().item<int64_t>(), 9);
  EXPECT_EQ(sh.get_value().item<int64_t>(), 6);
  EXPECT_EQ(sh.get_value().dtype(), DType::Int64);
}

TEST(Function, UpdatesReadValuesFromBeforeTheCall) {
  auto a = shared(array({1.0, 2.0}), "a");
  auto b = shared(array({10.0, 20.0}), "b");
  auto swap = function({}, std::vector<Var>{}, {{a, b}, {b, a}});
  swap();
  EXPECT_ALLCLOSE(a.get_value(), array({10.0, 20.0}));
  EXPECT_ALLCLOSE(b.get_value(), array({1.0, 2.0}));
  swap();
  EXPECT_ALLCLOSE(a.get_value(), array({1.0, 2.0}));
}

TEST(Function, RepeatedCallsDoNotCorruptEarlierResultsOrState) {
  auto w = shared(array({1.0, 1.0}), "w");
  auto x = T::dvector("x");
  auto step = function({x}, w * 2, {{w, w + x}});
  NDArray first = step(array({1.0, 1.0}));
  NDArray second = step(array({1.0, 1.0}));
  EXPECT_ALLCLOSE(first, array({2.0, 2.0}));  // still the first call's value
  EXPECT_ALLCLOSE(second, array({4.0, 4.0}));
  EXPECT_ALLCLOSE(w.get_value(), array({3.0, 3.0}));
}

TEST(Function, OutputThatIsASharedVariableIsACopy) {
  auto w = shared(array({1.0, 2.0}), "w");
  auto f = function({}, Var(w));
  NDArray out = f();
  out.fill(0);
  EXPECT_ALLCLOSE(w.get_value(), array({1.0, 2.0}));
}

TEST(Function, FailingCallLeavesSharedVariablesUnchanged) {
  auto w = shared(array({1.0, 2.0, 3.0}), "w");
  auto count = shared(0, "count");
  auto x = T::dvector("x");
  auto f = function({x}, T::sum(w * x), {{w, w - x}, {count, count + 1}});
  EXPECT_THROW(f(array({1.0, 2.0})), ShapeError);  // length 2 against length 3
  EXPECT_ALLCLOSE(w.get_value(), array({1.0, 2.0, 3.0}));
  EXPECT_EQ(count.get_value().item<int64_t>(), 0);
  f(array({1.0, 1.0, 1.0}));
  EXPECT_ALLCLOSE(w.get_value(), array({0.0, 1.0, 2.0}));
  EXPECT_EQ(count.get_value().item<int64_t>(), 1);
}

TEST(Function, RuntimeShapeErrorNamesOpInputsAndUserLine) {
  auto x = T::dmatrix("x");
  auto b = T::dvector("b");
  auto f = function({x, b}, x + b);
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(NDArray::zeros(DType::Float64, {3, 4}), NDArray::zeros(DType::Float64, {5})); },
                                      {"add", "x", "(b)", "function_test.cpp", "(3, 4)", "(1, 5)"}));
}

TEST(Function, WrongArgumentCountIsATypeError) {
  auto a = T::dscalar("a");
  auto f = function({a}, a + 1);
  EXPECT_TRUE(throws_with<TypeError>([&] { f(1.0, 2.0); }, {"expected 1 arguments, got 2"}));
}

TEST(Function, WrongRankIsRejected) {
  auto v = T::dvector("v");
  auto f = function({v}, v * 2);
  EXPECT_TRUE(throws_with<TypeError>([&] { f(array({{1.0}})); }, {"argument 0 (v)", "2 dimensions"}));
}

TEST(Function, BroadcastableDimensionMustHaveLengthOne) {
  auto r = T::drow("r");
  auto f = function({r}, r * 2);
  EXPECT_TRUE(throws_with<TypeError>([&] { f(NDArray::zeros(DType::Float64, {2, 3})); },
                                     {"broadcastable", "(2, 3)"}));
  EXPECT_ALLCLOSE(f(NDArray::zeros(DType::Float64, {1, 3})), NDArray::zeros(DType::Float64, {1, 3}));
}

TEST(Function, Int64ArrayIntoFloat32InputIsADowncast) {
  // As numpy.can_cast(int64, float32, "safe") is False, and as Theano refuses it.
  auto x = T::fvector("x");
  auto f = function({x}, x * 2);
  EXPECT_THROW(f(array({1, 2})), TypeError);
  EXPECT_ALLCLOSE(f(array({1, 2}).astype(DType::Int16)), array({2.0f, 4.0f}));
}

TEST(Function, Float64IntoFloat32InputNeedsAllowInputDowncast) {
  auto x = T::fvector("x");
  auto strict = function({x}, x * 2);
  EXPECT_TRUE(throws_with<TypeError>([&] { strict(array({1.5, 2.5})); }, {"float32", "float64", "allow_input_downcast"}));
  auto lenient = function({x}, x * 2, {}, {.allow_input_downcast = true});
  NDArray out = lenient(array({1.5, 2.5}));
  EXPECT_EQ(out.dtype(), DType::Float32);
  EXPECT_ALLCLOSE(out, array({3.0f, 5.0f}));
}

TEST(Function, IntegerArrayIntoFloat64InputIsASafeUpcast) {
  auto x = T::dvector("x");
  auto f = function({x}, x / 2);
  EXPECT_ALLCLOSE(f(array({1, 3})), array({0.5, 1.5}));
}

TEST(Function, NumbersConvertLikePythonScalars) {
  auto i = T::iscalar("i");
  auto f = function({i}, i + 1);
  EXPECT_EQ(f(41).array().item<int64_t>(), 42);
  EXPECT_TRUE(throws_with<TypeError>([&] { f(int64_t{1} << 40); }, {"does not fit in int32"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { f(1.5); }, {"float"}));
  auto x = T::fscalar("x");
  auto g = function({x}, x * 2);
  EXPECT_EQ(g(1.25).array().dtype(), DType::Float32);
}

TEST(Function, UpdateWithWrongDtypeIsRefusedAtBuildNamingTheUpcastingOperand) {
  auto w = shared(array({1.0f, 2.0f}), "w");
  auto lr = T::dscalar("lr");
  EXPECT_TRUE(throws_with<TypeError>([&] { function({lr}, Var(w), {{w, w - lr * w}}); },
                                     {"update 0", "w", "float32 vector", "float64 vector", "lr",
                                      "function_test.cpp"}));
}

TEST(Function, UnusedInputRaisesByDefault) {
  auto x = T::dscalar("x"), y = T::dscalar("y");
  EXPECT_TRUE(throws_with<ValueError>([&] { function({x, y}, x * 2); }, {"input 1", "y"}));
  auto f = function({x, y}, x * 2, {}, {.on_unused_input = "ignore"});
  EXPECT_EQ(f(2.0, 5.0).array().item<double>(), 4.0);
}

TEST(Function, MissingInputIsReported) {
  auto x = T::dscalar("x"), y = T::dscalar("y");
  EXPECT_TRUE(throws_with<ValueError>([&] { function({x}, x * y); }, {"y", "not among the inputs"}));
}

TEST(Function, GivensSubstituteBeforeCompiling) {
  auto x = T::dscalar("x"), y = T::dscalar("y");
  auto w = shared(3.0, "w");
  auto f = function({y}, x * 2, {}, {.givens = {{x, y + w}}});
  EXPECT_EQ(f(1.0).array().item<double>(), 8.0);
}

TEST(Function, OutputMayBeAnInput) {
  auto x = T::dvector("x");
  auto f = function({x}, {x, x * 2});
  auto outs = f(array({1.0, 2.0}));
  EXPECT_ALLCLOSE(outs[0], array({1.0, 2.0}));
  EXPECT_ALLCLOSE(outs[1], array({2.0, 4.0}));
}

TEST(Function, IfElseComputesOnlyTheTakenBranch) {
  // The untaken branch would fail (mismatched shapes); laziness means it never runs.
  auto c = T::iscalar("c");
  auto a = T::dvector("a"), b = T::dvector("b");
  auto f = function({c, a, b}, ifelse(c, a * 2, a + b));
  EXPECT_ALLCLOSE(f(1, array({1.0, 2.0}), array({1.0, 2.0, 3.0})), array({2.0, 4.0}));
  EXPECT_THROW(f(0, array({1.0, 2.0}), array({1.0, 2.0, 3.0})), ShapeError);
  EXPECT_ALLCLOSE(f(0, array({1.0, 2.0}), array({3.0, 4.0})), array({4.0, 6.0}));
}

TEST(Function, IfElseWithWeakBranchesGivesInt64) {
  auto z = T::dscalar("z");
  auto f = function({z}, ifelse(T::lt(z, 0), 0, 1));
  NDArray neg = f(-1.0);
  EXPECT_EQ(neg.dtype(), DType::Int64);
  EXPECT_EQ(neg.item<int64_t>(), 0);
  EXPECT_EQ(f(2.0).array().item<int64_t>(), 1);
}

TEST(Function, ConstantShapeMismatchIsReportedWhenBuilding) {
  auto x = T::dmatrix("x");
  EXPECT_THROW(constant(array({1.0, 2.0})) + constant(array({1.0, 2.0, 3.0})), ShapeError);
}

TEST(SharedVar, GetValueCopiesUnlessBorrowed) {
  auto w = shared(array({1.0, 2.0}), "w");
  NDArray copy = w.get_value();
  copy.fill(0);
  EXPECT_ALLCLOSE(w.get_value(), array({1.0, 2.0}));
  NDArray view = w.get_value(/*borrow=*/true);
  EXPECT_TRUE(view.shares_memory(w.get_value(true)));
}

TEST(SharedVar, SharedWithBorrowUsesTheCallersMemory) {
  NDArray data = array({1.0, 2.0});
  auto w = shared(data, "w", /*borrow=*/true);
  data.fill(5);
  EXPECT_ALLCLOSE(w.get_value(), array({5.0, 5.0}));
  auto copied = shared(data, "c");
  data.fill(7);
  EXPECT_ALLCLOSE(copied.get_value(), array({5.0, 5.0}));
}

TEST(SharedVar, SetValueRefusesIncompatibleValues) {
  auto w = shared(array({1.0f, 2.0f}), "w");
  EXPECT_TRUE(throws_with<TypeError>([&] { w.set_value(array({{1.0f}})); }, {"set_value of w"}));
  EXPECT_THROW(w.set_value(array({1.0, 2.0})), TypeError);  // float64 into float32
  w.set_value(array({3, 4}).astype(DType::Int8));            // safe upcast
  EXPECT_EQ(w.get_value().dtype(), DType::Float32);
  EXPECT_ALLCLOSE(w.get_value(), array({3.0f, 4.0f}));
}

}  // namespace
}  // namespace theon
