// The everyday tensor API beyond element-wise math: Theano's theano.tensor.extra_ops
// (cumsum, repeat, bincount, fill_diagonal, to_one_hot, searchsorted, unravel_index...),
// sorting, tile and roll, specify_shape and nonzero, in theon::tensor.
//
// Results follow NumPy's function of the same name unless a comment says otherwise;
// docs/extra_ops.md lists where Theano and NumPy differ and which side Theon takes.
// Ops with a float result have gradients (cumsum, cumprod, diff, repeat, sort, tile,
// roll, squeeze, fill_diagonal, specify_shape); the ones with integer results (argsort,
// bincount counts, to_one_hot, searchsorted, unravel_index, ravel_multi_index, nonzero)
// pass no gradient to their inputs.
//
//   namespace T = theon::tensor;
//   auto x = T::dmatrix("x");
//   auto c = T::cumsum(x, 1);                  // running sums along each row
//   auto s = T::sort(x);                       // each row sorted (stable: ties keep order)
//   auto t = T::tile(x, {2, 3});               // numpy.tile(x, (2, 3))
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "theon/shape_ops.hpp"
#include "theon/tensor.hpp"

namespace theon::tensor {

// ---- cumulative ----
// Running sum (product) along `axis`; no axis: over the flattened input (a vector).
// Bool and integer inputs give int64, as NumPy's sums do. cumprod's gradient is exact
// where x has zeros (no division by x).
Var cumsum(VarArg x, std::optional<int> axis = std::nullopt);
Var cumprod(VarArg x, std::optional<int> axis = std::nullopt);
// n-th discrete difference along `axis`: x[1:] - x[:-1], n times (bool: x[1:] != x[:-1]).
Var diff(VarArg x, int n = 1, int axis = -1);

// ---- repeating and tiling ----
// Each element repeated `repeats` times along `axis` (no axis: the flattened input).
// `repeats` is an int scalar, or an int vector with one count per element along the
// axis (or of length 1). T::repeat(v, 2) on [1, 2] gives [1, 1, 2, 2].
Var repeat(VarArg x, VarArg repeats, std::optional<int> axis = std::nullopt);
// numpy.tile: x repeated reps[d] times along each axis; reps may be symbolic int scalars.
// With more reps than x has dimensions, x is padded on the left; `ndim` (Theano's
// argument) asks for at least that many output dimensions.
Var tile(VarArg x, const ShapeArg& reps, std::optional<int> ndim = std::nullopt);
// numpy.roll: elements shifted by `shift` (an int, maybe symbolic) along `axis`, those
// that fall off one end coming back at the other; no axis: over the flattened input,
// reshaped back.
Var roll(VarArg x, VarArg shift, std::optional<int> axis = std::nullopt);

// ---- sorting and searching ----
// Sorted copy along `axis` (nullopt: the flattened input). The sort is stable (equal
// elements keep their order, for every `kind`) and NaNs go last, as NumPy. Real dtypes.
Var sort(VarArg a, std::optional<int> axis = -1);
// The int64 indices that sort `a` along `axis` (the same stable order as sort).
Var argsort(VarArg a, std::optional<int> axis = -1);
// Indices at which to insert `v` into the ascending vector `x` to keep it sorted; side
// "left" gives the first such place, "right" the last. `sorter`: the int vector of
// indices that sort x (argsort(x)), when x itself is not sorted.
Var searchsorted(VarArg x, VarArg v, std::string_view side = "left",
                 std::optional<VarArg> sorter = std::nullopt);

// ---- shapes and broadcast patterns ----
// Drops the broadcastable axes (Theano's squeeze), or exactly the given ones (which must
// be broadcastable).
Var squeeze(VarArg x, std::optional<std::vector<int>> axis = std::nullopt);
// x, checked when the function runs to have exactly `shape` (ShapeError otherwise); an
// entry of -1 is not checked.
Var specify_shape(VarArg x, const ShapeArg& shape);

// ---- diagonals ----
// A copy of `a` with its main diagonal set to the scalar `val` (numpy.fill_diagonal
// without wrap): a matrix of any shape, or a tensor whose dimensions are all equal.
// `val` must not need a wider dtype than a's (TypeError), except for a C++ literal.
Var fill_diagonal(VarArg a, VarArg val);
// The same for the diagonal a[i, i + offset] of a matrix (offset < 0: below the main one).
Var fill_diagonal_offset(VarArg a, VarArg val, VarArg offset);

// ---- integer encodings ----
// Rows of one-hot codes: out[i, y[i]] = 1, in `dtype` (default floatX, as Theano).
// A label outside [0, nb_class) is an IndexError when the function runs.
Var to_one_hot(VarArg y, VarArg nb_class, std::optional<DType> dtype = std::nullopt);
// How often each value of the non-negative int vector x occurs: a vector of length
// max(max(x) + 1, minlength). With `weights` (one per x), the sums of the weights, in
// the weights' dtype (Theano's choice; NumPy gives float64); the gradient reaches the
// weights only.
Var bincount(VarArg x, std::optional<VarArg> weights = std::nullopt,
             std::optional<VarArg> minlength = std::nullopt);
// The coordinates (one int64 tensor per dimension, each of indices' shape) of flat
// `indices` into an array of shape `dims`; order 'C' (row-major) or 'F'.
std::vector<Var> unravel_index(VarArg indices, const ShapeArg& dims, char order = 'C');
// The inverse: flat indices of the coordinates `multi_index` (one int tensor per entry of
// `dims`, broadcast together). `mode`: "raise" (ValueError when out of range), "wrap" or
// "clip".
Var ravel_multi_index(const std::vector<Var>& multi_index, const ShapeArg& dims,
                      std::string_view mode = "raise", char order = 'C',
                      Loc loc = Loc::current());

// ---- nonzero ----
// The indices of a's nonzero elements, one int64 vector per dimension (numpy.nonzero).
std::vector<Var> nonzero(VarArg a);
// The flat indices of the nonzero elements of a, and those elements themselves.
Var flatnonzero(VarArg a);
Var nonzero_values(VarArg a);
// Elements of x (flattened without an axis) where `condition` is true along `axis`
// (numpy.compress; a condition shorter than the axis leaves the rest out).
Var compress(VarArg condition, VarArg x, std::optional<int> axis = std::nullopt);

// ---- windows ----
// The Bartlett (triangular) window of M points, float64 (numpy.bartlett).
Var bartlett(VarArg M);

}  // namespace theon::tensor
