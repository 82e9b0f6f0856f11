// scan_prune: stacked scan outputs that nothing reads are not computed, and the inputs
// only they read leave the loop; values are the same with the rewrite on and off.
#include "ops/scan/scan_op.hpp"
#include "support/test_util.hpp"
#include "theon/grad.hpp"
#include "theon/scan.hpp"

namespace theon {
namespace {

namespace T = tensor;
using testing::random_array;
using Args = std::span<const Var>;

const FunctionOptions kWithoutPrune{.optimizer_excluding = "scan_prune"};

// Per scan node of `f`: (stacked outputs, of them read by nothing, non-sequences).
struct ScanCounts {
  int nit = 0, unread = 0, non_seqs = 0;
};
std::vector<ScanCounts> scan_counts(const Function& f) {
  std::vector<ScanCounts> out;
  for (const ApplyNode* node : f.fgraph().toposort()) {
    const auto* scan = detail::scan_of(node);
    if (!scan) continue;
    const auto& s = scan->spec();
    ScanCounts c{s.n_nit, 0, s.n_non_seqs};
    for (int m = s.n_recs(); m < s.n_outputs(); ++m) {
      bool is_output = false;
      for (const Var& o : f.fgraph().outputs())
        is_output = is_output || o.get() == node->output(m).get();
      if (f.fgraph().n_clients(node->output(m)) == 0 && !is_output) ++c.unread;
    }
    out.push_back(c);
  }
  return out;
}

void expect_same_values(const Vars& in, const Vars& out, const std::vector<NDArray>& args,
                        const std::string& also_excluding = "") {
  auto pruned = function(in, out, {}, {.optimizer_excluding = also_excluding});
  auto plain = function(in, out, {}, {.optimizer_excluding = "scan_prune:" + also_excluding});
  std::vector<Arg> a(args.begin(), args.end());
  auto x = pruned.call(a), y = plain.call(a);
  for (size_t i = 0; i < out.size(); ++i)
    EXPECT_ALLCLOSE(x[i], y[i], 1e-12, 1e-12) << "output " << i;
}

// h_t = tanh(x_t V + h W): the loss's gradient w.r.t. W alone. The backward loop stacks
// dx_t = dz_t V^T too; nothing reads it, so with the rewrite V leaves that loop.
struct Rnn {
  Var x = T::dmatrix("x"), h0 = T::dvector("h0"), V = T::dmatrix("V"), W = T::dmatrix("W");
  Var loss() const {
    auto r = scan([](Args a) { return T::tanh(T::dot(a[0], a[2]) + T::dot(a[1], a[3])); }, {x},
                  {h0}, {V, W});
    return T::sum(T::sqr(T::index(r.output(), {-1})));
  }
  std::vector<NDArray> args() const {
    return {random_array({6, 3}, DType::Float64, -1, 1, 1),
            random_array({4}, DType::Float64, -1, 1, 2),
            random_array({3, 4}, DType::Float64, -1, 1, 3),
            random_array({4, 4}, DType::Float64, -1, 1, 4)};
  }
};

TEST(ScanPrune, UnreadSequenceGradientIsNotComputed) {
  Rnn m;
  Var g = T::grad(m.loss(), m.W);
  auto pruned = function({m.x, m.h0, m.V, m.W}, g);
  auto plain = function({m.x, m.h0, m.V, m.W}, g, {}, kWithoutPrune);
  int unread_plain = 0, non_seqs_plain = 0, non_seqs_pruned = 0;
  for (const auto& c : scan_counts(plain)) unread_plain += c.unread, non_seqs_plain += c.non_seqs;
  for (const auto& c : scan_counts(pruned)) {
    EXPECT_EQ(c.unread, 0);
    non_seqs_pruned += c.non_seqs;
  }
  EXPECT_GT(unread_plain, 0) << "the backward loop no longer stacks dx: this test tests nothing";
  EXPECT_LT(non_seqs_pruned, non_seqs_plain) << "V^T should have left the backward loop";
  expect_same_values({m.x, m.h0, m.V, m.W}, {g}, m.args());
}

TEST(ScanPrune, GradientsOfEveryInputStillAgree) {
  Rnn m;
  Vars grads = T::grad(m.loss(), Vars{m.x, m.h0, m.V, m.W});
  expect_same_values({m.x, m.h0, m.V, m.W}, grads, m.args());
}

// Two stacked outputs, one read: the other and the non-sequence only it reads go
// (scan_pushout_dot, which would move both products out of the loop, is off).
TEST(ScanPrune, UnreadForwardOutputAndItsNonSequenceGo) {
  auto x = T::dmatrix("x"), A = T::dmatrix("A"), B = T::dmatrix("B");
  auto r = scan(
      [](Args a) -> ScanStepResult {
        return {T::dot(a[0], a[1]), T::dot(a[0], a[2])};
      },
      {x}, {ScanOutputInfo(), ScanOutputInfo()}, {A, B});
  auto f = function({x, A, B}, r.outputs[0], {}, {.optimizer_excluding = "scan_pushout_dot"});
  auto counts = scan_counts(f);
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].nit, 1);
  EXPECT_EQ(counts[0].non_seqs, 1);
  expect_same_values({x, A, B}, {r.outputs[0]},
                     {random_array({5, 3}, DType::Float64, -1, 1, 5),
                      random_array({3, 2}, DType::Float64, -1, 1, 6),
                      random_array({3, 4}, DType::Float64, -1, 1, 7)},
                     "scan_pushout_dot");
}

// The pruned backward loop is itself differentiated (second order): the gradient of
// sum(dloss/dW * C) w.r.t. x, h0, V and W against finite differences.
TEST(ScanPrune, GradientThroughPrunedLoopMatchesFiniteDifferences) {
  const NDArray C = random_array({4, 4}, DType::Float64, -1, 1, 8);
  verify_grad(
      [&](const Vars& in) {
        Rnn n;
        n.x = in[0], n.h0 = in[1], n.V = in[2], n.W = in[3];
        return T::sum(T::grad(n.loss(), n.W) * constant(C));
      },
      Rnn().args());
}

}  // namespace
}  // namespace theon
