// Telling, from the graph alone, that a variable is all zeros. The gradient driver
// drops such terms (a node whose outputs get only zero gradients is never pulled back),
// and the zero rewrites (src/rewrite/zero_rewrites.cpp) fold what reads them.
#pragma once

#include "theon/graph.hpp"

namespace theon::detail {

// Whether `v` is zero by construction, whatever the inputs' values: a constant whose
// elements are all 0; alloc / fill (second) / zeros_like of such a value; and a cast,
// negation, dimshuffle, reshape or rebroadcast of a symbolic zero. False means "not
// known", never "non-zero". Follows a chain of such nodes without recursing.
bool is_symbolic_zero(const Var& v);

}  // namespace theon::detail
