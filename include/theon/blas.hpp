// Products. float32 and float64 products call OpenBLAS; other dtypes use plain loops.
#pragma once

#include <utility>
#include <vector>

#include "theon/tensor.hpp"

namespace theon::tensor {

// numpy.dot for every combination of ranks: a scalar scales; vector.vector is the inner
// product; matrix.vector, vector.matrix and matrix.matrix as usual; for n-d operands
// the sum runs over the last axis of a and the second-to-last of b.
Var dot(VarArg a, VarArg b);
// Outer product of two vectors: a matrix.
Var outer(VarArg a, VarArg b);
// Sums over the last `n_axes` axes of a and the first `n_axes` of b.
Var tensordot(VarArg a, VarArg b, int n_axes = 2);
// Sums over a[axes.first[i]] and b[axes.second[i]].
Var tensordot(VarArg a, VarArg b, std::pair<std::vector<int>, std::vector<int>> axes);
// For 3-d a (B, n, m) and b (B, m, p): the B matrix products, (B, n, p). Also for
// (B, n) with (B, n): the B inner products.
Var batched_dot(VarArg a, VarArg b);

}  // namespace theon::tensor
