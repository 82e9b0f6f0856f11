// dot_graph, dot_fused_kernels, write_graph_picture and debugprint's Theano options.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "support/test_util.hpp"
#include "theon/debugprint_order.hpp"

namespace T = theon::tensor;

namespace theon {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The attribute list of the node declared with `id` ("  v0 [...];").
std::string node_line(const std::string& dot, const std::string& id) {
  const size_t at = dot.find("  " + id + " [id=");
  if (at == std::string::npos) return "";
  return dot.substr(at, dot.find('\n', at) - at);
}

bool has_dot() { return std::system("command -v dot > /dev/null 2>&1") == 0; }

TEST(DotGraph, NodesColouredByKindAndEdgesTyped) {
  auto x = T::dmatrix("x");
  auto w = shared(array({{1.0, 2.0}, {3.0, 4.0}}), "w");
  auto y = (x * w + 3.0).set_name("y");
  const std::string dot = dot_graph({y});
  ASSERT_EQ(dot.rfind("digraph G {", 0), 0u) << dot;
  // x is v0 (met first), w v1, the constant v2, the output y v3; mul n0, add n1.
  EXPECT_NE(node_line(dot, "v0").find("label=\"x TensorType(float64, matrix)\""), std::string::npos) << dot;
  EXPECT_NE(node_line(dot, "v0").find("fillcolor=\"limegreen\""), std::string::npos) << dot;
  EXPECT_NE(node_line(dot, "v1").find("fillcolor=\"cyan\""), std::string::npos) << dot;
  EXPECT_NE(node_line(dot, "v2").find("label=\"TensorConstant{[[3.]]}\""), std::string::npos) << dot;
  EXPECT_NE(node_line(dot, "v2").find("fillcolor=\"#C8E6A0\""), std::string::npos) << dot;
  EXPECT_NE(node_line(dot, "v3").find("fillcolor=\"dodgerblue\""), std::string::npos) << dot;
  EXPECT_NE(node_line(dot, "n0").find("shape=ellipse, label=\"mul{float64->float64}\""), std::string::npos) << dot;
  EXPECT_NE(node_line(dot, "n0").find("fillcolor=\"#FFAABB\""), std::string::npos) << dot;  // Elemwise
  // Two-input nodes number their edges; every edge carries Theano's type.
  EXPECT_NE(dot.find("v0 -> n0 [label=\"0 TensorType(float64, matrix)\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("v1 -> n0 [label=\"1 TensorType(float64, matrix)\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("n0 -> n1 [label=\"0 TensorType(float64, matrix)\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("n1 -> v3 [label=\"TensorType(float64, matrix)\"]"), std::string::npos) << dot;
  EXPECT_EQ(count(dot, " -> "), 5u) << dot;
  // Details for the viewer: the op, the types and the user's line.
  EXPECT_NE(node_line(dot, "n0").find("tooltip=\"op: mul\\nprops: float64->float64\\ntoposort index: 0"), std::string::npos) << dot;
  EXPECT_NE(node_line(dot, "n0").find("dot_test.cpp"), std::string::npos) << dot;
}

TEST(DotGraph, CompactHidesUnnamedIntermediatesOnly) {
  auto x = T::dvector("x");
  auto h = T::exp(x);
  auto y = T::log(h) + h;
  const std::string compact = dot_graph({y});
  DotOptions o;
  o.compact = false;
  const std::string full = dot_graph({y}, o);
  EXPECT_EQ(count(compact, "shape=box"), 2u) << compact;  // x, y
  EXPECT_EQ(count(full, "shape=box"), 4u) << full;        // x, exp(x), log(..), y
  h.set_name("h");
  EXPECT_EQ(count(dot_graph({y}), "shape=box"), 3u);  // a named intermediate is a box
}

TEST(DotGraph, OptionsChangeLabelsAndColours) {
  auto x = T::dvector("x");
  auto y = T::exp(x);
  DotOptions o;
  o.with_ids = true;
  o.var_with_name_simple = true;
  o.high_contrast = false;
  o.colors = {{"Elemwise", "gold"}, {"input", "#123456"}};
  const std::string dot = dot_graph({y}, o);
  EXPECT_NE(node_line(dot, "v0").find("label=\"x id=0\""), std::string::npos) << dot;
  EXPECT_NE(node_line(dot, "v0").find("color=\"#123456\", penwidth=2"), std::string::npos) << dot;
  EXPECT_NE(node_line(dot, "n0").find("label=\"0 exp{float64->float64}\""), std::string::npos) << dot;
  EXPECT_NE(node_line(dot, "n0").find("color=\"gold\""), std::string::npos) << dot;
  EXPECT_EQ(dot.find("fillcolor"), std::string::npos) << dot;
  o = {};
  o.max_label_size = 8;
  EXPECT_NE(node_line(dot_graph({y}, o), "v0").find("label=\"x Ten...\""), std::string::npos);
}

TEST(DotGraph, LabelsAreEscaped) {
  auto x = T::dvector("a\"b\\c\nd");
  const std::string dot = dot_graph({T::exp(x)});
  EXPECT_NE(node_line(dot, "v0").find("label=\"a\\\"b\\\\c\\nd TensorType(float64, vector)\""),
            std::string::npos)
      << dot;
  if (!has_dot()) GTEST_SKIP() << "Graphviz's dot is not installed";
  const std::string svg = render_graph(dot, "svg");
  EXPECT_NE(svg.find("a&quot;b\\c"), std::string::npos) << svg;
}

TEST(DotGraph, FusedKernelShowsItsExpression) {
  auto x = T::dvector("x"), y = T::dvector("y");
  FunctionOptions options;
  options.mode = "FAST_RUN";
  auto f = function({x, y}, T::exp(x) * 2.0 + y, {}, options);
  const std::string dot = dot_graph(f);
  ASSERT_NE(dot.find("label=\"fused{"), std::string::npos) << dot;
  EXPECT_NE(dot.find("exp(x)"), std::string::npos) << dot;
  EXPECT_NE(dot.find("fillcolor=\"#FF7799\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("class=\"theon-fused\""), std::string::npos) << dot;
  const auto kernels = dot_fused_kernels(f);
  ASSERT_EQ(kernels.size(), 1u);
  const std::string& inner = kernels.begin()->second;
  EXPECT_NE(dot.find("  " + kernels.begin()->first + " [id="), std::string::npos);
  EXPECT_NE(inner.find("label=\"exp\""), std::string::npos) << inner;
  EXPECT_NE(inner.find("label=\"x float64\""), std::string::npos) << inner;
  EXPECT_NE(inner.find("label=\"output 0\""), std::string::npos) << inner;
}

TEST(DotGraph, DeepChainNeedsNoRecursion) {
  auto x = T::dvector("x");
  Var y = x;
  for (int i = 0; i < 100000; ++i) y = T::exp(y);
  const std::string dot = dot_graph({y});
  EXPECT_EQ(count(dot, " -> "), 100001u);
  DebugPrintOptions o;
  o.depth = 3;
  EXPECT_EQ(count(debugprint({y}, o), "\n"), 3u);
}

TEST(GraphPicture, WritesPngAndSvg) {
  if (!has_dot()) GTEST_SKIP() << "Graphviz's dot is not installed";
  auto x = T::dvector("x");
  const std::string dot = dot_graph({T::exp(x).set_name("out")});
  const auto dir = std::filesystem::temp_directory_path() / ("theon_dot_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  write_graph_picture(dot, (dir / "g.png").string(), "png");
  std::ifstream png(dir / "g.png", std::ios::binary);
  std::string magic(8, '\0');
  png.read(magic.data(), 8);
  EXPECT_EQ(magic, std::string("\x89PNG\r\n\x1a\n", 8));
  write_graph_picture(dot, (dir / "g.dot").string(), "dot");
  std::ifstream text(dir / "g.dot");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(text), {}), dot);
  const std::string svg = render_graph(dot, "svg");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find(">out TensorType(float64, vector)<"), std::string::npos) << svg;
  std::filesystem::remove_all(dir);
}

TEST(GraphPicture, MissingDotNamesTheProgramAndPackage) {
  const std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", "", 1);
  try {
    render_graph("digraph G { a -> b }", "svg");
    ::setenv("PATH", saved.c_str(), 1);
    FAIL() << "no error without dot";
  } catch (const std::runtime_error& e) {
    ::setenv("PATH", saved.c_str(), 1);
    EXPECT_NE(std::string(e.what()).find("`dot`"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("graphviz"), std::string::npos) << e.what();
  }
}

TEST(GraphPicture, DotErrorsCarryItsMessage) {
  if (!has_dot()) GTEST_SKIP() << "Graphviz's dot is not installed";
  try {
    render_graph("digraph G { a -> ", "svg");
    FAIL() << "no error for broken DOT text";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
  }
  EXPECT_THROW(render_graph("digraph G { a }", "no-such-format"), std::runtime_error);
}

// x, y vectors; z = x + y named; out = z * 2.
Vars small_graph() {
  auto x = T::dvector("x"), y = T::dvector("y");
  auto z = (x + y).set_name("z");
  return {z * 2.0};
}

TEST(DebugprintTheano, DefaultLayout) {
  EXPECT_EQ(debugprint(small_graph(), DebugPrintOptions{}),
            "mul{float64->float64} [id A] ''\n"
            " |add{float64->float64} [id B] 'z'\n"
            " | |x [id C]\n"
            " | |y [id D]\n"
            " |TensorConstant{[2.]} [id E]\n");
}

TEST(DebugprintTheano, DepthTypeIdsAndStopOnName) {
  DebugPrintOptions o;
  o.depth = 2;
  o.print_type = true;
  o.ids = "int";
  EXPECT_EQ(debugprint(small_graph(), o),
            "mul{float64->float64} [id 0] <TensorType(float64, vector)> ''\n"
            " |add{float64->float64} [id 1] <TensorType(float64, vector)> 'z'\n"
            " |TensorConstant{[2.]} [id 2] <TensorType(float64, (True,))>\n");
  o = {};
  o.ids = "";
  o.stop_on_name = true;
  EXPECT_EQ(debugprint(small_graph(), o), "mul{float64->float64} ''\n |add{float64->float64} 'z'\n |TensorConstant{[2.]}\n");
  o.ids = "nope";
  EXPECT_THROW(debugprint(small_graph(), o), ValueError);
}

TEST(DebugprintTheano, SharedNodesPrintOnceAndFunctionsShowToposortIndex) {
  auto x = T::dvector("x");
  auto e = T::exp(x);
  EXPECT_EQ(debugprint({e * e}, DebugPrintOptions{}),
            "mul{float64->float64} [id A] ''\n"
            " |exp{float64->float64} [id B] ''\n"
            " | |x [id C]\n"
            " |exp{float64->float64} [id B] ''\n");
  FunctionOptions options;
  options.mode = "NONE";
  auto f = function({x}, e * e, {}, options);
  EXPECT_EQ(debugprint(f, DebugPrintOptions{}),
            "mul{float64->float64} [id A] ''   1\n"
            " |exp{float64->float64} [id B] ''   0\n"
            " | |x [id C]\n"
            " |exp{float64->float64} [id B] ''   0\n");
  std::vector<ApplyNode*> order = f.fgraph().toposort();
  EXPECT_EQ(debugprint(f.fgraph().outputs(), order, DebugPrintOptions{}), debugprint(f, DebugPrintOptions{}));
}

}  // namespace
}  // namespace theon
