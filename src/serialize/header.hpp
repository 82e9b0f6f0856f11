// Shared by the graph and function formats (graph_io.cpp, function_io.cpp).
#pragma once

#include "theon/serialize.hpp"

namespace theon::detail {

// The magic, the format version, the Theon version and the kind ('G' or 'F').
void write_header(Writer& w, char kind);
// Refuses data of another magic, format version or kind with SerializeError.
void read_header(Reader& r, char kind);

// The records of a graph (graph_io.cpp), without the header.
void write_graph(Writer& w, std::span<const Var> outputs, std::vector<Var>* externals);
LoadedGraph read_graph(Reader& r, std::span<const Var> externals);

}  // namespace theon::detail
