// specialize: general operations replaced by cheaper special cases, once the graph is
// canonical and stable. Powers by constants become squares, roots and products;
// multiplication by a power of two is left alone (it is exact, and so is every
// rewrite here that touches one).
#include <cmath>

#include "ops/elemwise.hpp"
#include "rewrite/algebra_util.hpp"
#include "rewrite/phases.hpp"
#include "rewrite/rewrite_util.hpp"
#include "theon/tensor.hpp"

namespace theon::rewrite {
namespace {

using detail::ScalarOpId;
namespace T = theon::tensor;

// Integer exponents up to this size become products (x**4 = sqr(sqr(x))): two roundings
// at most, against one for pow, and no call to pow.
constexpr int kMaxProductExponent = 4;

// x**n for 1 <= n <= kMaxProductExponent, by squaring.
Var power_by_products(const Var& x, int n) {
  if (n == 1) return x;
  Var half = T::sqr(power_by_products(x, n / 2));
  return n % 2 ? T::mul(x, half) : half;
}

// x ** c for a constant c that is the same everywhere:
//   x**0 -> 1 (pow(nan, 0) is 1 too)   x**1 -> x        x**2 -> sqr(x)
//   x**3 -> x * sqr(x)                 x**4 -> sqr(sqr(x))
//   x**0.5 -> sqrt(x)                  x**-0.5 -> reciprocal(sqrt(x))
//   x**-n -> reciprocal(x**n)          (floats only: integer powers with a negative
//                                       exponent truncate, see k::pow)
// x is cast to the pow's dtype first (int32 x ** 2.0 is float64, and sqr(x) would wrap).
// sqrt differs from pow at -inf (pow(-inf, 0.5) is +inf, sqrt(-inf) nan) and at -0.0,
// as in Theano.
std::optional<Vars> specialize_pow(const ApplyNode& node, const FunctionGraph&) {
  const Var& base = node.inputs[0];
  const Var& exponent = node.inputs[1];
  const Var old = node.output(0);
  const DType dtype = old.dtype();
  std::optional<double> c = uniform_constant(exponent);
  if (!c) return std::nullopt;
  const bool real_float = is_float(dtype);
  const Var x = T::cast(base, dtype);
  Var v;
  const double n = std::fabs(*c);
  if (*c == 0) {
    v = scalar_constant(1, dtype, old.ndim(), old.loc());
  } else if (n == 0.5 && real_float) {
    v = T::sqrt(x);
    if (*c < 0) v = T::reciprocal(v);
  } else if (n == std::floor(n) && n <= kMaxProductExponent && (*c > 0 || real_float)) {
    v = power_by_products(x, static_cast<int>(n));
    if (*c < 0) v = T::reciprocal(v);
  } else {
    return std::nullopt;
  }
  const Var sources[] = {base, exponent};
  std::optional<Var> out = broadcast_like(v, old, sources);
  if (!out) return std::nullopt;
  return Vars{*out};
}

// x * x -> sqr(x)
std::optional<Vars> sqr_from_mul(const ApplyNode& node, const FunctionGraph&) {
  if (node.inputs.size() != 2 || !node.inputs[0].is(node.inputs[1])) return std::nullopt;
  return Vars{T::sqr(node.inputs[0])};
}

}  // namespace

void register_specialize(RewriteDb& db) {
  const std::vector<std::string> tags = {"fast_run"};
  db.add("specialize", LocalRewrite{"specialize_pow", {"pow"}, specialize_pow}, tags);
  db.add("specialize", LocalRewrite{"sqr_from_mul", {"mul"}, sqr_from_mul}, tags);
}

}  // namespace theon::rewrite
