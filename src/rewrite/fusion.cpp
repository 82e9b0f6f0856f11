// fusion: connected groups of element-wise nodes that share one broadcast pattern become
// one FusedElemwise node, which passes over memory once instead of once per op.
//
// Groups grow from the outputs towards the inputs. A producer joins its consumer's group
// when it is element-wise with the same broadcast pattern (so it has the same run-time
// shape and is computed once per element: a row-shaped exp(b) feeding a matrix sum stays
// outside, or it would be recomputed for every row). A producer that is also read outside
// the group becomes one more output of the kernel (the forward value next to its
// gradient), provided no path leaves the group through it and comes back: contracting
// the group must leave the graph acyclic. A group of one node stays Elemwise (already one
// loop), unless it is a float transcendental: the fused loop has SIMD math and threads.
//
// A uniform draw whose sample only the group reads, with the group's broadcast pattern,
// is evaluated inside the loop (FusedProgram::draws): x * cast(u < p) / p, a dropout
// mask, then passes over x once and never writes u. The draw's new state, which the
// default update reads, becomes a random_advance node of the state and the size.
#include <unordered_map>
#include <unordered_set>

#include "ops/fused.hpp"
#include "ops/random/random_ops.hpp"
#include "rewrite/phases.hpp"
#include "rewrite/rewrite_util.hpp"

namespace theon::rewrite {
namespace {

// Bounds that keep one kernel's register file in L1 and the search linear in practice.
constexpr size_t kMaxGroupNodes = 128;
// A reachability search that visits more nodes than this answers "reaches" (no fusion).
constexpr size_t kMaxVisits = 20000;

// exp, sigmoid, tanh, ... in float32/float64: faster as a fused loop even alone.
bool worth_fusing_alone(const ApplyNode& node) {
  const detail::Elemwise* e = elemwise_of(node);
  if (!detail::simd_block_fn(e->scalar_op(), e->compute_dtype())) return false;
  switch (e->scalar_op()) {
    case detail::ScalarOpId::Add: case detail::ScalarOpId::Sub: case detail::ScalarOpId::Mul:
    case detail::ScalarOpId::TrueDiv: case detail::ScalarOpId::Minimum: case detail::ScalarOpId::Maximum:
    case detail::ScalarOpId::Neg: case detail::ScalarOpId::Abs: case detail::ScalarOpId::Reciprocal:
    case detail::ScalarOpId::Sqr: case detail::ScalarOpId::Sqrt: case detail::ScalarOpId::Floor:
    case detail::ScalarOpId::Ceil: case detail::ScalarOpId::Round: case detail::ScalarOpId::Trunc:
    case detail::ScalarOpId::Clip:
      return false;
    default:
      return true;
  }
}

// The draw node whose sample `v` the group can evaluate in its loop: a float uniform read
// only by the group's members, with the group's broadcast pattern (then the draw has the
// loop's shape, and element i of the loop is element i of the draw). Null otherwise.
const ApplyNode* absorbable_draw(const FunctionGraph& fgraph, const Var& v,
                                 const std::unordered_set<const ApplyNode*>& group, const BroadcastPattern& pattern) {
  const ApplyNode* owner = v.owner();
  if (!owner || owner->n_outputs() != 2 || !v.is(owner->output(1))) return nullptr;
  const auto* draw = dynamic_cast<const detail::RandomDraw*>(&owner->op());
  if (!draw || draw->dist() != detail::Distribution::Uniform || !(v.broadcastable() == pattern)) return nullptr;
  for (const Client& c : fgraph.clients(v))
    if (!c.node || !group.count(c.node)) return nullptr;
  return owner;
}

bool fusable(const ApplyNode& node) {
  const detail::Elemwise* e = elemwise_of(node);
  return e && node.n_outputs() == 1 && detail::scalar_block_fn(e->scalar_op(), e->compute_dtype());
}

class Grouper {
 public:
  explicit Grouper(const FunctionGraph& fgraph) : fgraph_(fgraph) {}

  // Partitions the graph's fusable nodes into groups of two or more, each convex
  // (contracting it and the groups before it keeps the graph acyclic).
  std::vector<std::vector<ApplyNode*>> run() {
    const std::vector<ApplyNode*> order = fgraph_.toposort();
    for (size_t i = 0; i < order.size(); ++i) position_[order[i]] = i;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      if (group_of_.count(*it) || !fusable(**it)) continue;
      std::vector<ApplyNode*> members = grow(*it);
      if (members.size() < 2 && !worth_fusing_alone(*members[0]) && !reads_draw(*members[0])) continue;
      std::sort(members.begin(), members.end(),
                [&](ApplyNode* a, ApplyNode* b) { return position_[a] < position_[b]; });
      for (ApplyNode* m : members) group_of_[m] = static_cast<int>(groups_.size());
      groups_.push_back(std::move(members));
    }
    return groups_;
  }

 private:
  std::vector<ApplyNode*> grow(ApplyNode* root) {
    group_ = {root};
    std::vector<ApplyNode*> members{root};
    const BroadcastPattern pattern = root->output(0).broadcastable();
    std::vector<ApplyNode*> work;
    auto push_producers = [&](const ApplyNode* node) {
      for (const Var& in : node->inputs)
        if (in.owner()) work.push_back(const_cast<ApplyNode*>(in.owner()));
    };
    push_producers(root);
    // A candidate turned down because a reader outside the group leads back into it is
    // pushed again when that reader joins (it is a producer of the reader).
    while (!work.empty() && members.size() < kMaxGroupNodes) {
      ApplyNode* p = work.back();
      work.pop_back();
      if (group_.count(p) || group_of_.count(p) || !fusable(*p)) continue;
      if (!(p->output(0).broadcastable() == pattern) || !can_join(*p)) continue;
      group_.insert(p);
      members.push_back(p);
      push_producers(p);
    }
    return members;
  }

  // Whether a group of this one node would evaluate a draw in its loop.
  bool reads_draw(const ApplyNode& node) const {
    for (const Var& in : node.inputs)
      if (absorbable_draw(fgraph_, in, group_, node.output(0).broadcastable())) return true;
    return false;
  }

  bool can_join(const ApplyNode& p) {
    for (const Client& c : fgraph_.clients(p.output(0)))
      if (c.node && !group_.count(c.node) && reaches_group(c.node)) return false;
    return true;
  }

  // Whether the group being grown is reachable from `start`, walking readers, with the
  // groups already made counted as single nodes (from any member to every member's
  // readers).
  bool reaches_group(ApplyNode* start) {
    std::vector<ApplyNode*> stack{start};
    std::unordered_set<const ApplyNode*> seen{start};
    std::unordered_set<int> groups_seen;
    auto push_readers = [&](const ApplyNode* node) {
      for (int i = 0; i < node->n_outputs(); ++i)
        for (const Client& c : fgraph_.clients(node->output(i)))
          if (c.node && seen.insert(c.node).second) stack.push_back(c.node);
    };
    while (!stack.empty()) {
      if (seen.size() > kMaxVisits) return true;
      ApplyNode* node = stack.back();
      stack.pop_back();
      if (group_.count(node)) return true;
      auto g = group_of_.find(node);
      if (g == group_of_.end()) {
        push_readers(node);
      } else if (groups_seen.insert(g->second).second) {
        for (ApplyNode* member : groups_[g->second]) {
          if (group_.count(member)) return true;
          seen.insert(member);
          push_readers(member);
        }
      }
    }
    return false;
  }

  const FunctionGraph& fgraph_;
  std::unordered_map<const ApplyNode*, size_t> position_;
  std::unordered_map<const ApplyNode*, int> group_of_;
  std::vector<std::vector<ApplyNode*>> groups_;
  std::unordered_set<const ApplyNode*> group_;  // the group being grown
};

// Replaces one group (members in topological order) by a FusedElemwise node.
void fuse_group(RewriteSession& session, const std::vector<ApplyNode*>& members) {
  const FunctionGraph& fgraph = session.fgraph();
  std::unordered_set<const ApplyNode*> in_group(members.begin(), members.end());
  std::unordered_map<const VariableNode*, int> reg;
  detail::FusedProgram program;
  Vars inputs;
  for (const ApplyNode* node : members)
    for (const Var& in : node->inputs)
      if (!(in.owner() && in_group.count(in.owner())) && !reg.count(in.get())) {
        reg[in.get()] = static_cast<int>(inputs.size());
        inputs.push_back(in);
        program.input_dtypes.push_back(in.dtype());
      }
  std::vector<Loc> locs;
  Vars old_outputs;
  for (const ApplyNode* node : members) {
    const detail::Elemwise& e = *elemwise_of(*node);
    std::vector<int> args;
    for (const Var& in : node->inputs) args.push_back(reg.at(in.get()));
    // n-ary add and mul fold left in their output dtype, as the Elemwise kernel does.
    int acc = args[0];
    const size_t arity = e.info().arity == 0 ? 2 : args.size();
    for (size_t k = arity - 1; k < args.size(); ++k) {
      std::vector<int> operands;
      if (e.info().arity == 0) operands = {acc, args[k]};
      else operands = args;
      program.instrs.push_back({e.scalar_op(), e.compute_dtype(), e.out_dtype(), operands});
      locs.push_back(node->loc);
      acc = program.n_inputs() + static_cast<int>(program.instrs.size()) - 1;
    }
    const Var out = node->output(0);
    reg[out.get()] = acc;
    bool read_outside = false;
    for (const Client& c : fgraph.clients(out)) read_outside = read_outside || !in_group.count(c.node);
    if (read_outside) {
      program.outputs.push_back(acc);
      old_outputs.push_back(out);
    }
  }
  const Loc& loc = members.back()->loc;
  Vars fused = detail::fused_elemwise(std::move(program), std::move(locs), std::move(inputs), loc);
  // The last member first: the new node takes the location of the group's root.
  for (size_t j = old_outputs.size(); j-- > 0;)
    session.replace(old_outputs[j], fused[j], "fuse_elemwise");
}

void fuse_elemwise(RewriteSession& session) {
  const auto groups = Grouper(session.fgraph()).run();
  for (const auto& members : groups) {
    if (session.budget_spent()) return;
    fuse_group(session, members);
  }
}

// fuse_random: each fused loop evaluates the uniform draws that only it reads (see
// absorbable_draw). Their input registers move behind the operands, and their (state,
// size) behind the node's inputs; each draw's new state becomes random_advance(state,
// size). A separate rewrite, so that optimizer_excluding "fuse_random" keeps the draws as
// ops of their own (and a benchmark can compare).
void fuse_random(RewriteSession& session) {
  const FunctionGraph& fgraph = session.fgraph();
  std::vector<ApplyNode*> loops;
  for (ApplyNode* node : fgraph.toposort())
    if (dynamic_cast<const detail::FusedElemwise*>(&node->op())) loops.push_back(node);
  for (ApplyNode* node : loops) {
    if (session.budget_spent()) return;
    const auto& f = static_cast<const detail::FusedElemwise&>(node->op());
    const detail::FusedProgram& old = f.program();
    const std::unordered_set<const ApplyNode*> self{node};
    const BroadcastPattern pattern = node->output(0).broadcastable();
    std::vector<const ApplyNode*> draws;
    std::vector<int> kept, taken;  // operand registers
    for (int k = 0; k < old.n_operands(); ++k) {
      const ApplyNode* draw = absorbable_draw(fgraph, node->inputs[k], self, pattern);
      (draw ? taken : kept).push_back(k);
      if (draw) draws.push_back(draw);
    }
    if (taken.empty()) continue;
    // New input registers: the kept operands, the draws already there, the new draws.
    detail::FusedProgram program;
    std::vector<int> reg(old.n_inputs());
    Vars inputs;
    for (int k : kept) {
      reg[k] = program.n_inputs();
      program.input_dtypes.push_back(old.input_dtypes[k]);
      inputs.push_back(node->inputs[k]);
    }
    for (int j = 0; j < static_cast<int>(old.draws.size()); ++j) {
      reg[old.n_operands() + j] = program.n_inputs();
      program.input_dtypes.push_back(old.input_dtypes[old.n_operands() + j]);
      program.draws.push_back(old.draws[j]);
    }
    for (int k : taken) {
      reg[k] = program.n_inputs();
      program.input_dtypes.push_back(old.input_dtypes[k]);
      program.draws.push_back({pattern});
    }
    for (size_t k = old.n_operands(); k < node->inputs.size(); ++k) inputs.push_back(node->inputs[k]);
    for (const ApplyNode* draw : draws) {
      inputs.push_back(draw->inputs[0]);
      inputs.push_back(draw->inputs[1]);
    }
    for (auto instr : old.instrs) {
      for (int& a : instr.args)
        if (a < old.n_inputs()) a = reg[a];
      program.instrs.push_back(std::move(instr));
    }
    program.outputs = old.outputs;
    // Each absorbed draw's new state, now computed from the size alone.
    Vars old_states, new_states;
    for (const ApplyNode* draw : draws) {
      const auto& op = static_cast<const detail::RandomDraw&>(draw->op());
      old_states.push_back(draw->output(0));
      new_states.push_back(make_apply(
          std::make_shared<const detail::RandomAdvance>(op.dtype(), draw->output(1).ndim()),
          {draw->inputs[0], draw->inputs[1]}, draw->loc)[0]);
    }
    const Vars old_outputs = node->output_vars();
    const Vars fused = detail::fused_elemwise(std::move(program), f.instr_locs(), std::move(inputs), node->loc);
    for (size_t j = 0; j < old_outputs.size(); ++j) session.replace(old_outputs[j], fused[j], "fuse_random");
    for (size_t j = 0; j < old_states.size(); ++j)
      if (fgraph.n_clients(old_states[j]) > 0) session.replace(old_states[j], new_states[j], "fuse_random");
  }
}

}  // namespace

void register_fusion_reduce(RewriteDb& db);  // fusion_reduce.cpp: runs on fuse_elemwise's groups

void register_fusion(RewriteDb& db) {
  db.add_global("fusion", GlobalRewrite{"fuse_elemwise", fuse_elemwise}, {"fast_run", "fusion"});
  db.add_global("fusion", GlobalRewrite{"fuse_random", fuse_random}, {"fast_run", "fusion"});
  register_fusion_reduce(db);
}

}  // namespace theon::rewrite
