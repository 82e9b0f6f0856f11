// The rewrite engine itself: patterns, sessions (type checks, locations, contained
// errors), the equilibrium driver's cycle guard, and tag selection.
#include "rewrite/pattern.hpp"
#include "rewrite/pipeline.hpp"
#include "rewrite/rewriter.hpp"
#include "support/test_util.hpp"

namespace theon {
namespace {

namespace T = tensor;
namespace pat = rewrite::pat;
using rewrite::LocalRewrite;
using rewrite::RewriteSession;
using rewrite::Rule;

TEST(Pattern, MatchesNestedOpsAndBindsCaptures) {
  auto x = T::dvector("x");
  auto v = T::log(1 - T::sigmoid(x));
  auto m = pat::log(pat::sub(pat::lit(1), pat::sigmoid(pat::any("x")))).match(v);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE((*m)["x"].is(x));
  EXPECT_FALSE(pat::log(pat::add(pat::lit(1), pat::any("x"))).match(v).has_value());
}

TEST(Pattern, AddMatchesEitherOrderAndRepeatedCapturesMustAgree) {
  auto x = T::dvector("x");
  auto y = T::dvector("y");
  const pat::Pattern one_plus = pat::add(pat::lit(1), pat::any("x"));
  EXPECT_TRUE(one_plus.match(1 + x).has_value());
  EXPECT_TRUE(one_plus.match(x + 1).has_value());
  EXPECT_FALSE(one_plus.match(x + 2).has_value());
  const pat::Pattern self_sub = pat::sub(pat::any("a"), pat::any("a"));
  EXPECT_TRUE(self_sub.match(x - x).has_value());
  EXPECT_FALSE(self_sub.match(x - y).has_value());
  EXPECT_FALSE(pat::add(pat::any(), pat::any()).match(T::add(std::vector<Var>{x, y, x})).has_value());
}

TEST(Pattern, OtherOpsMatchByNameAndWherePredicatesFilter) {
  auto x = T::dmatrix("x");
  auto v = T::log(T::nnet::softmax(x, 1));
  EXPECT_TRUE(pat::log(pat::op("softmax", {pat::any("x")})).match(v).has_value());
  auto only_vectors = pat::any("x").where([](const Var& u) { return u.ndim() == 1; });
  EXPECT_FALSE(pat::exp(only_vectors).match(T::exp(x)).has_value());
  EXPECT_EQ(rewrite::track_key(T::cast(x, DType::Float32).owner()->op()), "identity");
}

// A session over a function's graph, for driving rewrites by hand.
struct Harness {
  Vars inputs;
  FunctionGraph fgraph;
  RewriteSession session;
  Harness(Vars in, Vars out, rewrite::SessionOptions o = {})
      : inputs(in), fgraph(in, out), session(fgraph, o) {}
  const ApplyNode& output_node() { return *fgraph.outputs()[0].owner(); }
};

TEST(Session, ReplacementTakesTheUsersLocationAndName) {
  auto x = T::dvector("x");
  Var y = T::log(1 + x);  // this line is the one errors should name
  const int line = __LINE__ - 1;
  y.set_name("y");
  Harness h({x}, {y});
  const Rule log1p{"log1p_from_log", pat::log(pat::add(pat::lit(1), pat::any("x"))),
                   [](const pat::Match& m) { return std::optional<Var>(T::log1p(m["x"])); }};
  const LocalRewrite local = log1p.to_local();
  rewrite::equilibrium(h.session, {&local}, rewrite::WalkOrder::InputsToOutputs, nullptr, nullptr);
  const Var out = h.fgraph.outputs()[0];
  EXPECT_EQ(out.owner()->op().name(), "log1p");
  EXPECT_EQ(out.name(), "y");
  EXPECT_EQ(static_cast<int>(out.loc().line()), line);
  EXPECT_EQ(static_cast<int>(out.owner()->loc.line()), line);
  h.fgraph.check_integrity();
}

TEST(Session, WrongReplacementTypeIsAnInternalError) {
  auto x = T::dvector("x");
  Harness h({x}, {T::exp(x)});
  auto wrong = T::cast(x, DType::Float32);
  EXPECT_THROW(h.session.replace(h.fgraph.outputs()[0], wrong, "bad"), InternalError);
  auto row = T::drow("r");
  Harness hr({row}, {T::exp(row)});
  EXPECT_THROW(hr.session.replace(hr.fgraph.outputs()[0], T::exp(T::dmatrix("m")), "bad"), InternalError);
}

TEST(Session, ReplacedNodesLeaveTheGraph) {
  auto x = T::dvector("x");
  Harness h({x}, {T::exp(T::sin(x))});
  const size_t before = h.fgraph.n_nodes();
  ASSERT_EQ(before, 2u);
  EXPECT_TRUE(h.session.replace(h.fgraph.outputs()[0], T::cos(x), "test"));
  EXPECT_EQ(h.fgraph.n_nodes(), 1u);  // exp and the now unread sin are gone
  h.fgraph.check_integrity();
}

TEST(Session, ReplacementMayReadTheVariableItReplaces) {
  auto x = T::dvector("x");
  auto e = T::exp(x);
  Harness h({x}, {T::sin(e)});
  const Var old = h.fgraph.outputs()[0].owner()->inputs[0];
  EXPECT_TRUE(h.session.replace(old, T::neg(old), "wrap"));
  h.fgraph.check_integrity();
  EXPECT_EQ(pp(h.fgraph.outputs()[0]), "sin(-exp(x))");
}

const LocalRewrite kThrowing{"always_throws", {"exp"}, [](const ApplyNode&, const FunctionGraph&) -> std::optional<Vars> {
                               throw std::runtime_error("boom\nsecond line");
                             }};

TEST(Session, AThrowingRewriteIsSkippedWithOneWarningLine) {
  auto x = T::dvector("x");
  Harness h({x}, {T::exp(x)});
  ::testing::internal::CaptureStderr();
  rewrite::equilibrium(h.session, {&kThrowing}, rewrite::WalkOrder::InputsToOutputs, nullptr, nullptr);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("rewrite always_throws failed on exp and was skipped (boom)"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1);
  EXPECT_TRUE(h.session.is_disabled("always_throws"));
}

TEST(Session, AThrowingRewriteRaisesUnderRaiseErrors) {
  auto x = T::dvector("x");
  Harness h({x}, {T::exp(x)}, rewrite::SessionOptions{.raise_errors = true});
  EXPECT_TRUE(testing::throws_with<InternalError>(
      [&] { rewrite::equilibrium(h.session, {&kThrowing}, rewrite::WalkOrder::InputsToOutputs, nullptr, nullptr); },
      {"always_throws", "boom"}));
}

// exp(x) -> sin(x) and sin(x) -> exp(x) undo each other forever.
const LocalRewrite kToSin{"exp_to_sin", {"exp"}, [](const ApplyNode& n, const FunctionGraph&) {
                            return std::optional<Vars>(Vars{T::sin(n.inputs[0])});
                          }};
const LocalRewrite kToExp{"sin_to_exp", {"sin"}, [](const ApplyNode& n, const FunctionGraph&) {
                            return std::optional<Vars>(Vars{T::exp(n.inputs[0])});
                          }};

TEST(Equilibrium, RewritesThatUndoEachOtherStopWithAMessage) {
  auto x = T::dvector("x");
  Harness raising({x}, {T::exp(x)}, rewrite::SessionOptions{.raise_errors = true});
  EXPECT_TRUE(testing::throws_with<InternalError>(
      [&] {
        rewrite::equilibrium(raising.session, {&kToSin, &kToExp}, rewrite::WalkOrder::InputsToOutputs, nullptr,
                             nullptr);
      },
      {"did not settle"}));
  Harness warning({x}, {T::exp(x)});
  ::testing::internal::CaptureStderr();
  rewrite::equilibrium(warning.session, {&kToSin, &kToExp}, rewrite::WalkOrder::InputsToOutputs, nullptr, nullptr);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("did not settle"), std::string::npos);
  warning.fgraph.check_integrity();
}

TEST(Equilibrium, BudgetLimitsTheNumberOfReplacements) {
  auto x = T::dvector("x");
  Harness h({x}, {T::exp(x)}, rewrite::SessionOptions{.budget = 3});
  rewrite::equilibrium(h.session, {&kToSin, &kToExp}, rewrite::WalkOrder::InputsToOutputs, nullptr, nullptr);
  EXPECT_EQ(h.session.n_applied(), 3u);
  EXPECT_EQ(h.fgraph.outputs()[0].owner()->op().name(), "sin");
}

TEST(Modes, NamesAreCheckedAndSelectTags) {
  EXPECT_TRUE(rewrite::resolve_mode("fast_run").selection.including.count("fast_run"));
  EXPECT_TRUE(rewrite::resolve_mode("FAST_COMPILE").selection.including.count("fast_compile"));
  EXPECT_FALSE(rewrite::resolve_mode("None").optimize);
  EXPECT_TRUE(rewrite::resolve_mode("CHECK").check);
  auto m = rewrite::resolve_mode("FAST_RUN", "a:b", "c");
  EXPECT_TRUE(m.selection.including.count("b"));
  EXPECT_TRUE(m.selection.excluding.count("c"));
  EXPECT_TRUE(testing::throws_with<ValueError>([] { rewrite::resolve_mode("fastest"); }, {"unknown mode 'fastest'"}));
  rewrite::Selection s{{"fast_run"}, {"merge"}};
  EXPECT_TRUE(s.enables({"fast_run", "canonicalize"}));
  EXPECT_FALSE(s.enables({"fast_run", "merge"}));
  EXPECT_FALSE(s.enables({"fast_compile"}));
}

TEST(Modes, UnknownModeFailsWhenCompiling) {
  auto x = T::dscalar("x");
  EXPECT_TRUE(testing::throws_with<ValueError>([&] { function({x}, x * 2, {}, {.mode = "TURBO"}); }, {"TURBO"}));
}

}  // namespace
}  // namespace theon
