// Codecs of the control-flow ops (scan, ifelse) and the gradient modifiers. A scan saves
// its inner graph as a nested saved graph.

#include "ops/scan/scan_op.hpp"
#include "serialize/codec_registry.hpp"
#include "serialize/graph_sources.hpp"
#include "theon/debug.hpp"
#include "theon/grad.hpp"
#include "theon/ifelse.hpp"

namespace theon::detail {
namespace {

// The shared variables the graph of `roots` reads: how a scan names the outer shared
// variables it updates, reached through its inputs both when saved and when loaded.
Vars shared_sources(std::span<const Var> roots) {
  return leaves_in_order(roots, [](const Var& v) { return v.is_shared(); });
}

void save_scan(const Scan& op, Writer& w, std::span<const Var> node_inputs) {
  const ScanSpec& s = op.spec();
  w.i64(s.n_seqs);
  w.i64(static_cast<int64_t>(s.taps.size()));
  for (const auto& t : s.taps) w.ints(t);
  w.i64(s.n_nit);
  w.i64(s.n_non_seqs);
  w.i64(static_cast<int64_t>(s.store.size()));
  for (int64_t v : s.store) w.i64(v);
  w.i64(s.truncate_gradient);
  w.str(s.name);
  Vars inner = s.inner_inputs;
  inner.insert(inner.end(), s.inner_outputs.begin(), s.inner_outputs.end());
  w.i64(static_cast<int64_t>(s.inner_inputs.size()));
  w.str(serialize(inner));
  const Vars sources = shared_sources(node_inputs);
  w.i64(static_cast<int64_t>(s.updated_shared.size()));
  for (const Var& u : s.updated_shared) {
    int64_t at = -1;
    for (size_t i = 0; i < sources.size(); ++i)
      if (sources[i].is(u)) at = static_cast<int64_t>(i);
    THEON_CHECK_USER(at >= 0, SerializeError)
        << "save: scan " << s.name << " updates " << describe(u) << ", which its inputs do not read";
    w.i64(at);
  }
}

std::shared_ptr<const Op> load_scan(Reader& r, std::span<const Var> inputs) {
  ScanSpec s;
  s.n_seqs = r.int32();
  const int64_t n_taps = r.i64();
  if (n_taps < 0 || n_taps > 1000000) r.fail("a scan has " + std::to_string(n_taps) + " recurrences");
  for (int64_t i = 0; i < n_taps; ++i) s.taps.push_back(r.ints());
  s.n_nit = r.int32();
  s.n_non_seqs = r.int32();
  const int64_t n_store = r.i64();
  if (n_store < 0 || n_store > 1000000) r.fail("a scan's store count is wrong");
  for (int64_t i = 0; i < n_store; ++i) s.store.push_back(r.i64());
  s.truncate_gradient = r.int32();
  s.name = r.str();
  const int64_t n_inner_inputs = r.i64();
  const LoadedGraph inner = deserialize(r.str(), {}, r.what() + ", inner graph");
  if (n_inner_inputs < 0 || n_inner_inputs > static_cast<int64_t>(inner.outputs.size()))
    r.fail("a scan's inner input count is wrong");
  s.inner_inputs.assign(inner.outputs.begin(), inner.outputs.begin() + n_inner_inputs);
  s.inner_outputs.assign(inner.outputs.begin() + n_inner_inputs, inner.outputs.end());
  const Vars sources = shared_sources(inputs);
  const int64_t n_updated = r.i64();
  for (int64_t i = 0; i < n_updated; ++i) {
    const int64_t at = r.i64();
    if (at < 0 || at >= static_cast<int64_t>(sources.size())) r.fail("a scan's updated variable is missing");
    s.updated_shared.push_back(sources[static_cast<size_t>(at)]);
  }
  return std::make_shared<Scan>(std::move(s));
}

// Print's props are "message=<message>, attrs=(<attr>, <attr>)".
void save_print(const Op& op, Writer& w) {
  const std::string p = op.props();
  const size_t attrs_at = p.rfind(", attrs=(");
  THEON_ASSERT(p.starts_with("message=") && attrs_at != std::string::npos && p.ends_with(")"))
      << "Print's props changed: " << p;
  w.str(p.substr(8, attrs_at - 8));
  std::vector<std::string> attrs;
  const std::string list = p.substr(attrs_at + 9, p.size() - attrs_at - 10);
  for (size_t at = 0; at < list.size();) {
    const size_t end = std::min(list.find(", ", at), list.size());
    attrs.push_back(list.substr(at, end - at));
    at = end + 2;
  }
  w.i64(static_cast<int64_t>(attrs.size()));
  for (const std::string& a : attrs) w.str(a);
}

// A loaded Print prints to std::cout (the C++ Print): a Python global_fn is not saved.
Var load_print(Reader& r, std::span<const Var> in) {
  if (in.size() != 1) r.fail("Print has " + std::to_string(in.size()) + " inputs");
  std::string message = r.str();
  const int64_t n = r.i64();
  if (n < 0 || n > 10000) r.fail("Print has " + std::to_string(n) + " attributes");
  std::vector<std::string> attrs;
  for (int64_t i = 0; i < n; ++i) attrs.push_back(r.str());
  return theon::print(in[0], message, std::move(attrs), nullptr, Loc());
}

}  // namespace

void register_codecs_control() {
  // A scan's save needs its node's inputs, which OpCodec::save does not get: the inputs
  // reach the writer through this thread-local, set by the graph writer around the call.
  register_op_codec(typeid(Scan),
                    OpCodec{"scan",
                            [](const Op& op, Writer& w) { save_scan(static_cast<const Scan&>(op), w, saving_node_inputs()); },
                            load_scan, /*props_are_identity=*/true});
  add_rebuild_codec("if", [](Reader& r, std::span<const Var> in) {
    if (in.size() < 3 || in.size() % 2 == 0) r.fail("an ifelse has " + std::to_string(in.size()) + " inputs");
    const size_t n = (in.size() - 1) / 2;
    const Vars thens(in.begin() + 1, in.begin() + 1 + static_cast<std::ptrdiff_t>(n));
    const Vars elses(in.begin() + 1 + static_cast<std::ptrdiff_t>(n), in.end());
    return theon::ifelse(in[0], thens, elses)[0];
  });
  add_rebuild_codec("Print", load_print, save_print);
  add_rebuild_codec("zero_grad", [](Reader&, std::span<const Var> in) { return tensor::zero_grad(in[0]); });
  add_rebuild_codec("disconnected_grad", [](Reader&, std::span<const Var> in) { return tensor::disconnected_grad(in[0]); });
  add_rebuild_codec(
      "grad_clip",
      [](Reader& r, std::span<const Var> in) {
        const double lo = r.f64();
        return tensor::grad_clip(in[0], lo, r.f64());
      },
      [](const Op& op, Writer& w) {
        const std::string p = op.props();
        w.f64(std::stod(p));
        w.f64(std::stod(p.substr(p.find(',') + 1)));
      });
}

}  // namespace theon::detail
