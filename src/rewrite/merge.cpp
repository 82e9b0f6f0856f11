// merge: identical computations happen once. Equal constants become one variable, then
// nodes applying equal ops to the same inputs become one node (inputs first, so whole
// identical subgraphs collapse in one walk).
#include <cstring>
#include <unordered_map>

#include "rewrite/phases.hpp"
#include "theon/side_effect.hpp"

namespace theon::rewrite {
namespace {

// Constants larger than this are not compared byte by byte.
constexpr int64_t kMaxMergedConstantBytes = 1 << 20;

size_t mix(size_t h, size_t v) { return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)); }

size_t constant_hash(const NDArray& a) {
  size_t h = std::hash<int>{}(static_cast<int>(a.dtype()));
  for (int64_t d : a.shape()) h = mix(h, std::hash<int64_t>{}(d));
  const NDArray c = a.contiguous();
  const auto* bytes = static_cast<const unsigned char*>(c.raw());
  const size_t n = c.nbytes();
  return mix(h, std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(bytes), n)));
}

bool same_constant(const Var& a, const Var& b) {
  if (!(a.type() == b.type())) return false;
  const NDArray x = a.constant_value().contiguous(), y = b.constant_value().contiguous();
  if (x.shape() != y.shape()) return false;
  return std::memcmp(x.raw(), y.raw(), x.nbytes()) == 0;
}

void merge_constants(RewriteSession& session) {
  FunctionGraph& fgraph = session.fgraph();
  std::unordered_multimap<size_t, Var> seen;
  for (const Var& v : fgraph.variables()) {
    if (!v.is_constant() || fgraph.n_clients(v) == 0) continue;
    const NDArray& value = v.constant_value();
    if (static_cast<int64_t>(value.nbytes()) > kMaxMergedConstantBytes) continue;
    const size_t h = constant_hash(value);
    auto [lo, hi] = seen.equal_range(h);
    bool merged = false;
    for (auto it = lo; it != hi && !merged; ++it)
      if (same_constant(it->second, v)) merged = session.replace(v, it->second, "merge");
    if (!merged) seen.emplace(h, v);
  }
}

size_t node_hash(const ApplyNode& node) {
  size_t h = mix(typeid(node.op()).hash_code(), std::hash<std::string>{}(node.op().props()));
  for (const Var& in : node.inputs) h = mix(h, std::hash<VariableNode*>{}(in.get()));
  return h;
}

bool same_node(const ApplyNode& a, const ApplyNode& b) {
  if (a.inputs.size() != b.inputs.size() || !a.op().equals(b.op())) return false;
  for (size_t i = 0; i < a.inputs.size(); ++i)
    if (!a.inputs[i].is(b.inputs[i])) return false;
  return true;
}

void merge_nodes(RewriteSession& session) {
  FunctionGraph& fgraph = session.fgraph();
  std::unordered_multimap<size_t, ApplyNode*> seen;
  // The walk replaces nodes it has passed, never ones ahead of it, so the order holds;
  // inputs are rewired in place, so later hashes see the merged inputs.
  for (ApplyNode* node : fgraph.toposort()) {
    if (!fgraph.contains(node) || has_side_effects(node->op())) continue;  // each Print prints
    const size_t h = node_hash(*node);
    auto [lo, hi] = seen.equal_range(h);
    ApplyNode* twin = nullptr;
    for (auto it = lo; it != hi && !twin; ++it)
      if (same_node(*it->second, *node)) twin = it->second;
    if (!twin) {
      seen.emplace(h, node);
      continue;
    }
    session.replace_node(*node, twin->output_vars(), "merge");
    if (session.budget_spent()) return;
  }
}

}  // namespace

void register_merge(RewriteDb& db) {
  db.add_global("merge",
                GlobalRewrite{"merge",
                              [](RewriteSession& session) {
                                merge_constants(session);
                                merge_nodes(session);
                              }},
                {"fast_run", "fast_compile"});
}

}  // namespace theon::rewrite
