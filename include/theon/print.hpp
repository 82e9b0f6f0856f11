// Printing graphs. pp renders an expression in infix form, as Theano's pp:
//   pp(exp(sin(x ** 2)))   ->  "exp(sin((x ** 2)))"
// A long subexpression read in several places is printed once, as a numbered binding
// defined on a line of its own before the expression that uses it:
//   $1 = tanh((tanh((x * 2.0)) * tanh((x * 2.0))))
//   ($1 * $1)
// so the text grows linearly with the graph (repeating it would double it per level).
// debugprint shows the graph as an indented tree: one line per node with its op, its
// type and an id, so shared subexpressions are visible.
// dot_graph renders a graph as Graphviz DOT text (what pydotprint and d3viz draw), and
// write_graph_picture runs Graphviz's `dot` on it (docs/graph_pictures.md).
#pragma once

#include <cstddef>
#include <iosfwd>
#include <map>
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

// Theano 1.0's debugprint options. The layout is Theano's:
//   Elemwise{mul} [id A] ''   2          <- op, id, output name, toposort index (functions)
//    |x [id B]
//    |Elemwise{add} [id C] 'z'   1
//      |y [id D]
// A node printed before shows its line again without its inputs.
struct DebugPrintOptions {
  int depth = -1;             // levels printed below each output; -1: all of them
  bool print_type = false;    // each line ends with the type, <TensorType(float64, matrix)>
  std::string ids = "CHAR";   // "CHAR" (A, B, ..., AA), "int" (0, 1, ...), "id" (an address), "": none
  bool stop_on_name = false;  // a named variable computed by a node is not expanded
  bool print_storage = false; // shared variables and constants show their value
};
std::string debugprint(const std::vector<Var>& outputs, const DebugPrintOptions& options);
std::string debugprint(const Function& f, const DebugPrintOptions& options);

// Graphviz pictures. Boxes are variables, ellipses apply nodes (as Theano's pydotprint):
// inputs green, shared variables cyan, constants grey-green, outputs blue, unused grey;
// fused element-wise kernels pink boxes labelled with the expression they compute, other
// nodes by op family (Theano's colour codes). Edges carry the input index and the type.
struct DotOptions {
  bool compact = true;           // intermediate unnamed variables are edges, not boxes
  bool with_ids = false;         // toposort index in apply labels, an id in variable labels
  bool high_contrast = true;     // filled nodes (false: coloured outlines)
  size_t max_label_size = 70;    // longer labels are cut, ending in "..."
  bool var_with_name_simple = false;  // named variables show only their name
  // Fill colours replacing the defaults, by op name ("add", "dot"), by Theano's op family
  // ("Elemwise", "Fused", "Subtensor", "Alloc", "Shape", "IfElse", "Scan"), by "apply" for
  // every other node, or by variable kind ("input", "shared", "constant", "output",
  // "unused", "intermediate").
  std::map<std::string, std::string> colors;
  // Every node gets a tooltip with its details (op, props, type, the user's line).
  bool tooltips = true;
};
std::string dot_graph(const std::vector<Var>& outputs, const DotOptions& options = {});
// The rewritten graph of `f`: its outputs, then the values of its updates, are outputs.
std::string dot_graph(const Function& f, const DotOptions& options = {});
// In DOT text, apply node k of the topological order has the node id "n<k>" and source
// variables "v<k>", also in the SVG dot makes of it (<g id="n3" class="node">).
// For each fused kernel of the graph (by that node id), its inner expression as DOT
// text: one node per instruction, the kernel's inputs and outputs as boxes (d3viz shows
// it when a fused node is expanded).
std::map<std::string, std::string> dot_fused_kernels(const std::vector<Var>& outputs,
                                                     const DotOptions& options = {});
std::map<std::string, std::string> dot_fused_kernels(const Function& f, const DotOptions& options = {});

// Runs `dot -T<format> -o <path>` on `dot_text` ("png", "svg", "pdf", ... any format of
// dot; "dot" writes the text itself). `dot` is found on PATH when called: without it,
// a std::runtime_error (Python: RuntimeError) naming it and Debian's package graphviz;
// when dot fails, the error carries its stderr.
void write_graph_picture(const std::string& dot_text, const std::string& path,
                         const std::string& format = "png");
// Same, returning what dot writes (for SVG: the document text).
std::string render_graph(const std::string& dot_text, const std::string& format);

}  // namespace theon
