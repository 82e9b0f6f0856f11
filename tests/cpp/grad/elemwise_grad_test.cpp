// verify_grad on every differentiable row of scalar_ops.def, inside each op's domain
// and away from kinks, with broadcasting (row, column, vector and scalar operands
// against a matrix) and non-square shapes; switch, clip and cast.
#include "grad_check.hpp"

namespace T = theon::tensor;

namespace theon::testing {
namespace {

struct UnaryRow {
  const char* name;
  Var (*fn)(VarArg);
  double lo, hi;
};

// Each op on a (3, 4) matrix and a 0-d scalar, with points in [lo, hi).
const UnaryRow kUnary[] = {
    {"neg", T::neg, -2, 2},
    {"abs", T::abs, 0.1, 2},  // away from the kink at 0, on both sides below
    {"abs<0", T::abs, -2, -0.1},
    {"sgn", T::sgn, 0.1, 2},  // zero gradient
    {"reciprocal", T::reciprocal, 0.5, 2},
    {"sqr", T::sqr, -2, 2},
    {"sqrt", T::sqrt, 0.2, 3},
    {"exp", T::exp, -2, 2},
    {"exp2", T::exp2, -2, 2},
    {"expm1", T::expm1, -2, 2},
    {"log", T::log, 0.2, 3},
    {"log2", T::log2, 0.2, 3},
    {"log10", T::log10, 0.2, 3},
    {"log1p", T::log1p, -0.7, 3},
    {"sin", T::sin, -3, 3},
    {"cos", T::cos, -3, 3},
    {"tan", T::tan, -1.2, 1.2},
    {"arcsin", T::arcsin, -0.9, 0.9},
    {"arccos", T::arccos, -0.9, 0.9},
    {"arctan", T::arctan, -3, 3},
    {"sinh", T::sinh, -2, 2},
    {"cosh", T::cosh, -2, 2},
    {"tanh", T::tanh, -2, 2},
    {"sigmoid", T::sigmoid, -4, 4},
    {"softplus", T::softplus, -4, 4},
    {"erf", T::erf, -2, 2},
    {"erfc", T::erfc, -2, 2},
    {"arcsinh", T::arcsinh, -3, 3},
    {"arccosh", T::arccosh, 1.2, 4},
    {"arctanh", T::arctanh, -0.9, 0.9},
    {"deg2rad", T::deg2rad, -90, 90},
    {"rad2deg", T::rad2deg, -2, 2},
    {"erfinv", T::erfinv, -0.9, 0.9},
    {"erfcinv", T::erfcinv, 0.1, 1.9},
    {"gammaln", T::gammaln, 0.3, 5},
    {"gammaln<0", T::gammaln, -1.8, -1.2},
    {"gamma", T::gamma, 0.3, 4},
    {"gamma<0", T::gamma, -0.8, -0.2},
    {"psi", T::psi, 0.3, 5},
    {"psi<0", T::psi, -0.8, -0.2},
    {"floor", T::floor, 0.1, 0.9},  // piecewise constant: zero gradient between integers
    {"ceil", T::ceil, 0.1, 0.9},
    {"round", T::round, 0.1, 0.4},
    {"trunc", T::trunc, 1.1, 1.9},
    {"identity", T::identity, -2, 2},
};

TEST(ElemwiseGrad, UnaryOps) {
  std::vector<GradRow> rows;
  for (const UnaryRow& u : kUnary) {
    auto fn = [f = u.fn](const Vars& in) { return f(in[0]); };
    rows.push_back({std::string(u.name) + " matrix", fn, {{{3, 4}, u.lo, u.hi}}});
    rows.push_back({std::string(u.name) + " scalar", fn, {{{}, u.lo, u.hi}}});
  }
  check_rows(rows);
}

struct BinaryRow {
  const char* name;
  Var (*fn)(VarArg, VarArg);
  double a_lo, a_hi, b_lo, b_hi;
};

const BinaryRow kBinary[] = {
    {"add", T::add, -2, 2, -2, 2},
    {"sub", T::sub, -2, 2, -2, 2},
    {"mul", T::mul, -2, 2, -2, 2},
    {"true_div", T::true_div, -2, 2, 0.5, 2},
    {"pow", T::pow, 0.5, 2, -1.5, 1.5},
    // a / b stays in (2, 3): the floor is 2 and no discontinuity is near.
    {"mod", T::mod, 2.2, 2.8, 1.0, 1.05},
    {"minimum", T::minimum, -2, 2, -2, 2},
    {"maximum", T::maximum, -2, 2, -2, 2},
    {"arctan2", T::arctan2, 0.3, 2, -2, 2},
};

// (a shape, b shape): equal, row and column against a matrix both ways, a vector
// (left-padded), a 0-d scalar, and a 3-d broadcast of both operands.
const std::pair<Shape, Shape> kShapePairs[] = {
    {{3, 4}, {3, 4}}, {{1, 4}, {3, 4}}, {{3, 4}, {1, 4}}, {{3, 1}, {3, 4}},
    {{3, 4}, {3, 1}}, {{4}, {3, 4}},    {{3, 4}, {}},     {{2, 1, 4}, {3, 1}},
};

TEST(ElemwiseGrad, BinaryOpsWithBroadcasting) {
  std::vector<GradRow> rows;
  for (const BinaryRow& op : kBinary) {
    for (const auto& [sa, sb] : kShapePairs) {
      rows.push_back({std::string(op.name) + " " + shape_str(sa) + " with " + shape_str(sb),
                      [f = op.fn](const Vars& in) { return f(in[0], in[1]); },
                      {{sa, op.a_lo, op.a_hi}, {sb, op.b_lo, op.b_hi}}});
    }
  }
  check_rows(rows);
}

TEST(ElemwiseGrad, NaryAddAndMul) {
  check_rows({
      {"add of three",
       [](const Vars& in) { return T::add(std::vector<Var>{in[0], in[1], in[2]}); },
       {{{3, 4}}, {{1, 4}}, {{3, 1}}}},
      {"mul of three",
       [](const Vars& in) { return T::mul(std::vector<Var>{in[0], in[1], in[2]}); },
       {{{3, 4}}, {{4}}, {{3, 1}}}},
      {"mul of a variable with itself", [](const Vars& in) { return in[0] * in[0] * in[0]; },
       {{{2, 3}}}},
      {"weak literal operands", [](const Vars& in) { return 2.5 * in[0] - 1 / (in[0] + 3); },
       {{{5}}}},
  });
}

TEST(ElemwiseGrad, SwitchClipAndFill) {
  check_rows({
      {"switch on a comparison",
       [](const Vars& in) { return T::switch_(in[0] > 0, in[1] * in[0], T::sin(in[1])); },
       {{{3, 4}}, {{3, 4}}}},
      {"switch with broadcast branches",
       [](const Vars& in) { return T::switch_(in[0] > 0, in[1], in[2]); },
       {{{3, 4}}, {{1, 4}}, {{3, 1}}}},
      {"switch with a constant condition",
       [](const Vars& in) {
         return T::switch_(constant(array({true, false, true})), T::exp(in[0]), in[0] * 3);
       },
       {{{2, 3}}}},
      // x in [-2, 2] against bounds -0.9 and 0.8: some elements clip on each side.
      {"clip with constant bounds", [](const Vars& in) { return T::clip(in[0], -0.9, 0.8); },
       {{{4, 5}, -2, 2}}},
      {"clip with variable bounds",
       [](const Vars& in) { return T::clip(in[0], in[1], in[2]); },
       {{{3, 4}, -2, 2}, {{1, 4}, -1.5, -0.6}, {{3, 1}, 0.5, 1.4}}},
      {"fill", [](const Vars& in) { return T::fill(in[0], in[1]) * in[0]; },
       {{{3, 4}}, {{1, 4}}}},
      {"floor_div has a zero gradient",
       [](const Vars& in) { return T::floor_div(in[0], in[1]) + in[0]; },
       {{{3, 4}, 2.2, 2.8}, {{3, 4}, 1.0, 1.05}}},
      {"argmax has no gradient", [](const Vars& in) {
         return T::sum(in[0]) + T::cast(T::argmax(in[0]), DType::Float64);
       },
       {{{3, 4}}}},
      {"comparison times a value (zero gradient through lt)",
       [](const Vars& in) { return T::cast(T::lt(in[0], in[1]), DType::Float64) * in[0]; },
       {{{3, 4}}, {{3, 4}}}},
  });
}

TEST(ElemwiseGrad, Cast) {
  // float64 -> float32 -> float64 loses precision: the step must be large for float32.
  VerifyGradOptions coarse;
  coarse.eps = 1e-3;
  coarse.abs_tol = coarse.rel_tol = 1e-3;
  check_rows({
      {"cast to float32 and back",
       [](const Vars& in) {
         return T::cast(T::cast(in[0], DType::Float32), DType::Float64) * in[1];
       },
       {{{3, 4}}, {{3, 4}}},
       coarse},
      {"cast to float32 output", [](const Vars& in) { return T::cast(T::exp(in[0]), DType::Float32); },
       {{{2, 3}}},
       coarse},
      {"cast to int has zero gradient",
       [](const Vars& in) { return T::cast(T::cast(in[0], DType::Int32), DType::Float64) + in[0]; },
       {{{2, 3}, 0.2, 0.8}}},
  });
}

// psi's gradient is tri_gamma, whose own derivative is not implemented: asking for it
// raises rather than giving zeros.
TEST(ElemwiseGrad, TriGammaHasNoGradient) {
  Var x = T::dvector("x");
  EXPECT_TRUE(throws_with<TypeError>([&] { T::grad(T::sum(T::tri_gamma(x)), x); },
                                     {"tri_gamma has no gradient"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { T::grad(T::sum(T::grad(T::sum(T::psi(x)), x)), x); },
                                     {"tri_gamma has no gradient"}));
}

TEST(ElemwiseGrad, Float32Points) {
  // verify_grad with float32 inputs (looser default tolerances).
  std::vector<NDArray> points = {random_array({3, 4}, DType::Float32, 0.5, 2, 3),
                                 random_array({1, 4}, DType::Float32, -1, 1, 4)};
  verify_grad([](const Vars& in) { return T::log(in[0]) * T::tanh(in[1]); }, points);
}

}  // namespace
}  // namespace theon::testing
