// The pooling ops (include/theon/pool.hpp says what they compute). Declared here for
// the arg-max rewrite (src/rewrite/pool_argmax.cpp), which matches them.
//
//   pool(x)                          Pool: any mode
//   max_pool_grad(x, maxout, gz)     MaxPoolGrad: gz to the first maximum of each window
//   average_pool_grad(x, gz)         AveragePoolGrad: sum / average modes
//   max_pool_grad_grad(x, maxout, g) MaxPoolGradGrad: g read at each window's maximum
//   pool_argmax(x)                   PoolArgmax: (max pool, int32 arg-max per window)
//   max_pool_argmax_grad(x, a, gz)   MaxPoolArgmaxGrad: gz scattered to the arg-max a
// The last two exist only in compiled graphs: the rewrite makes them from the first two
// when both read the same x with the same parameters.
#pragma once

#include "ops/pool/pool_params.hpp"
#include "theon/graph.hpp"

namespace theon::detail::pool {

// What every pooling op shares: its parameters, which are its props.
class PoolOpBase : public Op {
 public:
  explicit PoolOpBase(Params params) : params_(params) {}
  const Params& params() const { return params_; }
  std::string props() const override { return params_.describe(); }

 protected:
  // TypeError unless v has at least params().nd dimensions (named `what`).
  void expect_rank(const Var& v, const char* what) const;
  // ShapeError unless `a` has the pooled shape of x (`what` names it).
  void expect_pooled_shape(const NDArray& a, const NDArray& x, const Geometry& g,
                           const char* what) const;

  Params params_;
};

class Pool final : public PoolOpBase {
 public:
  using PoolOpBase::PoolOpBase;
  std::string name() const override { return "pool"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
};

class MaxPoolGrad final : public PoolOpBase {
 public:
  using PoolOpBase::PoolOpBase;
  std::string name() const override { return "max_pool_grad"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
};

class AveragePoolGrad final : public PoolOpBase {
 public:
  using PoolOpBase::PoolOpBase;
  std::string name() const override { return "average_pool_grad"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
};

class MaxPoolGradGrad final : public PoolOpBase {
 public:
  using PoolOpBase::PoolOpBase;
  std::string name() const override { return "max_pool_grad_grad"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
};

class PoolArgmax final : public PoolOpBase {
 public:
  using PoolOpBase::PoolOpBase;
  std::string name() const override { return "pool_argmax"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
};

class MaxPoolArgmaxGrad final : public PoolOpBase {
 public:
  using PoolOpBase::PoolOpBase;
  std::string name() const override { return "max_pool_argmax_grad"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
};

// Builders (the public functions of pool.hpp go through these; so does the rewrite).
Var pool(const Var& x, const Params& p, const Loc& loc);
Var max_pool_grad(const Var& x, const Var& maxout, const Var& gz, const Params& p, const Loc& loc);
Var average_pool_grad(const Var& x, const Var& gz, const Params& p, const Loc& loc);
Var max_pool_grad_grad(const Var& x, const Var& maxout, const Var& ggx, const Params& p,
                       const Loc& loc);
// (max pool, arg-max) of x.
Vars pool_argmax(const Var& x, const Params& p, const Loc& loc);
Var max_pool_argmax_grad(const Var& x, const Var& argmax, const Var& gz, const Params& p,
                         const Loc& loc);

}  // namespace theon::detail::pool
