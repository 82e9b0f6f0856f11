// pp: infix rendering of expressions, as Theano's pp.
//
// Each node's text is its op's print() applied to markers, cut at the markers into
// pieces of literal text and input references ("(", x, " + ", y, ")"). Texts are written
// by expanding pieces with an explicit stack, into one string: no node's text is built
// and copied level by level (which is quadratic on a chain), and nothing recurses on
// the depth of the graph. A subexpression read in several places whose text is long is
// printed once, as a numbered binding ($1 = ...), so the text stays linear in the size
// of the graph where repeating it would double at every level.
#include <limits>
#include <unordered_map>

#include "theon/fgraph.hpp"
#include "theon/print.hpp"

namespace theon {
namespace {

// A shared subexpression up to this long is repeated in place; a longer one is named.
constexpr size_t kInlineChars = 40;
// Marks an input reference in the text an op prints for its markers: \x1f<index>\x1f.
constexpr char kMark = '\x1f';

std::string constant_text(const Var& v) {
  const NDArray& a = v.constant_value();
  if (a.size() <= 8) return to_string(a);
  return "TensorConstant{" + std::string(dtype_name(a.dtype())) + ", shape " + shape_str(a.shape()) + "}";
}

std::string source_text(const Var& v) {
  if (v.is_constant()) return constant_text(v);
  return v.name().empty() ? std::string("<").append(v.type().str()).append(">") : v.name();
}

// Literal text followed by a reference to input `input` (-1: none, the last piece).
struct Piece {
  std::string text;
  int input;
};

std::vector<Piece> pieces_of(const Var& v) {
  const ApplyNode& node = *v.owner();
  std::vector<std::string> marks;
  for (size_t i = 0; i < node.inputs.size(); ++i)
    marks.push_back(std::string(1, kMark).append(std::to_string(i)).append(1, kMark));
  std::string t = node.op().print(marks);
  if (node.n_outputs() > 1) t.append("[").append(std::to_string(v.index())).append("]");
  std::vector<Piece> pieces;
  size_t pos = 0;
  for (size_t open; (open = t.find(kMark, pos)) != std::string::npos;) {
    const size_t close = t.find(kMark, open + 1);
    THEON_ASSERT(close != std::string::npos) << node.op().name() << ": unbalanced print marker";
    pieces.push_back({t.substr(pos, open - pos), std::stoi(t.substr(open + 1, close - open - 1))});
    pos = close + 1;
  }
  pieces.push_back({t.substr(pos), -1});
  return pieces;
}

class Printer {
 public:
  // The whole text of `root`, long shared subexpressions named and defined first.
  std::string full(const Var& root) {
    if (!root.owner()) return source_text(root);
    plan(root);
    std::string out;
    for (size_t k = 0; k < named_.size(); ++k) {
      out.append("$").append(std::to_string(k + 1)).append(" = ");
      write(named_[k], out, std::numeric_limits<size_t>::max());
      out += "\n";
    }
    write(root, out, std::numeric_limits<size_t>::max());
    return out;
  }

  // The text of `root` inline, cut after about `max_chars` characters.
  std::string cut(const Var& root, size_t max_chars) {
    std::string out = root.owner() ? std::string() : source_text(root);
    if (root.owner()) write(root, out, max_chars);
    if (out.size() <= max_chars) return out;
    out.resize(max_chars > 3 ? max_chars - 3 : 0);
    return out + "...";
  }

 private:
  const std::vector<Piece>& pieces(const Var& v) {
    auto it = pieces_.find(v.get());
    if (it == pieces_.end()) it = pieces_.emplace(v.get(), pieces_of(v)).first;
    return it->second;
  }

  // Counts the references to each subexpression, measures its inline text (children
  // first) and names the long shared ones, in that order.
  void plan(const Var& root) {
    // Post-order (inputs first) and reference counts, then lengths in that order.
    std::unordered_map<VariableNode*, size_t> uses{{root.get(), 1}}, length;
    Vars order;
    std::vector<std::pair<Var, bool>> stack{{root, false}};
    while (!stack.empty()) {
      auto [v, expanded] = stack.back();
      stack.pop_back();
      if (expanded) {
        order.push_back(v);
        continue;
      }
      if (!length.try_emplace(v.get(), 0).second) continue;  // visited
      stack.push_back({v, true});
      for (const Piece& p : pieces(v)) {
        if (p.input < 0) continue;
        const Var& in = v.owner()->inputs[p.input];
        if (!in.owner()) continue;
        ++uses[in.get()];
        if (!length.count(in.get())) stack.push_back({in, false});
      }
    }
    for (const Var& v : order) {
      size_t n = 0;
      for (const Piece& p : pieces(v)) {
        n = saturating_add(n, p.text.size());
        if (p.input < 0) continue;
        const Var& in = v.owner()->inputs[p.input];
        if (!in.owner()) n = saturating_add(n, source_text(in).size());
        else n = saturating_add(n, names_.count(in.get()) ? names_.at(in.get()).size() : length.at(in.get()));
      }
      length[v.get()] = n;
      if (uses.at(v.get()) > 1 && n > kInlineChars) {
        names_[v.get()] = std::string("$").append(std::to_string(named_.size() + 1));
        named_.push_back(v);
      }
    }
  }

  static size_t saturating_add(size_t a, size_t b) {
    return a > std::numeric_limits<size_t>::max() - b ? std::numeric_limits<size_t>::max() : a + b;
  }

  // Appends v's text (v itself expanded even when named) until `out` passes max_chars.
  void write(const Var& v, std::string& out, size_t max_chars) {
    struct Frame {
      const ApplyNode* node;
      const std::vector<Piece>* pieces;
      size_t next;
    };
    std::vector<Frame> stack{{v.owner(), &pieces(v), 0}};
    // Each level entered may print nothing before going deeper (x.T.T...): bounding the
    // depth by the budget bounds the work of a cut text.
    while (!stack.empty() && out.size() <= max_chars && stack.size() <= max_chars) {
      Frame& f = stack.back();
      if (f.next == f.pieces->size()) {
        stack.pop_back();
        continue;
      }
      const Piece& p = (*f.pieces)[f.next++];
      out += p.text;
      if (p.input < 0) continue;
      const Var& in = f.node->inputs[p.input];
      if (!in.owner()) {
        out += source_text(in);
      } else if (auto name = names_.find(in.get()); name != names_.end()) {
        out += name->second;
      } else {
        stack.push_back({in.owner(), &pieces(in), 0});
      }
    }
    if (!stack.empty()) out += "...";  // cut: make sure the caller sees a cut text
  }

  std::unordered_map<VariableNode*, std::vector<Piece>> pieces_;
  std::unordered_map<VariableNode*, std::string> names_;
  Vars named_;
};

}  // namespace

std::string pp(const Var& v) { return Printer().full(v); }

std::string pp(const Var& v, size_t max_chars) { return Printer().cut(v, max_chars); }

std::string pp(const Function& f) {
  std::string s;
  const Vars& outs = f.fgraph().outputs();
  for (size_t i = 0; i < outs.size(); ++i) s.append(i ? "\n" : "").append(Printer().full(outs[i]));
  return s;
}

}  // namespace theon
