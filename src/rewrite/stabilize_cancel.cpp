// The stabilize phase, gradient rules. The gradient of log(p) is g / p, and the pullback
// of p = sigmoid(x) multiplies it by p * (1 - p), that of p = softmax(x) by p: where p
// underflows to 0 (x = -1000) this is (g / 0) * 0 = NaN although the exact product, g
// * (1 - p), is finite. The rule here multiplies such a quotient out: (u / p) * p = u,
// distributing p over the sums, negations and switches the quotient sits in.
#include "ops/dimshuffle.hpp"
#include "ops/nnet/softmax.hpp"
#include "ops/reduce.hpp"
#include "rewrite/rewrite_util.hpp"
#include "rewrite/stabilize.hpp"
#include "theon/nnet.hpp"

namespace theon::rewrite::stabilize {
namespace {

using detail::ScalarOpId;

// Values that can round to exactly 0 (or 1 - p to 0) although their exact value is not,
// so that dividing by them gives inf. Only these get multiplied out: for other divisors
// the rewrite would only cost work.
bool can_underflow(const Var& y) {
  if (elemwise_of(y, ScalarOpId::Exp) || sigmoid_form(y)) return true;
  const auto* sm = y.owner() ? dynamic_cast<const detail::Softmax*>(&y.owner()->op()) : nullptr;
  return sm && !sm->is_log();
}

constexpr int kMaxDepth = 6;

// y / d when d is y (1), 1 + y with y = exp(x) (sigmoid(x)) or sum(y) lined up with y
// with y = exp(x) (softmax(x)): a quotient that stays in [0, 1] where y overflows.
std::optional<Var> over_y(const Var& d, const Var& y) {
  if (same_value(d, y)) return scalar_constant(1, y.dtype(), y.ndim(), y.loc());
  const Vars* e = elemwise_inputs(y, ScalarOpId::Exp);
  if (!e) return std::nullopt;
  const Var x = as_dtype((*e)[0], y.dtype());
  if (const Vars* sum = elemwise_inputs(d, ScalarOpId::Add); sum && sum->size() == 2) {
    for (int i = 0; i < 2; ++i)
      if (is_broadcast_one((*sum)[i]) && same_value((*sum)[1 - i], y)) return tensor::sigmoid(x);
  }
  if (std::optional<int> axis = normalizing_axis(d, y)) return tensor::nnet::softmax(x, *axis);
  return std::nullopt;
}

// For y = exp(x) and v holding a factor 1 / sum(y, axis) (as u / s or reciprocal(s)),
// lined up with y by `pattern` (null: s keeps its dimensions), v without that factor and
// the axis.
std::optional<std::pair<Var, int>> divide_out_sum(const Var& v, const Var& y, const std::vector<int>* pattern,
                                                  int depth) {
  if (depth == 0 || !v.owner()) return std::nullopt;
  auto axis_of = [&](const Var& s) {
    return pattern ? summed_axis(s, pattern, y) : normalizing_axis(s, y);
  };
  const Vars& in = v.owner()->inputs;
  if (elemwise_of(v, ScalarOpId::TrueDiv)) {
    if (std::optional<int> axis = axis_of(in[1])) return std::pair{in[0], *axis};
  } else if (elemwise_of(v, ScalarOpId::Reciprocal)) {
    if (std::optional<int> axis = axis_of(in[0]))
      return std::pair{scalar_constant(1, v.dtype(), v.ndim(), v.loc()), *axis};
  } else if (elemwise_of(v, ScalarOpId::Neg)) {
    if (auto r = divide_out_sum(in[0], y, pattern, depth - 1)) return std::pair{tensor::neg(r->first), r->second};
  } else if (elemwise_of(v, ScalarOpId::Mul)) {
    for (size_t i = 0; i < in.size(); ++i) {
      if (auto r = divide_out_sum(in[i], y, pattern, depth - 1)) {
        Vars factors = in;
        factors[i] = r->first;
        return std::pair{tensor::mul(factors), r->second};
      }
    }
  }
  return std::nullopt;
}

// The pullbacks of sum(exp(x)) and of u / sum(exp(x), keepdims=True):
//   dimshuffle(u / sum(y, axis)) * y = dimshuffle(u) * softmax(x)
//   sum(u / s, axis, keepdims=True) * y = sum(u, axis, keepdims=True) * softmax(x)
// where y = exp(x) and s = sum(y, axis) lined up with y.
std::optional<Var> multiply_out_sum(const Var& t, const Var& y, int depth) {
  const Vars* e = elemwise_inputs(y, ScalarOpId::Exp);
  if (!e || t.ndim() != y.ndim()) return std::nullopt;
  const Var x = as_dtype((*e)[0], y.dtype());
  const Op& op = t.owner()->op();
  if (const auto* shuffle = dynamic_cast<const detail::DimShuffle*>(&op)) {
    const auto r = divide_out_sum(t.owner()->inputs[0], y, &shuffle->pattern(), depth);
    if (!r) return std::nullopt;
    std::vector<DimEntry> pattern;
    for (int p : shuffle->pattern()) pattern.push_back(p < 0 ? DimEntry('x') : DimEntry(p));
    const Var sm = tensor::nnet::softmax(x, r->second);
    return is_constant_value(r->first, 1) ? sm : tensor::dimshuffle(r->first, pattern) * sm;
  }
  const auto* sum = dynamic_cast<const detail::Reduce*>(&op);
  if (!sum || sum->kind() != detail::ReduceKind::Sum || !sum->keepdims() || sum->axes().size() != 1)
    return std::nullopt;
  const auto r = divide_out_sum(t.owner()->inputs[0], y, nullptr, depth);
  if (!r || r->second != sum->axes()[0]) return std::nullopt;
  return tensor::sum(r->first, sum->axes()[0], true) * tensor::nnet::softmax(x, r->second);
}

// t * y without the division by y that t holds, or nullopt when t holds none where a
// product can reach it (as a factor of a product or quotient, under a negation, a cast or
// a fill, in a switch branch, in a term of a sum).
std::optional<Var> multiply_out(const Var& t, const Var& y, int depth) {
  if (depth == 0 || !t.owner()) return std::nullopt;
  const detail::Elemwise* e = elemwise_of(t);
  if (!e) return multiply_out_sum(t, y, depth - 1);
  const Vars& in = t.owner()->inputs;
  switch (e->scalar_op()) {
    case ScalarOpId::TrueDiv: {
      if (std::optional<Var> r = over_y(in[1], y)) return in[0] * *r;
      if (auto u = multiply_out(in[0], y, depth - 1)) return *u / in[1];
      return std::nullopt;
    }
    case ScalarOpId::Reciprocal: {
      if (std::optional<Var> r = over_y(in[0], y)) return *r;
      return std::nullopt;
    }
    case ScalarOpId::Neg: {
      if (auto u = multiply_out(in[0], y, depth - 1)) return tensor::neg(*u);
      return std::nullopt;
    }
    case ScalarOpId::Identity: {  // a cast
      if (auto u = multiply_out(in[0], y, depth - 1)) return as_dtype(*u, t.dtype());
      return std::nullopt;
    }
    case ScalarOpId::Second: {  // fill(model, v) * y = fill(model, v * y)
      if (auto u = multiply_out(in[1], y, depth - 1)) return tensor::fill(in[0], *u);
      return std::nullopt;
    }
    case ScalarOpId::Mul: {
      for (size_t i = 0; i < in.size(); ++i) {
        if (auto u = multiply_out(in[i], y, depth - 1)) {
          Vars factors = in;
          factors[i] = *u;
          return tensor::mul(factors);
        }
      }
      return std::nullopt;
    }
    case ScalarOpId::Switch: {  // switch(c, a, b) * y = switch(c, a * y, b * y); 0 * y = 0
      const std::optional<Var> a = multiply_out(in[1], y, depth - 1);
      const std::optional<Var> b = multiply_out(in[2], y, depth - 1);
      if (!a && !b) return std::nullopt;
      auto branch = [&](const std::optional<Var>& done, const Var& v) {
        return done ? *done : is_constant_value(v, 0) ? v : v * y;
      };
      return tensor::switch_(in[0], branch(a, in[1]), branch(b, in[2]));
    }
    case ScalarOpId::Add:
    case ScalarOpId::Sub: {
      bool any = false;
      Vars terms;
      for (const Var& v : in) {
        std::optional<Var> u = multiply_out(v, y, depth - 1);
        any = any || u.has_value();
        terms.push_back(u ? *u : v * y);
      }
      if (!any) return std::nullopt;
      if (e->scalar_op() == ScalarOpId::Sub) return terms[0] - terms[1];
      return tensor::add(terms);
    }
    default:
      return std::nullopt;
  }
}

// The factors of a product, looking through nested products of the same dtype.
void collect_factors(const Var& v, DType dtype, int depth, Vars& out) {
  const detail::Elemwise* e = elemwise_of(v, ScalarOpId::Mul);
  if (!e || v.dtype() != dtype || depth == 0) {
    out.push_back(v);
    return;
  }
  for (const Var& f : v.owner()->inputs) collect_factors(f, dtype, depth - 1, out);
}

// The product of `factors` with factors[i] replaced by `u` and factors[j] left out, with
// `out`'s type; y = factors[j] is the first shape source, so that the fill (if any) does
// not read the quotient the rule removed.
std::optional<Vars> rebuild(const Var& out, const Vars& factors, size_t i, size_t j, const Var& u) {
  Vars rest{u};
  Vars sources{factors[j]};
  for (size_t k = 0; k < factors.size(); ++k) {
    if (k != i && k != j) rest.push_back(factors[k]);
    if (k != j) sources.push_back(factors[k]);
  }
  const Var product = rest.size() == 1 ? rest[0] : tensor::mul(rest);
  std::optional<Var> v = broadcast_like(product, out, sources);
  if (!v) return std::nullopt;
  return Vars{*v};
}

// (... u / p ...) * p = (... u ...) for p that can underflow (sigmoid(x), 1 - sigmoid(x),
// exp(x), softmax(x)): where p rounds to 0 the product is exact instead of 0 * inf = NaN.
// Also, with the division outermost, (... y ...) / d = (...) * (y / d) for y / d =
// sigmoid(x) or softmax(x) (y = exp(x), d = 1 + y or sum(y)).
const LocalRewrite multiply_out_underflowing_division{
    "multiply_out_underflowing_division", {"mul", "true_div"},
    [](const ApplyNode& node, const FunctionGraph&) -> std::optional<Vars> {
      const Var& out = node.output(0);
      if (!is_inexact(out.dtype())) return std::nullopt;
      const bool is_div = applies(node, ScalarOpId::TrueDiv);
      if (!is_div && !applies(node, ScalarOpId::Mul)) return std::nullopt;
      Vars factors;
      if (is_div) {
        collect_factors(node.inputs[0], out.dtype(), kMaxDepth, factors);
        factors.push_back(node.inputs[1]);
        const size_t d = factors.size() - 1;
        // exp(x) / sum(exp(x)) alone is softmax_from_exp_ratio's (and excluding it by name
        // must leave it).
        if (d == 1 && normalizing_axis(factors[d], factors[0])) return std::nullopt;
        for (size_t j = 0; j < d; ++j)
          if (can_underflow(factors[j]))
            if (std::optional<Var> r = over_y(factors[d], factors[j])) return rebuild(out, factors, d, j, *r);
        return std::nullopt;
      }
      for (const Var& f : node.inputs) collect_factors(f, out.dtype(), kMaxDepth, factors);
      for (size_t j = 0; j < factors.size(); ++j) {
        if (!can_underflow(factors[j])) continue;
        for (size_t i = 0; i < factors.size(); ++i) {
          if (i == j) continue;
          if (std::optional<Var> u = multiply_out(factors[i], factors[j], kMaxDepth))
            return rebuild(out, factors, i, j, *u);
        }
      }
      return std::nullopt;
    }};

}  // namespace

void register_cancel_rules(RewriteDb& db) {
  db.add("stabilize", multiply_out_underflowing_division, {"fast_run"});
}

}  // namespace theon::rewrite::stabilize
