// The CHECK mode: replaced and new variables are compared on every call, and a rewrite
// that changes a value is named.
#include "compile/check_mode.hpp"
#include "support/test_util.hpp"

namespace theon {
namespace {

namespace T = tensor;

TEST(CheckMode, CorrectRewritesPassAndResultsMatchFastRun) {
  auto x = T::dmatrix("x");
  auto y = T::drow("y");
  auto expr = T::log(1 + T::exp(x)) * 2 + (x + y) + (x + y) - T::sqr(y) * 1;
  auto checked = function({x, y}, expr, {}, {.mode = "CHECK"});
  auto fast = function({x, y}, expr);
  auto a = testing::random_array({3, 4}), b = testing::random_array({1, 4}, DType::Float64, -1, 1, 3);
  EXPECT_ALLCLOSE(checked(a, b).array(), fast(a, b).array());
}

TEST(CheckMode, AWrongRewriteIsNamedWithTheUsersLine) {
  auto x = T::dvector("x");
  Var out = T::exp(x) + 1;
  const int line = __LINE__ - 1;
  FunctionGraph fgraph({x}, {out});
  auto reference = std::make_unique<FunctionGraph>(Vars{x}, Vars{out});
  rewrite::RewriteSession session(fgraph, {});
  session.keep_history();
  const rewrite::LocalRewrite wrong{"exp_is_sin", {"exp"}, [](const ApplyNode& n, const FunctionGraph&) {
                                      return std::optional<Vars>(Vars{T::sin(n.inputs[0])});
                                    }};
  rewrite::equilibrium(session, {&wrong}, rewrite::WalkOrder::InputsToOutputs, nullptr, nullptr);
  ASSERT_EQ(session.history().size(), 1u);
  detail::RewriteChecker checker(fgraph, std::move(reference), session.history());
  NDArray in = array({0.5, 1.0});
  std::vector<NDArray> inputs{in};
  EXPECT_TRUE(testing::throws_with<RewriteCheckError>([&] { checker.check(inputs, {}); },
                                             {"rewrite exp_is_sin", "exp(x)", "sin(x)",
                                              "check_mode_test.cpp:" + std::to_string(line)}));
}

TEST(CheckMode, ValuesAgreeUsesDtypeTolerancesAndAcceptsFixedOverflow) {
  std::string why;
  EXPECT_TRUE(detail::values_agree(array({1.0, 2.0}), array({1.0 + 1e-9, 2.0}), why));
  EXPECT_FALSE(detail::values_agree(array({1.0, 2.0}), array({1.001, 2.0}), why));
  EXPECT_NE(why.find("element 0"), std::string::npos);
  EXPECT_TRUE(detail::values_agree(array({1.0f}), array({1.0001f}), why));
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(detail::values_agree(array({inf, std::nan("")}), array({700.0, 1.0}), why));
  EXPECT_FALSE(detail::values_agree(array({700.0}), array({inf}), why));
  EXPECT_FALSE(detail::values_agree(array({int32_t(3)}), array({int32_t(4)}), why));
  EXPECT_FALSE(detail::values_agree(array({1.0, 2.0}), array({1.0}), why));
  EXPECT_NE(why.find("shape"), std::string::npos);
}

TEST(CheckMode, FailedCheckLeavesSharedVariablesUnchanged) {
  // The check runs before updates are committed: a shape error in the reference (here
  // the same as in the function itself) leaves the state as it was.
  auto x = T::dvector("x");
  auto w = shared(array({1.0, 2.0}), "w");
  auto f = function({x}, T::sum(w * x), {{w, w + x}}, {.mode = "CHECK"});
  EXPECT_ALLCLOSE(f(array({1.0, 1.0})).array(), NDArray::scalar(3.0));
  EXPECT_THROW(f(array({1.0, 1.0, 1.0})), ShapeError);
  EXPECT_ALLCLOSE(w.get_value(), array({2.0, 3.0}));
}

}  // namespace
}  // namespace theon
