// verify_grad (finite differences) of the three convolution ops: conv2d / conv3d with
// respect to input and filters, and the two gradient ops with respect to their operands
// (second derivatives of conv), on small shapes with strides, dilation, padding, groups.
#include "grad/grad_check.hpp"
#include "theon/conv.hpp"

namespace theon {
namespace {

namespace T = tensor;
namespace nnet = tensor::nnet;
using testing::check_rows;
using testing::GradRow;

TEST(ConvGrad, ForwardOpsMatchFiniteDifferences) {
  check_rows({
      {"conv2d valid", [](const Vars& in) { return nnet::conv2d(in[0], in[1]); },
       {{{2, 2, 5, 4}}, {{3, 2, 3, 2}}}},
      {"conv2d stride 2 pad 1 dilation 2 unflipped",
       [](const Vars& in) {
         return nnet::conv2d(in[0], in[1], {}, {}, 1, {2, 1}, false, {2, 1});
       },
       {{{2, 1, 6, 5}}, {{2, 1, 2, 3}}}},
      {"conv2d full, 2 groups",
       [](const Vars& in) {
         return nnet::conv2d(in[0], in[1], {}, {}, "full", {1, 2}, true, {1, 1}, 2);
       },
       {{{1, 4, 4, 3}}, {{2, 2, 2, 2}}}},
      {"conv2d half",
       [](const Vars& in) { return nnet::conv2d(in[0], in[1], {}, {}, "half"); },
       {{{2, 1, 4, 4}}, {{1, 1, 3, 3}}}},
      {"conv3d pad (1, 0, 1) stride 2",
       [](const Vars& in) {
         return nnet::conv3d(in[0], in[1], {}, {}, std::vector<int64_t>{1, 0, 1}, {2, 1, 2});
       },
       {{{1, 2, 3, 3, 4}}, {{2, 2, 2, 2, 2}}}},
  });
}

TEST(ConvGrad, GradientOpsMatchFiniteDifferences) {
  check_rows({
      {"conv2d_grad_wrt_inputs",
       [](const Vars& in) {
         return nnet::conv2d_grad_wrt_inputs(in[0], in[1], Shape{2, 2, 6, 5}, {}, 1, {2, 2});
       },
       {{{2, 3, 4, 3}}, {{3, 2, 2, 3}}}},
      {"conv2d_grad_wrt_weights",
       [](const Vars& in) {
         return nnet::conv2d_grad_wrt_weights(in[0], in[1], Shape{4, 1, 3, 3}, {}, "half",
                                              {1, 1}, true, {1, 1}, 2);
       },
       {{{2, 2, 4, 5}}, {{2, 4, 4, 5}}}},
      {"conv3d_grad_wrt_inputs",
       [](const Vars& in) {
         return nnet::conv3d_grad_wrt_inputs(in[0], in[1], Shape{1, 2, 3, 4, 3}, {}, "valid",
                                             {1, 2, 1});
       },
       {{{1, 2, 2, 2, 2}}, {{2, 2, 2, 2, 2}}}},
      {"conv3d_grad_wrt_weights",
       [](const Vars& in) {
         return nnet::conv3d_grad_wrt_weights(in[0], in[1], Shape{2, 1, 2, 1, 2}, {}, "full");
       },
       {{{1, 1, 2, 3, 2}}, {{1, 2, 3, 3, 3}}}},
      // The gradient of a gradient: d/dx of sum(grad_w(conv(x, w)))...
      {"second derivative through grad of conv2d",
       [](const Vars& in) {
         const Var y = nnet::conv2d(in[0], in[1], {}, {}, 1, {2, 1});
         return T::grad(T::sum(T::sqr(y)), Vars{in[1]})[0];
       },
       {{{1, 2, 4, 4}}, {{2, 2, 2, 2}}}},
  });
}

}  // namespace
}  // namespace theon
