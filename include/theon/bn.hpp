// Batch normalization (Theano's theano.tensor.nnet.bn), in theon::tensor::nnet::bn.
//
// The statistics are taken over the normalization axes:
//   "per-activation"  axes (0,): one mean and variance per feature (dense layers);
//   "spatial"         axes (0, 2, 3, ...): every axis but 1, one per channel (conv layers);
//   or an explicit list of axes (sorted, at least one, each in [0, ndim)).
// gamma, beta (and mean, var, running_mean, running_var) either have the input's rank,
// with length 1 on the normalization axes, or one dimension per kept axis (a vector of
// channels for "spatial"), which is placed on the kept axes as Theano does. Parameters
// take the input's float dtype.
//
//   namespace bn = theon::tensor::nnet::bn;
//   auto x = T::ftensor4("x");                       // (batch, channels, rows, columns)
//   auto gamma = T::fvector("gamma"), beta = T::fvector("beta");
//   auto r = bn::batch_normalization_train(x, gamma, beta, "spatial");
//   // r.out has x's shape; r.mean and r.invstd are vectors of channels.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "theon/tensor.hpp"

namespace theon::tensor::nnet::bn {

// The normalization axes: "per-activation", "spatial", or explicit axes.
class NormAxes {
 public:
  NormAxes(const char* mode) : mode_(mode) {}
  NormAxes(std::string_view mode) : mode_(mode) {}
  NormAxes(std::initializer_list<int> axes) : axes_(axes) {}
  NormAxes(std::vector<int> axes) : axes_(std::move(axes)) {}
  // The sorted axes for an input of rank `ndim`; ValueError for an unknown mode, no axes,
  // an axis out of range or a repeated one.
  std::vector<int> resolve(int ndim, std::string_view op) const;

 private:
  std::string mode_;
  std::vector<int> axes_;
};

// What batch_normalization_train returns: Theano's tuple, by name. new_running_mean and
// new_running_var are defined only when running_mean and running_var were given.
struct BatchNormTrainResult {
  Var out;
  Var mean;
  Var invstd;
  Var new_running_mean;
  Var new_running_var;
  // out, mean, invstd[, new_running_mean, new_running_var], as Theano's tuple.
  std::vector<Var> as_tuple() const;
};

// Normalizes with the batch's own statistics:
//   mean   = inputs.mean(axes, keepdims)
//   var    = inputs.var(axes, keepdims)            (divides by m, the count per channel)
//   invstd = 1 / sqrt(var + epsilon)
//   out    = (inputs - mean) * gamma * invstd + beta
// With running_mean and running_var (both or neither), also the updated averages
//   new_running_mean = running_mean * (1 - factor) + mean * factor
//   new_running_var  = running_var * (1 - factor) + var * m / (m - 1) * factor
// (the unbiased variance), to be assigned in a function's updates. One op computes all
// outputs in two passes over the data; its gradient is one op too (second order works).
// An empty batch (m = 0) is a ValueError when the function runs, as is m = 1 with running
// averages (the unbiased variance of one value is undefined).
BatchNormTrainResult batch_normalization_train(VarArg inputs, VarArg gamma, VarArg beta,
                                               const NormAxes& axes = "per-activation",
                                               double epsilon = 1e-4,
                                               double running_average_factor = 0.1,
                                               std::optional<Var> running_mean = std::nullopt,
                                               std::optional<Var> running_var = std::nullopt);

// Normalizes with given statistics (the running averages, at inference):
//   out = (inputs - mean) * gamma / sqrt(var + epsilon) + beta
// An element-wise graph: the fusion phase makes it one loop.
Var batch_normalization_test(VarArg inputs, VarArg gamma, VarArg beta, VarArg mean, VarArg var,
                             const NormAxes& axes = "per-activation", double epsilon = 1e-4);

// Theano's older element-wise form, with ordinary broadcasting and a standard deviation:
//   mode "low_mem":  (inputs - mean) / std * gamma + beta
//   mode "high_mem": (inputs - mean) * (gamma / std) + beta
// (the same values up to rounding; ValueError for another mode).
Var batch_normalization(VarArg inputs, VarArg gamma, VarArg beta, VarArg mean, VarArg std,
                        std::string_view mode = "low_mem");

}  // namespace theon::tensor::nnet::bn
