// The public batch-normalization functions (include/theon/bn.hpp): axes, the placement
// of the parameters on the kept axes, and the element-wise inference forms.
#include <algorithm>
#include <cmath>

#include "ops/bn/bn_ops.hpp"
#include "ops/op_util.hpp"
#include "theon/bn.hpp"
#include "theon/shape_ops.hpp"

namespace theon::tensor::nnet::bn {

std::vector<int> NormAxes::resolve(int ndim, std::string_view op) const {
  std::vector<int> axes = axes_;
  if (!mode_.empty()) {
    if (mode_ == "per-activation") {
      axes = {0};
    } else if (mode_ == "spatial") {
      axes = {0};
      for (int d = 2; d < ndim; ++d) axes.push_back(d);
    } else {
      THEON_FAIL(ValueError) << op << ": invalid axes '" << mode_
                             << "' (expected 'per-activation', 'spatial' or a tuple of axes)";
    }
  }
  std::sort(axes.begin(), axes.end());
  THEON_CHECK_USER(!axes.empty(), ValueError)
      << op << ": there must be at least one normalization axis";
  THEON_CHECK_USER(axes.front() >= 0 && axes.back() < ndim, ValueError)
      << op << ": axes must lie in [0, " << ndim << ") for inputs of rank " << ndim << ", got "
      << detail::bn::axes_str(axes);
  THEON_CHECK_USER(std::adjacent_find(axes.begin(), axes.end()) == axes.end(), ValueError)
      << op << ": repeated axis in " << detail::bn::axes_str(axes);
  return axes;
}

std::vector<Var> BatchNormTrainResult::as_tuple() const {
  std::vector<Var> tuple = {out, mean, invstd};
  if (new_running_mean.defined()) tuple.insert(tuple.end(), {new_running_mean, new_running_var});
  return tuple;
}

namespace {

// The inputs and the parameters as the ops take them: every parameter of the input's rank
// and dtype, with length 1 (broadcastable) on the normalization axes.
struct Prepared {
  Var x;
  std::vector<int> axes, kept;
  bool low_rank = false;  // the parameters came with one dimension per kept axis
};

Prepared prepare(std::string_view op, const VarArg& inputs, const Var& gamma, int ndim_min,
                 const NormAxes& axes) {
  Prepared p;
  p.x = inputs.var;
  detail::expect_float(op, p.x);
  THEON_CHECK_USER(p.x.ndim() >= ndim_min, TypeError)
      << op << ": inputs need at least " << ndim_min << " dimensions, got " << describe(p.x);
  p.axes = axes.resolve(p.x.ndim(), op);
  const std::vector<bool> normalized = detail::bn::normalized_mask(p.x.ndim(), p.axes);
  for (int d = 0; d < p.x.ndim(); ++d)
    if (!normalized[static_cast<size_t>(d)]) p.kept.push_back(d);
  p.low_rank = gamma.ndim() != p.x.ndim();
  return p;
}

Var place(std::string_view op, std::string_view what, const Var& param, const Prepared& p,
          const Loc& loc) {
  const int want = p.low_rank ? static_cast<int>(p.kept.size()) : p.x.ndim();
  THEON_CHECK_USER(param.ndim() == want, ValueError)
      << op << ": " << what << " must have one dimension per kept axis (" << p.kept.size()
      << ") or the rank of inputs (" << p.x.ndim() << ") as gamma does; got " << describe(param);
  detail::expect_float(op, param);
  Var v = param.dtype() == p.x.dtype() ? param : cast(VarArg(param, loc), p.x.dtype());
  if (!p.low_rank) return addbroadcast(VarArg(v, loc), p.axes);
  std::vector<DimEntry> pattern(static_cast<size_t>(p.x.ndim()), DimEntry('x'));
  for (size_t i = 0; i < p.kept.size(); ++i) pattern[p.kept[i]] = DimEntry(static_cast<int>(i));
  return dimshuffle(VarArg(v, loc), pattern);
}

// A statistic back in the parameters' form (one dimension per kept axis when they had it).
Var unplace(const Var& statistic, const Prepared& p, const Loc& loc) {
  if (!p.low_rank) return statistic;
  std::vector<DimEntry> pattern;
  for (int d : p.kept) pattern.emplace_back(d);
  return dimshuffle(VarArg(statistic, loc), pattern);
}

}  // namespace

BatchNormTrainResult batch_normalization_train(VarArg inputs, VarArg gamma, VarArg beta,
                                               const NormAxes& axes, double epsilon,
                                               double running_average_factor,
                                               std::optional<Var> running_mean,
                                               std::optional<Var> running_var) {
  constexpr std::string_view op = "batch_normalization_train";
  const Loc& loc = inputs.loc;
  THEON_CHECK_USER(running_mean.has_value() == running_var.has_value(), ValueError)
      << op << ": running_mean and running_var must both be given or both be left out";
  THEON_CHECK_USER(epsilon >= 0 && std::isfinite(epsilon), ValueError)
      << op << ": epsilon must be finite and non-negative, got " << epsilon;
  const Prepared p = prepare(op, inputs, gamma.var, 1, axes);
  const Var g = place(op, "gamma", gamma.var, p, loc);
  const Var b = place(op, "beta", beta.var, p, loc);
  Var rm, rv;
  if (running_mean) {
    rm = place(op, "running_mean", *running_mean, p, loc);
    rv = place(op, "running_var", *running_var, p, loc);
  }
  const Vars r = detail::bn::train(p.x, g, b, p.axes, epsilon, running_average_factor, rm, rv, loc);
  BatchNormTrainResult result;
  result.out = r[0];
  result.mean = unplace(r[1], p, loc);
  result.invstd = unplace(r[2], p, loc);
  if (running_mean) {
    // The updates must keep the shared variables' broadcastable pattern.
    result.new_running_mean =
        patternbroadcast(VarArg(unplace(r[3], p, loc), loc), running_mean->broadcastable());
    result.new_running_var =
        patternbroadcast(VarArg(unplace(r[4], p, loc), loc), running_var->broadcastable());
  }
  return result;
}

Var batch_normalization_test(VarArg inputs, VarArg gamma, VarArg beta, VarArg mean, VarArg var,
                             const NormAxes& axes, double epsilon) {
  constexpr std::string_view op = "batch_normalization_test";
  const Loc& loc = inputs.loc;
  THEON_CHECK_USER(epsilon >= 0 && std::isfinite(epsilon), ValueError)
      << op << ": epsilon must be finite and non-negative, got " << epsilon;
  const Prepared p = prepare(op, inputs, gamma.var, 1, axes);
  const Var g = place(op, "gamma", gamma.var, p, loc);
  const Var b = place(op, "beta", beta.var, p, loc);
  const Var mu = place(op, "mean", mean.var, p, loc);
  const Var v = place(op, "var", var.var, p, loc);
  // (x - mean) * (gamma / sqrt(var + epsilon)) + beta: the per-channel factor is computed
  // on the small parameters, the rest is one fused loop over x.
  const Var scale =
      VarArg(g, loc) / VarArg(sqrt(VarArg(VarArg(v, loc) + VarArg(epsilon, loc), loc)), loc);
  return VarArg(VarArg(VarArg(p.x, loc) - VarArg(mu, loc), loc) * scale, loc) + VarArg(b, loc);
}

Var batch_normalization(VarArg inputs, VarArg gamma, VarArg beta, VarArg mean, VarArg std_dev,
                        std::string_view mode) {
  const Loc& loc = inputs.loc;
  const Var centered = inputs - mean;
  if (mode == "low_mem")
    return VarArg(VarArg(VarArg(centered, loc) / std_dev, loc) * gamma, loc) + beta;
  if (mode == "high_mem")
    return VarArg(VarArg(centered, loc) * VarArg(gamma / std_dev, loc), loc) + beta;
  THEON_FAIL(ValueError) << "batch_normalization: mode must be 'low_mem' or 'high_mem', got '"
                         << mode << "'";
}

}  // namespace theon::tensor::nnet::bn
