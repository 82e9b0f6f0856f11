#include "theon/graph.hpp"

#include <typeinfo>

#include "theon/config.hpp"
#include "theon/print.hpp"
#include "theon/tensor.hpp"
#include "theon/test_value.hpp"

namespace theon {

const TensorType& Var::type() const { return node_->type; }
const std::string& Var::name() const { return node_->name; }
Var& Var::set_name(std::string name) {
  node_->name = std::move(name);
  return *this;
}
const Loc& Var::loc() const { return node_->loc; }
const ApplyNode* Var::owner() const { return node_->owner; }
int Var::index() const { return node_->index; }
bool Var::is_constant() const { return node_->constant != nullptr; }
const NDArray& Var::constant_value() const {
  THEON_ASSERT(is_constant()) << describe(*this) << " is not a constant";
  return *node_->constant;
}
bool Var::is_weak() const { return node_->weak; }
bool Var::is_shared() const { return node_->storage != nullptr; }
const std::shared_ptr<SharedStorage>& Var::shared_storage() const { return node_->storage; }

namespace {

// The input lists of nodes being freed on this thread, released one at a time by the
// outermost ~ApplyNode. Without it, dropping a node drops its inputs, whose owners drop
// theirs, and so on: one stack frame per node of a chain.
thread_local std::vector<Vars>* t_pending_inputs = nullptr;

}  // namespace

ApplyNode::~ApplyNode() {
  if (inputs.empty()) return;
  if (t_pending_inputs) {  // an outer ~ApplyNode on this thread is draining
    t_pending_inputs->push_back(std::move(inputs));
    return;
  }
  std::vector<Vars> pending;
  pending.push_back(std::move(inputs));
  t_pending_inputs = &pending;
  while (!pending.empty()) {
    Vars released = std::move(pending.back());
    pending.pop_back();
    released.clear();  // may free more nodes, which queue their inputs here
  }
  t_pending_inputs = nullptr;
}

Var ApplyNode::output(int i) const {
  // Aliasing: the handle shares ownership of this whole node.
  return Var(std::shared_ptr<VariableNode>(self.lock(), const_cast<VariableNode*>(&outputs[i])));
}

Vars ApplyNode::output_vars() const {
  Vars out;
  for (int i = 0; i < n_outputs(); ++i) out.push_back(output(i));
  return out;
}

bool Op::equals(const Op& other) const {
  return typeid(*this) == typeid(other) && name() == other.name() && props() == other.props();
}

Vars Op::pullback(const ApplyNode& node, std::span<const Var>) const {
  THEON_FAIL(TypeError) << name() << " is not differentiable (node made at "
                        << format_loc(node.loc) << ")";
}

std::string Op::print(std::span<const std::string> args) const {
  std::string s = name() + "(";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
  return s + ")";
}

Vars make_apply(std::shared_ptr<const Op> op, Vars inputs, const Loc& loc) {
  for (size_t i = 0; i < inputs.size(); ++i)
    THEON_ASSERT(inputs[i].defined()) << op->name() << ": input " << i << " is undefined";
  std::vector<TensorType> types = op->make_types(inputs);
  auto node = std::make_shared<ApplyNode>();
  node->op_ptr = std::move(op);
  node->inputs = std::move(inputs);
  node->loc = loc;
  node->outputs.resize(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    VariableNode& out = node->outputs[i];
    out.type = std::move(types[i]);
    out.loc = loc;
    out.owner = node.get();
    out.index = static_cast<int>(i);
  }
  node->self = node;
  // Test values (theon/test_value.hpp): off costs this one compare.
  if (config().compute_test_value != "off") [[unlikely]]
    detail::compute_test_values(*node);
  return node->output_vars();
}

Var make_apply1(std::shared_ptr<const Op> op, Vars inputs, const Loc& loc) {
  Vars outs = make_apply(std::move(op), std::move(inputs), loc);
  THEON_ASSERT(outs.size() == 1) << "expected one output, got " << outs.size();
  return outs[0];
}

Var make_variable(TensorType type, std::string name, const Loc& loc) {
  auto node = std::make_shared<VariableNode>();
  node->type = std::move(type);
  node->name = std::move(name);
  node->loc = loc;
  return Var(std::move(node));
}

Var constant(NDArray value, std::string name, const Loc& loc) {
  THEON_CHECK_USER(value.defined(), ValueError) << "constant: undefined array";
  auto node = std::make_shared<VariableNode>();
  node->type = TensorType::of_rank(value.dtype(), value.ndim());
  for (int i = 0; i < value.ndim(); ++i) node->type.broadcastable[i] = value.shape(i) == 1;
  node->name = std::move(name);
  node->loc = loc;
  // Constants are immutable: keep a private copy so the caller's array can change.
  node->constant = std::make_shared<const NDArray>(value.copy());
  return Var(std::move(node));
}

Var weak_constant(NDArray value, const Loc& loc) {
  Var v = constant(std::move(value), "", loc);
  v.get()->weak = true;
  return v;
}

std::string describe(const Var& v) {
  std::string s = v.name();
  if (s.empty() && v.owner()) {
    s = pp(v, 60);  // an unnamed intermediate reads best as its expression
  }
  if (s.empty()) s = "<unnamed>";
  s += "  " + v.type().str();
  if (v.is_constant() && v.constant_value().size() <= 8) s += "  constant " + to_string(v.constant_value());
  std::string where = format_loc(v.loc());
  if (!where.empty()) s += "  made at " + where;
  return s;
}

}  // namespace theon
