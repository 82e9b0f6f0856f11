// Saving graphs and functions to bytes or files, and loading them back.
//
// A saved graph holds every variable reachable from its outputs: inputs (type and name),
// constants and shared variables (with their values), and each Apply node as its op's
// serialized form plus its inputs. Shared variables keep their identity inside one saved
// object: a variable read by two outputs loads as one shared variable. A saved function
// holds the graph the user built (inputs, outputs, updates, givens) and its options, and
// compiles it again when loaded: rewrites are fast, and native code already in the disk
// cache (docs/cache.md) is found there, not compiled again.
//
//   theon::save({cost, prediction}, "model.theon");
//   theon::LoadedGraph g = theon::load_graph("model.theon");   // g.outputs[0]: cost
//   theon::Function train = theon::function({x, y}, cost, {{W, W - 0.1 * gW}});
//   theon::save(train, "train.theon");                          // a compiled function
//   theon::Function again = theon::load_function("train.theon"); // compiled again
//
// A function is saved as the graph it was built from (Function::spec(): the rewritten
// graph holds fused kernels, never saved); a FunctionSpec saves the same without
// compiling. The format starts with a magic, a format version and the Theon version that
// wrote it; data of another format version, a truncated or corrupted file, are refused
// with SerializeError (never misread). Python's pickle saves functions through the
// arguments of theon.function (python/theon/serialization.py, docs/pickling.md).
// Saving and loading are iterative: a chain of 100 000 nodes round-trips in constant stack.
//
// Ops: each op class has a codec (src/serialize/codecs_*.cpp) keyed by its C++ type:
// `save` writes the op's parameters, `load` rebuilds it from them and the loaded
// inputs. An op of a program's own (an Op subclass, or a Python-defined op) registers
// its codec with register_op_codec; saving an op without one raises SerializeError
// naming it. Fused kernels and other ops that only rewrites make are never saved: a
// saved function stores the graph as built.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <typeindex>
#include <vector>

#include "theon/function.hpp"

namespace theon {

// Data that is not a saved Theon graph, is damaged, or was written by another format.
THEON_DECLARE_ERROR(SerializeError, ValueError);

// The Theon version that writes saved data ("0.1.0").
std::string_view theon_version();
// The format version saved data carries; data of another one is refused.
inline constexpr uint32_t kSerializeFormatVersion = 1;

// Appends primitive values to a byte string (little-endian, as the machine stores them).
class Writer {
 public:
  void u8(uint8_t v) { bytes_.push_back(static_cast<char>(v)); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void i64(int64_t v) { raw(&v, sizeof v); }
  void f64(double v) { raw(&v, sizeof v); }
  void str(std::string_view s);
  void ints(std::span<const int> v);
  void type(const TensorType& t);
  void array(const NDArray& a);
  void raw(const void* data, size_t n) { bytes_.append(static_cast<const char*>(data), n); }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
};

// Reads what a Writer wrote; every read past the end or of an impossible value throws
// SerializeError naming `what` (the file or object being loaded).
class Reader {
 public:
  Reader(std::string_view bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}
  uint8_t u8();
  bool boolean();
  int64_t i64();
  int int32();  // an i64 that must fit an int
  double f64();
  std::string str();
  std::vector<int> ints();
  TensorType type();
  NDArray array();
  bool at_end() const { return pos_ == bytes_.size(); }
  [[noreturn]] void fail(const std::string& why) const;
  const std::string& what() const { return what_; }

 private:
  std::string_view take(size_t n);
  std::string_view bytes_;
  size_t pos_ = 0;
  std::string what_;
};

// How one op class saves and loads. `load` gets the loaded inputs of the node (for ops
// whose parameters follow from them) and returns the op; the loader checks that the
// rebuilt op has the saved name and props and that the node's output types match.
struct OpCodec {
  std::string key;  // unique and stable: "elemwise", "my_program.clip"
  std::function<void(const Op& op, Writer& w)> save;
  std::function<std::shared_ptr<const Op>(Reader& r, std::span<const Var> inputs)> load;
  // Ops whose name or props hold their identity (scan's address, a Python op's label)
  // skip the name and props check.
  bool props_are_identity = false;
};
// Inside OpCodec::save: the inputs of the node whose op is being saved (for codecs
// whose parameters live in the node: scan's updated variables, a Python op's types).
std::span<const Var> saving_node_inputs();

// Registers the codec of the op class `type` (e.g. typeid(MyOp)). Registering a key
// again replaces it (a Python module reloaded).
void register_op_codec(std::type_index type, OpCodec codec);

// In-memory forms. Sources listed in `externals` (shared variables and inputs the
// caller keeps itself, as Python's pickle does) are saved as their index there, and
// deserialize binds them to the variables passed in its `externals`.
std::string serialize(std::span<const Var> outputs, std::vector<Var>* externals = nullptr);

struct LoadedGraph {
  Vars outputs;
  // Everything the loaded graph needs kept alive that no output holds (the default
  // update expressions of its shared variables: see SharedStorage).
  Vars keep_alive;
};
LoadedGraph deserialize(std::string_view bytes, std::span<const Var> externals = {},
                        const std::string& what = "serialized graph");

// A function as its user built it: what save stores and load compiles again.
struct FunctionSpec {
  Vars inputs;
  Vars outputs;
  bool single = false;  // one output: calls return it alone
  Updates updates;
  FunctionOptions options;  // givens, mode, names...; observers and profile are not saved
  Vars keep_alive;          // filled by loading: see LoadedGraph::keep_alive
};
std::string serialize(const FunctionSpec& spec);
// A compiled function: the spec it was built from (Function::spec()), its shared
// variables with their current values. ValueError for an empty Function.
std::string serialize(const Function& f);
FunctionSpec deserialize_function_spec(std::string_view bytes,
                                       const std::string& what = "serialized function");
Function compile(const FunctionSpec& spec);

// Files.
void save(std::span<const Var> outputs, const std::string& path);
inline void save(const std::vector<Var>& outputs, const std::string& path) {
  save(std::span<const Var>(outputs), path);
}
void save(const FunctionSpec& spec, const std::string& path);
void save(const Function& f, const std::string& path);
LoadedGraph load_graph(const std::string& path);
Function load_function(const std::string& path);
FunctionSpec load_function_spec(const std::string& path);

}  // namespace theon
