// Printing graphs. pp renders an expression in infix form, as Theano's pp:
//   pp(exp(sin(x ** 2)))   ->  "exp(sin((x ** 2)))"
// A long subexpression read in several places is printed once, as a numbered binding
// defined on a line of its own before the expression that uses it:
//   $1 = tanh((tanh((x * 2.0)) * tanh((x * 2.0))))
//   ($1 * $1)
// so the text grows linearly with the graph (repeating it would double it per level).
// debugprint shows the graph as an indented tree: one line per node with its op, its
// type and an id, so shared subexpressions are visible.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>

#include "theon/function.hpp"

namespace theon {

std::string pp(const Var& v);
// The expression inline, cut to at most `max_chars` characters (ending in "..." when
// cut), at a cost that depends on max_chars and not on the graph: for error messages
// and repr of graphs of any size or depth.
std::string pp(const Var& v, size_t max_chars);
// The outputs of a compiled function, after rewrites.
std::string pp(const Function& f);
std::string debugprint(const Var& v);
std::string debugprint(const std::vector<Var>& outputs);
std::string debugprint(const Function& f);

}  // namespace theon
