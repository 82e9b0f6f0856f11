// The symbolic graph: variables, the ops that compute them, and their applications.
//
// A Var is a handle to a variable node. A variable either has an owner, the Apply
// node (one use of an Op on input variables) that computes it, or it is a source: an
// input, a Constant (with a value) or a shared variable (with storage that outlives
// any function). Graph nodes are immutable once built; rewrites build new nodes.
// Handles keep what they point to alive: a Var keeps its owner, which keeps its inputs.
//
//   auto x = theon::tensor::dmatrix("x");   // a source, made at this line
//   auto y = theon::tensor::exp(x) + 1;     // add(exp(x), 1): two Apply nodes
//   y.owner()->op().name();                 // "add"
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "theon/array.hpp"
#include "theon/type.hpp"

namespace theon {

class Op;
struct ApplyNode;
struct VariableNode;

// Storage of a shared variable: a value that lives between function calls.
struct SharedStorage {
  NDArray value;
  // The expression a function assigns to the variable after each call when the user's
  // updates do not (Theano's default_update; SharedVar::set_default_update). Held weakly:
  // the expression reads the variable, so a strong handle would make a cycle that never
  // frees. Whoever made it keeps it alive (random::Streams, or the draw's sample, which
  // shares its node).
  std::weak_ptr<VariableNode> default_update;
};

class Var {
 public:
  Var() = default;
  explicit Var(std::shared_ptr<VariableNode> node) : node_(std::move(node)) {}

  bool defined() const { return node_ != nullptr; }
  const TensorType& type() const;
  DType dtype() const { return type().dtype; }
  int ndim() const { return type().ndim(); }
  const BroadcastPattern& broadcastable() const { return type().broadcastable; }
  const std::string& name() const;
  // Sets the variable's name (used when printing) and returns *this.
  Var& set_name(std::string name);
  const Loc& loc() const;

  // The Apply node computing this variable, or nullptr for a source.
  const ApplyNode* owner() const;
  // Which output of its owner this variable is.
  int index() const;

  bool is_constant() const;
  // The value of a Constant; InternalError for other variables.
  const NDArray& constant_value() const;
  // A constant made from a C++ literal, which does not widen other operands' dtypes.
  bool is_weak() const;
  bool is_shared() const;
  const std::shared_ptr<SharedStorage>& shared_storage() const;

  VariableNode* get() const { return node_.get(); }
  const std::shared_ptr<VariableNode>& node() const { return node_; }
  // Identity, not value equality (as Python's `is`).
  bool is(const Var& other) const { return node_ == other.node_; }

 private:
  std::shared_ptr<VariableNode> node_;
};

using Vars = std::vector<Var>;

struct VariableNode {
  TensorType type;
  std::string name;
  Loc loc;
  ApplyNode* owner = nullptr;  // kept alive by the handle: see make_apply
  int index = 0;
  std::shared_ptr<const NDArray> constant;  // set for constants
  std::shared_ptr<SharedStorage> storage;   // set for shared variables
  bool weak = false;
  // The value computed while the graph is built, when test values are on
  // (theon/test_value.hpp); null otherwise.
  std::shared_ptr<const NDArray> test_value;
};

struct ApplyNode {
  ApplyNode() = default;
  ApplyNode(const ApplyNode&) = delete;
  ApplyNode& operator=(const ApplyNode&) = delete;
  // Releases the inputs without recursing down the graph: freeing the last handle to a
  // chain of a million nodes uses constant stack (see graph.cpp).
  ~ApplyNode();

  std::shared_ptr<const Op> op_ptr;
  Vars inputs;
  std::vector<VariableNode> outputs;  // never resized after construction
  Loc loc;
  // Handles to outputs share ownership of the whole node.
  std::weak_ptr<ApplyNode> self;

  const Op& op() const { return *op_ptr; }
  Var output(int i) const;
  Vars output_vars() const;
  int n_outputs() const { return static_cast<int>(outputs.size()); }
};

// A unit of computation. Subclasses say, in one place, everything about an op: its
// output types, how to compute it, its gradient, and how it prints.
class Op {
 public:
  virtual ~Op() = default;

  // "add", "dimshuffle", "sum"; parameters go into props().
  virtual std::string name() const = 0;
  // The parameters that distinguish two instances ("axis=1"). Two ops are equal (and
  // their applications merge) when their C++ types, names and props are equal.
  virtual std::string props() const { return {}; }
  bool equals(const Op& other) const;

  // Checks the inputs and returns the output types; throws TypeError / ShapeError
  // naming the op and the offending inputs.
  virtual std::vector<TensorType> make_types(std::span<const Var> inputs) const = 0;

  // Computes the outputs. `out[i]` holds the array from the previous call (or an
  // undefined one): reuse it through reuse_or_allocate, or assign a view of an input
  // (and declare it in view_of). Inputs must never be written.
  virtual void perform(const ApplyNode& node, std::span<const NDArray* const> in,
                       std::span<NDArray* const> out) const = 0;

  // For each output, the input it may be a view of, or -1.
  virtual int view_of(int /*output*/) const { return -1; }

  // Reverse-mode gradient: given the gradients of the outputs (an undefined Var for an
  // output that does not reach the cost), returns one gradient per input (an undefined
  // Var where the input gets none). Default: TypeError, "op is not differentiable".
  virtual Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const;

  // Lazy ops (ifelse) compute only some inputs. `needed_inputs` is asked repeatedly
  // with the inputs computed so far (undefined where not yet computed) and returns the
  // indices still needed; an empty answer means perform() can run.
  virtual bool is_lazy() const { return false; }
  virtual std::vector<int> needed_inputs(std::span<const NDArray* const> /*in*/) const {
    return {};
  }

  // Printing (pp): `args` are the already-printed inputs.
  virtual std::string print(std::span<const std::string> args) const;
};

// Builds an Apply node of `op` on `inputs` and returns its outputs. `loc` is the user's
// line that asked for it.
Vars make_apply(std::shared_ptr<const Op> op, Vars inputs, const Loc& loc);
// Same, for single-output ops.
Var make_apply1(std::shared_ptr<const Op> op, Vars inputs, const Loc& loc);

// A source variable of type `type` (what dmatrix("x") and friends make).
Var make_variable(TensorType type, std::string name, const Loc& loc);
// A constant. `weak` marks values from C++ literals: see dtype promotion in tensor.hpp.
Var constant(NDArray value, std::string name = "", const Loc& loc = Loc::current());
Var weak_constant(NDArray value, const Loc& loc);

// A short description for error messages: "x  float64 matrix  made at train.cpp:12 in main".
std::string describe(const Var& v);

struct VarHash {
  size_t operator()(const Var& v) const { return std::hash<VariableNode*>{}(v.get()); }
};
struct VarIs {
  bool operator()(const Var& a, const Var& b) const { return a.is(b); }
};

}  // namespace theon
