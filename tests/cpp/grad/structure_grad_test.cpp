// verify_grad on the non-element-wise ops: reductions over several axes, reshape /
// flatten / dimshuffle / transpose, stack / concatenate, basic and advanced indexing and
// their set/increment forms, alloc / fill, and ifelse.
#include "grad_check.hpp"

namespace T = theon::tensor;

namespace theon::testing {
namespace {

using Reduction = Var (*)(VarArg, Axes, bool);

struct ReduceRow {
  const char* name;
  Reduction fn;
  double lo, hi;
};

// prod in [0.5, 1.5) has no zeros (the zero cases are below); max/min on random values
// have no ties.
const ReduceRow kReductions[] = {
    {"sum", T::sum, -1, 1},   {"prod", T::prod, 0.5, 1.5}, {"max", T::max, -1, 1},
    {"min", T::min, -1, 1},   {"mean", T::mean, -1, 1},    {"var", T::var, -1, 1},
    {"std", T::std_, -1, 1},
};

TEST(ReduceGrad, EveryReductionOverSeveralAxes) {
  const std::pair<const char*, Axes> axes[] = {
      {"all", Axes()},
      {"0", Axes(0)},
      {"1", Axes(1)},
      {"-1", Axes(-1)},
      {"(0, 2)", Axes(std::vector<int>{0, 2})},
      {"(1, 2)", Axes(std::vector<int>{1, 2})},
  };
  std::vector<GradRow> rows;
  for (const ReduceRow& r : kReductions) {
    for (const auto& [axes_name, ax] : axes) {
      for (bool keepdims : {false, true}) {
        rows.push_back({std::string(r.name) + " axis=" + axes_name + (keepdims ? " keepdims" : ""),
                        [f = r.fn, ax = ax, keepdims](const Vars& in) { return f(in[0], ax, keepdims); },
                        {{{2, 3, 4}, r.lo, r.hi}}});
      }
    }
    rows.push_back({std::string(r.name) + " of a row over all axes",
                    [f = r.fn](const Vars& in) { return f(in[0], Axes(), false); },
                    {{{1, 5}, r.lo, r.hi}}});
    // Over the broadcastable axis alone each group has one element: std is then
    // sqrt(0), whose gradient is NaN (as Theano), so var and std skip this case.
    if (r.fn != T::var && r.fn != T::std_)
      rows.push_back({std::string(r.name) + " of a row over axis 0 (broadcastable)",
                      [f = r.fn](const Vars& in) { return f(in[0], Axes(0), false); },
                      {{{1, 5}, r.lo, r.hi}}});
    rows.push_back({std::string(r.name) + " of a vector",
                    [f = r.fn](const Vars& in) { return f(in[0], Axes(), false); },
                    {{{7}, r.lo, r.hi}}});
  }
  check_rows(rows);
}

TEST(ReduceGrad, ProdWithZeros) {
  // Central differences are exact for a product (it is linear in each element), so
  // points with one and with two zeros in a group check the special cases.
  const NDArray one_zero = array({{0.5, 0.0, 2.0}, {1.5, -1.0, 0.7}});
  const NDArray two_zeros = array({{0.0, 0.0, 2.0}, {1.5, 0.0, 0.7}});
  for (const NDArray& x : {one_zero, two_zeros}) {
    verify_grad([](const Vars& in) { return T::prod(in[0], 1); }, {x});
    verify_grad([](const Vars& in) { return T::prod(in[0]); }, {x});
    verify_grad([](const Vars& in) { return T::prod(in[0], 0, true); }, {x});
  }
}

TEST(ReduceGrad, MaxRoutesToTheArgmax) {
  // The gradient of max reaches only the largest element of each group.
  auto x = T::dmatrix("x");
  auto g = T::grad(T::sum(T::max(x, 1)), x);
  auto got = function({x}, g)(array({{1.0, 5.0, 2.0}, {7.0, -1.0, 3.0}}));
  EXPECT_ALLCLOSE(got, array({{0.0, 1.0, 0.0}, {1.0, 0.0, 0.0}}));
}

TEST(ShapeGrad, ReshapeFlattenDimshuffleTranspose) {
  check_rows({
      {"reshape (3, 4) -> (2, 6)", [](const Vars& in) { return T::reshape(in[0], {2, 6}); },
       {{{3, 4}}}},
      {"reshape (2, 3, 4) -> (-1, 3)", [](const Vars& in) { return T::reshape(in[0], {-1, 3}); },
       {{{2, 3, 4}}}},
      {"reshape to a vector", [](const Vars& in) { return T::reshape(in[0], {12}); },
       {{{4, 3}}}},
      {"reshape with a length-1 axis",
       [](const Vars& in) { return T::reshape(in[0], {3, 1, 4}) * in[1]; },
       {{{3, 4}}, {{3, 5, 4}}}},
      {"reshape a transposed input",
       [](const Vars& in) { return T::reshape(T::transpose(in[0]), {2, 6}); },
       {{{3, 4}}}},
      {"flatten to a vector", [](const Vars& in) { return T::flatten(in[0]); }, {{{2, 3, 4}}}},
      {"flatten to a matrix", [](const Vars& in) { return T::flatten(in[0], 2); }, {{{2, 3, 4}}}},
      {"transpose", [](const Vars& in) { return T::transpose(in[0]); }, {{{3, 5}}}},
      {"transpose axes (1, 2, 0)",
       [](const Vars& in) { return T::transpose(in[0], {1, 2, 0}); },
       {{{2, 3, 4}}}},
      {"dimshuffle inserting axes",
       [](const Vars& in) { return T::dimshuffle(in[0], {'x', 1, 'x', 0}) * in[1]; },
       {{{3, 4}}, {{2, 4, 5, 3}}}},
      {"dimshuffle dropping a broadcastable axis",
       [](const Vars& in) { return T::dimshuffle(in[0], {1}); },
       {{{1, 5}}}},
      {"vector as a column times a row",
       [](const Vars& in) { return T::dimshuffle(in[0], {0, 'x'}) * in[1]; },
       {{{3}}, {{1, 4}}}},
  });
}

TEST(ShapeGrad, StackAndConcatenate) {
  check_rows({
      {"stack axis 0", [](const Vars& in) { return T::stack({in[0], in[1], in[2]}); },
       {{{3, 4}}, {{3, 4}}, {{3, 4}}}},
      {"stack axis 1", [](const Vars& in) { return T::stack({in[0], in[1]}, 1); },
       {{{3, 4}}, {{3, 4}}}},
      {"stack scalars", [](const Vars& in) { return T::stack({in[0], in[1] * 2, in[0]}); },
       {{{}}, {{}}}},
      {"stack axis -1 of vectors", [](const Vars& in) { return T::stack({in[0], in[1]}, -1); },
       {{{5}}, {{5}}}},
      {"concatenate axis 0", [](const Vars& in) { return T::concatenate({in[0], in[1]}); },
       {{{2, 4}}, {{3, 4}}}},
      {"concatenate axis 1", [](const Vars& in) { return T::concatenate({in[0], in[1], in[0]}, 1); },
       {{{3, 2}}, {{3, 5}}}},
      {"concatenate a row", [](const Vars& in) { return T::concatenate({in[0], in[1]}, 0); },
       {{{1, 4}}, {{3, 4}}}},
      {"split axis 1", [](const Vars& in) {
         auto parts = T::split(in[0], {2, 3}, 1);
         return T::sum(parts[0] * 2, 1) + T::sum(T::sin(parts[1]), 1);
       },
       {{{3, 5}}}},
      {"join axis 2", [](const Vars& in) { return T::join(2, {in[0], in[1]}); },
       {{{2, 3, 1}}, {{2, 3, 4}}}},
  });
}

TEST(ShapeGrad, AllocAndFill) {
  check_rows({
      {"alloc a scalar", [](const Vars& in) { return T::alloc(in[0], {3, 4}); }, {{{}}}},
      {"alloc a vector", [](const Vars& in) { return T::alloc(in[0], {3, 4}); }, {{{4}}}},
      {"alloc a column", [](const Vars& in) { return T::alloc(in[0], {2, 3, 4}); }, {{{3, 1}}}},
      {"alloc with a symbolic shape",
       [](const Vars& in) { return T::alloc(in[0], T::shape(in[1])) * in[1]; },
       {{{1, 4}}, {{3, 4}}}},
      {"fill from a model", [](const Vars& in) { return T::fill(in[0], in[1]); },
       {{{3, 4}}, {{}}}},
      {"ones_like times x", [](const Vars& in) { return T::ones_like(in[0]) * in[1]; },
       {{{3, 4}}, {{4}}}},
  });
}

Var row1(const Var& x) { return T::index(x, {1}); }

TEST(SubtensorGrad, BasicIndexing) {
  const SharedVar start = shared(int64_t{1}, "start");
  check_rows({
      {"x[1]", [](const Vars& in) { return row1(in[0]); }, {{{3, 4}}}},
      {"x[:, 2]", [](const Vars& in) { return T::index(in[0], {T::slice(), 2}); }, {{{3, 4}}}},
      {"x[-1, 1:3]", [](const Vars& in) { return T::index(in[0], {-1, T::slice(1, 3)}); },
       {{{3, 4}}}},
      {"x[::-1]", [](const Vars& in) { return T::index(in[0], {T::slice({}, {}, -1)}); },
       {{{5}}}},
      {"x[::2, ::-2]",
       [](const Vars& in) {
         return T::index(in[0], {T::slice({}, {}, 2), T::slice({}, {}, -2)});
       },
       {{{5, 4}}}},
      {"x[1, 2] (a scalar)", [](const Vars& in) { return T::index(in[0], {1, 2}); }, {{{3, 4}}}},
      {"x[1:, :, 0] of a tensor3",
       [](const Vars& in) { return T::index(in[0], {T::slice(1), T::slice(), 0}); },
       {{{3, 2, 4}}}},
      {"x[start:start + 2] with a symbolic start",
       [start](const Vars& in) { return T::index(in[0], {T::slice(start, start + 2)}); },
       {{{5, 3}}}},
  });
}

TEST(SubtensorGrad, SetAndIncSubtensor) {
  check_rows({
      {"set_subtensor(x[1:3], y)",
       [](const Vars& in) { return T::set_subtensor(T::index(in[0], {T::slice(1, 3)}), in[1]); },
       {{{4, 3}}, {{2, 3}}}},
      {"set_subtensor(x[:, 0], y) with a broadcast scalar",
       [](const Vars& in) {
         return T::set_subtensor(T::index(in[0], {T::slice(), 0}), in[1]);
       },
       {{{4, 3}}, {{}}}},
      {"inc_subtensor(x[1], y)",
       [](const Vars& in) { return T::inc_subtensor(T::index(in[0], {1}), in[1]); },
       {{{3, 4}}, {{4}}}},
      {"inc_subtensor(x[::-1, 1:], row)",
       [](const Vars& in) {
         return T::inc_subtensor(T::index(in[0], {T::slice({}, {}, -1), T::slice(1)}), in[1]);
       },
       {{{3, 4}}, {{1, 3}}}},
      {"set then read", [](const Vars& in) {
         Var z = T::set_subtensor(T::index(in[0], {0}), in[1] * 2);
         return T::sum(z * z, 1);
       },
       {{{3, 4}}, {{4}}}},
  });
}

TEST(SubtensorGrad, AdvancedIndexing) {
  // Repeated indices: the gradient accumulates (numpy.add.at).
  const Var idx = constant(array({2, 0, 2, 1}));
  const SharedVar sidx = shared(array({3, 3, 0}), "sidx");
  check_rows({
      {"x[[2, 0, 2, 1]]", [idx](const Vars& in) { return T::index(in[0], {idx}); },
       {{{3, 4}}}},
      {"vector x[[2, 0, 2, 1]]", [idx](const Vars& in) { return T::index(in[0], {idx}); },
       {{{5}}}},
      {"x[shared idx]", [sidx](const Vars& in) { return T::index(in[0], {sidx}); },
       {{{4, 2}}}},
      {"set_subtensor(x[idx], y)",
       [sidx](const Vars& in) { return T::set_subtensor(T::index(in[0], {sidx}), in[1]); },
       {{{4, 2}}, {{3, 2}}}},
      {"inc_subtensor(x[idx], y) with repeats",
       [idx](const Vars& in) { return T::inc_subtensor(T::index(in[0], {idx}), in[1]); },
       {{{3, 4}}, {{4, 4}}}},
      {"inc_subtensor(x[idx], row)",
       [idx](const Vars& in) { return T::inc_subtensor(T::index(in[0], {idx}), in[1]); },
       {{{3, 4}}, {{1, 4}}}},
  });
}

TEST(IfElseGrad, OnlyTheTakenBranchGetsTheGradient) {
  check_rows({
      {"ifelse on the data, both ways",
       [](const Vars& in) {
         return ifelse(T::sum(in[0]) > 0, T::exp(in[0]) * in[1], in[0] - in[1]);
       },
       {{{3, 4}, 0.1, 1}, {{3, 4}}}},
      {"ifelse else branch",
       [](const Vars& in) {
         return ifelse(T::sum(in[0]) > 0, T::exp(in[0]) * in[1], in[0] - T::sin(in[1]));
       },
       {{{3, 4}, -1, -0.1}, {{3, 4}}}},
      {"ifelse with a broadcast branch",
       [](const Vars& in) { return ifelse(T::sum(in[0]) > 0, in[1] * 2, in[0]); },
       {{{3, 4}, 0.1, 1}, {{3, 4}}}},
      {"ifelse with several outputs",
       [](const Vars& in) {
         Vars outs = ifelse(T::max(in[0]) < 5, {in[0] * in[1], in[1]}, {in[1], in[0]});
         return outs[0] + 3 * outs[1];
       },
       {{{2, 3}}, {{2, 3}}}},
  });
}

}  // namespace
}  // namespace theon::testing
