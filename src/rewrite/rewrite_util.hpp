// Helpers for writing rewrites.
#pragma once

#include <optional>
#include <span>

#include "ops/elemwise.hpp"
#include "theon/fgraph.hpp"

namespace theon::rewrite {

// The element-wise op of v's owner (of a given kind), or nullptr.
const detail::Elemwise* elemwise_of(const Var& v);
const detail::Elemwise* elemwise_of(const Var& v, detail::ScalarOpId id);
// The same for a node.
const detail::Elemwise* elemwise_of(const ApplyNode& node);

// If `v` is a constant whose elements are all equal, that value (as double; complex
// constants with a non-zero imaginary part give nullopt).
std::optional<double> uniform_constant(const Var& v);

// A constant with exactly the type `type` (its value must have length 1 wherever the
// type is broadcastable).
Var typed_constant(NDArray value, const TensorType& type, const Loc& loc);
// `value` as a constant of `dtype` with `ndim` length-1 (broadcastable) dimensions.
Var scalar_constant(double value, DType dtype, int ndim, const Loc& loc);

// `value` made to have `like`'s type: cast to its dtype, and broadcast with fill() over
// each of `shape_sources` (operands of the replaced node) that `like` is not broadcastable
// against. nullopt if the broadcast pattern still differs (the rewrite must decline).
std::optional<Var> broadcast_like(const Var& value, const Var& like, std::span<const Var> shape_sources);

// How many readers `v` has in the graph (graph outputs count).
size_t n_clients(const FunctionGraph& fgraph, const Var& v);

}  // namespace theon::rewrite
