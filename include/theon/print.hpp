// Printing graphs. pp renders an expression in infix form, as Theano's pp:
//   pp(exp(sin(x ** 2)))   ->  "exp(sin((x ** 2)))"
// debugprint shows the graph as an indented tree: one line per node with its op, its
// type and an id, so shared subexpressions are visible.
#pragma once

#include <iosfwd>
#include <string>

#include "theon/function.hpp"

namespace theon {

std::string pp(const Var& v);
// The outputs of a compiled function, after rewrites.
std::string pp(const Function& f);
std::string debugprint(const Var& v);
std::string debugprint(const std::vector<Var>& outputs);
std::string debugprint(const Function& f);

}  // namespace theon
