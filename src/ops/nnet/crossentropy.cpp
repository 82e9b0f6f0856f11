// Cross-entropies. The integer-label form of categorical_crossentropy is an op (it
// picks one element per row); the others are element-wise graphs.
#include <cmath>

#include "ops/op_util.hpp"
#include "theon/nnet.hpp"
#include "theon/reduce.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail {
namespace {

// out[i] = -log(p[i, labels[i]]) for a matrix p and an integer vector of labels
// (Theano's CrossentropyCategorical1Hot).
class CrossentropyCategorical1Hot final : public Op {
 public:
  std::string name() const override { return "crossentropy_categorical_1hot"; }

  std::vector<TensorType> make_types(std::span<const Var> in) const override {
    const Var& p = in[0];
    const Var& labels = in[1];
    expect_float(name(), p);
    THEON_CHECK_USER(p.ndim() == 2, TypeError)
        << "categorical_crossentropy: with integer labels the coding distribution must be a "
           "matrix (one row per example), got "
        << describe(p);
    THEON_CHECK_USER(labels.ndim() == 1 && is_integer(labels.dtype()), TypeError)
        << "categorical_crossentropy: integer labels must be a vector, got " << describe(labels);
    return {TensorType(p.dtype(), {p.broadcastable()[0] && labels.broadcastable()[0]})};
  }

  void perform(const ApplyNode& /*node*/, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& p = *in[0];
    const NDArray& labels = *in[1];
    const int64_t n = p.shape(0), k = p.shape(1);
    THEON_CHECK_USER(labels.shape(0) == n, ShapeError)
        << "categorical_crossentropy: " << labels.shape(0) << " labels for " << n
        << " rows of the coding distribution";
    NDArray& o = reuse_or_allocate(*out[0], p.dtype(), {n});
    visit_dtype(p.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_floating_point_v<T>) {
        for (int64_t i = 0; i < n; ++i) {
          const int64_t label = labels.at<int64_t>({i});
          THEON_CHECK_USER(label >= 0 && label < k, IndexError)
              << "categorical_crossentropy: label " << label << " of row " << i
              << " is outside [0, " << k << ")";
          o.data<T>()[i] = -std::log(p.data<T>()[i * p.strides()[0] + label * p.strides()[1]]);
        }
      } else {
        THEON_ASSERT(false) << name() << " on " << dtype_name(p.dtype());
      }
    });
  }

  // d/dp[i, j] = -g[i] / p[i, j] where j = labels[i], 0 elsewhere. A graph (a one-hot
  // mask chooses), so it is differentiable again; the switch keeps the -g / 0 of other
  // entries with p = 0 out of the result.
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    using namespace tensor;
    const Var& gz = output_grads[0];
    if (!gz.defined()) return {Var(), Var()};
    const Loc& loc = node.loc;
    const Var& p = node.inputs[0];
    const Var& labels = node.inputs[1];
    const Var classes = arange(VarArg(shape_i(VarArg(p, loc), 1), loc));
    const Var one_hot = eq(VarArg(dimshuffle(VarArg(labels, loc), {0, 'x'}), loc), classes);
    const Var g = dimshuffle(VarArg(gz.dtype() == p.dtype() ? gz : cast(gz, p.dtype()), loc),
                             {0, 'x'});
    return {switch_(VarArg(one_hot, loc), -g / p, 0), Var()};
  }

  std::string print(std::span<const std::string> args) const override {
    return "categorical_crossentropy(" + args[0] + ", " + args[1] + ")";
  }
};

}  // namespace
}  // namespace theon::detail

namespace theon::tensor::nnet {

Var binary_crossentropy(VarArg output, VarArg target) {
  const Loc& loc = output.loc;
  const Var& o = output.var;
  const Var& t = target.var;
  const Var log_o = log(VarArg(o, loc));
  const Var log_not_o = log(VarArg(sub(VarArg(1, loc), o), loc));
  return neg(VarArg(VarArg(t, loc) * log_o + sub(VarArg(1, loc), t) * log_not_o, loc));
}

// log(sigmoid(x)) = -softplus(-x) and log(1 - sigmoid(x)) = -softplus(x).
Var sigmoid_binary_crossentropy(VarArg logits, VarArg target) {
  const Loc& loc = logits.loc;
  const Var& x = logits.var;
  const Var& t = target.var;
  const Var positive = VarArg(t, loc) * softplus(VarArg(neg(VarArg(x, loc)), loc));
  return VarArg(positive, loc) + sub(VarArg(1, loc), t) * softplus(VarArg(x, loc));
}

Var categorical_crossentropy(VarArg coding_dist, VarArg true_dist) {
  const Loc& loc = coding_dist.loc;
  const Var& p = coding_dist.var;
  const Var& t = true_dist.var;
  if (is_integer(t.dtype()))
    return detail::apply_op<detail::CrossentropyCategorical1Hot>(loc, {p, t});
  THEON_CHECK_USER(t.ndim() == p.ndim() && p.ndim() >= 1, TypeError)
      << "categorical_crossentropy: the true distribution must be an integer vector of labels "
         "or a tensor of the coding distribution's rank"
      << detail::describe_inputs(Vars{p, t});
  return neg(VarArg(sum(VarArg(VarArg(t, loc) * log(VarArg(p, loc)), loc), -1), loc));
}

}  // namespace theon::tensor::nnet
