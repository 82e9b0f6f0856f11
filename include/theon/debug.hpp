// Debugging a function that misbehaves: the NaN guard and the Print op.
//
// The NaN guard is a NodeObserver (theon/function.hpp): put it into
// FunctionOptions::observers and every call checks the output of each node as soon as it
// is computed, and the function's own inputs (and shared variables) before the nodes that
// read them. The first NaN, infinity or huge value (|x| > 1e10, Theano's threshold) raises
// NanGuardError naming the node, its expression, the user's line that made it, the
// offending output's shape and dtype, and which of the node's inputs were finite. Integer
// and boolean arrays are never checked. A call that raises commits no update.
//
//   FunctionOptions options;
//   options.observers.push_back(theon::nan_guard());
//   auto f = function({x}, {T::log(x)}, {}, options);
//   f(array({0.0}));  // NanGuardError: log(0) is -inf; names the log node and its line
//
// A function with observers runs node by node in the interpreter (never as one native
// kernel), so it is slower; a function without them is unchanged.
//
// Print (Theano's theano.printing.Print) is an identity op whose computation reports its
// input: `print(x, "x is")` returns a variable equal to x, and each call that computes it
// writes "x is __str__ = [1. 2.]" to std::cout (or calls the given callback). It has side
// effects (theon/side_effect.hpp): rewrites never fold, merge or remove it while its output
// is used. Its gradient is the identity; the gradient does not print.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "theon/error.hpp"
#include "theon/function.hpp"
#include "theon/graph.hpp"

namespace theon {

// Raised by the NaN guard (Python: theon.NanGuardError, an AssertionError as in Theano).
THEON_DECLARE_ERROR(NanGuardError, UserError);

struct NanGuardOptions {
  bool nan_is_error = true;
  bool inf_is_error = true;
  // Values with |x| > big_threshold (Theano's NanGuardMode uses 1e10).
  bool big_is_error = true;
  double big_threshold = 1e10;
  // "raise" (NanGuardError) or "warn" (the message on std::cerr, and the call goes on).
  std::string action = "raise";
};

// A NodeObserver checking every node's outputs, and the graph's inputs, as described above.
std::shared_ptr<NodeObserver> nan_guard(const NanGuardOptions& options = {});

// What the NaN guard looks for in one array: which of NaN / Inf / big it holds. Integer
// and boolean arrays hold none. Works on any strides.
struct NonFinite {
  bool nan = false;
  bool inf = false;
  bool big = false;
};
NonFinite scan_non_finite(const NDArray& a, double big_threshold = 1e10);

// Print's report of one value: called with the message and the computed value.
using PrintCallback = std::function<void(const std::string& message, const NDArray& value)>;

// Theano's printing.Print: an identity on `x` that reports it whenever it is computed.
// Without a callback it writes "<message> <attr> = <value>" lines to std::cout, one per
// attribute of `attrs`: "__str__" (the values), "shape", "dtype", "sum", "min", "max",
// "mean", "size", "ndim". Unknown attributes raise ValueError when the graph is built.
Var print(const Var& x, const std::string& message = "",
          std::vector<std::string> attrs = {"__str__"}, PrintCallback callback = nullptr,
          const Loc& loc = Loc::current());

// Whether `name` is the name or a tag of some rewrite ("fusion", "log1p_from_log"), that
// is, whether FunctionOptions::optimizer_including / excluding select anything by it.
bool is_rewrite_name(const std::string& name);

}  // namespace theon
