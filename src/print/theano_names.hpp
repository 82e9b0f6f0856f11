// Theano's spellings shared by debugprint and the Graphviz pictures.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "theon/graph.hpp"

namespace theon::detail {

// The parts one after the other. Printing code joins text with it rather than with
// "literal" + std::string&&, on which GCC 12 warns falsely at -O3 (-Wrestrict, bug 105329).
std::string cat(std::initializer_list<std::string_view> parts);

// TensorType(float64, matrix), TensorType(float32, row), TensorType(int64, (True, False, True))
// and TensorType(float64, 3D): Theano 1.0's str of a TensorType.
std::string theano_type_str(const TensorType& t);

// What a source variable prints as: its name, a constant's value (cut for large arrays:
// TensorConstant{float64, shape (100,)}), or "" for an unnamed input.
std::string source_label(const Var& v);

}  // namespace theon::detail
