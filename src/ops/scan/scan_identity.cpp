// A scan's identity: its spec written as text that names no variable, interned to a
// short id (scan_identity.hpp).
#include "ops/scan/scan_identity.hpp"

#include <cstdio>
#include <mutex>
#include <typeinfo>
#include <unordered_map>
#include <unordered_set>

#include "ops/scan/scan_op.hpp"
#include "theon/side_effect.hpp"

namespace theon::detail {
namespace {

// Constants up to this size are written by value; larger ones by identity (the spec
// keeps them alive, so the address cannot be reused while the text matters).
constexpr size_t kMaxConstantBytesByValue = 1 << 16;

std::string hex(const void* data, size_t n) {
  static const char digits[] = "0123456789abcdef";
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::string s(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = digits[bytes[i] >> 4];
    s[2 * i + 1] = digits[bytes[i] & 15];
  }
  return s;
}

std::string address(const void* p) {
  char buf[2 + 2 * sizeof(void*) + 1];
  std::snprintf(buf, sizeof buf, "%p", p);
  return buf;
}

template <class T>
std::string list(const std::vector<T>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

// Writes the body's nodes, each after its arguments, in an order fixed by the structure
// alone: a depth-first walk from the outputs in order, arguments in order (iterative, so
// a deep body does not use deep stack).
class BodyWriter {
 public:
  BodyWriter(const ScanSpec& spec, const void* self, std::string& out) : self_(self), out_(out) {
    for (size_t k = 0; k < spec.inner_inputs.size(); ++k) {
      names_[spec.inner_inputs[k].get()] = "i" + std::to_string(k);
      out_ += "in " + spec.inner_inputs[k].type().str() + "\n";
    }
  }

  void write_outputs(const Vars& outputs) {
    for (const Var& v : outputs)
      if (v.owner()) walk(v.owner());
    out_ += "out";
    for (const Var& v : outputs) out_ += " " + ref(v);
    out_ += "\n";
  }

 private:
  void walk(const ApplyNode* root) {
    std::vector<std::pair<const ApplyNode*, bool>> stack{{root, false}};
    while (!stack.empty()) {
      auto [node, expanded] = stack.back();
      stack.pop_back();
      if (numbered_.count(node)) continue;
      if (expanded) {
        write_node(*node);
        continue;
      }
      stack.push_back({node, true});
      // Reversed, so the first argument's subgraph is written first.
      for (auto in = node->inputs.rbegin(); in != node->inputs.rend(); ++in)
        if (in->owner() && !numbered_.count(in->owner())) stack.push_back({in->owner(), false});
    }
  }

  void write_node(const ApplyNode& node) {
    std::string line = "n" + std::to_string(numbered_.size()) + " ";
    const Op& op = node.op();
    line += typeid(op).name();
    line += " " + op.name() + "{" + op.props() + "}";
    if (has_side_effects(op)) line += " self=" + address(self_);
    line += " (";
    for (size_t i = 0; i < node.inputs.size(); ++i) line += (i ? " " : "") + ref(node.inputs[i]);
    line += ") ->";
    for (const VariableNode& o : node.outputs) line += " " + o.type.str();
    numbered_.emplace(&node, numbered_.size());
    out_ += line + "\n";
  }

  // How an argument is named: inner input k, output o of node m, or a constant.
  std::string ref(const Var& v) {
    if (const ApplyNode* owner = v.owner())
      return "n" + std::to_string(numbered_.at(owner)) + "." + std::to_string(v.index());
    auto found = names_.find(v.get());
    if (found != names_.end()) return found->second;
    std::string name = "c" + std::to_string(names_.size());
    std::string line = name + " " + v.type().str() + " ";
    if (v.is_constant()) {
      const NDArray value = v.constant_value().contiguous();
      line += "shape";
      for (int64_t d : value.shape()) line += " " + std::to_string(d);
      if (value.nbytes() <= kMaxConstantBytesByValue)
        line += " = " + hex(value.raw(), value.nbytes());
      else
        line += " at " + address(v.get());
    } else {
      line += "source at " + address(v.get());  // not expected in a body: equal only to itself
    }
    out_ += line + "\n";
    names_.emplace(v.get(), name);
    return name;
  }

  const void* self_;
  std::string& out_;
  std::unordered_map<const VariableNode*, std::string> names_;
  std::unordered_map<const ApplyNode*, size_t> numbered_;
};

// Live canonical texts and their ids. Leaked on purpose: ops may outlive static
// destruction (Python's teardown).
struct Registry {
  struct Entry {
    std::string id;
    int holders = 0;
  };
  std::mutex mutex;
  std::unordered_map<std::string, Entry> by_text;
  std::unordered_set<std::string> ids;
};

Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

}  // namespace

std::string canonical_scan_text(const ScanSpec& spec, const void* self) {
  std::string out = "seqs " + std::to_string(spec.n_seqs) + " taps [";
  for (size_t j = 0; j < spec.taps.size(); ++j) out += (j ? ";" : "") + list(spec.taps[j]);
  out += "] nit " + std::to_string(spec.n_nit) + " non_seqs " + std::to_string(spec.n_non_seqs) +
         " store " + list(spec.store) + " truncate " + std::to_string(spec.truncate_gradient) +
         " updates";
  for (const Var& v : spec.updated_shared) out += " " + address(v.get());
  out += "\n";
  BodyWriter(spec, self, out).write_outputs(spec.inner_outputs);
  return out;
}

ScanIdentity::ScanIdentity(const std::string& text) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto [it, fresh] = r.by_text.try_emplace(text);
  if (fresh) {
    // 64 bits of the text's hash name it; another live text with the same hash (rare)
    // gets a suffix, so different texts never share an id.
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016zx", std::hash<std::string>{}(text));
    std::string id = buf;
    for (int n = 2; r.ids.count(id); ++n) id = std::string(buf) + "-" + std::to_string(n);
    r.ids.insert(id);
    it->second.id = std::move(id);
  }
  ++it->second.holders;
  entry_ = &*it;
}

ScanIdentity::~ScanIdentity() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto* entry = static_cast<std::pair<const std::string, Registry::Entry>*>(entry_);
  if (--entry->second.holders > 0) return;
  r.ids.erase(entry->second.id);
  r.by_text.erase(r.by_text.find(entry->first));
}

const std::string& ScanIdentity::id() const {
  return static_cast<const std::pair<const std::string, Registry::Entry>*>(entry_)->second.id;
}

}  // namespace theon::detail
