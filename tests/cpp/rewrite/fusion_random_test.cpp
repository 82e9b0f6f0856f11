// fuse_random: a uniform draw that only a fused loop reads is evaluated inside the loop
// (FusedProgram::draws), and its new state comes from a random_advance node. The values
// must be those of the draw op, bit for bit, whatever the split of the loop into rows,
// blocks and threads; a draw read elsewhere, or broadcast in the loop, stays an op.
#include <map>

#include "ops/fused.hpp"
#include "ops/random/philox.hpp"
#include "support/test_util.hpp"
#include "theon/random.hpp"

namespace T = theon::tensor;

namespace theon {
namespace {

using random::Streams;
using testing::allclose;
using testing::random_array;
using testing::throws_with;

constexpr DType f32 = DType::Float32, f64 = DType::Float64;

std::map<std::string, int> ops_of(const Function& f) {
  std::map<std::string, int> count;
  for (const ApplyNode* node : f.fgraph().toposort()) ++count[node->op().name()];
  return count;
}

const detail::FusedElemwise* fused_with_draws(const Function& f) {
  for (const ApplyNode* node : f.fgraph().toposort())
    if (auto* fused = dynamic_cast<const detail::FusedElemwise*>(&node->op()))
      if (!fused->program().draws.empty()) return fused;
  return nullptr;
}

// The same graph twice, from two Streams of one seed: compiled as asked, and with
// `excluding` (fusion by default: every draw an op of its own, every op unfused).
struct Pair {
  Function fast;
  Function reference;
  Streams fast_streams, reference_streams;
};

template <class Build>
Pair compile(Build build, const std::string& excluding = "fusion", int64_t seed = 7) {
  Streams a(seed), b(seed);
  auto [in_a, out_a] = build(a);
  auto [in_b, out_b] = build(b);
  FunctionOptions reference;
  reference.optimizer_excluding = excluding;
  return {function(in_a, out_a), function(in_b, out_b, {}, reference), a, b};
}

// Calls both `calls` times (each call draws anew) and checks equal outputs and states.
void expect_same(Pair& p, const std::vector<NDArray>& args, int calls = 3, double tol = 0) {
  std::vector<Arg> call(args.begin(), args.end());
  for (int c = 0; c < calls; ++c) {
    Result got = p.fast.call(call), want = p.reference.call(call);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_TRUE(allclose(got[i], want[i], tol, tol)) << "call " << c << ", output " << i;
    const auto& sa = p.fast_streams.state_updates();
    const auto& sb = p.reference_streams.state_updates();
    for (size_t k = 0; k < sa.size(); ++k)
      EXPECT_TRUE(allclose(sa[k].state.get_value(), sb[k].state.get_value(), 0, 0)) << "state " << k;
  }
}

using Graph = std::pair<Vars, Vars>;

TEST(FusionRandom, DropoutMaskIsEvaluatedInTheLoop) {
  Pair p = compile([](Streams& s) -> Graph {
    auto x = T::fmatrix("x");
    return {{x}, {x * s.binomial(T::shape(x), 1, 0.5, f32) / 0.5}};
  });
  const auto ops = ops_of(p.fast);
  EXPECT_EQ(ops.count("random_uniform"), 0u) << pp(p.fast);
  EXPECT_EQ(ops.at("random_advance"), 1) << pp(p.fast);
  EXPECT_EQ(ops.at("fused"), 1) << pp(p.fast);
  ASSERT_NE(fused_with_draws(p.fast), nullptr);
  EXPECT_NE(pp(p.fast).find("uniform{float32}(random_state)"), std::string::npos) << pp(p.fast);
  EXPECT_EQ(ops_of(p.reference).count("random_uniform"), 1u);
  // Empty, one element, partial groups, and a loop large enough to run on threads.
  for (Shape shape : {Shape{0, 5}, Shape{1, 1}, Shape{37, 129}, Shape{1000, 1001}})
    expect_same(p, {random_array(shape, f32, -2, 2, 3)});
}

TEST(FusionRandom, ValuesAreTheDrawsBitForBit) {
  // u * ones is u itself: the fused loop's uniforms against the op's, both dtypes.
  for (DType d : {f32, f64}) {
    Pair p = compile([d](Streams& s) -> Graph {
      auto x = T::tensor(d, {false, false}, "x");
      return {{x}, {s.uniform(T::shape(x), 0.0, 1.0, d) * x}};
    });
    ASSERT_NE(fused_with_draws(p.fast), nullptr) << pp(p.fast);
    for (Shape shape : {Shape{3, 5}, Shape{64, 65}, Shape{513, 1025}}) {
      NDArray ones = NDArray::full(d, shape, 1.0);
      expect_same(p, {ones});
    }
  }
}

TEST(FusionRandom, BoundsAndSeveralDrawsInOneLoop) {
  Pair p = compile([](Streams& s) -> Graph {
    auto x = T::dmatrix("x");
    Var a = s.uniform(T::shape(x), -1.0, 3.0, f64);
    Var b = s.binomial(T::shape(x), 1, 0.25, f64);
    return {{x}, {T::tanh(x * a + b), x - a}};
  });
  // a is read by two loops' worth of ops: wherever the groups fall, both draws are
  // evaluated in a loop.
  size_t draws = 0;
  for (const ApplyNode* node : p.fast.fgraph().toposort())
    if (auto* fused = dynamic_cast<const detail::FusedElemwise*>(&node->op())) draws += fused->program().draws.size();
  EXPECT_EQ(draws, 2u) << pp(p.fast);
  EXPECT_EQ(ops_of(p.fast).count("random_uniform"), 0u) << pp(p.fast);
  EXPECT_EQ(ops_of(p.fast).at("random_advance"), 2) << pp(p.fast);
  // The reference's loop (no draw, a scalar comparison) may run as generated code, with
  // libm's tanh where the interpreter has SLEEF's: equal within an ulp or two.
  Pair q = compile(
      [](Streams& s) -> Graph {
        auto x = T::dmatrix("x");
        Var a = s.uniform(T::shape(x), -1.0, 3.0, f64);
        Var b = s.binomial(T::shape(x), 1, 0.25, f64);
        return {{x}, {T::tanh(x * a + b), x - a}};
      },
      "fuse_random");
  EXPECT_EQ(ops_of(q.reference).at("random_uniform"), 2) << pp(q.reference);
  for (Shape shape : {Shape{1, 1}, Shape{31, 17}, Shape{600, 700}})
    expect_same(q, {random_array(shape, f64, -2, 2, 4)}, 3, 1e-14);
}

TEST(FusionRandom, ALoneOpReadingADrawIsFused) {
  Pair p = compile([](Streams& s) -> Graph {
    auto x = T::fvector("x");
    return {{x}, {x * s.uniform(T::shape(x), 0.0, 1.0, f32)}};
  });
  EXPECT_EQ(ops_of(p.fast).count("random_uniform"), 0u) << pp(p.fast);
  expect_same(p, {random_array({1000}, f32, -2, 2, 5)});
}

TEST(FusionRandom, StridedOperandsScalarsAndThreeDimensions) {
  // The loop walks a transposed operand row by row; the draw follows the output's flat
  // C-order index, as the op's sample does.
  Pair t = compile([](Streams& s) -> Graph {
    auto x = T::dtensor3("x");
    Var xt = T::transpose(x, {2, 0, 1});
    return {{x}, {xt + s.uniform(T::shape(xt), 0.0, 1.0, f64)}};
  });
  ASSERT_NE(fused_with_draws(t.fast), nullptr) << pp(t.fast);
  expect_same(t, {random_array({7, 9, 130}, f64, -2, 2, 10)});
  Pair scalar = compile([](Streams& s) -> Graph {
    auto x = T::dscalar("x");
    return {{x}, {T::exp(x + s.uniform(ShapeArg(std::vector<int64_t>{}), 0.0, 1.0, f64))}};
  });
  EXPECT_EQ(ops_of(scalar.fast).count("random_uniform"), 0u) << pp(scalar.fast);
  expect_same(scalar, {NDArray::scalar(0.5)}, 3, 1e-15);
}

TEST(FusionRandom, ASampleReadElsewhereStaysAnOp) {
  // The sample is an output, or a reduction reads it: it must be written anyway.
  Pair as_output = compile([](Streams& s) -> Graph {
    auto x = T::fmatrix("x");
    Var u = s.uniform(T::shape(x), 0.0, 1.0, f32);
    return {{x}, {x * u, u}};
  });
  EXPECT_EQ(ops_of(as_output.fast).count("random_uniform"), 1u) << pp(as_output.fast);
  EXPECT_EQ(ops_of(as_output.fast).count("random_advance"), 0u) << pp(as_output.fast);
  expect_same(as_output, {random_array({20, 30}, f32, -2, 2, 6)});
  Pair reduced = compile([](Streams& s) -> Graph {
    auto x = T::fmatrix("x");
    Var u = s.uniform(T::shape(x), 0.0, 1.0, f32);
    return {{x}, {x * u, T::sum(u)}};
  });
  EXPECT_EQ(ops_of(reduced.fast).count("random_uniform"), 1u) << pp(reduced.fast);
  EXPECT_EQ(fused_with_draws(reduced.fast), nullptr) << pp(reduced.fast);
}

TEST(FusionRandom, ABroadcastSampleStaysAnOp) {
  // A (1, n) sample under an (m, n) loop: element i of the loop is not element i of the
  // draw. A vector sample reaches the matrix loop through a dimshuffle.
  Pair row = compile([](Streams& s) -> Graph {
    auto x = T::fmatrix("x");
    return {{x}, {x * s.uniform(ShapeArg(std::vector<int64_t>{1, 40}), 0.0, 1.0, f32)}};
  });
  EXPECT_EQ(ops_of(row.fast).count("random_uniform"), 1u) << pp(row.fast);
  expect_same(row, {random_array({25, 40}, f32, -2, 2, 7)});
  Pair vector = compile([](Streams& s) -> Graph {
    auto x = T::fmatrix("x");
    return {{x}, {x * s.uniform(ShapeArg(std::vector<int64_t>{40}), 0.0, 1.0, f32)}};
  });
  EXPECT_EQ(ops_of(vector.fast).count("random_uniform"), 1u) << pp(vector.fast);
  expect_same(vector, {random_array({25, 40}, f32, -2, 2, 8)});
}

TEST(FusionRandom, ExcludingFuseRandomKeepsTheDrawOp) {
  auto x = T::fmatrix("x");
  Streams s(1);
  FunctionOptions options;
  options.optimizer_excluding = "fuse_random";
  Function f = function({x}, {x * s.binomial(T::shape(x), 1, 0.5, f32)}, {}, options);
  EXPECT_EQ(ops_of(f).count("random_uniform"), 1u) << pp(f);
  EXPECT_EQ(ops_of(f).count("random_advance"), 0u) << pp(f);
}

TEST(FusionRandom, NoDefaultUpdatesDrawsTheSameEachCall) {
  auto x = T::fmatrix("x");
  Streams s(3);
  FunctionOptions options;
  options.no_default_updates = true;
  Function f = function({x}, {x * s.uniform(T::shape(x), 0.0, 1.0, f32)}, {}, options);
  EXPECT_EQ(ops_of(f).count("random_advance"), 0u) << pp(f);
  const NDArray ones = NDArray::full(f32, {9, 70}, 1.0);
  const NDArray first = f(ones)[0];
  EXPECT_TRUE(allclose(f(ones)[0], first, 0, 0));
}

TEST(FusionRandom, ASizeThatDisagreesWithTheLoopIsAShapeError) {
  auto x = T::fmatrix("x");
  auto n = T::lscalar("n");
  Streams s(3);
  Function f = function({x, n}, {x * s.uniform({n, T::shape_i(x, 1)}, 0.0, 1.0, f32)});
  ASSERT_NE(fused_with_draws(f), nullptr) << pp(f);
  const NDArray data = random_array({4, 6}, f32, -1, 1, 9);
  EXPECT_NO_THROW(f(data, NDArray::scalar(int64_t{4})));
  EXPECT_THROW(f(data, NDArray::scalar(int64_t{5})), ShapeError);
}

// The loop's split into rows, blocks and thread ranges: run the fused node's row
// function over pieces of odd sizes and offsets; the values depend only on the flat
// index, so they are the draw's.
TEST(FusionRandom, ValuesDoNotDependOnHowTheLoopIsSplit) {
  auto x = T::fvector("x");
  Streams s(11);
  Function f = function({x}, {x * s.uniform(T::shape(x), 0.0, 1.0, f32)});
  const detail::FusedElemwise* fused = fused_with_draws(f);
  ASSERT_NE(fused, nullptr) << pp(f);
  ASSERT_EQ(fused->program().n_operands(), 1);
  const int64_t n = 70001;
  const detail::philox::Position at{11, 0, 48};
  std::vector<float> want(static_cast<size_t>(n)), ones(static_cast<size_t>(n), 1.0f), got(static_cast<size_t>(n));
  detail::philox::fill_uniform(at, want.data(), n);
  const int64_t pieces[] = {1, 37, 64, 300, 5000, 17, 256, 40000};
  int64_t start = 0;
  for (size_t k = 0; start < n; ++k) {
    const int64_t m = std::min(n - start, k < std::size(pieces) ? pieces[k] : n);
    const void* in[] = {ones.data() + start};
    void* out[] = {got.data() + start};
    const int64_t step[] = {1};
    fused->interpret_row(m, in, step, out, step, start, &at);
    start += m;
  }
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace theon
