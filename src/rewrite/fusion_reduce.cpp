// fuse_reduce (fusion phase, after fuse_elemwise): a reduction whose input is an
// element-wise value that nothing else reads becomes one FusedReduce node, which
// computes the value block by block and folds it at once instead of writing it to
// memory and reading it back (issue 6).
//
//   sum(fused{exp(x)})   ->  fused_sum{exp(x)}          (from fuse_elemwise's group)
//   sum(x * y, axis=-1)  ->  fused_sum{(x * y), axis=1}  (a single float Elemwise)
//
// Declined when the element-wise value is read elsewhere (it must exist anyway; reads of
// its shape alone, as mean's divisor, are moved to an input of the same shape), for
// complex data, for an empty axis list (a copy), and for a single Elemwise that is not a
// float operation (comparisons and integer arithmetic reduce fine unfused).
//
// Also declined while the function can run as one whole-graph native kernel
// (compile/graph_kernel.hpp, for small calls) and the kernel's emitter cannot take the
// FusedReduce node: fusing would turn the whole graph back to the interpreter. With
// cgen_graph=false, no C++ compiler, or any other step the kernel cannot take, it fuses.
#include <unordered_map>

#include "backend/cgen/graph_emitter.hpp"
#include "ops/fused_reduce.hpp"
#include "ops/shape_ops.hpp"
#include "rewrite/phases.hpp"
#include "rewrite/rewrite_util.hpp"
#include "theon/config.hpp"

namespace theon::rewrite {
namespace {

bool whole_graph_native(const FunctionGraph& fgraph) {
  const Config& cfg = config();
  if (!cfg.cgen_graph || cfg.cxx.empty()) return false;
  for (ApplyNode* node : fgraph.toposort())
    if (node->op().view_of(0) < 0 && !detail::cgen::can_emit_step(*node)) return false;
  return true;
}

// The one-instruction program of a float Elemwise node (an n-ary add or mul folds left,
// as fuse_elemwise writes it), its inputs deduplicated.
bool program_of_elemwise(const ApplyNode& node, detail::FusedProgram& program, Vars& inputs) {
  const detail::Elemwise* e = elemwise_of(node);
  if (!e || node.n_outputs() != 1 || !is_float(e->out_dtype()) || !is_float(e->compute_dtype())) return false;
  if (!detail::scalar_block_fn(e->scalar_op(), e->compute_dtype())) return false;
  const int nd = node.output(0).ndim();
  std::unordered_map<const VariableNode*, int> reg;
  std::vector<int> args;
  for (const Var& in : node.inputs) {
    if (in.ndim() != nd || is_complex(in.dtype())) return false;
    auto [it, fresh] = reg.try_emplace(in.get(), static_cast<int>(inputs.size()));
    if (fresh) {
      inputs.push_back(in);
      program.input_dtypes.push_back(in.dtype());
    }
    args.push_back(it->second);
  }
  int acc = args[0];
  const bool nary = e->info().arity == 0;
  const size_t first = nary ? 1 : args.size() - 1;
  for (size_t k = first; k < args.size(); ++k) {
    std::vector<int> operands = nary ? std::vector<int>{acc, args[k]} : args;
    program.instrs.push_back({e->scalar_op(), e->compute_dtype(), e->out_dtype(), operands});
    acc = program.n_inputs() + static_cast<int>(program.instrs.size()) - 1;
  }
  program.outputs = {acc};
  return true;
}

// Reads of x's shape alone (mean's divisor) do not need x's value: each is remade from
// an input of x's element-wise producer that has x's length there. The replacements,
// or an empty list where some other reader needs the value.
std::optional<std::vector<std::pair<Var, Var>>> shape_reads(const FunctionGraph& fgraph, const Var& x,
                                                             const ApplyNode& reduction, const Vars& inputs) {
  std::vector<std::pair<Var, Var>> moves;
  const BroadcastPattern& pattern = x.broadcastable();
  for (const Client& c : fgraph.clients(x)) {
    if (c.node == &reduction) continue;
    if (!c.node) return std::nullopt;  // a graph output
    if (auto* s = dynamic_cast<const detail::ShapeI*>(&c.node->op())) {
      const int d = s->axis();
      for (const Var& in : inputs)
        if (in.broadcastable()[d] == pattern[d]) {
          moves.emplace_back(c.node->output(0), tensor::shape_i(in, d));
          break;
        }
    } else if (dynamic_cast<const detail::ShapeOp*>(&c.node->op())) {
      for (const Var& in : inputs)
        if (in.broadcastable() == pattern) {
          moves.emplace_back(c.node->output(0), tensor::shape(in));
          break;
        }
    } else {
      return std::nullopt;
    }
  }
  if (moves.size() + 1 != fgraph.clients(x).size()) return std::nullopt;
  return moves;
}

void fuse_reduce(RewriteSession& session) {
  const FunctionGraph& fgraph = session.fgraph();
  const bool native = whole_graph_native(fgraph);
  std::vector<ApplyNode*> reductions;
  for (ApplyNode* node : fgraph.toposort())
    if (dynamic_cast<const detail::Reduce*>(&node->op())) reductions.push_back(node);
  // Each replacement removes only its reduction and the producer nobody else reads.
  for (ApplyNode* node : reductions) {
    if (session.budget_spent()) return;
    const auto& r = static_cast<const detail::Reduce&>(node->op());
    const Var x = node->inputs[0];
    const ApplyNode* producer = x.owner();
    if (r.axes().empty() || !producer || is_complex(x.dtype())) continue;
    detail::FusedProgram program;
    Vars inputs;
    if (auto* f = dynamic_cast<const detail::FusedElemwise*>(&producer->op())) {
      if (producer->n_outputs() != 1) continue;
      program = f->program();
      if (!program.draws.empty()) continue;  // FusedReduce walks no flat index
      inputs = producer->inputs;
    } else if (!program_of_elemwise(*producer, program, inputs)) {
      continue;
    }
    bool complex_input = false;
    for (const Var& in : inputs) complex_input = complex_input || is_complex(in.dtype());
    if (complex_input) continue;
    const auto moves = shape_reads(fgraph, x, *node, inputs);
    if (!moves) continue;
    // Run-time errors of the element-wise part name the line of the value reduced.
    std::vector<Loc> locs(program.instrs.size(), producer->loc);
    const Var fused = detail::fused_reduce(std::move(program), std::move(locs), r.kind(), r.axes(), r.keepdims(),
                                           inputs, node->loc);
    if (native && !detail::cgen::can_emit_step(*fused.owner())) continue;
    for (const auto& [old_shape, new_shape] : *moves) session.replace(old_shape, new_shape, "fuse_reduce");
    session.replace(node->output(0), fused, "fuse_reduce");
  }
}

}  // namespace

void register_fusion_reduce(RewriteDb& db) {
  db.add_global("fusion", GlobalRewrite{"fuse_reduce", fuse_reduce}, {"fast_run", "fusion"});
}

}  // namespace theon::rewrite
