// verify_grad on products: dot for every combination of ranks, outer, tensordot and
// batched_dot, on non-square shapes.
#include "grad_check.hpp"

namespace T = theon::tensor;

namespace theon::testing {
namespace {

TEST(BlasGrad, DotForEveryRankCombination) {
  auto dot = [](const Vars& in) { return T::dot(in[0], in[1]); };
  const std::pair<Shape, Shape> shapes[] = {
      {{}, {}},           {{}, {3, 4}},       {{3, 4}, {}},     {{5}, {5}},
      {{3, 5}, {5}},      {{5}, {5, 2}},      {{3, 5}, {5, 2}}, {{1, 5}, {5, 2}},
      {{3, 5}, {5, 1}},   {{2, 3, 5}, {5}},   {{2, 3, 5}, {5, 4}},
      {{3, 5}, {2, 5, 4}}, {{5}, {2, 5, 4}}, {{2, 3, 5}, {4, 5, 2}},
  };
  std::vector<GradRow> rows;
  for (const auto& [a, b] : shapes)
    rows.push_back({"dot " + shape_str(a) + " . " + shape_str(b), dot, {{a}, {b}}});
  check_rows(rows);
}

TEST(BlasGrad, DotOfTransposedAndComposedOperands) {
  check_rows({
      {"dot(x.T, y)", [](const Vars& in) { return T::dot(T::transpose(in[0]), in[1]); },
       {{{5, 3}}, {{5, 2}}}},
      {"dot(x, x.T)", [](const Vars& in) { return T::dot(in[0], T::transpose(in[0])); },
       {{{3, 4}}}},
      {"dense layer", [](const Vars& in) { return T::tanh(T::dot(in[0], in[1]) + in[2]); },
       {{{4, 3}}, {{3, 2}}, {{2}}}},
  });
}

TEST(BlasGrad, OuterTensordotBatchedDot) {
  check_rows({
      {"outer", [](const Vars& in) { return T::outer(in[0], in[1]); }, {{{3}}, {{4}}}},
      {"tensordot n_axes=1",
       [](const Vars& in) { return T::tensordot(in[0], in[1], 1); },
       {{{2, 3, 4}}, {{4, 5}}}},
      {"tensordot n_axes=2",
       [](const Vars& in) { return T::tensordot(in[0], in[1], 2); },
       {{{2, 3, 4}}, {{3, 4, 5}}}},
      {"tensordot n_axes=0 (outer product)",
       [](const Vars& in) { return T::tensordot(in[0], in[1], 0); },
       {{{2, 3}}, {{4}}}},
      {"tensordot explicit axes",
       [](const Vars& in) {
         return T::tensordot(in[0], in[1], {std::vector<int>{0, 2}, std::vector<int>{2, 0}});
       },
       {{{2, 3, 4}}, {{4, 5, 2}}}},
      {"batched_dot 3-d", [](const Vars& in) { return T::batched_dot(in[0], in[1]); },
       {{{2, 3, 4}}, {{2, 4, 5}}}},
      {"batched_dot 2-d", [](const Vars& in) { return T::batched_dot(in[0], in[1]); },
       {{{3, 4}}, {{3, 4}}}},
  });
}

}  // namespace
}  // namespace theon::testing
