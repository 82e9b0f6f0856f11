// debugprint of a compiled graph given as its outputs and its apply nodes' run order,
// for callers that hold those but not the Function (the Python binding): each node's
// line ends with its index in `order`, as debugprint(const Function&, ...) prints it.
//   debugprint(f.fgraph().outputs(), f.fgraph().toposort(), {.print_type = true});
#pragma once

#include <string>
#include <vector>

#include "theon/print.hpp"

namespace theon {

std::string debugprint(const std::vector<Var>& outputs, const std::vector<ApplyNode*>& order,
                       const DebugPrintOptions& options);

}  // namespace theon
