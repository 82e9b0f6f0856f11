// Shapes and layouts: reading shapes, reshaping, dimshuffle, joining, and making
// arrays of a given shape.
#pragma once

#include <optional>
#include <vector>

#include "theon/tensor.hpp"

namespace theon {

// A shape given as a list of integers or symbolic int scalars, or as one symbolic int
// vector: {2, 3}, {n, -1}, T::shape(x).
class ShapeArg {
 public:
  ShapeArg(std::initializer_list<VarArg> dims, Loc loc = Loc::current());
  ShapeArg(const std::vector<int64_t>& dims, Loc loc = Loc::current());
  ShapeArg(const Shape& dims, Loc loc = Loc::current());
  ShapeArg(const Var& vector, Loc loc = Loc::current());
  // The shape as an int64 vector variable.
  const Var& vector() const { return vector_; }
  // Its length (the rank it describes), or -1 when the vector's length is not known
  // when the graph is built (ops that need a rank then throw ValueError).
  int length() const { return length_; }
  // Where the shape was written.
  const Loc& loc() const { return loc_; }

 private:
  Var vector_;
  int length_ = 0;
  Loc loc_;
};

// One entry of a dimshuffle pattern: an input axis, or 'x' for a new broadcastable one.
struct DimEntry {
  DimEntry(int axis) : axis(axis) {}
  DimEntry(char c);  // only 'x'
  int axis;          // -1 for 'x'
  bool is_new() const { return axis < 0; }
};

namespace tensor {

// The shape of x as an int64 vector, and one of its entries as an int64 scalar.
Var shape(VarArg x);
Var shape_i(VarArg x, int axis);
// Reshape to `shape` (one entry may be -1). A constant 1 in the shape gives a
// broadcastable dimension.
Var reshape(VarArg x, const ShapeArg& shape);
// Keeps the first ndim-1 dimensions and flattens the rest (ndim = 1: a vector).
Var flatten(VarArg x, int ndim = 1);
// Theano's dimshuffle: T::dimshuffle(x, {1, 'x', 0}). Axes left out must be broadcastable.
Var dimshuffle(VarArg x, std::vector<DimEntry> pattern);
// Reverses the axes, or permutes them.
Var transpose(VarArg x);
Var transpose(VarArg x, std::vector<int> axes);
// Joins along an existing axis (concatenate) or a new one (stack).
Var concatenate(const std::vector<Var>& xs, int axis = 0, Loc loc = Loc::current());
Var join(int axis, const std::vector<Var>& xs, Loc loc = Loc::current());
Var stack(const std::vector<Var>& xs, int axis = 0, Loc loc = Loc::current());
// Theano's split: cuts x along `axis` into pieces of the given lengths (which must add
// up to x's length there): T::split(x, {2, 3}, 1) -> two views of x.
std::vector<Var> split(VarArg x, const ShapeArg& sizes, int axis = 0);
// `value` (a scalar, or a tensor left-padded to the shape's rank) broadcast to `shape`;
// only value's broadcastable dimensions stretch. A constant 1 in the shape gives a
// broadcastable dimension.
Var alloc(VarArg value, const ShapeArg& shape);
Var zeros(const ShapeArg& shape, std::optional<DType> dtype = std::nullopt);
Var ones(const ShapeArg& shape, std::optional<DType> dtype = std::nullopt);
Var zeros_like(VarArg x, std::optional<DType> dtype = std::nullopt);
Var ones_like(VarArg x, std::optional<DType> dtype = std::nullopt);
// [start, stop) by step, as numpy.arange (length ceil((stop - start) / step)); the dtype
// defaults to int64 for integer bounds, otherwise to the float dtype of the variable
// bounds (floatX when the only floats are C++ literals).
Var arange(VarArg start, VarArg stop, VarArg step = 1, std::optional<DType> dtype = std::nullopt);
Var arange(VarArg stop);
// Marks length-1 dimensions broadcastable (checked at run time), or unmarks them.
Var addbroadcast(VarArg x, std::vector<int> axes);
Var unbroadcast(VarArg x, std::vector<int> axes);
// Sets every dimension's flag to `pattern` (checked at run time where it becomes true).
Var patternbroadcast(VarArg x, const BroadcastPattern& pattern);

}  // namespace tensor
}  // namespace theon
