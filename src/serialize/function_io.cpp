// Functions as their user built them (FunctionSpec) to bytes and files, and back.
// One graph holds every variable the spec names, so an input that is also read by an
// output or a given loads as one variable.
#include <fstream>
#include <sstream>

#include "serialize/header.hpp"

namespace theon {
namespace {

// The order of the spec's variables in the saved graph's outputs.
Vars spec_vars(const FunctionSpec& s) {
  Vars v = s.inputs;
  v.insert(v.end(), s.outputs.begin(), s.outputs.end());
  for (const Update& u : s.updates) {
    v.push_back(u.var);
    v.push_back(u.value);
  }
  for (const auto& [a, b] : s.options.givens) {
    v.push_back(a);
    v.push_back(b);
  }
  v.insert(v.end(), s.options.no_default_updates_for.begin(), s.options.no_default_updates_for.end());
  return v;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  THEON_CHECK_USER(in.good(), ValueError) << "load: cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  // Written beside the target and renamed: a crash never leaves half a file at `path`.
  const std::string tmp = path + ".partial";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    THEON_CHECK_USER(out.good(), ValueError) << "save: cannot write " << path;
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    THEON_CHECK_USER(out.good(), ValueError) << "save: writing " << path << " failed";
  }
  THEON_CHECK_USER(std::rename(tmp.c_str(), path.c_str()) == 0, ValueError) << "save: cannot write " << path;
}

}  // namespace

std::string serialize(const FunctionSpec& s) {
  Writer w;
  detail::write_header(w, 'F');
  const Vars vars = spec_vars(s);
  detail::write_graph(w, vars, nullptr);
  w.i64(static_cast<int64_t>(s.inputs.size()));
  w.i64(static_cast<int64_t>(s.outputs.size()));
  w.i64(static_cast<int64_t>(s.updates.size()));
  w.i64(static_cast<int64_t>(s.options.givens.size()));
  w.i64(static_cast<int64_t>(s.options.no_default_updates_for.size()));
  w.boolean(s.single);
  const FunctionOptions& o = s.options;
  w.boolean(o.allow_input_downcast);
  w.str(o.on_unused_input);
  w.str(o.mode);
  w.str(o.optimizer_including);
  w.str(o.optimizer_excluding);
  w.str(o.name);
  w.i64(static_cast<int64_t>(o.borrow_outputs.size()));
  for (bool b : o.borrow_outputs) w.boolean(b);
  w.boolean(o.no_default_updates);
  return std::move(w.bytes());
}

FunctionSpec deserialize_function_spec(std::string_view bytes, const std::string& what) {
  Reader r(bytes, what);
  detail::read_header(r, 'F');
  const LoadedGraph g = detail::read_graph(r, {});
  int64_t counts[5];
  int64_t total = 0;
  for (int64_t& c : counts) {
    c = r.i64();
    if (c < 0) r.fail("a count is negative");
    total += c;
  }
  total += counts[2] + counts[3];  // updates and givens are pairs
  if (total != static_cast<int64_t>(g.outputs.size())) r.fail("the variable counts do not add up");
  FunctionSpec s;
  auto it = g.outputs.begin();
  s.inputs.assign(it, it + counts[0]);
  it += counts[0];
  s.outputs.assign(it, it + counts[1]);
  it += counts[1];
  for (int64_t i = 0; i < counts[2]; ++i, it += 2) {
    if (!it->is_shared()) r.fail("an update's target is not a shared variable");
    s.updates.push_back({SharedVar(*it), *(it + 1)});
  }
  for (int64_t i = 0; i < counts[3]; ++i, it += 2) s.options.givens.emplace_back(*it, *(it + 1));
  s.options.no_default_updates_for.assign(it, it + counts[4]);
  s.single = r.boolean();
  FunctionOptions& o = s.options;
  o.allow_input_downcast = r.boolean();
  o.on_unused_input = r.str();
  o.mode = r.str();
  o.optimizer_including = r.str();
  o.optimizer_excluding = r.str();
  o.name = r.str();
  const int64_t n_borrow = r.i64();
  if (n_borrow < 0 || n_borrow > counts[1]) r.fail("the borrow flags do not match the outputs");
  for (int64_t i = 0; i < n_borrow; ++i) o.borrow_outputs.push_back(r.boolean());
  o.no_default_updates = r.boolean();
  if (!r.at_end()) r.fail("bytes follow the end");
  // The default updates' expressions are held weakly by their variables; the compiled
  // function reads them while compiling, which is all they are needed for.
  s.keep_alive = g.keep_alive;
  return s;
}

Function compile(const FunctionSpec& s) {
  if (s.single && s.outputs.size() == 1) return function(s.inputs, s.outputs[0], s.updates, s.options);
  return function(s.inputs, s.outputs, s.updates, s.options);
}

void save(std::span<const Var> outputs, const std::string& path) { write_file(path, serialize(outputs)); }

void save(const FunctionSpec& spec, const std::string& path) { write_file(path, serialize(spec)); }

std::string serialize(const Function& f) { return serialize(f.spec()); }

void save(const Function& f, const std::string& path) { write_file(path, serialize(f)); }

LoadedGraph load_graph(const std::string& path) { return deserialize(read_file(path), {}, path); }

FunctionSpec load_function_spec(const std::string& path) {
  return deserialize_function_spec(read_file(path), path);
}

Function load_function(const std::string& path) { return compile(load_function_spec(path)); }

}  // namespace theon
