// grad's options and error cases: a non-scalar cost, wrt outside the graph under each
// disconnected_inputs policy and return_disconnected value, wrt a constant, integer wrt,
// consider_constant and known_grads.
#include <iostream>
#include <sstream>

#include "grad_check.hpp"

namespace T = theon::tensor;

namespace theon::testing {
namespace {

GradOptions disconnected(const std::string& policy, const std::string& ret = "zero") {
  GradOptions o;
  o.disconnected_inputs = policy;
  o.return_disconnected = ret;
  return o;
}

// Captures std::cerr while alive.
class CerrCapture {
 public:
  CerrCapture() : old_(std::cerr.rdbuf(buffer_.rdbuf())) {}
  ~CerrCapture() { std::cerr.rdbuf(old_); }
  std::string str() const { return buffer_.str(); }

 private:
  std::ostringstream buffer_;
  std::streambuf* old_;
};

TEST(GradErrors, NonScalarCostShowsItsType) {
  auto x = T::dvector("x");
  EXPECT_TRUE(throws_with<TypeError>([&] { T::grad(x * 2, x); },
                                     {"grad", "scalar", "float64 vector"}));
  auto m = T::fmatrix("m");
  EXPECT_TRUE(throws_with<TypeError>([&] { T::grad(T::exp(m), m); }, {"float32 matrix"}));
}

TEST(GradErrors, DisconnectedInputRaisesByDefaultNamingIt) {
  auto x = T::dvector("x");
  auto unused = T::dmatrix("unused_weights");
  EXPECT_TRUE(throws_with<ValueError>([&] { T::grad(T::sum(x), {x, unused}); },
                                      {"grad", "unused_weights", "disconnected_inputs"}));
  // Blocked by consider_constant counts as disconnected too.
  GradOptions o;
  o.consider_constant = {x};
  EXPECT_TRUE(throws_with<ValueError>([&] { T::grad(T::sum(x * 2), x, o); }, {"grad", "x"}));
}

TEST(GradErrors, DisconnectedInputWarnAndIgnoreGiveZeros) {
  auto x = T::dvector("x");
  auto unused = T::dmatrix("unused");
  const NDArray xv = array({1.0, 2.0});
  const NDArray uv = array({{1.0, 2.0, 3.0}});
  {
    CerrCapture capture;
    Vars g = T::grad(T::sum(x * x), {x, unused}, disconnected("warn"));
    EXPECT_NE(capture.str().find("unused"), std::string::npos) << capture.str();
    auto f = function({x, unused}, g);
    auto out = f(xv, uv);
    EXPECT_ALLCLOSE(out[0], array({2.0, 4.0}));
    EXPECT_ALLCLOSE(out[1], array({{0.0, 0.0, 0.0}}));
  }
  {
    CerrCapture capture;
    Vars g = T::grad(T::sum(x * x), {x, unused}, disconnected("ignore"));
    EXPECT_EQ(capture.str(), "");
    EXPECT_EQ(g[1].type(), unused.type());
    FunctionOptions lenient;
    lenient.on_unused_input = "ignore";
    EXPECT_ALLCLOSE(function({x, unused}, g[1], {}, lenient)(xv, uv), array({{0.0, 0.0, 0.0}}));
  }
}

TEST(GradErrors, ReturnDisconnectedNoneGivesAnUndefinedVar) {
  auto x = T::dvector("x");
  auto unused = T::dscalar("unused");
  Vars g = T::grad(T::sum(x), {x, unused}, disconnected("ignore", "none"));
  EXPECT_TRUE(g[0].defined());
  EXPECT_FALSE(g[1].defined());
  EXPECT_TRUE(throws_with<ValueError>(
      [&] { T::grad(T::sum(x), x, disconnected("sometimes")); }, {"disconnected_inputs"}));
  EXPECT_TRUE(throws_with<ValueError>(
      [&] { T::grad(T::sum(x), x, disconnected("raise", "nan")); }, {"return_disconnected"}));
}

TEST(GradErrors, WrtAConstantIsATypeError) {
  auto c = constant(array({1.0, 2.0}), "c");
  auto x = T::dvector("x");
  EXPECT_TRUE(throws_with<TypeError>([&] { T::grad(T::sum(x * c), c); }, {"grad", "constant"}));
}

TEST(GradErrors, IntegerWrtGetsZeros) {
  auto i = T::ivector("i");
  auto x = T::dvector("x");
  auto cost = T::sum(T::cast(i, DType::Float64) * x);
  Vars g = T::grad(cost, {i, x});
  EXPECT_EQ(g[0].ndim(), 1);
  auto out = function({i, x}, g)(array({3, 4}).astype(DType::Int32), array({0.5, 0.25}));
  EXPECT_ALLCLOSE(out[0], array({0.0, 0.0}), 0, 0, /*check_dtype=*/false);
  EXPECT_ALLCLOSE(out[1], array({3.0, 4.0}));
  // An integer input used only through integer ops: also zeros, not an error.
  auto j = T::lvector("j");
  auto g2 = T::grad(T::sum(T::cast(j * 2, DType::Float64)), j);
  EXPECT_ALLCLOSE(function({j}, g2)(array({1, 2, 3})), array({0.0, 0.0, 0.0}), 0, 0, false);
}

TEST(GradErrors, ConsiderConstantStopsTheGradient) {
  auto x = T::dvector("x");
  auto z = x * x;
  GradOptions o;
  o.consider_constant = {z};
  // d/dx sum(z * x) with z held constant is z = x^2 (not 3 x^2).
  auto g = T::grad(T::sum(z * x), x, o);
  EXPECT_ALLCLOSE(function({x}, g)(array({1.0, 2.0, -3.0})), array({1.0, 4.0, 9.0}));
  auto full = T::grad(T::sum(z * x), x);
  EXPECT_ALLCLOSE(function({x}, full)(array({1.0, 2.0, -3.0})), array({3.0, 12.0, 27.0}));
}

TEST(GradErrors, KnownGrads) {
  auto x = T::dvector("x");
  auto y = T::exp(x);
  auto gy = T::dvector("gy");
  // Without a cost: the gradient of y is given.
  GradOptions o;
  o.known_grads = {{y, gy}};
  auto g = T::grad(Var(), x, o);
  auto f = function({x, gy}, g);
  // exp(0) = 1, exp(1) = 2.718281828459045
  EXPECT_ALLCLOSE(f(array({0.0, 1.0}), array({2.0, 3.0})), array({2.0, 3 * 2.718281828459045}));
  // With a cost too: both contributions add.
  auto g2 = T::grad(T::sum(x), x, o);
  EXPECT_ALLCLOSE(function({x, gy}, g2)(array({0.0, 1.0}), array({2.0, 3.0})),
                  array({3.0, 1 + 3 * 2.718281828459045}));
}

TEST(GradErrors, GradientsFitTheInputType) {
  // Gradients keep the wrt variable's dtype and broadcastable pattern.
  auto r = T::frow("r");
  auto m = T::fmatrix("m");
  Vars g = T::grad(T::sum(r * m), {r, m});
  EXPECT_EQ(g[0].type(), r.type());
  EXPECT_EQ(g[1].type(), m.type());
  auto s = T::dscalar("s");
  auto v = T::dvector("v");
  auto gs = T::grad(T::sum(s * v), s);
  EXPECT_EQ(gs.type(), s.type());
  EXPECT_ALLCLOSE(function({s, v}, gs)(2.0, array({1.0, 2.0, 4.0})), array(7.0));
}

TEST(GradErrors, SharedVariablesAreWrt) {
  auto w = shared(array({0.2, 0.7}), "w");
  auto x = T::dvector("x");
  auto cost = T::sqr(20 - T::sum(x * w));
  auto g = T::grad(cost, w);
  // d/dw (20 - x.w)^2 = -2 (20 - x.w) x; at x = [1, 1]: -2 * 19.1 = -38.2
  EXPECT_ALLCLOSE(function({x}, g)(array({1.0, 1.0})), array({-38.2, -38.2}), 1e-12);
}

}  // namespace
}  // namespace theon::testing
