// The op codecs, by C++ type (for saving) and by key (for loading). Built-in codecs
// register on first use through the register_codecs_* functions, one per op family
// (codecs_*.cpp), listed in codec_registry.cpp.
#pragma once

#include "theon/serialize.hpp"

namespace theon::detail {

// nullptr when the class has none.
const OpCodec* codec_for(const Op& op);
const OpCodec* codec_by_key(const std::string& key);

// Small helpers the codec files share.
template <class O>
void add_codec(std::string key, std::function<void(const O&, Writer&)> save,
               std::function<std::shared_ptr<const Op>(Reader&, std::span<const Var>)> load) {
  register_op_codec(typeid(O), OpCodec{std::move(key),
                                       [save](const Op& op, Writer& w) { save(static_cast<const O&>(op), w); },
                                       std::move(load)});
}
// An op without parameters.
template <class O>
void add_plain_codec(std::string key) {
  register_op_codec(typeid(O), OpCodec{std::move(key), [](const Op&, Writer&) {},
                                       [](Reader&, std::span<const Var>) { return std::make_shared<O>(); }});
}
// The op that `build` makes from the node's inputs: for op classes private to their file,
// rebuilt through the public function that makes them. The loader checks name and props.
using Rebuild = std::function<Var(Reader&, std::span<const Var>)>;
void add_rebuild_codec(const std::string& op_name, Rebuild build,
                       std::function<void(const Op&, Writer&)> save = {});

// The op that `load` makes, for op classes private to their file that are not built by
// a public function (gradient ops): see serialize/private_ops.hpp. Keyed by name() too.
using LoadOp = std::function<std::shared_ptr<const Op>(Reader&, std::span<const Var>)>;
void add_named_op_codec(const std::string& op_name, LoadOp load,
                        std::function<void(const Op&, Writer&)> save = {}, bool props_are_identity = false);

// Sets saving_node_inputs() for the time of one OpCodec::save.
class SavingNode {
 public:
  explicit SavingNode(std::span<const Var> inputs);
  ~SavingNode();

 private:
  std::span<const Var> previous_;
};

// Reading the props of ops whose fields only their props show: the text after
// "key=" up to the next space ("" when absent), and "(0, 2, 3)" or "(1,)" as ints.
std::string props_field(const std::string& props, const std::string& key);
std::vector<int> parse_int_tuple(const std::string& text);

void register_codecs_core();
void register_codecs_shape();
void register_codecs_nnet();
void register_codecs_control();
void register_codecs_bn();
void register_codecs_linalg_extra();
void register_codecs_grad_ops();

}  // namespace theon::detail
