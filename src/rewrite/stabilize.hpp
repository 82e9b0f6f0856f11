// Internal to the stabilize phase (stabilize*.cpp): its rule groups and the helpers they
// share. The phase rewrites expressions that overflow, underflow or lose precision into
// equivalent ones that do not (log(1 + x) -> log1p(x), exp(x) / sum(exp(x)) ->
// softmax(x), ...), and the gradient graphs of such expressions so that they stay finite.
#pragma once

#include "rewrite/rewriter.hpp"

namespace theon::rewrite::stabilize {

void register_softmax_rules(RewriteDb& db);  // stabilize_softmax.cpp
void register_cancel_rules(RewriteDb& db);   // stabilize_cancel.cpp
void register_indexing_rules(RewriteDb& db); // stabilize_indexing.cpp

// `v` converted to `dtype` (v itself when it has it already).
Var as_dtype(const Var& v, DType dtype);
// -v, without a double negation: -(-x) gives x.
Var negate(const Var& v);
// Whether `a` and `b` certainly hold the same values: the same variable, equal uniform
// constants of one type, or equal ops applied to such inputs (a bounded look down the
// graph, for expressions that merge has not made one yet).
bool same_value(const Var& a, const Var& b);
// The Elemwise applying `id` that computes `v`, its inputs; nullptr when v is not one.
const Vars* elemwise_inputs(const Var& v, detail::ScalarOpId id);
// Whether `node` applies the element-wise op `id`.
bool applies(const ApplyNode& node, detail::ScalarOpId id);
// Whether `v` is a constant whose every element equals `value`.
bool is_constant_value(const Var& v, double value);
// A constant 1 that broadcasts everywhere, so that 1 - s has exactly s's shape.
bool is_broadcast_one(const Var& v);
// If `denominator` is sum(numerator) along one axis, lined up with numerator (keepdims,
// or a dimshuffle putting the reduced axis back; any sum for a vector), that axis.
std::optional<int> normalizing_axis(const Var& denominator, const Var& numerator);
// The same for a denominator dimshuffle{pattern}(total) (pattern null: total itself).
std::optional<int> summed_axis(const Var& total, const std::vector<int>* pattern, const Var& numerator);
// v = sigmoid(x) (negated: false) or v = sigmoid(-x) (negated: true), where v is written
// sigmoid(x), sigmoid(-x), 1 - sigmoid(x) or 1 + -sigmoid(x).
struct SigmoidForm {
  Var x;
  bool negated = false;
};
std::optional<SigmoidForm> sigmoid_form(const Var& v);

}  // namespace theon::rewrite::stabilize
