// The stabilize phase, softmax rules: hand-written softmax, log of softmax, log-sum-exp
// and the cross-entropy of a softmax with integer labels.
#include "ops/dimshuffle.hpp"
#include "ops/nnet/logsumexp.hpp"
#include "ops/nnet/softmax.hpp"
#include "ops/nnet/softmax_crossentropy.hpp"
#include "ops/reduce.hpp"
#include "rewrite/rewrite_util.hpp"
#include "rewrite/stabilize.hpp"
#include "theon/nnet.hpp"

namespace theon::rewrite::stabilize {
namespace {

using detail::ReduceKind;
using detail::ScalarOpId;

const detail::Reduce* reduce_of(const Var& v, ReduceKind kind) {
  auto* r = v.owner() ? dynamic_cast<const detail::Reduce*>(&v.owner()->op()) : nullptr;
  return r && r->kind() == kind ? r : nullptr;
}

const detail::Softmax* softmax_of(const Var& v) {
  return v.owner() ? dynamic_cast<const detail::Softmax*>(&v.owner()->op()) : nullptr;
}

}  // namespace

std::optional<int> summed_axis(const Var& total, const std::vector<int>* pattern, const Var& numerator) {
  const int ndim = numerator.ndim();
  const detail::Reduce* sum = reduce_of(total, ReduceKind::Sum);
  if (!sum || !same_value(total.owner()->inputs[0], numerator)) return std::nullopt;
  // A vector over its sum (a 0-d value, or kept as one element) needs no lining up.
  if (ndim == 1 && sum->axes().size() == 1) return 0;
  if (sum->axes().size() != 1) return std::nullopt;
  const int axis = sum->axes()[0];
  if (!pattern) return sum->keepdims() ? std::optional<int>(axis) : std::nullopt;
  std::vector<int> expected;
  for (int d = 0, kept = 0; d < ndim; ++d) expected.push_back(d == axis ? -1 : kept++);
  if (sum->keepdims() || *pattern != expected) return std::nullopt;
  return axis;
}

std::optional<int> normalizing_axis(const Var& denominator, const Var& numerator) {
  const auto* shuffle = denominator.owner()
                            ? dynamic_cast<const detail::DimShuffle*>(&denominator.owner()->op())
                            : nullptr;
  if (shuffle) return summed_axis(denominator.owner()->inputs[0], &shuffle->pattern(), numerator);
  return summed_axis(denominator, nullptr, numerator);
}

namespace {

// exp(a) / sum(exp(a), axis, keepdims=True) = softmax(a, axis) (also with the sum
// dimshuffled back instead of keepdims, and as exp(a) * reciprocal(sum)): computed after
// subtracting the maximum, where exp(1000) overflows to inf / inf = NaN.
std::optional<Vars> softmax_of_ratio(const ApplyNode& node, const Var& numerator, const Var& denominator) {
  const Var& out = node.output(0);
  const Vars* e = elemwise_inputs(numerator, ScalarOpId::Exp);
  if (!e || !is_float(out.dtype()) || numerator.ndim() != out.ndim()) return std::nullopt;
  const std::optional<int> axis = normalizing_axis(denominator, numerator);
  if (!axis) return std::nullopt;
  const Var sm = tensor::nnet::softmax(as_dtype((*e)[0], numerator.dtype()), *axis);
  std::optional<Var> v = broadcast_like(sm, out, node.inputs);
  if (!v) return std::nullopt;
  return Vars{*v};
}

const LocalRewrite softmax_from_exp_ratio{
    "softmax_from_exp_ratio", {"true_div", "mul"},
    [](const ApplyNode& node, const FunctionGraph&) -> std::optional<Vars> {
      if (applies(node, ScalarOpId::TrueDiv)) return softmax_of_ratio(node, node.inputs[0], node.inputs[1]);
      if (!applies(node, ScalarOpId::Mul) || node.inputs.size() != 2) return std::nullopt;
      for (int i = 0; i < 2; ++i)
        if (const Vars* r = elemwise_inputs(node.inputs[1 - i], ScalarOpId::Reciprocal))
          if (auto out = softmax_of_ratio(node, node.inputs[i], (*r)[0])) return out;
      return std::nullopt;
    }};

// log(softmax(a)) = log_softmax(a) = a - max - log(sum(exp(a - max))): finite where the
// softmax underflows to 0.
const LocalRewrite log_softmax_from_log_softmax{
    "log_softmax_from_log_softmax", {"log"},
    [](const ApplyNode& node, const FunctionGraph&) -> std::optional<Vars> {
      const Var& arg = node.inputs[0];
      const detail::Softmax* sm = softmax_of(arg);
      if (!sm || sm->is_log() || arg.dtype() != node.output(0).dtype()) return std::nullopt;
      return Vars{tensor::nnet::log_softmax(arg.owner()->inputs[0], sm->axis())};
    }};

// log(sum(exp(x), axes)) = m + log(sum(exp(x - m), axes)), m = max(x, axes): every exp is
// at most 1 and the largest is 1, so neither overflow nor log(0) can happen. One op
// (logsumexp.cpp), since a max reduction has no identity for an empty slice, where the
// expression is -inf.
const LocalRewrite logsumexp_from_log_sum_exp{
    "logsumexp_from_log_sum_exp", {"log"},
    [](const ApplyNode& node, const FunctionGraph&) -> std::optional<Vars> {
      const Var& total = node.inputs[0];
      const detail::Reduce* sum = reduce_of(total, ReduceKind::Sum);
      if (!sum || !is_float(total.dtype())) return std::nullopt;
      const Var& e = total.owner()->inputs[0];
      const Vars* exp_in = elemwise_inputs(e, ScalarOpId::Exp);
      if (!exp_in || e.dtype() != total.dtype()) return std::nullopt;
      const Var lse = detail::logsumexp(as_dtype((*exp_in)[0], e.dtype()), sum->axes(), sum->keepdims(), node.loc);
      std::optional<Var> v = broadcast_like(lse, node.output(0), {});
      if (!v) return std::nullopt;
      return Vars{*v};
    }};

// categorical_crossentropy(softmax(x), labels) with integer labels = one op computing
// log(sum(exp(x[i]))) - x[i, label_i] after the max shift, with the pullback
// (softmax(x) - onehot(labels)) * g: -log(0) = inf is gone from both.
const LocalRewrite crossentropy_softmax_fused{
    "crossentropy_softmax_fused", {"crossentropy_categorical_1hot"},
    [](const ApplyNode& node, const FunctionGraph&) -> std::optional<Vars> {
      const Var& p = node.inputs[0];
      const detail::Softmax* sm = softmax_of(p);
      if (!sm || sm->is_log() || p.ndim() != 2 || sm->axis() != 1) return std::nullopt;
      const Var fused = detail::crossentropy_softmax_1hot(p.owner()->inputs[0], node.inputs[1], node.loc);
      std::optional<Var> v = broadcast_like(fused, node.output(0), {});
      if (!v) return std::nullopt;
      return Vars{*v};
    }};

}  // namespace

void register_softmax_rules(RewriteDb& db) {
  for (const LocalRewrite* r : {&softmax_from_exp_ratio, &log_softmax_from_log_softmax, &logsumexp_from_log_sum_exp,
                                &crossentropy_softmax_fused})
    db.add("stabilize", *r, {"fast_run"});
}

}  // namespace theon::rewrite::stabilize
