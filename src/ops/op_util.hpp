// Helpers shared by op implementations.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "theon/graph.hpp"
#include "theon/tensor.hpp"

namespace theon::detail {

// Multi-line description of a node's inputs for error messages:
//   "\n  input 0  x  float64 matrix  made at train.cpp:12 in main".
std::string describe_inputs(std::span<const Var> inputs);
// The same with the run-time shapes of the values.
std::string describe_inputs(std::span<const Var> inputs, std::span<const NDArray* const> values);

// The value of a constant scalar of integer (or bool) dtype, if `v` is one.
std::optional<int64_t> constant_int(const Var& v);
// The value of a constant scalar of any real dtype, as double.
std::optional<double> constant_real(const Var& v);
// For an int vector known element by element when the graph is built (a constant, or a
// stack of scalars some of which are constants): each element or nullopt.
std::optional<std::vector<std::optional<int64_t>>> constant_elements(const Var& v);

// Builds a single-output node of Op type O, constructed from `args`.
template <class O, class... A>
Var apply_op(const Loc& loc, Vars inputs, A&&... args) {
  return make_apply1(std::make_shared<const O>(std::forward<A>(args)...), std::move(inputs), loc);
}

// Throws TypeError unless v's dtype is a float (or complex when allowed).
void expect_float(std::string_view op, const Var& v, bool allow_complex = false);
// Throws TypeError unless v is an integer (or bool) scalar.
void expect_int_scalar(std::string_view op, const Var& v);

// The integer value of a 0-d array (any integer or bool dtype); TypeError otherwise.
int64_t scalar_to_int(const NDArray& a, std::string_view op);

}  // namespace theon::detail
