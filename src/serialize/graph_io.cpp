// Graphs to bytes and back (theon/serialize.hpp). Records are written in topological
// order, each variable numbered as it is written, so loading is one pass over them.
//
//   header  "THEONSAV", u32 format version, Theon version, kind ('G' graph, 'F' function)
//   'I' input        type, name
//   'X' external     index into the caller's externals, type
//   'C' constant     name, weak, type, array
//   'S' shared       name, type, array
//   'A' apply        codec key, op name, op props, codec payload, input ids,
//                    output count, then per output its type and name
//   'D' default update  shared id, expression id (after both are written)
//   'O' outputs      ids
//   'E' end
#include <cstring>
#include <unordered_map>

#include "serialize/codec_registry.hpp"
#include "serialize/header.hpp"
#include "theon/print.hpp"

namespace theon {
namespace detail {

static constexpr char kMagic[8] = {'T', 'H', 'E', 'O', 'N', 'S', 'A', 'V'};

void write_header(Writer& w, char kind) {
  w.raw(kMagic, sizeof kMagic);
  const uint32_t format = kSerializeFormatVersion;
  w.raw(&format, sizeof format);
  w.str(theon_version());
  w.u8(static_cast<uint8_t>(kind));
}

void read_header(Reader& r, char kind) {
  if (r.at_end()) r.fail("it is empty");
  char magic[8];
  for (char& c : magic) c = static_cast<char>(r.u8());
  if (std::memcmp(magic, kMagic, sizeof kMagic) != 0) r.fail("it does not start with THEONSAV");
  uint32_t format = 0;
  for (int i = 0; i < 4; ++i) format |= static_cast<uint32_t>(r.u8()) << (8 * i);
  const std::string version = r.str();
  THEON_CHECK_USER(format == kSerializeFormatVersion, SerializeError)
      << "load: " << r.what() << " was saved by Theon " << version << " in format version " << format
      << "; this Theon (" << theon_version() << ") reads format version " << kSerializeFormatVersion
      << " only: load it with the Theon that saved it, and save it again from there";
  const char got = static_cast<char>(r.u8());
  THEON_CHECK_USER(got == kind, SerializeError)
      << "load: " << r.what() << " holds a " << (got == 'F' ? "function" : got == 'G' ? "graph" : "?")
      << ", not a " << (kind == 'F' ? "function" : "graph")
      << (kind == 'F' ? " (use load_graph)" : " (use load_function)");
}

namespace {

class GraphWriter {
 public:
  GraphWriter(Writer& w, std::vector<Var>* externals) : w_(w), externals_(externals) {}

  void write(std::span<const Var> outputs) {
    std::vector<Var> roots(outputs.begin(), outputs.end());
    std::vector<std::pair<Var, Var>> defaults;  // shared variable, its default update
    for (size_t i = 0; i < roots.size(); ++i) {
      visit(roots[i], defaults);
      // A default update reads its shared variable: written after it, as a root of its own.
      while (next_default_ < defaults.size()) roots.push_back(defaults[next_default_++].second);
    }
    for (const auto& [s, u] : defaults) {
      w_.u8('D');
      w_.i64(id(s));
      w_.i64(id(u));
    }
    w_.u8('O');
    w_.i64(static_cast<int64_t>(outputs.size()));
    for (const Var& v : outputs) w_.i64(id(v));
    w_.u8('E');
  }

 private:
  int64_t id(const Var& v) const { return ids_.at(v.get()); }

  // Post-order over Apply nodes with an explicit stack: no recursion on graph depth.
  void visit(const Var& root, std::vector<std::pair<Var, Var>>& defaults) {
    if (ids_.count(root.get())) return;
    struct Frame {
      Var var;
      size_t next_input;
    };
    std::vector<Frame> stack{{root, 0}};
    while (!stack.empty()) {
      Frame& f = stack.back();
      const ApplyNode* owner = f.var.owner();
      if (ids_.count(f.var.get())) {
        stack.pop_back();
        continue;
      }
      if (owner == nullptr) {
        write_source(f.var, defaults);
        stack.pop_back();
        continue;
      }
      if (f.next_input < owner->inputs.size()) {
        const Var in = owner->inputs[f.next_input++];
        if (!ids_.count(in.get())) stack.push_back({in, 0});
        continue;
      }
      write_apply(*owner);
      stack.pop_back();
    }
  }

  void number(const Var& v) { ids_.emplace(v.get(), next_id_++); }

  void write_source(const Var& v, std::vector<std::pair<Var, Var>>& defaults) {
    if (v.is_constant()) {
      w_.u8('C');
      w_.str(v.name());
      w_.boolean(v.is_weak());
      w_.type(v.type());
      w_.array(v.constant_value());
    } else if (externals_ != nullptr) {
      w_.u8('X');
      w_.i64(static_cast<int64_t>(externals_->size()));
      w_.type(v.type());
      externals_->push_back(v);
    } else if (v.is_shared()) {
      w_.u8('S');
      w_.str(v.name());
      w_.type(v.type());
      w_.array(v.shared_storage()->value);
    } else {
      w_.u8('I');
      w_.type(v.type());
      w_.str(v.name());
    }
    number(v);
    // Externals carry their own default updates (Python's pickle saves them with the variable).
    if (externals_ == nullptr && v.is_shared()) {
      Var update = SharedVar(v).default_update();
      if (update.defined()) defaults.emplace_back(v, update);
    }
  }

  void write_apply(const ApplyNode& node) {
    const Op& op = node.op();
    const OpCodec* codec = codec_for(op);
    THEON_CHECK_USER(codec != nullptr, SerializeError)
        << "save: the op " << op.name() << (op.props().empty() ? "" : "{" + op.props() + "}")
        << " (made at " << format_loc(node.loc) << ") has no codec, so it cannot be saved;"
        << " fused kernels appear only in compiled functions (save the graph as built),"
        << " and an op of your own registers one with theon::register_op_codec";
    w_.u8('A');
    w_.str(codec->key);
    w_.str(op.name());
    w_.str(op.props());
    Writer payload;
    {
      SavingNode saving(node.inputs);
      codec->save(op, payload);
    }
    w_.str(payload.bytes());
    w_.i64(static_cast<int64_t>(node.inputs.size()));
    for (const Var& in : node.inputs) w_.i64(id(in));
    w_.i64(node.n_outputs());
    for (const Var& out : node.output_vars()) {
      w_.type(out.type());
      w_.str(out.name());
      number(out);
    }
  }

  Writer& w_;
  std::vector<Var>* externals_;
  std::unordered_map<const VariableNode*, int64_t> ids_;
  int64_t next_id_ = 0;
  size_t next_default_ = 0;
};

std::string type_str(const TensorType& t) { return t.str(); }

}  // namespace

void write_graph(Writer& w, std::span<const Var> outputs, std::vector<Var>* externals) {
  GraphWriter(w, externals).write(outputs);
}

LoadedGraph read_graph(Reader& r, std::span<const Var> externals) {
  std::vector<Var> vars;
  LoadedGraph out;
  auto var_at = [&](int64_t id) -> const Var& {
    if (id < 0 || id >= static_cast<int64_t>(vars.size())) r.fail("a node refers to variable " + std::to_string(id));
    return vars[static_cast<size_t>(id)];
  };
  for (;;) {
    const char tag = static_cast<char>(r.u8());
    switch (tag) {
      case 'I': {
        TensorType t = r.type();
        vars.push_back(make_variable(std::move(t), r.str(), Loc()));
        break;
      }
      case 'X': {
        const int64_t i = r.i64();
        const TensorType t = r.type();
        if (i < 0 || i >= static_cast<int64_t>(externals.size())) r.fail("external " + std::to_string(i) + " was not given");
        const Var& v = externals[static_cast<size_t>(i)];
        THEON_CHECK_USER(v.type() == t, SerializeError)
            << "load: " << r.what() << ": variable " << describe(v) << " was saved as " << type_str(t);
        vars.push_back(v);
        break;
      }
      case 'C': {
        std::string name = r.str();
        const bool weak = r.boolean();
        TensorType t = r.type();
        NDArray value = r.array();
        if (value.ndim() != t.ndim()) r.fail("a constant's value does not fit its type");
        Var v = weak ? weak_constant(std::move(value), Loc()) : constant(std::move(value), std::move(name), Loc());
        v.get()->type = std::move(t);
        vars.push_back(std::move(v));
        break;
      }
      case 'S': {
        std::string name = r.str();
        TensorType t = r.type();
        NDArray value = r.array();
        if (value.ndim() != t.ndim()) r.fail("a shared variable's value does not fit its type");
        vars.push_back(shared(value, std::move(name), t.broadcastable, /*borrow=*/true, Loc()));
        break;
      }
      case 'A': {
        const std::string key = r.str(), name = r.str(), props = r.str(), payload = r.str();
        const int64_t n_in = r.i64();
        if (n_in < 0 || static_cast<uint64_t>(n_in) > vars.size() + 1000000) r.fail("an input count is wrong");
        Vars inputs;
        for (int64_t i = 0; i < n_in; ++i) inputs.push_back(var_at(r.i64()));
        const OpCodec* codec = codec_by_key(key);
        THEON_CHECK_USER(codec != nullptr, SerializeError)
            << "load: " << r.what() << " uses the op " << name << " (codec '" << key
            << "'), which this program does not know; register its codec before loading";
        Reader pr(payload, r.what() + ", op " + name);
        std::shared_ptr<const Op> op;
        Vars outs;
        try {
          op = codec->load(pr, inputs);
          if (op) outs = make_apply(op, inputs, Loc());
        } catch (const SerializeError&) {
          throw;
        } catch (const std::exception& e) {
          // Parameters or inputs this op refuses: damaged data, or an op that changed.
          THEON_FAIL(SerializeError) << "load: " << r.what() << ": the op " << name << "{" << props
                                     << "} cannot be rebuilt from the saved data: " << e.what();
        }
        THEON_CHECK_USER(op && (codec->props_are_identity || (op->name() == name && op->props() == props)),
                         SerializeError)
            << "load: " << r.what() << ": the op " << name << "{" << props << "} rebuilt as "
            << (op ? op->name() + "{" + op->props() + "}" : "nothing")
            << "; it was saved by an incompatible Theon or codec";
        const int64_t n_out = r.i64();
        if (n_out != static_cast<int64_t>(outs.size())) r.fail("the op " + name + " has another output count");
        for (Var& o : outs) {
          const TensorType t = r.type();
          THEON_CHECK_USER(o.type() == t, SerializeError)
              << "load: " << r.what() << ": op " << name << " now gives " << type_str(o.type())
              << " where the saved graph had " << type_str(t);
          o.set_name(r.str());
          vars.push_back(o);
        }
        break;
      }
      case 'D': {
        const Var& s = var_at(r.i64());
        const Var& u = var_at(r.i64());
        if (!s.is_shared()) r.fail("a default update names a variable that is not shared");
        SharedVar(s).set_default_update(u);
        out.keep_alive.push_back(u);
        break;
      }
      case 'O': {
        const int64_t n = r.i64();
        if (n < 0 || static_cast<uint64_t>(n) > vars.size() * 4 + 16) r.fail("an output count is wrong");
        for (int64_t i = 0; i < n; ++i) out.outputs.push_back(var_at(r.i64()));
        break;
      }
      case 'E':
        return out;
      default:
        r.fail(std::string("unknown record '") + tag + "'");
    }
  }
}

}  // namespace detail

std::string serialize(std::span<const Var> outputs, std::vector<Var>* externals) {
  Writer w;
  detail::write_header(w, 'G');
  detail::write_graph(w, outputs, externals);
  return std::move(w.bytes());
}

LoadedGraph deserialize(std::string_view bytes, std::span<const Var> externals, const std::string& what) {
  Reader r(bytes, what);
  detail::read_header(r, 'G');
  LoadedGraph g = detail::read_graph(r, externals);
  if (!r.at_end()) r.fail("bytes follow the end");
  return g;
}

}  // namespace theon
