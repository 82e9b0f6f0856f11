// The stabilize phase, softmax rules: hand-written softmax, log of softmax, log-sum-exp
// and the cross-entropy of a softmax with integer labels.
#include "ops/dimshuffle.hpp"
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

// Whether `shifted` is x - m, m = max(x, axes, keepdims=True) or the switch(isinf(m), 0, m)
// this phase writes: the log-sum-exp below is then stable already.
bool is_max_shifted(const Var& shifted, const std::vector<int>& axes) {
  const Vars* sub = elemwise_inputs(shifted, ScalarOpId::Sub);
  if (!sub) return false;
  Var m = (*sub)[1];
  if (const Vars* sw = elemwise_inputs(m, ScalarOpId::Switch)) m = (*sw)[2];
  const detail::Reduce* max = reduce_of(m, ReduceKind::Max);
  return max && max->keepdims() && max->axes() == axes && same_value(m.owner()->inputs[0], (*sub)[0]);
}

// log(sum(exp(x), axes)) = m + log(sum(exp(x - m), axes)), m = max(x, axes): every exp is
// at most 1 and the largest is 1, so neither overflow nor log(0) can happen. Where the
// maximum is not finite (a slice of -inf, or one holding +inf) the shift is 0, as scipy's
// logsumexp: -inf and +inf come out as before, without inf - inf.
const LocalRewrite logsumexp_max_shift{
    "logsumexp_max_shift", {"log"},
    [](const ApplyNode& node, const FunctionGraph&) -> std::optional<Vars> {
      const Var& total = node.inputs[0];
      const detail::Reduce* sum = reduce_of(total, ReduceKind::Sum);
      if (!sum || !is_float(total.dtype())) return std::nullopt;
      const Var& e = total.owner()->inputs[0];
      const Vars* exp_in = elemwise_inputs(e, ScalarOpId::Exp);
      if (!exp_in || e.dtype() != total.dtype() || is_max_shifted((*exp_in)[0], sum->axes()))
        return std::nullopt;
      const Var x = as_dtype((*exp_in)[0], e.dtype());
      const Var m = tensor::max(x, Axes(sum->axes()), true);
      const Var shift = tensor::switch_(tensor::isinf(m), 0, m);
      const Var lse = tensor::log(tensor::sum(tensor::exp(x - shift), Axes(sum->axes()), sum->keepdims()));
      Var out_shift = shift;
      if (!sum->keepdims()) {
        std::vector<DimEntry> kept;
        for (int d = 0; d < x.ndim(); ++d)
          if (!sum->is_reduced(d)) kept.push_back(d);
        out_shift = tensor::dimshuffle(shift, kept);
      }
      std::optional<Var> v = broadcast_like(out_shift + lse, node.output(0), {});
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
  for (const LocalRewrite* r : {&softmax_from_exp_ratio, &log_softmax_from_log_softmax, &logsumexp_max_shift,
                                &crossentropy_softmax_fused})
    db.add("stabilize", *r, {"fast_run"});
}

}  // namespace theon::rewrite::stabilize
