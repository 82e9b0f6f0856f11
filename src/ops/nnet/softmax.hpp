// softmax and log_softmax along one axis: dedicated ops, so that they are computed after
// subtracting the maximum (stable for any input) and have compact pullbacks. Declared
// here for rewrites that match them (log(softmax(x)) -> log_softmax(x)).
#pragma once

#include "theon/graph.hpp"

namespace theon::detail {

class Softmax final : public Op {
 public:
  // `axis` within [0, input_ndim).
  Softmax(bool is_log, int axis, int input_ndim)
      : is_log_(is_log), axis_(axis), input_ndim_(input_ndim) {}

  bool is_log() const { return is_log_; }
  int axis() const { return axis_; }

  std::string name() const override { return is_log_ ? "log_softmax" : "softmax"; }
  std::string props() const override { return "axis=" + std::to_string(axis_); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
  std::string print(std::span<const std::string> args) const override;

 private:
  bool is_log_;
  int axis_;
  int input_ndim_;
};

}  // namespace theon::detail
