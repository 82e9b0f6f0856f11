// verify_grad: symbolic gradient vs central differences along a random projection.
#include "theon/verify_grad.hpp"

#include <cmath>
#include <iomanip>
#include <limits>
#include <random>
#include <sstream>

#include "theon/function.hpp"
#include "theon/grad.hpp"
#include "theon/reduce.hpp"
#include "theon/test_value.hpp"

namespace theon {
namespace {

struct Tolerances {
  double eps, abs_tol, rel_tol;
};

// float32 evaluates the cost in single precision: roundoff in C(x +- eps) is ~1e-7 |C|,
// so the step must be large and the tolerances loose.
Tolerances defaults_for(DType dtype) {
  if (dtype == DType::Float32) return {1e-3, 1e-2, 1e-2};
  return {1e-6, 1e-4, 1e-4};
}

std::vector<int64_t> unravel(int64_t flat, const Shape& shape) {
  std::vector<int64_t> index(shape.size());
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
    index[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  return index;
}

std::string index_str(const std::vector<int64_t>& index) {
  std::string s = "(";
  for (size_t i = 0; i < index.size(); ++i) s += (i ? ", " : "") + std::to_string(index[i]);
  if (index.size() == 1) s += ",";
  return s + ")";
}

double read(const NDArray& a, int64_t flat) {
  return visit_dtype(a.dtype(), [&](auto tag) -> double {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) return static_cast<double>(a.data<T>()[flat]);
    else THEON_ASSERT(false) << "verify_grad: non-float working array";
    return 0;
  });
}

// Stores `value` (rounded to the array's dtype) and returns what was stored.
double write(NDArray& a, int64_t flat, double value) {
  return visit_dtype(a.dtype(), [&](auto tag) -> double {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      a.data<T>()[flat] = static_cast<T>(value);
      return static_cast<double>(a.data<T>()[flat]);
    } else {
      THEON_ASSERT(false) << "verify_grad: non-float working array";
      return 0;
    }
  });
}

double scalar_of(const Result& r) { return r.array().item<double>(); }

}  // namespace

void verify_grad(std::function<Var(const Vars&)> fn, const std::vector<NDArray>& points,
                 VerifyGradOptions options) {
  namespace T = tensor;
  THEON_CHECK_USER(!points.empty(), ValueError) << "verify_grad: needs at least one point";
  THEON_CHECK_USER(options.n_tests >= 1, ValueError)
      << "verify_grad: n_tests must be at least 1, got " << options.n_tests;
  // The loosest defaults among the dtypes involved: one float32 operand limits the
  // precision of the whole cost.
  DType narrowest = DType::Float64;
  Vars inputs;
  for (size_t i = 0; i < points.size(); ++i) {
    const NDArray& p = points[i];
    THEON_CHECK_USER(p.defined() && is_float(p.dtype()), TypeError)
        << "verify_grad: point " << i << " must be a float32 or float64 array, got "
        << (p.defined() ? std::string(dtype_name(p.dtype())) : std::string("an undefined array"))
        << " (gradients with respect to integers are zero by definition)";
    if (p.dtype() == DType::Float32) narrowest = DType::Float32;
    BroadcastPattern pattern;
    for (int64_t d : p.shape()) pattern.push_back(d == 1);
    inputs.push_back(T::variable(TensorType(p.dtype(), pattern), "input " + std::to_string(i)));
    if (detail::test_values_active()) set_test_value(inputs.back(), p);  // fn's nodes are checked
  }

  const Var out = fn(inputs);
  NoTestValues no_test_values;  // what follows is verify_grad's own graph
  THEON_CHECK_USER(out.defined(), ValueError) << "verify_grad: fn returned an undefined variable";
  THEON_CHECK_USER(is_float(out.dtype()), TypeError)
      << "verify_grad: fn must return a float tensor, got " << describe(out);
  if (out.dtype() == DType::Float32) narrowest = DType::Float32;
  const Tolerances defaults = defaults_for(narrowest);
  const double eps = options.eps.value_or(defaults.eps);
  const double abs_tol = options.abs_tol.value_or(defaults.abs_tol);
  const double rel_tol = options.rel_tol.value_or(defaults.rel_tol);

  FunctionOptions fopts;
  fopts.on_unused_input = "ignore";
  fopts.mode = options.mode;
  std::vector<Arg> args;
  for (const NDArray& p : points) args.emplace_back(p);
  const Shape out_shape = function(inputs, out, {}, fopts).call(args).array().shape();

  // C = sum(out * P): one scalar whose gradient mixes every output element.
  const Var projection = T::variable(TensorType(DType::Float64, out.broadcastable()), "projection");
  const Var cost = T::sum(T::cast(out, DType::Float64) * projection);
  GradOptions gopts;
  gopts.disconnected_inputs = "ignore";  // an unused input's numeric gradient is 0 too
  const Vars grads = T::grad(cost, inputs, gopts);
  Vars all_inputs = inputs;
  all_inputs.push_back(projection);
  const Function cost_fn = function(all_inputs, cost, {}, fopts);
  const Function grad_fn = function(all_inputs, grads, {}, fopts);

  std::vector<NDArray> work;
  for (const NDArray& p : points) work.push_back(p.copy());
  std::mt19937_64 rng(options.seed);
  std::uniform_real_distribution<double> uniform(0.5, 1.5);

  for (int test = 0; test < options.n_tests; ++test) {
    NDArray proj = NDArray::empty(DType::Float64, out_shape);
    for (int64_t k = 0; k < proj.size(); ++k) proj.data<double>()[k] = uniform(rng);
    std::vector<Arg> call_args;
    for (const NDArray& w : work) call_args.emplace_back(w);
    call_args.emplace_back(proj);
    const Result analytic = grad_fn.call(call_args);

    for (size_t i = 0; i < work.size(); ++i) {
      NDArray& w = work[i];
      const NDArray a = analytic[i].astype(DType::Float64);
      const std::string what = "input " + std::to_string(i) + " (" +
                               std::string(dtype_name(w.dtype())) + ", shape " +
                               shape_str(w.shape()) + ")";
      if (!(a.shape() == w.shape()))
        throw GradientError("verify_grad: the symbolic gradient of " + what + " has shape " +
                                shape_str(a.shape()),
                            static_cast<int>(i), {}, std::nan(""), std::nan(""), std::nan(""),
                            std::nan(""));
      double worst_score = -1;
      int64_t worst = -1;
      double worst_numeric = 0, worst_abs = 0, worst_rel = 0;
      for (int64_t j = 0; j < w.size(); ++j) {
        const double x = read(w, j);
        const double hi = write(w, j, x + eps);
        const double c_hi = scalar_of(cost_fn.call(call_args));
        const double lo = write(w, j, x - eps);
        const double c_lo = scalar_of(cost_fn.call(call_args));
        write(w, j, x);
        const double numeric = (c_hi - c_lo) / (hi - lo);
        const double an = a.data<double>()[j];
        double abs_err = std::abs(an - numeric);
        double rel_err = abs_err / std::max(std::abs(an) + std::abs(numeric), 1e-8);
        if (std::isnan(abs_err)) abs_err = rel_err = std::numeric_limits<double>::infinity();
        const double score = std::min(abs_err / abs_tol, rel_err / rel_tol);
        if (score > worst_score) {
          worst_score = score;
          worst = j;
          worst_numeric = numeric;
          worst_abs = abs_err;
          worst_rel = rel_err;
        }
      }
      if (worst < 0 || worst_score <= 1) continue;
      const std::vector<int64_t> index = unravel(worst, w.shape());
      const double an = a.data<double>()[worst];
      std::ostringstream msg;
      msg << std::setprecision(10) << "verify_grad: the gradient of " << what
          << " disagrees with finite differences; worst element " << index_str(index)
          << ": analytic " << an << ", numeric " << worst_numeric << std::setprecision(3)
          << "; abs error " << worst_abs << " > abs_tol " << abs_tol << " and rel error "
          << worst_rel << " > rel_tol " << rel_tol << " (eps " << eps << ", projection "
          << test << ", seed " << options.seed << ")";
      throw GradientError(msg.str(), static_cast<int>(i), index, an, worst_numeric, worst_abs,
                          worst_rel);
    }
  }
}

}  // namespace theon
