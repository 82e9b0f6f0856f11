// The fused categorical cross-entropy of softmax(x) with integer labels, for the
// stabilize rewrite of categorical_crossentropy(softmax(x), labels).
#pragma once

#include "theon/graph.hpp"

namespace theon::detail {

// out[i] = log(sum_j exp(x[i, j])) - x[i, labels[i]] = -log_softmax(x)[i, labels[i]],
// computed after subtracting each row's maximum: finite for any finite logits, where
// -log(softmax(x)[i, label]) gives inf once the softmax underflows. Its pullback is
// (softmax(x) - onehot(labels)) * g[:, None]. x: a float matrix; labels: an integer
// vector; a label outside [0, n_classes) is an IndexError when the function runs.
Var crossentropy_softmax_1hot(const Var& x, const Var& labels, const Loc& loc);

}  // namespace theon::detail
