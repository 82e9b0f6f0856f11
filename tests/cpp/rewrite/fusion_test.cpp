// The fusion rewrite: which element-wise nodes become one FusedElemwise node, and that
// every fused function computes what the unfused interpreter (mode NONE) computes.
#include <cmath>
#include <map>

#include "ops/elemwise.hpp"
#include "ops/fused.hpp"
#include "support/test_util.hpp"

namespace T = theon::tensor;

namespace theon {
namespace {

using testing::allclose;
using testing::random_array;
using testing::throws_with;

constexpr DType f32 = DType::Float32, f64 = DType::Float64, i32 = DType::Int32;

struct Compiled {
  Function fast;
  Function reference;
};

Compiled compile(const Vars& in, const Vars& out) {
  FunctionOptions fast, none;
  fast.on_unused_input = none.on_unused_input = "ignore";
  none.mode = "NONE";
  return {function(in, out, {}, fast), function(in, out, {}, none)};
}

// How many nodes of each op name the compiled graph has.
std::map<std::string, int> ops_of(const Function& f) {
  std::map<std::string, int> count;
  for (const ApplyNode* node : f.fgraph().toposort()) ++count[node->op().name()];
  return count;
}

// Element-wise nodes left unfused (0-d ones excepted when `all` is false).
int n_elemwise(const Function& f, bool all = true) {
  int n = 0;
  for (const ApplyNode* node : f.fgraph().toposort())
    n += dynamic_cast<const detail::Elemwise*>(&node->op()) != nullptr &&
         (all || node->output(0).ndim() > 0);
  return n;
}

int n_fused(const Function& f) {
  int n = 0;
  for (const ApplyNode* node : f.fgraph().toposort())
    n += dynamic_cast<const detail::FusedElemwise*>(&node->op()) != nullptr;
  return n;
}

const detail::FusedElemwise* only_fused(const Function& f) {
  const detail::FusedElemwise* found = nullptr;
  for (const ApplyNode* node : f.fgraph().toposort())
    if (auto* fused = dynamic_cast<const detail::FusedElemwise*>(&node->op())) {
      EXPECT_EQ(found, nullptr) << "more than one fused node";
      found = fused;
    }
  return found;
}

void expect_same(const Compiled& c, const std::vector<NDArray>& args, double tol = 1e-13) {
  std::vector<Arg> call(args.begin(), args.end());
  Result got = c.fast.call(call), want = c.reference.call(call);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(allclose(got[i], want[i], tol, tol)) << "output " << i;
}

TEST(Fusion, ChainBecomesOneLoop) {
  auto x = T::dvector("x");
  Compiled c = compile({x}, {T::exp(T::sin(T::pow(x, 2)))});
  ASSERT_NE(only_fused(c.fast), nullptr);
  EXPECT_EQ(n_elemwise(c.fast), 0) << pp(c.fast);
  EXPECT_EQ(c.fast.fgraph().toposort().size(), 1u) << pp(c.fast);
  for (int64_t n : {0, 1, 13, 1000, 250001}) expect_same(c, {random_array({n}, f64, -3, 3, 1)});
}

TEST(Fusion, ForwardAndGradientShareOneLoop) {
  // W4: exp(sin(x**2)) and the gradient of its sum, as two outputs of one function. The
  // gradient's seed is fill(sum(y), 1): until canonicalize drops that fill, the seed
  // depends on y and the gradient needs a second loop after the sum.
  auto x = T::dvector("x");
  Var y = T::exp(T::sin(T::pow(x, 2)));
  Var g = T::grad(T::sum(y), x);
  Compiled c = compile({x}, {y, g});
  EXPECT_GE(n_fused(c.fast), 1) << pp(c.fast);
  EXPECT_LE(n_fused(c.fast), 2) << pp(c.fast);
  EXPECT_EQ(n_elemwise(c.fast, /*all=*/false), 0) << pp(c.fast);
  for (int64_t n : {1, 7, 1000, 250001}) expect_same(c, {random_array({n}, f64, -3, 3, 2)});
}

TEST(Fusion, ForwardAndGradientWithAGivenSeedAreOneLoop) {
  auto x = T::dvector("x");
  auto seed = T::dvector("seed");
  Var y = T::exp(T::sin(T::sqr(x)));
  GradOptions options;
  options.known_grads = {{y, seed}};
  Var g = T::grad(Var(), x, options);
  Compiled c = compile({x, seed}, {y, g});
  const detail::FusedElemwise* fused = only_fused(c.fast);
  ASSERT_NE(fused, nullptr) << pp(c.fast);
  EXPECT_EQ(fused->program().outputs.size(), 2u) << fused->props();
  EXPECT_EQ(n_elemwise(c.fast), 0) << pp(c.fast);
  expect_same(c, {random_array({1001}, f64, -3, 3, 2), random_array({1001}, f64, -1, 1, 3)});
}

TEST(Fusion, ValueReadOutsideTheGroupIsAnExtraOutput) {
  auto x = T::dmatrix("x");
  Var e = T::exp(x);
  Compiled c = compile({x}, {e, e * T::sin(x)});
  const detail::FusedElemwise* fused = only_fused(c.fast);
  ASSERT_NE(fused, nullptr);
  EXPECT_EQ(fused->program().outputs.size(), 2u);
  expect_same(c, {random_array({5, 7})});
}

TEST(Fusion, LoneNodeStaysElemwiseUnlessItIsTranscendental) {
  auto x = T::dmatrix("x");
  Compiled product = compile({x}, {x * x});
  EXPECT_EQ(ops_of(product.fast).size(), 1u);
  EXPECT_EQ(n_fused(product.fast), 0);
  // Alone, exp still gains the vector math and threads of the fused loop.
  Compiled e = compile({x}, {T::exp(x)});
  EXPECT_EQ(ops_of(e.fast), (std::map<std::string, int>{{"fused", 1}}));
  expect_same(e, {random_array({300, 301})});
}

TEST(Fusion, BroadcastPatternBoundsAGroup) {
  // exp(b) is a row: fused into the matrix loop it would be recomputed for every row, so
  // it gets a loop of its own (alone, for its vector math).
  auto x = T::dmatrix("x");
  auto b = T::drow("b");
  Compiled c = compile({x, b}, {T::tanh(x + T::exp(b))});
  EXPECT_EQ(n_fused(c.fast), 2) << pp(c.fast);
  EXPECT_EQ(n_elemwise(c.fast), 0) << pp(c.fast);
  for (const ApplyNode* node : c.fast.fgraph().toposort()) {
    auto* fused = dynamic_cast<const detail::FusedElemwise*>(&node->op());
    ASSERT_NE(fused, nullptr);
    EXPECT_EQ(fused->program().instrs.size(), node->output(0).broadcastable()[0] ? 1u : 2u) << fused->props();
  }
  expect_same(c, {random_array({6, 5}), random_array({1, 5}, f64, -1, 1, 3)});
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] { c.fast(random_array({6, 5}), random_array({1, 4})); }, {"add", "fusion_test.cpp"}));
}

TEST(Fusion, RowColumnAndScalarOperands) {
  auto x = T::dmatrix("x");
  auto r = T::drow("r");
  auto col = T::dcol("col");
  auto s = T::dscalar("s");
  Compiled c = compile({x, r, col, s}, {T::sigmoid(x * r - col) * s + 1.5});
  ASSERT_NE(only_fused(c.fast), nullptr);
  EXPECT_EQ(n_elemwise(c.fast), 0) << pp(c.fast);
  for (auto [m, n] : {std::pair<int64_t, int64_t>{4, 3}, {1, 1}, {0, 3}, {301, 257}})
    expect_same(c, {random_array({m, n}), random_array({1, n}, f64, -1, 1, 4),
                    random_array({m, 1}, f64, -1, 1, 5), random_array({}, f64, -1, 1, 6)});
}

TEST(Fusion, StridedInputs) {
  auto [x, y] = T::dmatrices("x", "y");
  Compiled c = compile({x, y}, {T::log1p(T::sqr(x) + T::abs(y))});
  ASSERT_NE(only_fused(c.fast), nullptr);
  const NDArray a = random_array({50, 40}).transpose();
  const NDArray b = random_array({40, 100}, f64, -1, 1, 7).slice(1, Slice{0, Slice::kNone, 2});
  expect_same(c, {a, b});
}

TEST(Fusion, Float32AndMixedDtypes) {
  auto x = T::fmatrix("x");
  auto n = T::imatrix("n");
  Var a = T::exp(x) * 2.5f + T::cast(n, f32);
  Compiled c = compile({x, n}, {a, T::switch_(x > 0, a, T::cast(n * 2, f32))});
  ASSERT_NE(only_fused(c.fast), nullptr) << pp(c.fast);
  EXPECT_EQ(n_elemwise(c.fast), 0) << pp(c.fast);
  NDArray ns = NDArray::empty(i32, {31, 17});
  for (int64_t k = 0; k < ns.size(); ++k) static_cast<int32_t*>(ns.raw())[k] = static_cast<int32_t>(k % 11) - 5;
  expect_same(c, {random_array({31, 17}, f32, -2, 2, 8), ns}, 1e-5);
}

TEST(Fusion, AGroupNeverReadsItsOwnOutputThroughAnotherNode) {
  // e feeds sum(e) and e * sum(e): fusing exp into the product's loop would make the
  // loop read a value computed from its own output.
  auto x = T::dvector("x");
  Var l = T::log(x);
  Var e = T::exp(l);
  Var out = e * T::sum(e) + l;
  Compiled c = compile({x}, {out});
  EXPECT_GE(n_fused(c.fast), 1) << pp(c.fast);
  EXPECT_EQ(ops_of(c.fast)["sum"], 1);
  expect_same(c, {random_array({100}, f64, 0.5, 2, 9)});
}

TEST(Fusion, ShapeErrorsStillNameTheUsersLine) {
  auto [x, y] = T::dvectors("x", "y");
  const int line = __LINE__ + 1;
  Var z = T::exp(x) * T::sin(y);
  Compiled c = compile({x, y}, {T::tanh(z)});
  ASSERT_NE(only_fused(c.fast), nullptr);
  EXPECT_TRUE(throws_with<ShapeError>([&] { c.fast(array({1.0, 2.0, 3.0}), array({1.0, 2.0})); },
                                      {"mul", "dimension 0", "fusion_test.cpp:" + std::to_string(line)}));
}

TEST(Fusion, ExcludingTheTagKeepsElemwise) {
  auto x = T::dvector("x");
  FunctionOptions options;
  options.optimizer_excluding = "fusion";
  Function f = function({x}, {T::exp(T::sin(x))}, {}, options);
  EXPECT_EQ(n_elemwise(f), 2);
}

// Every scalar op, as the second op of a two-op chain, through the fused loop (SIMD
// where it has a vector version) against the interpreter.
TEST(Fusion, EveryScalarOpMatchesTheInterpreter) {
  struct Row {
    const char* name;
    int arity;
    detail::Domain domain;
  };
  const Row rows[] = {
#define THEON_FUSION_ROW(NAME, FUNC, PRINT, ARITY, RULE, DOMAIN, MATH, GRAD) \
  {#FUNC, ARITY, detail::Domain::DOMAIN},
      THEON_SCALAR_OPS(THEON_FUSION_ROW)
#undef THEON_FUSION_ROW
  };
  for (const Row& row : rows) {
    const std::string name = row.name;
    for (DType d : {f64, f32, i32}) {
      if (row.domain == detail::Domain::integral && d != i32) continue;
      if (row.domain != detail::Domain::integral && d == i32 && name != "add" && name != "maximum")
        continue;
      SCOPED_TRACE(std::string(name).append(" ").append(dtype_name(d)));
      Vars v;
      for (int k = 0; k < 4; ++k) v.push_back(T::tensor(d, {false}, std::string("v").append(std::to_string(k))));
      // The first operand is computed in the loop, so the op always has a producer to fuse.
      Var a = v[0] * v[1];
      const auto id = static_cast<detail::ScalarOpId>(&row - rows);
      const std::optional<DType> cast_to = name == "identity" ? std::optional<DType>(d) : std::nullopt;
      Var out;
      if (name == "switch_") out = T::switch_(a > v[2], v[2], v[3]);
      else if (row.arity == 1) out = detail::elemwise(id, Vars{a}, Loc::current(), cast_to);
      else if (row.arity == 3) out = detail::elemwise(id, Vars{a, v[2], v[3]}, Loc::current());
      else out = detail::elemwise(id, Vars{a, v[2]}, Loc::current());
      Compiled c = compile(v, {out});
      std::vector<NDArray> args;
      for (int k = 0; k < 4; ++k) {
        NDArray value = random_array({1000}, d == i32 ? f64 : d, -2.5, 2.5, 10 + k);
        if (d == i32) {
          NDArray ints = NDArray::empty(i32, {1000});
          for (int64_t j = 0; j < 1000; ++j)
            static_cast<int32_t*>(ints.raw())[j] =
                static_cast<int32_t>(std::lround(static_cast<const double*>(value.raw())[j] * 3));
          value = ints;
        }
        args.push_back(value);
      }
      expect_same(c, args, d == f32 ? 2e-5 : 1e-12);
    }
  }
}

}  // namespace
}  // namespace theon
