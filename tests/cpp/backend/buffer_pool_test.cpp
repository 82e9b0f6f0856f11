// Buffers shared by liveness (backend/vm/buffer_pool.hpp): a dead intermediate's buffer
// goes to a later output, and no value that is still read (directly, through a view, or
// by the caller) is ever overwritten. Each graph runs with pooling on and off; the
// results must be equal, call after call.
#include <limits>

#include "backend/vm/buffer_pool.hpp"
#include "core/inplace.hpp"
#include "support/test_util.hpp"
#include "theon/theon.hpp"

namespace theon::testing {
namespace {

namespace T = tensor;

class BufferPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_graph_ = config().cgen_graph;
    config().cgen_graph = false;  // interpreted: the pool is the interpreter's
  }
  void TearDown() override {
    detail::set_pooled_min_bytes_for_testing(detail::kPooledMinBytes);
    config().cgen_graph = saved_graph_;
  }

  // Runs `f` on `args` `calls` times with pooling above `min_bytes`; the last results.
  static std::vector<NDArray> run(const Function& f, std::span<const Arg> args, size_t min_bytes,
                                  int calls = 3) {
    detail::set_pooled_min_bytes_for_testing(min_bytes);
    std::vector<NDArray> out;
    for (int i = 0; i < calls; ++i) {
      out = f.call(args).vector();
      for (auto& a : out) a = a.copy();
    }
    return out;
  }
  static constexpr size_t kOff = std::numeric_limits<size_t>::max();

 private:
  bool saved_graph_ = true;
};

void expect_equal(const std::vector<NDArray>& got, const std::vector<NDArray>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("output " + std::to_string(i));
    EXPECT_ALLCLOSE(got[i], want[i], 0, 0);
  }
}

TEST_F(BufferPoolTest, AChainOfLargeOpsReusesDeadBuffersAndKeepsValues) {
  auto x = T::dmatrix("x");
  // softmax and dot are not fused: each makes a large intermediate. `a` is read again
  // at the end (through a transposed view), after several others have died.
  auto a = T::nnet::softmax(x);
  auto b = T::dot(a, x);
  auto c = T::nnet::softmax(b);
  auto d = T::dot(c, x);
  auto e = T::dot(T::nnet::softmax(d), x);
  auto out = T::sum(e, 1) + T::sum(T::transpose(a), 0);
  auto f = function({x}, {out, c});
  const NDArray m = random_array({200, 200}, DType::Float64, -1, 1, 5);  // 320 KB each
  const Arg args[] = {Arg(m)};
  const auto want = run(f, args, kOff);
  const auto reuses = detail::pooled_buffer_reuses();
  const auto got = run(f, args, detail::kPooledMinBytes);
  EXPECT_GT(detail::pooled_buffer_reuses(), reuses);
  expect_equal(got, want);
}

TEST_F(BufferPoolTest, EveryBufferPooledGivesTheSameTraining) {
  // The XOR step interpreted with every dead intermediate pooled, however small.
  auto build = [] {
    auto x = T::dvector("x");
    auto y = T::dscalar("y");
    auto theta1 = shared(random_array({3, 3}, DType::Float64, -1, 1, 7), "theta1");
    auto theta2 = shared(random_array({4, 1}, DType::Float64, -1, 1, 8), "theta2");
    auto layer = [](const Var& in, const Var& theta) {
      return T::sigmoid(T::dot(T::transpose(theta), T::concatenate({in, constant(array({1.0}))})));
    };
    auto cost = T::sqr(T::sum(layer(layer(x, theta1), theta2)) - y);
    auto step = function({x, y}, {cost, layer(x, theta1)},
                         {{theta1, theta1 - 0.1 * T::grad(cost, theta1)},
                          {theta2, theta2 - 0.1 * T::grad(cost, theta2)}});
    return std::tuple{step, theta1, theta2};
  };
  auto train = [&](size_t min_bytes) {
    detail::set_pooled_min_bytes_for_testing(min_bytes);
    auto [step, theta1, theta2] = build();
    const NDArray samples[] = {array({0.0, 0.0}), array({0.0, 1.0}), array({1.0, 0.0}), array({1.0, 1.0})};
    Result last;
    for (int i = 0; i < 40; ++i) last = step(samples[i % 4], i % 3 == 0 ? 1.0 : 0.0);
    return std::vector<NDArray>{theta1.get_value(), theta2.get_value(), last[0].copy(), last[1].copy()};
  };
  const auto want = train(kOff);
  const auto reuses = detail::pooled_buffer_reuses();
  const auto got = train(1);
  EXPECT_GT(detail::pooled_buffer_reuses(), reuses);
  expect_equal(got, want);
}

TEST_F(BufferPoolTest, ResultsTheCallerHoldsAreNeverReused) {
  auto x = T::dmatrix("x");
  auto a = T::nnet::softmax(x);
  auto b = T::nnet::softmax(T::dot(a, x));
  auto f = function({x}, {a, T::dot(b, x)});
  const NDArray m = random_array({200, 200}, DType::Float64, -1, 1, 6);
  detail::set_pooled_min_bytes_for_testing(1);
  Result first = f(m);
  const NDArray kept0 = first[0].copy(), kept1 = first[1].copy();
  for (int i = 0; i < 3; ++i) f(random_array({200, 200}, DType::Float64, -1, 1, 10 + i));
  EXPECT_ALLCLOSE(first[0], kept0, 0, 0);
  EXPECT_ALLCLOSE(first[1], kept1, 0, 0);
}

}  // namespace
}  // namespace theon::testing

namespace theon::testing {
namespace {

// In place: an element-wise node whose input dies with it writes over that input.
class InPlaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_graph_ = config().cgen_graph;
    config().cgen_graph = false;
  }
  void TearDown() override {
    detail::set_in_place_for_testing(true);
    config().cgen_graph = saved_graph_;
  }
  // The outputs of `outputs` on `args` over three calls, in place or not.
  static std::vector<NDArray> run(const std::vector<Var>& inputs, const std::vector<Var>& outputs,
                                  std::span<const Arg> args, bool in_place) {
    detail::set_in_place_for_testing(in_place);
    auto f = function(inputs, outputs);
    std::vector<NDArray> out;
    for (int i = 0; i < 3; ++i) {
      out = f.call(args).vector();
      for (auto& a : out) a = a.copy();
    }
    return out;
  }

 private:
  bool saved_graph_ = true;
};

TEST_F(InPlaceTest, ADeadIntermediateIsOverwrittenAndResultsAgree) {
  auto x = T::dmatrix("x");
  auto a = T::nnet::softmax(x);                        // dies in the next node
  auto out = T::dot(T::exp(a) * 2.0 + a, x);          // fused, over a's buffer
  const NDArray m = random_array({50, 50}, DType::Float64, -1, 1, 11);
  const Arg args[] = {Arg(m)};
  const auto want = run({x}, {out}, args, false);
  const auto writes = detail::in_place_writes();
  const auto got = run({x}, {out}, args, true);
  EXPECT_GT(detail::in_place_writes(), writes);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_ALLCLOSE(got[0], want[0], 0, 0);
}

TEST_F(InPlaceTest, ValuesStillReadAreNeverOverwritten) {
  auto x = T::dmatrix("x");
  auto w = shared(random_array({40, 40}, DType::Float64, -1, 1, 12), "w");
  const NDArray m = random_array({40, 40}, DType::Float64, -1, 1, 13);
  const NDArray m_before = m.copy(), w_before = w.get_value();
  const Arg args[] = {Arg(m)};
  // Each graph on its own, so that no merge gives the dying value another reader.
  auto a = T::nnet::softmax(x);
  auto b = T::nnet::softmax(T::dot(x, w));
  auto c = T::nnet::softmax(x + 1.0);
  auto e = T::maximum(x, x);  // with the cast below, a two-output fused node
  const std::vector<std::vector<Var>> cases = {
      {a + T::transpose(a)},  // a view of the dying input, read at other indices
      {T::exp(b) * b},        // the dying input read twice at the same index: fine
      {c, c * 2.0},           // a value that is also a result
      {T::exp(x) + w},        // the user's argument and a shared value
      // e dies in mul(2, e, e), a fold that reads its third operand after writing the
      // output: e must not be the output's buffer (found by the differential fuzz test).
      {(e + e) * e, T::cast(e, DType::Float32)},
  };
  for (size_t k = 0; k < cases.size(); ++k) {
    SCOPED_TRACE("case " + std::to_string(k));
    const auto want = run({x}, cases[k], args, false);
    const auto got = run({x}, cases[k], args, true);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_ALLCLOSE(got[i], want[i], 0, 0);
  }
  EXPECT_ALLCLOSE(m, m_before, 0, 0);
  EXPECT_ALLCLOSE(w.get_value(), w_before, 0, 0);
}

}  // namespace
}  // namespace theon::testing
