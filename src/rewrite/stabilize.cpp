// The stabilize phase, element-wise rules: log1p, expm1, softplus and sigmoid forms.
// Softmax, log-sum-exp and cross-entropy rules are in stabilize_softmax.cpp; the
// cancellations that keep gradient graphs finite in stabilize_cancel.cpp.
#include "rewrite/stabilize.hpp"

#include "rewrite/phases.hpp"
#include "rewrite/rewrite_util.hpp"
#include "theon/tensor.hpp"

namespace theon::rewrite {
namespace stabilize {

using detail::ScalarOpId;

Var as_dtype(const Var& v, DType dtype) { return v.dtype() == dtype ? v : tensor::cast(v, dtype); }

Var negate(const Var& v) {
  if (const Vars* in = elemwise_inputs(v, ScalarOpId::Neg)) return (*in)[0];
  return tensor::neg(v);
}

const Vars* elemwise_inputs(const Var& v, ScalarOpId id) {
  return elemwise_of(v, id) ? &v.owner()->inputs : nullptr;
}

bool applies(const ApplyNode& node, ScalarOpId id) {
  const detail::Elemwise* e = elemwise_of(node);
  return e && e->scalar_op() == id;
}

bool is_constant_value(const Var& v, double value) {
  const std::optional<double> c = uniform_constant(v);
  return c && *c == value;
}

bool is_broadcast_one(const Var& v) {
  if (!is_constant_value(v, 1)) return false;
  for (bool b : v.broadcastable())
    if (!b) return false;
  return true;
}

namespace {

bool same_value_at(const Var& a, const Var& b, int depth) {
  if (a.is(b)) return true;
  if (a.is_constant() || b.is_constant()) {
    if (!a.is_constant() || !b.is_constant() || !(a.type() == b.type())) return false;
    if (a.constant_value().shape() != b.constant_value().shape()) return false;
    const std::optional<double> ca = uniform_constant(a), cb = uniform_constant(b);
    return ca && cb && *ca == *cb;
  }
  if (depth == 0) return false;
  const std::optional<SigmoidForm> sa = sigmoid_form(a), sb = sigmoid_form(b);
  if (sa && sb && a.type() == b.type())
    return sa->negated == sb->negated && same_value_at(sa->x, sb->x, depth - 1);
  const ApplyNode* na = a.owner();
  const ApplyNode* nb = b.owner();
  if (!na || !nb || a.index() != b.index() || na->inputs.size() != nb->inputs.size() ||
      !na->op().equals(nb->op()))
    return false;
  for (size_t i = 0; i < na->inputs.size(); ++i)
    if (!same_value_at(na->inputs[i], nb->inputs[i], depth - 1)) return false;
  return true;
}

}  // namespace

bool same_value(const Var& a, const Var& b) { return same_value_at(a, b, 6); }

std::optional<SigmoidForm> sigmoid_form(const Var& v) {
  if (const Vars* in = elemwise_inputs(v, ScalarOpId::Sigmoid)) {
    if (const Vars* neg = elemwise_inputs((*in)[0], ScalarOpId::Neg)) return SigmoidForm{(*neg)[0], true};
    return SigmoidForm{(*in)[0], false};
  }
  // 1 - sigmoid(x) = sigmoid(-x), also written 1 + -sigmoid(x).
  auto complement = [](const Var& s) -> std::optional<SigmoidForm> {
    if (!elemwise_of(s, ScalarOpId::Sigmoid)) return std::nullopt;
    std::optional<SigmoidForm> f = sigmoid_form(s);
    f->negated = !f->negated;
    return f;
  };
  if (const Vars* in = elemwise_inputs(v, ScalarOpId::Sub); in && is_broadcast_one((*in)[0]))
    return complement((*in)[1]);
  if (const Vars* in = elemwise_inputs(v, ScalarOpId::Add); in && in->size() == 2) {
    for (int i = 0; i < 2; ++i) {
      const Vars* neg = elemwise_inputs((*in)[1 - i], ScalarOpId::Neg);
      if (is_broadcast_one((*in)[i]) && neg) return complement((*neg)[0]);
    }
  }
  return std::nullopt;
}

namespace {

// The node's output, and the result made to have its exact type (nullopt: decline).
std::optional<Vars> replace_by(const ApplyNode& node, const Var& value, std::span<const Var> shape_sources) {
  std::optional<Var> v = broadcast_like(value, node.output(0), shape_sources);
  if (!v) return std::nullopt;
  return Vars{*v};
}

Vars operands_of(const Var& v) { return v.owner() ? v.owner()->inputs : Vars{}; }

// log(sigmoid(x)) = -softplus(-x), log(1 - sigmoid(x)) = log(sigmoid(-x)) = -softplus(x):
// log(sigmoid(-1000)) is log(0) = -inf, -softplus(1000) is -1000.
const LocalRewrite softplus_from_log_sigmoid{
    "softplus_from_log_sigmoid", {"log"},
    [](const ApplyNode& node, const FunctionGraph&) -> std::optional<Vars> {
      const Var& arg = node.inputs[0];
      const std::optional<SigmoidForm> s = sigmoid_form(arg);
      if (!s || !is_float(node.output(0).dtype())) return std::nullopt;
      const Var x = as_dtype(s->x, node.output(0).dtype());
      return replace_by(node, tensor::neg(tensor::softplus(s->negated ? x : negate(x))),
                        operands_of(arg));
    }};

// log1p(-sigmoid(x)) = log(sigmoid(-x)) = -softplus(x)
const LocalRewrite softplus_from_log1p_neg_sigmoid{
    "softplus_from_log1p_neg_sigmoid", {"log1p"},
    [](const ApplyNode& node, const FunctionGraph&) -> std::optional<Vars> {
      const Vars* neg = elemwise_inputs(node.inputs[0], ScalarOpId::Neg);
      if (!neg || !elemwise_of((*neg)[0], ScalarOpId::Sigmoid)) return std::nullopt;
      const std::optional<SigmoidForm> s = sigmoid_form((*neg)[0]);
      const Var x = as_dtype(s->x, node.output(0).dtype());
      return replace_by(node, tensor::neg(tensor::softplus(s->negated ? negate(x) : x)), {});
    }};

// log1p(exp(x)) = softplus(x): exp(1000) overflows, softplus(1000) is 1000.
const LocalRewrite softplus_from_log1p_exp{
    "softplus_from_log1p_exp", {"log1p"},
    [](const ApplyNode& node, const FunctionGraph&) -> std::optional<Vars> {
      const Vars* e = elemwise_inputs(node.inputs[0], ScalarOpId::Exp);
      if (!e || !is_float(node.output(0).dtype())) return std::nullopt;
      return replace_by(node, tensor::softplus(as_dtype((*e)[0], node.output(0).dtype())), {});
    }};

// log(1 + x) = log1p(x) (any term of an n-ary sum), log(1 - x) = log1p(-x): exact for
// |x| below the rounding error of 1. Only where the sum is float: an integer 1 + x may
// wrap around, which log1p(x) would not reproduce.
const LocalRewrite log1p_from_log{
    "log1p_from_log", {"log"},
    [](const ApplyNode& node, const FunctionGraph&) -> std::optional<Vars> {
      const Var& arg = node.inputs[0];
      if (!is_float(arg.dtype()) || sigmoid_form(arg)) return std::nullopt;
      const Vars terms = operands_of(arg);
      if (const Vars* in = elemwise_inputs(arg, ScalarOpId::Sub)) {
        if (!is_constant_value((*in)[0], 1)) return std::nullopt;
        return replace_by(node, tensor::log1p(negate(as_dtype((*in)[1], arg.dtype()))), terms);
      }
      if (!elemwise_of(arg, ScalarOpId::Add)) return std::nullopt;
      for (size_t i = 0; i < terms.size(); ++i) {
        if (!is_constant_value(terms[i], 1)) continue;
        Vars rest;
        for (size_t j = 0; j < terms.size(); ++j)
          if (j != i) rest.push_back(terms[j]);
        const Var x = rest.size() == 1 ? rest[0] : tensor::add(rest);
        return replace_by(node, tensor::log1p(as_dtype(x, arg.dtype())), terms);
      }
      return std::nullopt;
    }};

// exp(x) - 1 = exp(x) + -1 = expm1(x): exact for small |x|, where exp(x) - 1 keeps only
// the few bits of x above 1's rounding error.
std::optional<Vars> expm1_of(const ApplyNode& node, const Var& e, const Var& c, double minus_one) {
  const Vars* in = elemwise_inputs(e, ScalarOpId::Exp);
  if (!in || !is_constant_value(c, minus_one) || !is_float(node.output(0).dtype())) return std::nullopt;
  return replace_by(node, tensor::expm1(as_dtype((*in)[0], e.dtype())), node.inputs);
}

const LocalRewrite expm1_from_exp_minus_one{
    "expm1_from_exp_minus_one", {"sub", "add"},
    [](const ApplyNode& node, const FunctionGraph&) -> std::optional<Vars> {
      if (applies(node, ScalarOpId::Sub)) return expm1_of(node, node.inputs[0], node.inputs[1], 1);
      if (!applies(node, ScalarOpId::Add) || node.inputs.size() != 2) return std::nullopt;
      if (auto r = expm1_of(node, node.inputs[0], node.inputs[1], -1)) return r;
      return expm1_of(node, node.inputs[1], node.inputs[0], -1);
    }};

// 1 / (1 + exp(-x)) = sigmoid(x) (also reciprocal(1 + exp(-x))), so that the rules on
// sigmoid see the seeds' hand-written logistic.
const LocalRewrite sigmoid_from_one_over_one_plus_exp{
    "sigmoid_from_one_over_one_plus_exp", {"true_div", "reciprocal"},
    [](const ApplyNode& node, const FunctionGraph&) -> std::optional<Vars> {
      const Var& out = node.output(0);
      const bool is_div = applies(node, ScalarOpId::TrueDiv);
      if (is_div && !is_constant_value(node.inputs[0], 1)) return std::nullopt;
      const Var& denominator = node.inputs[is_div ? 1 : 0];
      const Vars* sum = elemwise_inputs(denominator, ScalarOpId::Add);
      if (!sum || sum->size() != 2 || !is_float(out.dtype())) return std::nullopt;
      for (int i = 0; i < 2; ++i) {
        const Vars* e = elemwise_inputs((*sum)[1 - i], ScalarOpId::Exp);
        if (!is_constant_value((*sum)[i], 1) || !e) continue;
        Vars sources = node.inputs;
        sources.insert(sources.end(), sum->begin(), sum->end());
        return replace_by(node, tensor::sigmoid(negate(as_dtype((*e)[0], out.dtype()))), sources);
      }
      return std::nullopt;
    }};

}  // namespace
}  // namespace stabilize

void register_stabilize(RewriteDb& db) {
  using namespace stabilize;
  for (const LocalRewrite* r :
       {&sigmoid_from_one_over_one_plus_exp, &softplus_from_log_sigmoid, &softplus_from_log1p_neg_sigmoid,
        &softplus_from_log1p_exp, &log1p_from_log, &expm1_from_exp_minus_one})
    db.add("stabilize", *r, {"fast_run"});
  register_softmax_rules(db);
  register_cancel_rules(db);
  register_indexing_rules(db);
}

}  // namespace theon::rewrite
