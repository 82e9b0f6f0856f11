// The three convolution ops. Each computes a cross-correlation (the public functions in
// conv_api.cpp flip the filters for filter_flip) on contiguous copies of its operands,
// and each one's pullback is written with the other two, so that gradients of gradients
// work:
//   ConvForward(input, filters)                       -> output
//   ConvGradInput(filters, output_grad, image shape)  -> input gradient
//   ConvGradFilters(input, output_grad, kernel shape) -> filter gradient
// where the shapes are int vectors of the spatial lengths (possibly symbolic).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ops/conv/conv_geometry.hpp"
#include "theon/graph.hpp"

namespace theon::detail::conv {

enum class ConvPass { Forward, GradInput, GradFilters };

// A shape hint: empty, or one entry per dimension of the operand (nullopt: unknown).
using Hint = std::vector<std::optional<int64_t>>;

class ConvOp final : public Op {
 public:
  // `hints` hold the user's shape hints for the first two operands (checked in perform).
  ConvOp(ConvPass pass, ConvSpec spec, Hint hint0 = {}, Hint hint1 = {})
      : pass_(pass), spec_(spec), hint0_(std::move(hint0)), hint1_(std::move(hint1)) {}

  ConvPass pass() const { return pass_; }
  const ConvSpec& spec() const { return spec_; }

  std::string name() const override;
  std::string props() const override;
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override;
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override;
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  ConvPass pass_;
  ConvSpec spec_;
  Hint hint0_, hint1_;
};

// Builders the public functions and the pullbacks share (operands already of one float
// dtype and the right rank; `spatial_shape` an int vector of spec.spatial entries).
Var conv_forward(const ConvSpec& spec, const Var& input, const Var& filters, const Loc& loc,
                 Hint input_hint = {}, Hint filter_hint = {});
Var conv_grad_input(const ConvSpec& spec, const Var& filters, const Var& output_grad,
                    const Var& image_shape, const Loc& loc, Hint filter_hint = {});
Var conv_grad_filters(const ConvSpec& spec, const Var& input, const Var& output_grad,
                      const Var& kernel_shape, const Loc& loc, Hint input_hint = {});

}  // namespace theon::detail::conv
