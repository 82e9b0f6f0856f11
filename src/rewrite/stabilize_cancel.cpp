// The stabilize phase, gradient rules. The gradient of log(p) is g / p, and the pullback
// of p = sigmoid(x) multiplies it by p * (1 - p), that of p = softmax(x) by p: where p
// underflows to 0 (x = -1000) this is (g / 0) * 0 = NaN although the exact product, g
// * (1 - p), is finite. The rule here multiplies such a quotient out: (u / p) * p = u,
// distributing p over the sums, negations and switches the quotient sits in.
#include "ops/nnet/softmax.hpp"
#include "rewrite/rewrite_util.hpp"
#include "rewrite/stabilize.hpp"
#include "theon/tensor.hpp"

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

// t * y without the division by y that t holds, or nullopt when t holds none where a
// product can reach it (as a factor of a product or quotient, under a negation, a cast or
// a fill, in a switch branch, in a term of a sum).
std::optional<Var> multiply_out(const Var& t, const Var& y, int depth) {
  if (depth == 0 || !t.owner()) return std::nullopt;
  const detail::Elemwise* e = elemwise_of(t);
  if (!e) return std::nullopt;
  const Vars& in = t.owner()->inputs;
  switch (e->scalar_op()) {
    case ScalarOpId::TrueDiv: {
      if (same_value(in[1], y)) return in[0];  // (u / y) * y = u
      if (auto u = multiply_out(in[0], y, depth - 1)) return *u / in[1];
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

// (... u / p ...) * p = (... u ...) for p that can underflow (sigmoid(x), 1 - sigmoid(x),
// exp(x), softmax(x)): where p rounds to 0 the product is exact instead of 0 * inf = NaN.
const LocalRewrite multiply_out_underflowing_division{
    "multiply_out_underflowing_division", {"mul"},
    [](const ApplyNode& node, const FunctionGraph&) -> std::optional<Vars> {
      const Var& out = node.output(0);
      if (!is_inexact(out.dtype())) return std::nullopt;
      Vars factors;
      for (const Var& f : node.inputs) collect_factors(f, out.dtype(), kMaxDepth, factors);
      for (size_t j = 0; j < factors.size(); ++j) {
        if (!can_underflow(factors[j])) continue;
        for (size_t i = 0; i < factors.size(); ++i) {
          if (i == j) continue;
          const std::optional<Var> u = multiply_out(factors[i], factors[j], kMaxDepth);
          if (!u) continue;
          Vars rest{*u};
          for (size_t k = 0; k < factors.size(); ++k)
            if (k != i && k != j) rest.push_back(factors[k]);
          const Var product = rest.size() == 1 ? rest[0] : tensor::mul(rest);
          std::optional<Var> v = broadcast_like(product, out, factors);
          if (!v) return std::nullopt;
          return Vars{*v};
        }
      }
      return std::nullopt;
    }};

}  // namespace

void register_cancel_rules(RewriteDb& db) {
  db.add("stabilize", multiply_out_underflowing_division, {"fast_run"});
}

}  // namespace theon::rewrite::stabilize
