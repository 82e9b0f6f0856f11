// theon::print (Theano's printing.Print): an identity that reports its input each time it
// is computed, which FAST_RUN's rewrites keep (no folding, merging or fusing away), and
// whose gradient is the identity.
#include <iostream>
#include <sstream>

#include "support/test_util.hpp"
#include "theon/debug.hpp"

namespace T = theon::tensor;
using theon::array;
using theon::function;

namespace theon {
namespace {

int count_prints(const Function& f) {
  int n = 0;
  for (ApplyNode* node : f.fgraph().toposort()) n += node->op().name() == "Print";
  return n;
}

// Captures std::cout while alive.
class CaptureCout {
 public:
  CaptureCout() : old_(std::cout.rdbuf(buffer_.rdbuf())) {}
  ~CaptureCout() { std::cout.rdbuf(old_); }
  std::string str() const { return buffer_.str(); }

 private:
  std::ostringstream buffer_;
  std::streambuf* old_;
};

TEST(PrintOp, IsIdentityAndPrintsAttributes) {
  auto x = T::dvector("x");
  auto y = print(x, "x is", {"__str__", "shape", "sum"}) * 2.0;
  auto f = function({x}, y);
  CaptureCout out;
  EXPECT_ALLCLOSE(f(array({1.0, 2.0})).array(), array({2.0, 4.0}));
  EXPECT_NE(out.str().find("x is __str__ = [1. 2.]"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("x is shape = (2,)"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("x is sum = 3"), std::string::npos) << out.str();
}

TEST(PrintOp, CallbackGetsEachComputedValue) {
  auto x = T::dscalar("x");
  std::vector<double> seen;
  auto y = print(T::exp(x), "e", {}, [&](const std::string& m, const NDArray& v) {
    EXPECT_EQ(m, "e");
    seen.push_back(v.item<double>());
  });
  auto f = function({x}, y + 1.0);
  f(0.0);
  f(1.0);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_DOUBLE_EQ(seen[1], std::exp(1.0));
}

TEST(PrintOp, SurvivesFastRunRewrites) {
  auto x = T::dvector("x");
  int calls = 0;
  auto count = [&](const std::string&, const NDArray&) { ++calls; };
  // Two equal prints of the same input (merge would make one), a print of a constant
  // (constant folding would run it at compile time), and element-wise work around them
  // (fusion would take it into a loop).
  auto a = print(T::exp(x), "a", {}, count);
  auto b = print(T::exp(x), "a", {}, count);
  auto c = print(constant(array({2.0, 3.0})), "c", {}, count);
  auto f = function({x}, T::log(a + b) * c);
  EXPECT_EQ(calls, 0);  // nothing printed while compiling
  EXPECT_EQ(count_prints(f), 3);
  f(array({0.0, 1.0}));
  EXPECT_EQ(calls, 3);
}

TEST(PrintOp, PrintsOnEveryCallEvenOnceCompiledNatively) {
  auto x = T::dvector("x");
  int calls = 0;
  auto y = print(x, "x", {}, [&](const std::string&, const NDArray&) { ++calls; });
  auto f = function({x}, T::exp(y) * 2.0 + 1.0);
  NDArray arg = array({1.0, 2.0});
  for (int i = 0; i < 200; ++i) f(arg);  // enough calls for the whole-graph kernel to plan
  EXPECT_EQ(calls, 200);
}

TEST(PrintOp, GradientIsIdentityAndDoesNotPrint) {
  auto x = T::dvector("x");
  int calls = 0;
  auto p = print(x, "x", {}, [&](const std::string&, const NDArray&) { ++calls; });
  auto g = T::grad(T::sum(T::sqr(p)), x);
  auto f = function({x}, g);
  EXPECT_ALLCLOSE(f(array({1.0, -3.0})).array(), array({2.0, -6.0}));  // d sum(x^2) = 2x
  EXPECT_EQ(calls, 1);  // sqr's gradient reads p itself
}

TEST(PrintOp, UnknownAttributeNamesTheCallersLine) {
  auto x = T::dvector("x");
  EXPECT_TRUE(testing::throws_with<ValueError>([&] { print(x, "m", {"argmax"}); },
                                               {"Print", "argmax", "print_op_test.cpp"}));
}

}  // namespace
}  // namespace theon
