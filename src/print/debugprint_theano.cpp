// debugprint with Theano 1.0's options and layout:
//   mul [id A] ''   2
//    |x [id B]
//    |add [id C] 'z'   1
//      |y [id D]
// An apply node's line is `<prefix><op>{props}[.<output>] [id X][ <type>] '<name>'[   <toposort index>]`,
// a source's `<prefix><name or value> [id X][ <type>]`; a child's prefix is its parent's
// continuation plus " |", and the continuation grows by " |" below a node that has
// later siblings, by "  " below the last one. Ids are given in the order lines are
// printed; a node met again prints its line without its inputs. Iterative: an explicit
// stack stands for Theano's recursion. Trailing spaces are not printed.
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "print/theano_names.hpp"
#include "theon/debugprint_order.hpp"
#include "theon/fgraph.hpp"

namespace theon {
namespace {

class TheanoTreePrinter {
 public:
  TheanoTreePrinter(const DebugPrintOptions& o, const std::vector<ApplyNode*>& order) : o_(o) {
    THEON_CHECK_USER(o.ids == "CHAR" || o.ids == "id" || o.ids == "int" || o.ids.empty(), ValueError)
        << "debugprint: ids must be 'CHAR', 'id', 'int' or '', got '" << o.ids << "'";
    for (size_t k = 0; k < order.size(); ++k) order_[order[k]] = static_cast<int>(k);
  }

  std::string print(const Vars& roots) {
    for (const Var& r : roots) tree(r);
    return out_.str();
  }

 private:
  struct Item {
    Var v;
    std::string prefix, prefix_child;
    int depth;
  };

  void tree(const Var& root) {
    std::vector<Item> stack{{root, "", "", o_.depth}};
    while (!stack.empty()) {
      Item item = std::move(stack.back());
      stack.pop_back();
      if (item.depth == 0) continue;
      const Var& v = item.v;
      const ApplyNode* owner = v.owner();
      std::string line = item.prefix;
      if (!owner) {
        std::string label = detail::source_label(v);
        if (label.empty()) label = detail::cat({"<", detail::theano_type_str(v.type()), ">"});
        line += label + with_space(id_of(v.get()));
        if (o_.print_type) line += detail::cat({" <", detail::theano_type_str(v.type()), ">"});
        if (o_.print_storage && v.is_shared()) line += detail::cat({" ", to_string(v.shared_storage()->value)});
        emit(line);
        continue;
      }
      const bool printed_before = !done_.insert(owner).second;
      line += owner->op().name();
      if (!owner->op().props().empty()) line += detail::cat({"{", owner->op().props(), "}"});
      if (owner->n_outputs() > 1) line += detail::cat({".", std::to_string(v.index())});
      line += with_space(id_of(owner));
      if (o_.print_type) line += detail::cat({" <", detail::theano_type_str(v.type()), ">"});
      line += detail::cat({" '", v.name(), "'"});
      if (auto it = order_.find(owner); it != order_.end()) line += detail::cat({"   ", std::to_string(it->second)});
      emit(line);
      if (printed_before || (o_.stop_on_name && !v.name().empty())) continue;
      const size_t n = owner->inputs.size();
      for (size_t i = n; i-- > 0;)
        stack.push_back({owner->inputs[i], item.prefix_child + " |",
                         item.prefix_child + (i + 1 < n ? " |" : "  "), item.depth - 1});
    }
  }

  static std::string with_space(const std::string& id) { return id.empty() ? id : detail::cat({" ", id}); }

  void emit(std::string line) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out_ << line << "\n";
  }

  std::string id_of(const void* key) {
    if (o_.ids.empty()) return "";
    auto [it, fresh] = ids_.try_emplace(key, static_cast<int>(ids_.size()));
    if (o_.ids == "int") return detail::cat({"[id ", std::to_string(it->second), "]"});
    if (o_.ids == "id") {
      std::ostringstream s;
      s << "[id " << key << "]";
      return s.str();
    }
    std::string s;
    for (int id = it->second;; id = id / 26 - 1) {
      s.insert(s.begin(), static_cast<char>('A' + id % 26));
      if (id < 26) break;
    }
    return detail::cat({"[id ", s, "]"});
  }

  const DebugPrintOptions& o_;
  std::ostringstream out_;
  std::unordered_map<const void*, int> ids_;
  std::unordered_map<const ApplyNode*, int> order_;
  std::unordered_set<const ApplyNode*> done_;
};

}  // namespace

std::string debugprint(const std::vector<Var>& outputs, const DebugPrintOptions& options) {
  return TheanoTreePrinter(options, {}).print(outputs);
}

std::string debugprint(const std::vector<Var>& outputs, const std::vector<ApplyNode*>& order,
                       const DebugPrintOptions& options) {
  return TheanoTreePrinter(options, order).print(outputs);
}

std::string debugprint(const Function& f, const DebugPrintOptions& options) {
  return TheanoTreePrinter(options, f.fgraph().toposort()).print(f.fgraph().outputs());
}

}  // namespace theon
