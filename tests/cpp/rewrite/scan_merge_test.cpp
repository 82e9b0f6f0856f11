// Identical scans are one op (merge makes their applications one node), and scan_dedupe
// removes the inputs and outputs one loop reads or computes twice.
#include "ops/scan/scan_op.hpp"
#include "support/scan_test_util.hpp"
#include "support/test_util.hpp"
#include "theon/debug.hpp"
#include "theon/grad.hpp"
#include "theon/scan.hpp"

namespace theon {
namespace {

namespace T = tensor;
using testing::random_array;
using testing::scans;
using Args = std::span<const Var>;

// Merge alone decides: scan_merge would join any two independent loops of one length.
FunctionOptions without_scan_merge() { return {.optimizer_excluding = "scan_merge:scan_dedupe"}; }

void expect_same_as_unoptimized(const Vars& in, const Vars& out, const std::vector<NDArray>& args,
                                const FunctionOptions& options = {}) {
  auto fast = function(in, out, {}, options);
  auto plain = function(in, out, {}, {.mode = "NONE"});
  std::vector<Arg> a(args.begin(), args.end());
  auto x = fast.call(a), y = plain.call(a);
  for (size_t i = 0; i < out.size(); ++i)
    EXPECT_ALLCLOSE(x[i], y[i], 1e-10, 1e-10) << "output " << i;
}

Var rnn_step(Args a) { return T::tanh(T::dot(a[2], a[1]) + a[0] * 0.5); }

struct Rnn {
  Var x = T::dmatrix("x"), h0 = T::dvector("h0"), W = T::dmatrix("W");
  std::vector<NDArray> args() const {
    return {random_array({5, 3}, DType::Float64, -1, 1, 1),
            random_array({3}, DType::Float64, -1, 1, 2),
            random_array({3, 3}, DType::Float64, -1, 1, 3)};
  }
};

TEST(ScanEquality, ScansBuiltSeparatelyFromOneStepMerge) {
  Rnn m;
  auto a = scan(rnn_step, {m.x}, {m.h0}, {m.W}, {.name = "first"});
  auto b = scan(rnn_step, {m.x}, {m.h0}, {m.W}, {.name = "second"});  // names do not count
  Vars outs{a.output(), T::sum(b.output())};
  auto f = function({m.x, m.h0, m.W}, outs, {}, without_scan_merge());
  EXPECT_EQ(scans(f).size(), 1u);
  expect_same_as_unoptimized({m.x, m.h0, m.W}, outs, m.args(), without_scan_merge());
}

// Each variant differs from rnn_step (over the same inputs) in one thing.
TEST(ScanEquality, ScansThatDifferDoNotMerge) {
  Rnn m;
  const std::vector<std::pair<std::string, std::function<Var()>>> variants{
      {"constant",
       [&] {
         return scan([](Args a) { return T::tanh(T::dot(a[2], a[1]) + a[0] * 0.25); }, {m.x},
                     {m.h0}, {m.W})
             .output();
       }},
      {"op",
       [&] {
         return scan([](Args a) { return T::sigmoid(T::dot(a[2], a[1]) + a[0] * 0.5); }, {m.x},
                     {m.h0}, {m.W})
             .output();
       }},
      {"truncate_gradient",
       [&] { return scan(rnn_step, {m.x}, {m.h0}, {m.W}, {.truncate_gradient = 2}).output(); }},
      {"argument order",
       [&] {
         return scan([](Args a) { return T::tanh(T::dot(a[1], a[2]) + a[0] * 0.5); }, {m.x}, {m.h0},
                     {m.W})
             .output();
       }},
  };
  for (const auto& [what, build] : variants) {
    Vars outs{scan(rnn_step, {m.x}, {m.h0}, {m.W}).output(), build()};
    auto f = function({m.x, m.h0, m.W}, outs, {}, without_scan_merge());
    EXPECT_EQ(scans(f).size(), 2u) << "scans differing in " << what << " merged";
    expect_same_as_unoptimized({m.x, m.h0, m.W}, outs, m.args(), without_scan_merge());
  }
}

// Op-level equality for what the front end cannot vary over the same inputs: the
// placeholders' types, the taps, the stored rows.
TEST(ScanEquality, SpecsDifferingInTypeTapsOrStoreAreDifferentOps) {
  auto spec_of = [](DType dtype, std::vector<int> taps, int64_t store) {
    detail::ScanSpec s;
    s.taps = {taps};
    for (size_t k = 0; k < taps.size(); ++k)
      s.inner_inputs.push_back(T::tensor(dtype, {false}, "h"));
    Var sum = s.inner_inputs[0];
    for (size_t k = 1; k < taps.size(); ++k) sum = sum + s.inner_inputs[k];
    s.inner_outputs = {T::tanh(sum)};
    s.store = {store};
    return std::make_shared<detail::Scan>(s);
  };
  const auto base = spec_of(DType::Float64, {-1}, 0);
  EXPECT_TRUE(base->equals(*spec_of(DType::Float64, {-1}, 0)));
  EXPECT_FALSE(base->equals(*spec_of(DType::Float32, {-1}, 0)));
  EXPECT_FALSE(base->equals(*spec_of(DType::Float64, {-2}, 0)));
  EXPECT_FALSE(base->equals(*spec_of(DType::Float64, {-1}, 1)));
  EXPECT_FALSE(spec_of(DType::Float64, {-2, -1}, 0)->equals(*spec_of(DType::Float64, {-3, -1}, 0)));
}

// A Print inside a loop prints once per loop written: such loops never merge.
TEST(ScanEquality, LoopsThatPrintStayApart) {
  Rnn m;
  int printed = 0;
  auto count = [&](const std::string&, const NDArray&) { ++printed; };
  auto loud = [&] {
    return scan([&](Args a) { return theon::print(rnn_step(a), "h", {"__str__"}, count); }, {m.x},
                {m.h0}, {m.W});
  };
  Vars outs{loud().output(), loud().output()};
  auto f = function({m.x, m.h0, m.W}, outs, {}, without_scan_merge());
  EXPECT_EQ(scans(f).size(), 2u);
  std::vector<NDArray> args = m.args();
  f.call(std::vector<Arg>(args.begin(), args.end()));
  EXPECT_EQ(printed, 10);  // 5 steps, 2 loops
  // scan_merge makes them one loop; scan_dedupe keeps both prints in it.
  printed = 0;
  function({m.x, m.h0, m.W}, outs).call(std::vector<Arg>(args.begin(), args.end()));
  EXPECT_EQ(printed, 10);
}

// A cell with several parameters whose gradients are taken one T.grad at a time: each
// call builds its own backward loop, and the loops are identical.
struct Cell {
  Var x = T::dmatrix("x"), h0 = T::dvector("h0"), U = T::dmatrix("U"), W = T::dmatrix("W"),
      b = T::dvector("b");
  Var cost() const {
    auto r = scan(
        [](Args a) {
          Var z = T::sigmoid(T::dot(a[2], a[0]) + a[4]);
          return z * T::tanh(T::dot(a[3], a[1])) + (1 - z) * a[1];
        },
        {x}, {h0}, {U, W, b});
    return T::sum(T::sqr(r.output()));
  }
  Vars params() const { return {U, W, b}; }
  Vars inputs() const { return {x, h0, U, W, b}; }
  std::vector<NDArray> args() const {
    return {random_array({6, 3}, DType::Float64, -1, 1, 11),
            random_array({4}, DType::Float64, -1, 1, 12),
            random_array({4, 3}, DType::Float64, -1, 1, 13),
            random_array({4, 4}, DType::Float64, -1, 1, 14),
            random_array({4}, DType::Float64, -1, 1, 15)};
  }
};

TEST(ScanEquality, SeparateGradientsShareOneBackwardLoop) {
  Cell c;
  const Var cost = c.cost();
  Vars separate;
  for (const Var& p : c.params()) separate.push_back(T::grad(cost, p));
  auto f = function(c.inputs(), separate);
  EXPECT_EQ(scans(f).size(), 2u);  // the forward loop and one backward loop
  // Equal backward loops are one node by merge alone (scan_merge and scan_dedupe would
  // also get there, from three loops; they also join the forward loop with the copy
  // that stacks the values the backward loop reads).
  int backward = 0;
  const Function merged_only = function(c.inputs(), separate, {}, without_scan_merge());
  for (const detail::Scan* s : scans(merged_only))
    backward += s->spec().name.starts_with("grad_of");
  EXPECT_EQ(backward, 1);
  auto one = function(c.inputs(), T::grad(cost, c.params()));
  std::vector<NDArray> args = c.args();
  std::vector<Arg> a(args.begin(), args.end());
  auto x = f.call(a), y = one.call(a);
  for (size_t i = 0; i < separate.size(); ++i)
    EXPECT_ALLCLOSE(x[i], y[i], 1e-12, 1e-12) << "gradient " << i;
}

TEST(ScanEquality, NestedScansMergeAndComputeTheSame) {
  Rnn m;
  // Each step sums the row's cumulative sums with an inner scan.
  auto outer = [&] {
    return scan(
        [](Args a) {
          auto inner =
              scan([](Args b) { return b[0] + b[1]; }, {a[0]}, {T::zeros_like(T::sum(a[1]))});
          return a[1] + T::sum(inner.output()) * 0.1;
        },
        {m.x}, {m.h0});
  };
  Vars outs{outer().output(), outer().output() * 2};
  auto f = function({m.x, m.h0}, outs, {}, without_scan_merge());
  EXPECT_EQ(scans(f).size(), 1u);
  const std::vector<NDArray> args{random_array({4, 3}, DType::Float64, -1, 1, 21),
                                  random_array({3}, DType::Float64, -1, 1, 22)};
  expect_same_as_unoptimized({m.x, m.h0}, outs, args, without_scan_merge());
  // By hand: h[t] = h[t-1] + 0.1 * sum_k cumsum(x[t])[k]   (the same for every entry).
  NDArray x = args[0], h = args[1].copy();
  auto got = f(x, h);
  std::vector<double> want(3);
  for (int d = 0; d < 3; ++d) want[d] = h.at<double>({d});
  for (int64_t t = 0; t < 4; ++t) {
    double s = 0, run = 0;
    for (int d = 0; d < 3; ++d) s += (run += x.at<double>({t, d}));
    for (int d = 0; d < 3; ++d) want[d] += 0.1 * s;
  }
  for (int d = 0; d < 3; ++d) EXPECT_NEAR(got[0].at<double>({3, d}), want[d], 1e-12);
}

// The spec of the one scan in `f`.
const detail::ScanSpec& only_scan(const Function& f) {
  auto found = scans(f);
  EXPECT_EQ(found.size(), 1u);
  return found.at(0)->spec();
}

TEST(ScanDedupe, DuplicateInputsAndOutputsOfOneLoopGo) {
  Rnn m;
  // Two sequences, states and non-sequences that are the same variables; the same update
  // computed for both states, and the same stacked value twice.
  auto r = scan(
      [](Args a) -> ScanStepResult {
        Var h1 = T::tanh(T::dot(a[4], a[2]) + a[0]);
        Var h2 = T::tanh(T::dot(a[5], a[3]) + a[1]);
        return Vars{h1, h2, T::sum(a[0] * a[2]), T::sum(a[1] * a[3])};
      },
      {m.x, m.x}, {m.h0, m.h0, ScanOutputInfo(), ScanOutputInfo()}, {m.W, m.W});
  Vars outs = r.outputs;
  auto f = function({m.x, m.h0, m.W}, outs);
  const detail::ScanSpec& s = only_scan(f);
  EXPECT_EQ(s.n_seqs, 1);
  EXPECT_EQ(s.n_recs(), 1);
  EXPECT_EQ(s.n_nit, 1);
  EXPECT_EQ(s.n_non_seqs, 1);
  expect_same_as_unoptimized({m.x, m.h0, m.W}, outs, m.args());
  // Without the rewrite every duplicate stays, with the same values.
  const FunctionOptions excluded{.optimizer_excluding = "scan_dedupe"};
  auto g = function({m.x, m.h0, m.W}, outs, {}, excluded);
  EXPECT_EQ(only_scan(g).n_recs(), 2);
  std::vector<NDArray> args = m.args();
  std::vector<Arg> a(args.begin(), args.end());
  auto x = f.call(a), y = g.call(a);
  for (size_t i = 0; i < outs.size(); ++i)
    EXPECT_ALLCLOSE(x[i], y[i], 1e-12, 1e-12) << "output " << i;
}

TEST(ScanDedupe, StatesThatOnlyLookAlikeStay) {
  Rnn m;
  // a and b start equal and update alike, but from c and d, which start equal and update
  // differently: only once c and d are told apart are a and b (found on a second round).
  // e starts elsewhere; f equals a.
  auto r = scan(
      [](Args s) -> ScanStepResult {
        auto cell = [&](const Var& h, const Var& other) {
          return T::tanh(T::dot(s[7], h) + s[0] + other);
        };
        return Vars{cell(s[1], s[3]), cell(s[2], s[4]), s[3] + 1,
                    s[4] + 2,         cell(s[5], s[3]), cell(s[6], s[3])};
      },
      {m.x}, {m.h0, m.h0, m.h0, m.h0, m.h0 * 2, m.h0}, {m.W});
  Vars outs = r.outputs;
  auto f = function({m.x, m.h0, m.W}, outs);
  EXPECT_EQ(only_scan(f).n_recs(), 5);
  expect_same_as_unoptimized({m.x, m.h0, m.W}, outs, m.args());
}

TEST(ScanDedupe, ALoopAndALongerCopyBecomeOne) {
  Rnn m;
  // exp(W) is hoisted out of each loop separately; the copies must still count as one.
  auto step = [](Args a) { return T::tanh(T::dot(T::exp(a[2]), a[1]) + a[0]); };
  auto a = scan(step, {m.x}, {m.h0}, {m.W});
  auto b = scan(
      [&](Args s) -> ScanStepResult {
        Var h = step(s);
        return Vars{h, T::sum(h)};
      },
      {m.x}, {m.h0, ScanOutputInfo()}, {m.W});
  Vars outs{a.output(), b.outputs[0] * 3, b.outputs[1]};
  auto f = function({m.x, m.h0, m.W}, outs);
  const detail::ScanSpec& s = only_scan(f);
  EXPECT_EQ(s.n_seqs, 1);
  EXPECT_EQ(s.n_recs(), 1);
  EXPECT_EQ(s.n_nit, 1);
  EXPECT_EQ(s.n_non_seqs, 1);
  expect_same_as_unoptimized({m.x, m.h0, m.W}, outs, m.args());
}

}  // namespace
}  // namespace theon
