// The specialize phase: powers by constants become squares, roots and products, with
// the pow's dtype and broadcast pattern; multiplication by powers of two stays exact.
#include <functional>
#include <map>

#include "rewrite/rewrite_test_util.hpp"
#include "theon/theon.hpp"

namespace T = theon::tensor;
using namespace theon;
using namespace theon::testing;

namespace {

struct Case {
  std::string name;
  std::function<Graph()> build;
  std::map<std::string, int> counts;  // nodes per op (track_key) after specialize
  // sqrt(-inf) is nan where pow(-inf, 0.5) is inf: skip the special values.
  bool differs_at_infinity = false;
  bool exact = false;
};

Graph power(Var x, double e) { return Graph{{x}, T::pow(x, e)}; }
Graph power(Var x, int e) { return Graph{{x}, T::pow(x, e)}; }

std::vector<Case> cases() {
  return {
      {"square", [] { return power(T::dmatrix("x"), 2); }, {{"pow", 0}, {"sqr", 1}}, false, true},
      {"square_float32", [] { return power(T::fmatrix("x"), 2.0); }, {{"pow", 0}, {"sqr", 1}}, false,
       true},
      {"square_int32_stays_int", [] { return power(T::imatrix("x"), 2); },
       {{"pow", 0}, {"sqr", 1}, {"identity", 0}}, false, true},
      {"square_int32_by_float_is_float", [] { return power(T::ivector("x"), 2.0); },
       {{"pow", 0}, {"sqr", 1}, {"identity", 1}}, false, true},
      {"square_bool", [] { return power(T::tensor(DType::Bool, {false}, "x"), 2); },
       {{"pow", 0}, {"sqr", 1}}, false, true},
      {"square_root", [] { return power(T::dmatrix("x"), 0.5); }, {{"pow", 0}, {"sqrt", 1}}, true},
      {"square_root_int_is_float64", [] { return power(T::lvector("x"), 0.5); },
       {{"pow", 0}, {"sqrt", 1}}, true},
      {"inverse_square_root", [] { return power(T::fmatrix("x"), -0.5); },
       {{"pow", 0}, {"sqrt", 1}, {"reciprocal", 1}}, true},
      {"reciprocal", [] { return power(T::dmatrix("x"), -1); }, {{"pow", 0}, {"reciprocal", 1}}},
      {"int_to_minus_one_stays", [] { return power(T::imatrix("x"), -1); }, {{"pow", 1}}},
      {"cube", [] { return power(T::dmatrix("x"), 3); }, {{"pow", 0}, {"sqr", 1}, {"mul", 1}}},
      {"int_cube", [] { return power(T::lmatrix("x"), 3); }, {{"pow", 0}, {"sqr", 1}, {"mul", 1}},
       false, true},
      {"fourth_power", [] { return power(T::dmatrix("x"), 4); }, {{"pow", 0}, {"sqr", 2}}},
      {"inverse_square", [] { return power(T::dmatrix("x"), -2); },
       {{"pow", 0}, {"sqr", 1}, {"reciprocal", 1}}},
      {"fifth_power_stays", [] { return power(T::dmatrix("x"), 5); }, {{"pow", 1}}, false, true},
      {"fractional_power_stays", [] { return power(T::dmatrix("x"), 2.5); }, {{"pow", 1}}, false,
       true},
      {"power_one", [] { return power(T::dmatrix("x"), 1); }, {{"", 0}}, false, true},
      {"power_zero_is_ones", [] { return power(T::dmatrix("x"), 0); }, {{"pow", 0}, {"second", 1}},
       false, true},
      {"row_to_matrix_of_twos_keeps_the_shape",
       [] {
         auto x = T::drow("x");
         return Graph{{x}, T::pow(x, constant(NDArray::full(DType::Float64, {3, 4}, 2.0)))};
       },
       {{"pow", 0}, {"sqr", 1}, {"second", 1}}, false, true},
      {"self_product_is_square",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, x * x}; }, {{"mul", 0}, {"sqr", 1}}, false,
       true},
  };
}

class Specialize : public ::testing::TestWithParam<Case> {};

TEST_P(Specialize, StructureAndValues) {
  const Case& c = GetParam();
  const Graph g = c.build();
  Function f = function(g.inputs, g.output, {}, phases("specialize"));
  for (const auto& [op, n] : c.counts) {
    const int got = op.empty() ? static_cast<int>(f.fgraph().toposort().size()) : count_ops(f, op);
    EXPECT_EQ(got, n) << (op.empty() ? "nodes" : op) << " in: " << op_list(f) << "\n" << pp(f);
  }
  for (Inputs kind : {Inputs::Random, Inputs::Special, Inputs::Empty}) {
    if (kind == Inputs::Special && c.differs_at_infinity) continue;
    EXPECT_TRUE(agrees_with_none(f, g.inputs, g.output, make_inputs(g.inputs, kind), c.exact))
        << "inputs " << static_cast<int>(kind) << "\n" << pp(f);
    // FAST_RUN fuses the result into a loop with SLEEF's vector math (1 ulp), so only the
    // specialize phase itself is held to bit-exactness.
    Function full = function(g.inputs, g.output, {}, mode("FAST_RUN"));
    EXPECT_TRUE(agrees_with_none(full, g.inputs, g.output, make_inputs(g.inputs, kind), false))
        << "FAST_RUN, inputs " << static_cast<int>(kind) << "\n" << pp(full);
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, Specialize, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

// Where sqrt and pow agree on special values: +inf, nan, 0 and negative numbers.
TEST(SpecializeSqrt, AgreesWithPowOnInfNanAndNegatives) {
  auto x = T::dvector("x");
  Function f = function({x}, T::pow(x, 0.5), {}, phases("specialize"));
  ASSERT_EQ(count_ops(f, "sqrt"), 1) << pp(f);
  NDArray in = array({double(INFINITY), double(NAN), 0.0, -1.0, 4.0});
  EXPECT_TRUE(agrees_with_none(f, {x}, T::pow(x, 0.5), {in}, true));
}

// Multiplying by 2**k is exact: FAST_RUN gives the very bits of the graph as built,
// whether the power of two is written as a product or a quotient.
TEST(SpecializeExact, PowersOfTwoStayExact) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    Var x = T::tensor(dt, {false, false}, "x");
    const std::vector<Var> outputs = {x * 0.5, x * 2, 0.125 * x, x / 2, x / 0.25, (x * 2) * 0.5,
                                      x * 1024.0 / 4};
    for (const Var& out : outputs) {
      Function f = function({x}, out, {}, mode("FAST_RUN"));
      for (Inputs kind : {Inputs::Random, Inputs::Special, Inputs::Empty})
        EXPECT_TRUE(agrees_with_none(f, {x}, out, make_inputs({x}, kind), true)) << pp(f);
    }
  }
}

}  // namespace
