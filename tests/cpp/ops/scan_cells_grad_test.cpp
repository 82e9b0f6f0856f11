// Gradients through the recurrent cells of real programs under scan (issue 18): a GRU
// and an LSTM cell, checked by finite differences w.r.t. the weights, the initial
// state(s) and the input sequence; truncated gradients against the unrolled graph whose
// early steps are cut (docs/scan.md: truncate_gradient = k runs the backward loop over
// the last k steps only).
#include <functional>

#include "support/test_util.hpp"
#include "theon/scan.hpp"

namespace theon {
namespace {

namespace T = tensor;
using testing::random_array;
using Args = std::span<const Var>;

constexpr int kSteps = 4, kIn = 2, kHidden = 3;

Var gate(const Var& W, const Var& U, const Var& b, int k, const Var& x, const Var& h) {
  return T::dot(T::index(W, {k}), x) + T::dot(T::index(U, {k}), h) + T::index(b, {k});
}

// GRU: W (3, hidden, in), U (3, hidden, hidden), b (3, hidden).
Var gru_cell(const Var& x, const Var& h, const Var& W, const Var& U, const Var& b) {
  Var z = T::sigmoid(gate(W, U, b, 0, x, h));
  Var r = T::sigmoid(gate(W, U, b, 1, x, h));
  Var c = T::tanh(T::dot(T::index(W, {2}), x) + T::dot(T::index(U, {2}), h * r) + T::index(b, {2}));
  return (1 - z) * c + z * h;
}

// LSTM: W (4, hidden, in), U (4, hidden, hidden), b (4, hidden); returns {h, c}.
Vars lstm_cell(const Var& x, const Var& h, const Var& c, const Var& W, const Var& U, const Var& b) {
  Var i = T::sigmoid(gate(W, U, b, 0, x, h));
  Var f = T::sigmoid(gate(W, U, b, 1, x, h));
  Var o = T::sigmoid(gate(W, U, b, 2, x, h));
  Var g = T::tanh(gate(W, U, b, 3, x, h));
  Var c_new = f * c + i * g;
  return {o * T::tanh(c_new), c_new};
}

// in = {x (steps, in), h0, W, U, b}: the stacked hidden states.
Var gru_scan(const Vars& in, int truncate) {
  return scan([](Args a) { return gru_cell(a[0], a[1], a[2], a[3], a[4]); }, {in[0]}, {in[1]},
              {in[2], in[3], in[4]}, {.truncate_gradient = truncate})
      .output();
}

// in = {x, h0, c0, W, U, b}: both stacked states, so both carry gradient out.
Var lstm_scan(const Vars& in, int truncate) {
  auto r = scan([](Args a) {
    Vars hc = lstm_cell(a[0], a[1], a[2], a[3], a[4], a[5]);
    return ScanStepResult{hc[0], hc[1]};
  }, {in[0]}, {in[1], in[2]}, {in[3], in[4], in[5]}, {.truncate_gradient = truncate});
  return r.outputs[0] + 0.5 * r.outputs[1];
}

std::vector<NDArray> gru_points(uint64_t seed) {
  return {random_array({kSteps, kIn}, DType::Float64, -1, 1, seed),
          random_array({kHidden}, DType::Float64, -1, 1, seed + 1),
          random_array({3, kHidden, kIn}, DType::Float64, -0.8, 0.8, seed + 2),
          random_array({3, kHidden, kHidden}, DType::Float64, -0.8, 0.8, seed + 3),
          random_array({3, kHidden}, DType::Float64, -0.5, 0.5, seed + 4)};
}

std::vector<NDArray> lstm_points(uint64_t seed) {
  return {random_array({kSteps, kIn}, DType::Float64, -1, 1, seed),
          random_array({kHidden}, DType::Float64, -1, 1, seed + 1),
          random_array({kHidden}, DType::Float64, -1, 1, seed + 2),
          random_array({4, kHidden, kIn}, DType::Float64, -0.8, 0.8, seed + 3),
          random_array({4, kHidden, kHidden}, DType::Float64, -0.8, 0.8, seed + 4),
          random_array({4, kHidden}, DType::Float64, -0.5, 0.5, seed + 5)};
}

TEST(ScanCellsGrad, GruCellWeightsInitialStateAndInputs) {
  verify_grad([](const Vars& in) { return gru_scan(in, -1); }, gru_points(100));
}

TEST(ScanCellsGrad, LstmCellWeightsInitialStatesAndInputs) {
  verify_grad([](const Vars& in) { return lstm_scan(in, -1); }, lstm_points(200));
}

// truncate_gradient >= n_steps truncates nothing: the full gradient, h0 included.
TEST(ScanCellsGrad, TruncationCoveringAllStepsIsTheFullGradient) {
  verify_grad([](const Vars& in) { return gru_scan(in, kSteps); }, gru_points(300));
  verify_grad([](const Vars& in) { return lstm_scan(in, kSteps + 3); }, lstm_points(400));
}

// A step of the unrolled reference: (x[t], states, weights) -> new states.
using UnrolledStep = std::function<Vars(const Var&, const Vars&, const Vars&)>;

// The unrolled reference of a truncated scan: the steps before the last k send no
// gradient anywhere (their outputs and the state they hand on are cut).
Var unrolled_truncated(const Var& x, Vars states, const Vars& weights, int truncate,
                       const UnrolledStep& step) {
  Vars stacked;
  for (int t = 0; t < kSteps; ++t) {
    states = step(T::index(x, {t}), states, weights);
    if (t < kSteps - truncate)
      for (auto& s : states) s = T::disconnected_grad(s);
    stacked.push_back(states.size() == 1 ? states[0] : states[0] + 0.5 * states[1]);
  }
  return T::stack(stacked);
}

// The cost sum(out * P) for a fixed projection P, as verify_grad builds it. Gradients
// w.r.t. x and the weights equal the reference's; the initial states' are zero (no
// backward step reaches them).
void expect_truncated_matches_unrolled(const std::vector<NDArray>& points, int n_states, int truncate,
                                       const std::function<Var(const Vars&)>& scanned,
                                       const UnrolledStep& step) {
  Vars in;
  for (size_t i = 0; i < points.size(); ++i)
    in.push_back(T::tensor(points[i].dtype(), BroadcastPattern(points[i].ndim(), false),
                           "in" + std::to_string(i)));
  const Vars states(in.begin() + 1, in.begin() + 1 + n_states);
  const Vars weights(in.begin() + 1 + n_states, in.end());
  Var P = constant(random_array({kSteps, kHidden}, DType::Float64, 0.5, 1.5, 7));
  Var cost_scan = T::sum(scanned(in) * P);
  Var cost_ref = T::sum(unrolled_truncated(in[0], states, weights, truncate, step) * P);
  Vars outputs = T::grad(cost_scan, in);  // x, states..., weights...
  Vars wrt{in[0]};
  wrt.insert(wrt.end(), weights.begin(), weights.end());
  Vars reference = T::grad(cost_ref, wrt);  // x, weights...
  outputs.insert(outputs.end(), reference.begin(), reference.end());
  auto f = function(in, outputs);
  std::vector<Arg> args(points.begin(), points.end());
  auto got = f.call(args);
  const size_t n_in = in.size();
  EXPECT_ALLCLOSE(got[0], got[n_in], 1e-10, 1e-12) << "x";
  for (size_t w = 0; w < weights.size(); ++w)
    EXPECT_ALLCLOSE(got[1 + n_states + w], got[n_in + 1 + w], 1e-10, 1e-12) << "weight " << w;
  for (int s = 1; s <= n_states; ++s)
    EXPECT_ALLCLOSE(got[s], NDArray::zeros(DType::Float64, {kHidden})) << "initial state " << s;
  // The rows before the last k steps get zero; the last rows do not.
  const NDArray& gx = got[0];
  for (int t = 0; t < kSteps - truncate; ++t)
    for (int j = 0; j < kIn; ++j) EXPECT_EQ(gx.at<double>({t, j}), 0.0) << "x row " << t;
  EXPECT_NE(gx.at<double>({kSteps - 1, 0}), 0.0);
}

TEST(ScanCellsGrad, TruncatedGruMatchesUnrolledWithEarlyStepsCut) {
  for (int k : {1, 2, 3}) {
    SCOPED_TRACE("truncate_gradient " + std::to_string(k));
    expect_truncated_matches_unrolled(
        gru_points(500), 1, k, [k](const Vars& in) { return gru_scan(in, k); },
        [](const Var& x, const Vars& s, const Vars& w) { return Vars{gru_cell(x, s[0], w[0], w[1], w[2])}; });
  }
}

TEST(ScanCellsGrad, TruncatedLstmMatchesUnrolledWithEarlyStepsCut) {
  expect_truncated_matches_unrolled(
      lstm_points(600), 2, 2, [](const Vars& in) { return lstm_scan(in, 2); },
      [](const Var& x, const Vars& s, const Vars& w) { return lstm_cell(x, s[0], s[1], w[0], w[1], w[2]); });
}

}  // namespace
}  // namespace theon
