// The zero rewrites (src/rewrite/zero_rewrites.cpp): each rule's effect on the graph's
// structure, values equal to the graph as built (random and empty inputs, several
// dtypes and broadcast patterns), unread work leaving the compiled graph, the rules
// inside scan's body, and gradients of random graphs equal with the rules on and off.
#include <functional>
#include <map>
#include <random>

#include "ops/scan/scan_op.hpp"
#include "rewrite/pipeline.hpp"
#include "rewrite/rewrite_test_util.hpp"
#include "theon/theon.hpp"

namespace T = theon::tensor;
using namespace theon;
using namespace theon::testing;

namespace {

struct ZeroCase {
  std::string name;
  std::function<Graph()> build;
  std::map<std::string, int> counts;  // nodes per op (track_key) after canonicalize
  bool empty = true;                  // whether the graph as built runs on empty inputs
};

std::vector<ZeroCase> zero_cases() {
  return {
      {"float_times_zeros_like",
       [] {
         auto [x, y] = T::dmatrices("x", "y");
         return Graph{{x, y}, x * T::zeros_like(y)};
       },
       {{"mul", 0}}},
      {"row_times_zeros_of_a_matrix",
       [] {
         auto x = T::drow("x");
         auto y = T::fmatrix("y");
         return Graph{{x, y}, x * T::zeros_like(y)};
       },
       {{"mul", 0}}},
      {"float32_times_a_zero_constant",
       [] {
         auto x = T::fmatrix("x");
         return Graph{{x}, x * 0.0};
       },
       {{"mul", 0}}},
      {"int_times_zeros_like",
       [] {
         auto x = T::imatrix("x");
         auto y = T::bcol("y");
         return Graph{{x, y}, x * T::zeros_like(y)};
       },
       {{"mul", 0}}},
      {"plus_zeros_like",
       [] {
         auto [x, y] = T::dmatrices("x", "y");
         return Graph{{x, y}, x + T::zeros_like(y) + y};
       },
       {{"add", 1}}},
      {"row_plus_zeros_of_a_matrix_stretches",
       [] {
         auto x = T::drow("x");
         auto y = T::dmatrix("y");
         return Graph{{x, y}, x + T::zeros_like(y)};
       },
       {{"add", 0}}},
      {"float32_plus_float64_zeros_widens",
       [] {
         auto x = T::fmatrix("x");
         auto y = T::dmatrix("y");
         return Graph{{x, y}, x + T::zeros_like(y)};
       },
       {{"add", 0}}},
      {"minus_zeros",
       [] {
         auto x = T::dmatrix("x");
         return Graph{{x}, x - T::zeros_like(x)};
       },
       {{"sub", 0}}},
      {"zeros_minus",
       [] {
         auto x = T::dcol("x");
         auto y = T::dmatrix("y");
         return Graph{{x, y}, T::zeros_like(y) - x};
       },
       {{"sub", 0}}},
      {"zeros_over_x",
       [] {
         auto x = T::dmatrix("x");
         return Graph{{x}, T::zeros_like(x) / x};
       },
       {{"true_div", 0}}},
      {"zeros_floor_div_x",
       [] {
         auto x = T::lmatrix("x");
         return Graph{{x}, T::floor_div(T::zeros_like(x), x + 100)};
       },
       {{"floor_div", 0}}},
      {"negated_zeros",
       [] {
         auto x = T::dmatrix("x");
         return Graph{{x}, -T::zeros_like(T::exp(x))};
       },
       {{"neg", 0}, {"exp", 0}}},
      {"switch_of_zeros",
       [] {
         auto x = T::dmatrix("x");
         return Graph{{x}, T::switch_(T::gt(x, 0.0), T::zeros_like(x), T::zeros_like(x))};
       },
       {{"switch_", 0}, {"gt", 0}}},
      {"sum_of_zeros",
       [] {
         auto x = T::dtensor3("x");
         return Graph{{x}, T::sum(T::zeros_like(T::exp(x)), Axes(1))};
       },
       {{"sum", 0}, {"exp", 0}}},
      {"sum_of_zeros_keepdims",
       [] {
         auto x = T::dtensor3("x");
         return Graph{{x}, T::sum(T::zeros_like(x), Axes(std::vector<int>{0, 2}), true)};
       },
       {{"sum", 0}}},
      {"sum_of_all_zeros",
       [] {
         auto x = T::dmatrix("x");
         return Graph{{x}, T::sum(T::zeros_like(x))};
       },
       {{"sum", 0}}},
      {"transposed_zeros",
       [] {
         auto x = T::dmatrix("x");
         return Graph{{x}, T::transpose(T::zeros_like(x)) + 1.0};
       },
       {{"dimshuffle", 0}}},
      {"reshaped_zeros",
       [] {
         auto x = T::dmatrix("x");
         return Graph{{x}, T::reshape(T::zeros_like(x), {2, 6}) + 1.0};
       },
       {{"reshape", 0}},
       false},
      {"dot_zeros_x",
       [] {
         auto [x, y] = T::dmatrices("x", "y");
         return Graph{{x, y}, T::dot(T::zeros_like(x), T::transpose(y))};
       },
       {{"dot", 0}}},
      {"dot_x_zeros",
       [] {
         auto x = T::dmatrix("x");
         auto v = T::dvector("v");
         return Graph{{x, v}, T::dot(x, T::zeros_like(v))};
       },
       {{"dot", 0}}},
      {"dot_vector_zeros",
       [] {
         auto v = T::dvector("v");
         return Graph{{v}, T::dot(v, T::zeros_like(v))};
       },
       {{"dot", 0}}},
      {"sliced_zeros",
       [] {
         auto x = T::dtensor3("x");
         auto n = T::lscalar("n");
         Var z = T::zeros_like(T::exp(x));
         return Graph{{x, n}, T::index(z, {T::slice(1, {}, 2), 0, T::slice(n - 8, {}, -1)}) + 1.0};
       },
       {{"exp", 0}, {"arange", 2}},  // each sliced axis measured on an arange of its length
       false},                       // the index 0 is out of range on the empty axis
      {"inc_subtensor_of_zeros_by_zeros",
       [] {
         auto x = T::dmatrix("x");
         Var z = T::zeros_like(x);
         Var part = T::index(z, {T::slice(1, 3)});
         return Graph{{x}, T::inc_subtensor(part, T::zeros_like(part))};
       },
       {{"inc_subtensor", 0}}},
  };
}

class ZeroRewrites : public ::testing::TestWithParam<ZeroCase> {};

TEST_P(ZeroRewrites, StructureAndValues) {
  const ZeroCase& c = GetParam();
  const Graph g = c.build();
  Function f = function(g.inputs, g.output, {}, phases("canonicalize"));
  for (const auto& [op, n] : c.counts)
    EXPECT_EQ(count_ops(f, op), n) << op << " in: " << op_list(f) << "\n" << pp(f);
  EXPECT_EQ(f.fgraph().outputs()[0].type(), g.output.type()) << pp(f);
  Function full = function(g.inputs, g.output, {}, mode("FAST_RUN"));
  for (Inputs kind : {Inputs::Random, Inputs::Empty}) {
    if (kind == Inputs::Empty && !c.empty) continue;
    EXPECT_TRUE(agrees_with_none(f, g.inputs, g.output, make_inputs(g.inputs, kind)))
        << "inputs " << static_cast<int>(kind) << "\n"
        << pp(f);
    EXPECT_TRUE(agrees_with_none(full, g.inputs, g.output, make_inputs(g.inputs, kind)))
        << "FAST_RUN, inputs " << static_cast<int>(kind) << "\n"
        << pp(full);
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, ZeroRewrites, ::testing::ValuesIn(zero_cases()),
                         [](const auto& info) { return info.param.name; });

// Theano's choice: x * 0 is 0 even where x is inf or NaN.
TEST(ZeroRewritesChoice, TimesZeroIsZeroEvenForNaN) {
  auto x = T::dvector("x");
  Function f = function({x}, x * T::zeros_like(x), {}, mode("FAST_RUN"));
  EXPECT_TRUE(
      allclose(f(array({double(NAN), double(INFINITY), 1.0})).array(), array({0.0, 0.0, 0.0})));
}

// What only fed a zero is no longer computed: the function graph drops nodes without
// readers.
TEST(ZeroRewritesChoice, UnreadWorkLeavesTheCompiledGraph) {
  auto [x, y] = T::dmatrices("x", "y");
  Var big = T::exp(T::dot(x, y)) * T::tanh(x);
  Function f = function({x, y}, T::sum(big * 0.0 + y), {}, mode("FAST_RUN"));
  for (const ApplyNode* node : f.fgraph().toposort()) {
    const std::string key = rewrite::track_key(node->op());
    EXPECT_TRUE(key != "dot" && key != "exp" && key != "tanh" && key != "gemm") << op_list(f);
  }
  // shape_i of an element-wise result moves to its operands.
  Function s = function({x, y}, T::shape(x * y + T::exp(x)), {}, mode("FAST_RUN"));
  EXPECT_EQ(count_ops(s, "exp"), 0) << op_list(s);
  EXPECT_EQ(count_ops(s, "mul"), 0) << op_list(s);
  const NDArray a = random_array({3, 4}), b = random_array({3, 4}, DType::Float64, -1, 1, 2);
  EXPECT_TRUE(bit_equal(s(a, b).array(), array({3, 4}, DType::Int64)));
}

// The rules apply inside scan's body: ScanLoop compiles the body by running the
// pipeline (resolve_mode, optimize) over a FunctionGraph of the spec's inner graph, as
// done here; the step's zero term leaves no exp behind, and the values agree.
TEST(ZeroRewritesChoice, ApplyInsideScanBodies) {
  auto x = T::dmatrix("x");
  ScanResult r = scan(
      [](std::span<const Var> v) -> ScanStepResult {
        return v[1] + v[0] + T::exp(v[0]) * T::zeros_like(v[0]);
      },
      {ScanSequence(x)}, {ScanOutputInfo(T::zeros_like(T::index(x, {0})))});
  Function f = function({x}, r.outputs[0], {}, mode("FAST_RUN"));
  const detail::Scan* op = nullptr;
  for (const ApplyNode* node : f.fgraph().toposort())
    if (detail::scan_of(node)) op = detail::scan_of(node);
  ASSERT_NE(op, nullptr) << op_list(f);
  FunctionGraph body(op->spec().inner_inputs, op->spec().inner_outputs);
  rewrite::RewriteSession session(body, rewrite::session_options_from_config());
  rewrite::optimize(session, rewrite::resolve_mode("").selection);
  for (const ApplyNode* node : body.toposort()) EXPECT_NE(rewrite::track_key(node->op()), "exp");
  const NDArray a = random_array({3, 2});
  Function ref = function({x}, r.outputs[0], {}, mode("NONE"));
  EXPECT_TRUE(allclose(f(a).array(), ref(a).array()));
}

// Gradients of seeded random graphs mixing element-wise ops, reductions, dots and
// discrete ops (floor division, round, comparisons, argmax, casts) have the same values
// with the zero rewrites on and off.
TEST(ZeroRewritesRandom, GradientsAgreeWithTheRulesOff) {
  std::mt19937 rng(18);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  FunctionOptions on = mode("FAST_RUN");
  FunctionOptions off = mode("FAST_RUN");
  off.optimizer_excluding = "zero_rewrites";
  for (int trial = 0; trial < 40; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    auto x = T::dmatrix("x");  // every value below is 3 x 3
    auto w = T::dmatrix("w");
    auto v = T::dvector("v");
    Vars pool{x, T::dot(x, w), T::tanh(w) + v};
    for (int step = 0; step < 8; ++step) {
      const Var a = pool[pick(static_cast<int>(pool.size()))];
      const Var b = pool[pick(static_cast<int>(pool.size()))];
      Var next;
      switch (pick(12)) {
        case 0:
          next = a * b;
          break;
        case 1:
          next = a + b;
          break;
        case 2:
          next = a - T::floor_div(b, 0.7);
          break;
        case 3:
          next = T::round(a) * b;
          break;
        case 4:
          next = T::cast(T::gt(a, b), DType::Float64) * a;
          break;
        case 5:
          next = T::sigmoid(a) + T::floor(b);
          break;
        case 6:
          next = a * T::floor_div(T::sum(T::sqr(b)), 3.0);
          break;
        case 7:
          next = T::dot(a, T::transpose(b));
          break;
        case 8:
          next = a + T::dimshuffle(T::cast(T::argmax(b, 1), DType::Float64), {0, 'x'});
          break;
        case 9:
          next = T::switch_(T::lt(a, 0.0), a, b * 0.5);
          break;
        case 10:
          next = T::cast(T::cast(a * 3.0, DType::Int32), DType::Float64) + T::sin(b);
          break;
        default:
          next = T::exp(-T::sqr(a)) * T::sgn(b);
          break;
      }
      if (next.ndim() != 2) continue;
      pool.push_back(next);
    }
    Var cost = T::sum(pool.back()) + T::sum(T::sqr(x));
    GradOptions ignore;  // the random graph may not read w or v
    ignore.disconnected_inputs = "ignore";
    Vars grads = T::grad(cost, {x, w, v}, ignore);
    Function fon = function({x, w, v}, grads, {}, on);
    Function foff = function({x, w, v}, grads, {}, off);
    const NDArray xa = random_array({3, 3}, DType::Float64, -1, 1, 3 * trial);
    const NDArray wa = random_array({3, 3}, DType::Float64, -1, 1, 3 * trial + 1);
    const NDArray va = random_array({3}, DType::Float64, -1, 1, 3 * trial + 2);
    auto r_on = fon(xa, wa, va);
    auto r_off = foff(xa, wa, va);
    for (size_t i = 0; i < 3; ++i)
      EXPECT_TRUE(allclose(r_on.vector()[i], r_off.vector()[i], 1e-9, 1e-9)) << "gradient " << i;
  }
}

}  // namespace
