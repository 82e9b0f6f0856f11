// Neural-network operations (Theano's theano.tensor.nnet), in theon::tensor::nnet.
//
// Every function is computed without overflow for inputs of +-1000 and has a gradient
// that stays finite there too. softmax, log_softmax and the integer-label form of
// categorical_crossentropy are dedicated ops with their own pullbacks; the others are
// element-wise graphs.
//
//   namespace nnet = theon::tensor::nnet;
//   auto x = T::dmatrix("x");
//   auto labels = T::lvector("labels");
//   auto loss = T::mean(nnet::categorical_crossentropy(nnet::softmax(x), labels));
#pragma once

#include "theon/tensor.hpp"

namespace theon::tensor::nnet {

// 1 / (1 + exp(-x)) (the same op as tensor::sigmoid).
inline Var sigmoid(VarArg x) { return tensor::sigmoid(x); }
// log(1 + exp(x)) (the same op as tensor::softplus): x for large x, exp(x) for very
// negative x.
inline Var softplus(VarArg x) { return tensor::softplus(x); }

// Theano's hard_sigmoid: clip(0.2 * x + 0.5, 0, 1), a piecewise-linear sigmoid.
Var hard_sigmoid(VarArg x);
// Theano's ultra_fast_sigmoid was a piecewise approximation (error up to ~0.02) chosen for
// speed; here it is the exact sigmoid, which is as fast and overflow-free.
inline Var ultra_fast_sigmoid(VarArg x) { return tensor::sigmoid(x); }

// x where x > 0, alpha * x elsewhere (alpha = 0: the plain rectifier). The gradient is 1
// where x > 0 and alpha where x <= 0, so alpha at exactly 0 (Theano's formula
// 0.5 * (1 + alpha) * x + 0.5 * (1 - alpha) * |x| gives 0.5 * (1 + alpha) there).
// An integer x stays integer when alpha is 0.
Var relu(VarArg x, double alpha = 0);

// x where x > 0, alpha * (exp(x) - 1) elsewhere (Clevert et al.). Computed as
// alpha * expm1(min(x, 0)) on the negative side, so large positive x overflows neither
// the value nor the gradient.
Var elu(VarArg x, double alpha = 1);

// exp(x) / sum(exp(x)) along `axis` (negative counts from the end), computed after
// subtracting the maximum along the axis: every slice sums to 1, and inputs of +-1000
// give no inf or NaN. Float inputs only (TypeError otherwise).
//   nnet::softmax(T::dmatrix("x"))        // rows sum to 1
Var softmax(VarArg x, int axis = -1);

// log(softmax(x)) along `axis`: x - max - log(sum(exp(x - max))), exact where
// log(softmax) would give log(0) = -inf.
Var log_softmax(VarArg x, int axis = -1);

// Theano's binary_crossentropy on probabilities, element-wise:
//   -(target * log(output) + (1 - target) * log(1 - output)).
// Not clipped: an output of exactly 0 or 1 gives inf (and NaN gradients) where the
// target disagrees. For logits prefer sigmoid_binary_crossentropy.
Var binary_crossentropy(VarArg output, VarArg target);

// binary_crossentropy(sigmoid(logits), target), computed stably as
//   target * softplus(-logits) + (1 - target) * softplus(logits),
// finite for logits of +-1000; its gradient is sigmoid(logits) - target.
Var sigmoid_binary_crossentropy(VarArg logits, VarArg target);

// Cross-entropy between each row of `coding_dist` (predicted probabilities) and the
// true distribution:
//  - `true_dist` an integer vector of labels: -log(coding_dist[i, label_i]) for a matrix
//    coding_dist (one op, with its own gradient; a label outside [0, n_classes) is an
//    IndexError when the function runs);
//  - `true_dist` a float tensor (one-hot or probability targets) of coding_dist's rank:
//    -sum(true_dist * log(coding_dist), axis=-1).
Var categorical_crossentropy(VarArg coding_dist, VarArg true_dist);

}  // namespace theon::tensor::nnet
