// The registry of op codecs (theon/serialize.hpp), and the list of built-in families.
#include "serialize/codec_registry.hpp"

#include <map>
#include <mutex>
#include <typeinfo>
#include <unordered_map>

namespace theon {
namespace {

struct Registry {
  std::mutex mutex;
  std::unordered_map<std::type_index, OpCodec> by_type;
  std::map<std::string, std::type_index> by_key;
  // Ops rebuilt by name: their classes are private, so the key is the op's name().
  std::map<std::string, OpCodec> by_name;
};

Registry& registry() {
  static Registry r;
  return r;
}

void ensure_builtins() {
  static std::once_flag once;
  std::call_once(once, [] {
    detail::register_codecs_core();
    detail::register_codecs_shape();
    detail::register_codecs_nnet();
    detail::register_codecs_control();
    detail::register_codecs_bn();
    detail::register_codecs_linalg_extra();
    detail::register_codecs_grad_ops();
  });
}

}  // namespace

void register_op_codec(std::type_index type, OpCodec codec) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.by_key.insert_or_assign(codec.key, type);
  r.by_type.insert_or_assign(type, std::move(codec));
}

namespace {
thread_local std::span<const Var> saving_inputs;
}  // namespace

std::span<const Var> saving_node_inputs() { return saving_inputs; }

namespace detail {

SavingNode::SavingNode(std::span<const Var> inputs) : previous_(saving_inputs) { saving_inputs = inputs; }
SavingNode::~SavingNode() { saving_inputs = previous_; }

void add_rebuild_codec(const std::string& op_name, Rebuild build,
                       std::function<void(const Op&, Writer&)> save) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.by_name.insert_or_assign(
      op_name, OpCodec{"name:" + op_name, save ? save : [](const Op&, Writer&) {},
                       [build](Reader& rd, std::span<const Var> inputs) -> std::shared_ptr<const Op> {
                         Var v = build(rd, inputs);
                         if (v.owner() == nullptr) rd.fail("the op did not rebuild into a node");
                         return v.owner()->op_ptr;
                       }});
}

void add_named_op_codec(const std::string& op_name, LoadOp load,
                        std::function<void(const Op&, Writer&)> save, bool props_are_identity) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.by_name.insert_or_assign(op_name, OpCodec{"name:" + op_name, save ? save : [](const Op&, Writer&) {},
                                              std::move(load), props_are_identity});
}

std::string props_field(const std::string& props, const std::string& key) {
  size_t at = 0;
  for (;;) {
    at = props.find(key + "=", at);
    if (at == std::string::npos) return "";
    if (at == 0 || props[at - 1] == ' ' || props[at - 1] == ',') break;
    at += key.size();
  }
  const size_t begin = at + key.size() + 1;
  // A tuple runs to its ')', other values to the next space.
  const size_t end = props[begin] == '(' ? props.find(')', begin) + 1 : props.find(' ', begin);
  return props.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::vector<int> parse_int_tuple(const std::string& text) {
  std::vector<int> out;
  std::string digits;
  for (char c : text + ",") {
    if (c == '-' || (c >= '0' && c <= '9')) {
      digits += c;
    } else if (!digits.empty()) {
      out.push_back(std::stoi(digits));
      digits.clear();
    }
  }
  return out;
}

const OpCodec* codec_for(const Op& op) {
  ensure_builtins();
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.by_type.find(typeid(op));
  if (it != r.by_type.end()) return &it->second;
  auto named = r.by_name.find(op.name());
  return named == r.by_name.end() ? nullptr : &named->second;
}

const OpCodec* codec_by_key(const std::string& key) {
  ensure_builtins();
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  if (key.starts_with("name:")) {
    auto it = r.by_name.find(key.substr(5));
    return it == r.by_name.end() ? nullptr : &it->second;
  }
  auto it = r.by_key.find(key);
  return it == r.by_key.end() ? nullptr : &r.by_type.at(it->second);
}

}  // namespace detail
}  // namespace theon
