// canonicalize, algebra: every sum and every product is gathered into one canonical
// n-ary node. A sum is read as signed terms (sub is add of neg), a product as factors
// over a denominator (true_div is mul of reciprocal), through inner nodes whose only
// reader is the outer node (so no work is duplicated) and that compute in the same
// dtype (so integer wrap-around and float precision are unchanged). Then equal terms
// and factors cancel, like terms collect into a constant multiple, constants combine
// into one that comes first, and one node is rebuilt:
//
//   (x + y) + (x + y)  ->  2 * (x + y)        x + y - x  ->  y        --x  ->  x
//   x - x  ->  fill(x, 0)                     x + 0, x * 1  ->  x     2*x + x  ->  3 * x
//   x * y / x  ->  y                          x / 2  ->  0.5 * x      (x * 2) * 3  ->  6 * x
//
// The result keeps the replaced variable's dtype and broadcast pattern exactly: terms
// are cast to it where a rebuilt node would compute in a narrower dtype, and fill()s
// over removed terms restore the shape (broadcast_like). A rule declines when the
// rebuilt graph is the one it read (same_structure), so the phase settles.
//
// Deliberate value changes, as in Theano: cancelling x - x and x / x ignores that x may
// be inf or NaN (or 0 for x / x), where the original gives NaN; float sums and products
// are reassociated. Not done here: 0 * x -> 0 for floats (zero_rewrites.cpp's
// mul_by_zero does it, as Theano); cancelling across floor division; flattening
// through a node of another dtype.
#include <algorithm>
#include <deque>
#include <unordered_map>

#include "ops/elemwise.hpp"
#include "rewrite/algebra_util.hpp"
#include "rewrite/phases.hpp"
#include "rewrite/rewrite_util.hpp"
#include "theon/tensor.hpp"

namespace theon::rewrite {
namespace {

using detail::ScalarOpId;
namespace T = theon::tensor;

enum class Combine { Add, Mul };

// Builds one n-ary add or mul of `operands` (one operand: itself). A node of several
// operands computing in a dtype narrower than `dtype` (int8 + int8 inside an int32
// sum) has its operands cast first, or it would wrap or round differently.
Var build_group(Combine kind, const Vars& operands, DType dtype, bool force_dtype, const Loc& loc) {
  auto build = [&](const Vars& xs) { return kind == Combine::Add ? T::add(xs, loc) : T::mul(xs, loc); };
  Var v = build(operands);
  if (v.dtype() == dtype || (operands.size() == 1 && !force_dtype)) return v;
  Vars cast;
  for (const Var& x : operands) cast.push_back(T::cast(x, dtype));
  return build(cast);
}

// The node that opens up for gathering: the root, or an inner node whose only reader
// is the node being gathered into.
const detail::Elemwise* open_node(const FunctionGraph& fgraph, const Var& v, bool root) {
  if (!v.owner() || (!root && n_clients(fgraph, v) != 1)) return nullptr;
  return elemwise_of(v);
}

// ---- sums ----

struct Term {
  Var var;   // as found in the graph
  Var base;  // var = coef * base
  Var coef;  // a scalar constant of the sum's dtype; undefined for 1
  bool positive;
};

class SumForm {
 public:
  SumForm(const FunctionGraph& fgraph, DType dtype) : fgraph_(fgraph), dtype_(dtype) {}

  // Reads the sum rooted at `root` into terms, in the order a left-to-right recursive
  // walk would meet them; an explicit stack, as sums can nest a million deep.
  void gather(const Var& root) {
    std::vector<std::pair<Var, bool>> stack{{root, true}};
    bool is_root = true;
    while (!stack.empty()) {
      auto [v, positive] = std::move(stack.back());
      stack.pop_back();
      visit(v, positive, is_root, stack);
      is_root = false;
    }
  }

  std::optional<Var> rebuild(const Var& old) const {
    const Loc& loc = old.loc();
    const int nd = old.ndim();
    Vars pos, neg;
    if (Var c = combined_constant(nd); c.defined()) pos.push_back(c);
    collect_terms(pos, neg, nd);

    auto assemble = [&](bool force) -> Var {
      if (pos.empty() && neg.empty()) return scalar_constant(0, dtype_, nd, loc);
      Var p = pos.empty() ? Var() : build_group(Combine::Add, pos, dtype_, force, loc);
      Var n = neg.empty() ? Var() : build_group(Combine::Add, neg, dtype_, force, loc);
      if (!n.defined()) return p;
      return p.defined() ? T::sub(p, n) : T::neg(n);
    };
    Var result = assemble(false);
    if (result.dtype() != dtype_ && !(pos.empty() && neg.empty())) result = assemble(true);
    return broadcast_like(result, old, sources_);
  }

 private:
  // Opens `v` (pushing its operands, the first on top) or records it as a term.
  void visit(const Var& v, bool positive, bool root, std::vector<std::pair<Var, bool>>& stack) {
    if (const detail::Elemwise* e = open_node(fgraph_, v, root)) {
      const Vars& in = v.owner()->inputs;
      const bool same = v.dtype() == dtype_;
      switch (e->scalar_op()) {
        case ScalarOpId::Add:
          if (!same) break;
          for (auto x = in.rbegin(); x != in.rend(); ++x) stack.push_back({*x, positive});
          return;
        case ScalarOpId::Sub:
          if (!same) break;
          stack.push_back({in[1], !positive});
          stack.push_back({in[0], positive});
          return;
        case ScalarOpId::Neg:
          if (!same) break;
          stack.push_back({in[0], !positive});
          return;
        case ScalarOpId::Second:  // fill(m, b): the value b, shaped by m at the end
          sources_.push_back(in[0]);
          stack.push_back({in[1], positive});
          return;
        default: break;
      }
    }
    sources_.push_back(v);
    if (v.is_constant()) {
      constants_.push_back({v, positive});
      return;
    }
    Term t{v, v, Var(), positive};
    if (open_node(fgraph_, v, false) && elemwise_of(v, ScalarOpId::Mul) && v.dtype() == dtype_ &&
        v.owner()->inputs.size() == 2) {
      const Vars& in = v.owner()->inputs;
      for (int i = 0; i < 2; ++i) {
        if (scalar_value(in[i]) && !in[1 - i].is_constant()) {
          t.coef = constant_as(in[i], dtype_);
          t.base = in[1 - i];
          break;
        }
      }
    }
    terms_.push_back(t);
  }

  // All constant terms as one constant of the sum's dtype; undefined when they add to 0.
  Var combined_constant(int nd) const {
    if (constants_.empty()) return Var();
    Var c;
    if (constants_.size() == 1 && constants_[0].second && constants_[0].first.dtype() == dtype_) {
      c = constants_[0].first;
    } else {
      c = scalar_constant(0, dtype_, nd, constants_[0].first.loc());
      for (const auto& [k, positive] : constants_) {
        Var kd = constant_as(k, dtype_);
        c = fold_now(positive ? T::add(c, kd) : T::sub(c, kd));
      }
    }
    std::optional<double> u = uniform_constant(c);
    return u && *u == 0 ? Var() : c;
  }

  // Terms with the same base collect into one, with the sum of their coefficients.
  void collect_terms(Vars& pos, Vars& neg, int nd) const {
    // Terms by base, in the order of each base's first term (a hash, not a search per
    // term: a sum may have a million terms).
    std::unordered_map<VariableNode*, std::vector<size_t>> by_base;
    std::vector<VariableNode*> bases;
    for (size_t j = 0; j < terms_.size(); ++j) {
      auto [it, fresh] = by_base.try_emplace(terms_[j].base.get());
      if (fresh) bases.push_back(it->first);
      it->second.push_back(j);
    }
    for (VariableNode* b : bases) {
      const std::vector<size_t>& same = by_base.at(b);
      const size_t i = same[0];
      if (same.size() == 1) {
        (terms_[i].positive ? pos : neg).push_back(terms_[i].var);
        continue;
      }
      const Loc& loc = terms_[i].base.loc();
      Var coef = scalar_constant(0, dtype_, nd, loc);
      for (size_t j : same) {
        Var k = terms_[j].coef.defined() ? terms_[j].coef : scalar_constant(1, dtype_, nd, loc);
        coef = fold_now(terms_[j].positive ? T::add(coef, k) : T::sub(coef, k));
      }
      const Var& base = terms_[i].base;
      std::optional<double> u = uniform_constant(coef);
      if (u && *u == 0) continue;  // the base stays among the shape sources
      if (u && *u == 1) {
        pos.push_back(base);
      } else if (u && *u == -1) {
        neg.push_back(base);
      } else if (u && *u < 0 && !is_complex(dtype_)) {
        neg.push_back(T::mul(fold_now(T::neg(coef)), base));
      } else {
        pos.push_back(T::mul(coef, base));
      }
    }
  }

  const FunctionGraph& fgraph_;
  DType dtype_;
  std::vector<Term> terms_;
  std::vector<std::pair<Var, bool>> constants_;
  Vars sources_;
};

std::optional<Vars> canonicalize_sum(const ApplyNode& node, const FunctionGraph& fgraph) {
  const Var old = node.output(0);
  SumForm form(fgraph, old.dtype());
  form.gather(old);
  std::optional<Var> v = form.rebuild(old);
  if (!v || same_structure(*v, old)) return std::nullopt;
  return Vars{*v};
}

// ---- products ----

class ProductForm {
 public:
  ProductForm(const FunctionGraph& fgraph, DType dtype) : fgraph_(fgraph), dtype_(dtype) {}

  // Reads the product rooted at `root` into factors, in the order a left-to-right
  // recursive walk would meet them (an explicit stack: see SumForm::gather).
  void gather(const Var& root) {
    std::vector<std::pair<Var, bool>> stack{{root, true}};
    bool is_root = true;
    while (!stack.empty()) {
      auto [v, numerator] = std::move(stack.back());
      stack.pop_back();
      visit(v, numerator, is_root, stack);
      is_root = false;
    }
  }

  std::optional<Var> rebuild(const Var& old) {
    const Loc& loc = old.loc();
    const int nd = old.ndim();
    cancel();
    Var cn = product(num_constants_, nd);
    Var cd = product(den_constants_, nd);
    // Dividing by 2**k is multiplying by 2**-k, exactly (both are correctly rounded).
    if (cd.defined() && is_float(dtype_)) {
      std::optional<double> u = uniform_constant(cd);
      if (u && is_power_of_two(*u)) {
        Var r = fold_now(T::reciprocal(cd));
        std::optional<double> ru = uniform_constant(r);
        if (ru && *ru * *u == 1) {
          cn = cn.defined() ? fold_now(T::mul(cn, r)) : r;
          cd = Var();
        }
      }
    }
    if (cn.defined()) {
      std::optional<double> u = uniform_constant(cn);
      // 0 * x is 0 only for integers: for floats, 0 * inf and 0 * nan are nan.
      if (u && *u == 0 && is_discrete(dtype_))
        return broadcast_like(scalar_constant(0, dtype_, nd, loc), old, sources_);
      if (u && *u == 1) cn = Var();
    }
    if (cd.defined()) {
      std::optional<double> u = uniform_constant(cd);
      if (u && *u == 1) cd = Var();
    }
    Vars num, den;
    if (cn.defined()) num.push_back(cn);
    num.insert(num.end(), num_.begin(), num_.end());
    if (cd.defined()) den.push_back(cd);
    den.insert(den.end(), den_.begin(), den_.end());

    auto assemble = [&](bool force) -> Var {
      if (num.empty() && den.empty()) return scalar_constant(1, dtype_, nd, loc);
      Var n = num.empty() ? Var() : build_group(Combine::Mul, num, dtype_, force, loc);
      Var d = den.empty() ? Var() : build_group(Combine::Mul, den, dtype_, force, loc);
      if (!d.defined()) return n;
      return n.defined() ? T::true_div(n, d) : T::reciprocal(d);
    };
    Var result = assemble(false);
    if (result.dtype() != dtype_ && !(num.empty() && den.empty())) result = assemble(true);
    return broadcast_like(result, old, sources_);
  }

 private:
  void visit(const Var& v, bool numerator, bool root, std::vector<std::pair<Var, bool>>& stack) {
    if (const detail::Elemwise* e = open_node(fgraph_, v, root)) {
      const Vars& in = v.owner()->inputs;
      const bool same = v.dtype() == dtype_;
      switch (e->scalar_op()) {
        case ScalarOpId::Mul:
          if (!same) break;
          for (auto x = in.rbegin(); x != in.rend(); ++x) stack.push_back({*x, numerator});
          return;
        case ScalarOpId::TrueDiv:
          if (!same) break;
          stack.push_back({in[1], !numerator});
          stack.push_back({in[0], numerator});
          return;
        case ScalarOpId::Reciprocal:
          if (!same) break;
          stack.push_back({in[0], !numerator});
          return;
        case ScalarOpId::Second:
          sources_.push_back(in[0]);
          stack.push_back({in[1], numerator});
          return;
        default: break;
      }
    }
    sources_.push_back(v);
    if (v.is_constant()) {
      (numerator ? num_constants_ : den_constants_).push_back(v);
    } else {
      (numerator ? num_ : den_).push_back(v);
    }
  }

  // x / x -> 1 (as Theano: the original is nan where x is 0, inf or nan).
  void cancel() {
    // Each denominator factor cancels the first numerator factor still equal to it.
    std::unordered_map<VariableNode*, std::deque<size_t>> in_numerator;
    for (size_t i = 0; i < num_.size(); ++i) in_numerator[num_[i].get()].push_back(i);
    std::vector<bool> num_gone(num_.size(), false);
    Vars den_left;
    for (const Var& d : den_) {
      auto it = in_numerator.find(d.get());
      if (it == in_numerator.end() || it->second.empty()) {
        den_left.push_back(d);
        continue;
      }
      num_gone[it->second.front()] = true;
      it->second.pop_front();
    }
    Vars num_left;
    for (size_t i = 0; i < num_.size(); ++i)
      if (!num_gone[i]) num_left.push_back(num_[i]);
    num_ = std::move(num_left);
    den_ = std::move(den_left);
  }

  // The product of `constants` in the product's dtype; a single one of that dtype is
  // kept as it is.
  Var product(const Vars& constants, int nd) const {
    if (constants.empty()) return Var();
    if (constants.size() == 1 && constants[0].dtype() == dtype_) return constants[0];
    Var p = scalar_constant(1, dtype_, nd, constants[0].loc());
    for (const Var& k : constants) p = fold_now(T::mul(p, constant_as(k, dtype_)));
    return p;
  }

  const FunctionGraph& fgraph_;
  DType dtype_;
  Vars num_, den_, num_constants_, den_constants_, sources_;
};

std::optional<Vars> canonicalize_product(const ApplyNode& node, const FunctionGraph& fgraph) {
  const Var old = node.output(0);
  ProductForm form(fgraph, old.dtype());
  form.gather(old);
  std::optional<Var> v = form.rebuild(old);
  if (!v || same_structure(*v, old)) return std::nullopt;
  return Vars{*v};
}

}  // namespace

void register_canonicalize_algebra(RewriteDb& db) {
  // a + b - c + ... : one add (minus one add), like terms collected, constant first
  db.add("canonicalize", LocalRewrite{"canonicalize_sum", {"add", "sub", "neg"}, canonicalize_sum},
         {"fast_run"});
  // a * b / c * ... : one mul (over one mul), equal factors cancelled, constant first
  db.add("canonicalize",
         LocalRewrite{"canonicalize_product", {"mul", "true_div", "reciprocal"}, canonicalize_product},
         {"fast_run"});
}

}  // namespace theon::rewrite
