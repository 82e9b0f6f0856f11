// The canonicalize phase: each rule's effect on the graph's structure, and values equal
// to the graph as built on random, special (NaN, inf, signed zero) and empty inputs.
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
  // Nodes per op (track_key) after canonicalize; -1 for the total node count.
  std::map<std::string, int> counts;
  // The original gives NaN where the rewrite cancels (x - x, x / x at inf or 0).
  bool cancels = false;
  bool exact = false;
  // Whether the graph as built runs on empty inputs (reshape to a constant shape does not).
  bool empty = true;
};

Var ones(DType dtype, Shape shape) { return constant(NDArray::full(dtype, shape, 1.0)); }
Var zeros(DType dtype, Shape shape) { return constant(NDArray::full(dtype, shape, 0.0)); }

std::vector<Case> cases() {
  return {
      {"equal_sums_become_a_multiple",
       [] { auto [x, y] = T::dmatrices("x", "y"); return Graph{{x, y}, (x + y) + (x + y)}; },
       {{"add", 1}, {"mul", 1}}},
      {"equal_int_sums_become_a_multiple",
       [] { auto [x, y] = T::imatrices("x", "y"); return Graph{{x, y}, (x + y) + (x + y)}; },
       {{"add", 1}, {"mul", 1}}},
      {"double_negation", [] { auto x = T::dmatrix("x"); return Graph{{x}, -(-x)}; }, {{"", 0}}},
      {"double_negation_int8", [] { auto x = T::bvector("x"); return Graph{{x}, -(-x)}; }, {{"", 0}}},
      {"x_plus_y_minus_x",
       [] { auto x = T::drow("x"); auto y = T::dmatrix("y"); return Graph{{x, y}, x + y - x}; },
       {{"", 0}}, true},
      {"x_plus_row_minus_x_keeps_the_shape",
       [] { auto x = T::dmatrix("x"); auto y = T::drow("y"); return Graph{{x, y}, x + y - x}; },
       {{"add", 0}, {"sub", 0}, {"second", 1}}, true},
      {"col_plus_row_minus_col_keeps_the_shape",
       [] { auto x = T::dcol("x"); auto y = T::drow("y"); return Graph{{x, y}, x + y - x}; },
       {{"add", 0}, {"sub", 0}, {"second", 1}}, true},
      {"float32_constants_stay_float32",
       [] { auto x = T::fmatrix("x"); return Graph{{x}, (x + 1.5) - 0.25}; }, {{"add", 1}, {"", 1}}},
      {"int8_constants_wrap_as_int8",
       [] { auto x = T::bmatrix("x"); return Graph{{x}, (x + 100) + 100}; }, {{"add", 1}, {"", 1}},
       false, true},
      {"int_x_plus_y_minus_x",
       [] { auto [x, y] = T::lvectors("x", "y"); return Graph{{x, y}, x + y - x}; }, {{"", 0}}},
      {"x_minus_x_is_zeros",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, x - x}; }, {{"sub", 0}, {"second", 1}}, true},
      {"int_x_minus_x_is_zeros",
       [] { auto x = T::icol("x"); return Graph{{x}, x - x}; }, {{"sub", 0}, {"second", 1}}},
      {"bool_x_minus_x_is_int8_zeros",
       [] { auto x = T::tensor(DType::Bool, {false}, "x"); return Graph{{x}, x - x}; },
       {{"sub", 0}, {"second", 1}}},
      {"times_one", [] { auto x = T::fmatrix("x"); return Graph{{x}, x * 1}; }, {{"", 0}}, false, true},
      {"int8_times_one", [] { auto x = T::bmatrix("x"); return Graph{{x}, 1 * x}; }, {{"", 0}}},
      {"row_times_ones_matrix_keeps_the_shape",
       [] { auto x = T::drow("x"); return Graph{{x}, x * ones(DType::Float64, {3, 4})}; },
       {{"mul", 0}, {"second", 1}}, false, true},
      {"plus_zero", [] { auto x = T::dvector("x"); return Graph{{x}, x + 0}; }, {{"", 0}}},
      {"int32_plus_zero", [] { auto x = T::imatrix("x"); return Graph{{x}, 0 + x}; }, {{"", 0}}},
      {"row_plus_zeros_matrix_keeps_the_shape",
       [] { auto x = T::frow("x"); return Graph{{x}, x + zeros(DType::Float32, {3, 4})}; },
       {{"add", 0}, {"second", 1}}, false, true},
      {"constants_of_a_sum_combine",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, (2 + x) + 3}; }, {{"add", 1}, {"", 1}}},
      {"constants_of_a_product_combine",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, (x * 2) * 3}; }, {{"mul", 1}, {"", 1}}},
      {"like_terms_collect",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, 2 * x + x}; }, {{"add", 0}, {"mul", 1}}},
      {"like_terms_cancel",
       [] { auto [x, y] = T::lmatrices("x", "y"); return Graph{{x, y}, 2 * x + y - x - x}; },
       {{"", 0}}},
      {"nested_sums_flatten",
       [] {
         auto [x, y, z, w] = T::dmatrices("x", "y", "z", "w");
         return Graph{{x, y, z, w}, ((x + y) - z) + (w - 1)};
       },
       {{"add", 1}, {"sub", 1}, {"neg", 0}}},
      {"shared_inner_sum_is_not_flattened",
       [] {
         auto [x, y, z] = T::dmatrices("x", "y", "z");
         Var s = x + y;
         return Graph{{x, y, z}, (s + z) * s};
       },
       {{"add", 2}}},
      {"x_times_y_over_x",
       [] { auto [x, y] = T::dmatrices("x", "y"); return Graph{{x, y}, x * y / x}; }, {{"", 0}}, true},
      {"col_times_row_over_col_keeps_the_shape",
       [] { auto x = T::dcol("x"); auto y = T::drow("y"); return Graph{{x, y}, x * y / x}; },
       {{"mul", 0}, {"true_div", 0}, {"second", 1}}, true},
      {"x_over_x_is_ones",
       [] { auto x = T::fmatrix("x"); return Graph{{x}, x / x}; }, {{"true_div", 0}, {"second", 1}},
       true},
      {"int_product_over_a_factor_is_not_cancelled",
       [] { auto [x, y] = T::imatrices("x", "y"); return Graph{{x, y}, x * y / x}; },
       {{"true_div", 1}, {"mul", 1}}},
      {"reciprocal_cancels",
       [] { auto [x, y] = T::dmatrices("x", "y"); return Graph{{x, y}, T::reciprocal(x) * (y * x)}; },
       {{"", 0}}, true},
      {"divide_by_power_of_two_is_exact_mul",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, x / 8}; }, {{"true_div", 0}, {"mul", 1}},
       false, true},
      {"float32_divide_by_power_of_two_is_exact_mul",
       [] { auto x = T::fmatrix("x"); return Graph{{x}, x / 0.25}; }, {{"true_div", 0}, {"mul", 1}},
       false, true},
      {"divide_by_three_stays",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, x / 3}; }, {{"true_div", 1}}, false, true},
      {"int_times_zero_is_zeros",
       [] { auto x = T::lmatrix("x"); return Graph{{x}, x * 0}; }, {{"mul", 0}, {"second", 1}}},
      // zero_rewrites' mul_by_zero, as Theano: zeros even where x is NaN or inf.
      {"float_times_zero_is_zeros",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, x * 0}; }, {{"mul", 0}, {"alloc", 1}}, true},
      {"nested_products_flatten",
       [] {
         auto [x, y, z] = T::dmatrices("x", "y", "z");
         return Graph{{x, y, z}, (x * (y / z)) * 0.5};
       },
       {{"mul", 1}, {"true_div", 1}}},
      {"fill_of_full_value_removed",
       [] { auto [x, y] = T::dmatrices("x", "y"); return Graph{{x, y}, T::fill(x, y)}; }, {{"", 0}}},
      {"fill_that_broadcasts_stays",
       [] { auto x = T::dmatrix("x"); auto y = T::drow("y"); return Graph{{x, y}, T::fill(x, y)}; },
       {{"second", 1}}},
      {"fill_inside_a_sum_sinks",
       [] { auto x = T::dmatrix("x"); auto y = T::dmatrix("y"); return Graph{{x, y}, T::fill(x, 2.0) + y}; },
       {{"second", 0}, {"add", 1}}},
      {"transpose_of_transpose",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, T::transpose(T::transpose(x))}; }, {{"", 0}}},
      {"dimshuffles_merge",
       [] {
         auto x = T::dmatrix("x");
         return Graph{{x}, T::dimshuffle(T::dimshuffle(x, {1, 'x', 0}), {2, 'x', 1, 0})};
       },
       {{"dimshuffle", 1}}},
      {"reshapes_merge",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, T::reshape(T::reshape(x, {12}), {4, 3})}; },
       {{"reshape", 1}}, false, false, false},
      {"reshape_to_own_shape",
       [] { auto x = T::dtensor3("x"); return Graph{{x}, T::reshape(x, T::shape(x))}; }, {{"", 0}}},
      {"reshape_to_own_lengths",
       [] {
         auto x = T::dmatrix("x");
         return Graph{{x}, T::reshape(x, {T::shape_i(x, 0), -1})};
       },
       {{"reshape", 0}}, false, false, false},
      {"reshape_row_to_one_by_any",
       [] { auto x = T::drow("x"); return Graph{{x}, T::reshape(x, {1, -1})}; }, {{"reshape", 0}}},
      {"reshape_vector_to_vector",
       [] { auto x = T::ivector("x"); return Graph{{x}, T::reshape(x, {-1})}; }, {{"", 0}}},
      {"reshape_to_constant_shape_stays",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, T::reshape(x, {3, 4})}; }, {{"reshape", 1}},
       false, false, false},
      {"identity_removed",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, T::identity(x) + 1}; }, {{"identity", 0}}},
      {"lossless_casts_merge",
       [] {
         auto x = T::ivector("x");
         return Graph{{x}, T::cast(T::cast(x, DType::Float64), DType::Int64)};
       },
       {{"identity", 1}}},
      {"lossy_casts_stay",
       [] {
         auto x = T::dvector("x");
         return Graph{{x}, T::cast(T::cast(x, DType::Int32), DType::Float64)};
       },
       {{"identity", 2}}},
      {"power_zero_in_a_sum_is_a_constant",
       [] { auto [x, y] = T::imatrices("x", "y"); return Graph{{x, y}, T::pow(x, 0) + y}; },
       {{"pow", 0}, {"second", 0}, {"add", 1}}},
      {"power_one", [] { auto x = T::drow("x"); return Graph{{x}, T::pow(x, 1.0)}; }, {{"", 0}}},
      {"sum_over_no_axes",
       [] { auto x = T::imatrix("x"); return Graph{{x}, T::sum(x, std::vector<int>{})}; },
       {{"sum", 0}, {"identity", 1}}},
      {"max_over_no_axes",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, T::max(x, std::vector<int>{})}; }, {{"", 0}}},
      {"sum_over_broadcastable_axis",
       [] { auto x = T::drow("x"); return Graph{{x}, T::sum(x, 0)}; }, {{"sum", 0}, {"dimshuffle", 1}}},
      {"sum_over_a_real_axis_stays",
       [] { auto x = T::dmatrix("x"); return Graph{{x}, T::sum(x, 0)}; }, {{"sum", 1}}},
  };
}

class Canonicalize : public ::testing::TestWithParam<Case> {};

TEST_P(Canonicalize, StructureAndValues) {
  const Case& c = GetParam();
  const Graph g = c.build();
  Function f = function(g.inputs, g.output, {}, phases("canonicalize"));
  for (const auto& [op, n] : c.counts) {
    const int got = op.empty() ? static_cast<int>(f.fgraph().toposort().size()) : count_ops(f, op);
    EXPECT_EQ(got, n) << (op.empty() ? "nodes" : op) << " in: " << op_list(f) << "\n" << pp(f);
  }
  EXPECT_EQ(f.fgraph().outputs()[0].dtype(), g.output.dtype());
  for (Inputs kind : {Inputs::Random, Inputs::Special, Inputs::Empty}) {
    if ((kind == Inputs::Special && c.cancels) || (kind == Inputs::Empty && !c.empty)) continue;
    EXPECT_TRUE(agrees_with_none(f, g.inputs, g.output, make_inputs(g.inputs, kind), c.exact))
        << "inputs " << static_cast<int>(kind) << "\n" << pp(f);
    Function full = function(g.inputs, g.output, {}, mode("FAST_RUN"));
    EXPECT_TRUE(agrees_with_none(full, g.inputs, g.output, make_inputs(g.inputs, kind), c.exact))
        << "FAST_RUN, inputs " << static_cast<int>(kind) << "\n" << pp(full);
  }
}

INSTANTIATE_TEST_SUITE_P(Rules, Canonicalize, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

// Terms of a narrower dtype inside a wider sum are added in the wider dtype, as in the
// original graph: 100 + 100 in int8 would wrap to -56.
TEST(CanonicalizeDtype, NarrowTermsAreAddedInTheSumsDtype) {
  auto [b1, b2] = T::bvectors("b1", "b2");
  auto i = T::ivector("i");
  Var out = ((b1 + i) - i) + b2;
  Function f = function({b1, b2, i}, out, {}, phases("canonicalize"));
  EXPECT_EQ(count_ops(f, "sub"), 0) << pp(f);
  NDArray a = array({100, -100}, DType::Int8), k = array({7, 8}, DType::Int32);
  EXPECT_TRUE(bit_equal(f(a, a, k), array({200, -200}, DType::Int32)));
}

TEST(CanonicalizeDtype, MultipleOfASumHasTheSumsDtype) {
  for (DType dt : {DType::Int8, DType::Int32, DType::Float32, DType::Float64}) {
    Var x = T::tensor(dt, {false}, "x"), y = T::tensor(dt, {false}, "y");
    Var s = x + y;
    Function f = function({x, y}, s + s, {}, phases("canonicalize"));
    ASSERT_EQ(count_ops(f, "mul"), 1) << pp(f);
    for (const ApplyNode* node : f.fgraph().toposort())
      for (const Var& in : node->inputs)
        if (in.is_constant()) {
          EXPECT_EQ(in.dtype(), dt) << pp(f);
        }
  }
}

// The seed's gradient reads as the derivative a person would write.
TEST(CanonicalizeGradient, CubeGradientIsReadable) {
  auto x = T::dscalar("x");
  Var g = T::grad(T::pow(x, 3), x);
  FunctionOptions options;
  options.optimizer_excluding = "fusion";  // which would print the kernel as fused{...}
  Function f = function({x}, g, {}, options);
  EXPECT_EQ(pp(f.fgraph().outputs()[0]), "(3.0 * sqr(x))") << pp(f);
  EXPECT_TRUE(allclose(f(2.0), array(12.0)));
  // With every rewrite the kernel is one fused loop, printed as the expression it computes.
  Function fast = function({x}, g);
  EXPECT_EQ(pp(fast.fgraph().outputs()[0]), "fused{(3.0 * sqr(x))}") << debugprint(fast);
}

// The phase settles: a graph that is already canonical is not rewritten again.
TEST(CanonicalizeSettles, CanonicalGraphIsLeftAlone) {
  auto [x, y, z] = T::dmatrices("x", "y", "z");
  Var out = T::exp(2 * x + y - z) / (x * y) + (x - 1) * (y + 3);
  Function f = function({x, y, z}, out, {}, phases("canonicalize"));
  const std::string once = pp(f.fgraph().outputs()[0]);
  Function again =
      function(f.fgraph().inputs(), f.fgraph().outputs()[0], {}, phases("canonicalize"));
  EXPECT_EQ(pp(again.fgraph().outputs()[0]), once);
  EXPECT_TRUE(agrees_with_none(f, {x, y, z}, out, make_inputs({x, y, z})));
}

}  // namespace

namespace {

// The checking mode runs each rewrite's old and new variables side by side: none of
// them changes a value on ordinary inputs.
TEST(CanonicalizeCheckMode, EveryRewriteKeepsTheValue) {
  auto [x, y] = T::dmatrices("x", "y");
  auto r = T::drow("r");
  auto i = T::imatrix("i");
  Var out = T::exp(2 * x + r - x) / (x * y / x) + (x - 1) * (y + 3) - T::pow(y, 2) +
            T::cast(i * 2 + i - i * 3, DType::Float64) + T::sum(T::reshape(x, T::shape(x)) / 4, 0);
  Function f = function({x, y, r, i}, out, {}, mode("CHECK"));
  const std::vector<NDArray> args = make_inputs({x, y, r, i});
  EXPECT_TRUE(agrees_with_none(f, {x, y, r, i}, out, args));
}

}  // namespace
