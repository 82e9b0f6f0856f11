// blas: products inside sums become one BLAS call that also does the sum.
//
//   Z + alpha * dot(X, Y)      ->  gemm(X, Y, alpha, Z, beta=1)     (X, Y matrices)
//   beta * Z - dot(X, Y)       ->  gemm(X, Y, -1, Z, beta)
//   alpha * dot(X, Y)          ->  gemm(X, Y, alpha)                (no addend)
//   z + alpha * dot(A, x)      ->  gemv(A, x, alpha, z, 1)          (dot(x, A): A.T, a view)
//   A + alpha * outer(x, y)    ->  ger(A, alpha, x, y)              (dot(x[:,None], y[None,:])
//                                                                    or their element-wise mul)
//
// alpha collects the scalar factors of the product's term (constants and 0-d variables
// such as a learning rate, and the sign); Z is the rest of the sum, broadcast by the op
// (a bias row b in dot(x, W) + b). A transposed operand stays a dimshuffle, a view that
// the kernel hands to BLAS with a transpose flag.
//
// The rules run in the specialize phase (tag "blas"), not in a pass after fusion: fusion
// would otherwise take the add and mul around the dot into a fused loop first and leave
// nothing to match; a gemm formed before fusion ends its element-wise groups, and what
// reads its output (relu) still fuses. They see the graph after canonicalize, where a sum
// is one n-ary add (or sub of two adds) and constants come first in a product.
//
// A rule declines when the product's dot (or a node between it and the sum) has another
// reader, since the product would then be computed twice, and when dtypes differ along
// the way (only float32 and float64; a float32 dot in a float64 sum keeps its cast).
#include "ops/blas.hpp"
#include "ops/dimshuffle.hpp"
#include "ops/op_util.hpp"
#include "rewrite/algebra_util.hpp"
#include "rewrite/phases.hpp"
#include "rewrite/rewrite_util.hpp"
#include "theon/tensor.hpp"

namespace theon::rewrite {
namespace {

using detail::DimShuffle;
using detail::ScalarOpId;
namespace T = theon::tensor;

template <class O>
const O* op_of(const Var& v) {
  return v.owner() ? dynamic_cast<const O*>(&v.owner()->op()) : nullptr;
}

bool is_blas_dtype(DType d) { return d == DType::Float32 || d == DType::Float64; }

bool all_broadcastable(const Var& v) {
  for (bool b : v.broadcastable())
    if (!b) return false;
  return true;
}

// A value broadcastable in every dimension as a 0-d variable.
Var as_scalar(const Var& v, const Loc& loc) {
  if (v.ndim() == 0) return v;
  if (const auto* ds = op_of<DimShuffle>(v); ds && ds->input_ndim() == 0) return v.owner()->inputs[0];
  return detail::dimshuffle_at(v, {}, loc);
}

// The vector v of dimshuffle{pattern}(v): {0,'x'} makes a column, {'x',0} a row.
std::optional<Var> vector_of(const Var& m, bool column) {
  const auto* ds = op_of<DimShuffle>(m);
  if (!ds || ds->input_ndim() != 1) return std::nullopt;
  const std::vector<int> want = column ? std::vector<int>{0, -1} : std::vector<int>{-1, 0};
  if (ds->pattern() != want) return std::nullopt;
  return m.owner()->inputs[0];
}

Var transposed(const Var& m, const Loc& loc) {
  if (const auto* ds = op_of<DimShuffle>(m); ds && ds->is_transpose()) return m.owner()->inputs[0];
  return detail::dimshuffle_at(m, {1, 0}, loc);
}

// c * the product of `factors` (0-d variables).
struct Scale {
  double c = 1;
  Vars factors;

  bool is_one() const { return c == 1 && factors.empty(); }

  Var build(DType dtype, const Loc& loc) const {
    Var v;
    for (const Var& f : factors) {
      Var fc = T::cast(f, dtype);
      v = v.defined() ? T::mul(v, fc) : fc;
    }
    if (!v.defined()) return scalar_constant(c, dtype, 0, loc);
    if (c == 1) return v;
    if (c == -1) return T::neg(v);
    return T::mul(scalar_constant(c, dtype, 0, loc), v);
  }
};

enum class Kind { Matrix, MatVec, Outer };

// scale * dot(a, b): gemm's X, Y (Matrix), gemv's A, x (MatVec) or ger's x, y (Outer).
struct Product {
  Kind kind;
  Var a, b;
  Scale scale;
  int ndim() const { return kind == Kind::MatVec ? 1 : 2; }
};

class Reader {
 public:
  Reader(const FunctionGraph& fgraph, DType dtype) : fgraph_(fgraph), dtype_(dtype) {}

  // v as scale * product, looking through neg and scalar factors. Every node on the way
  // but the root must have v's path as its only reader.
  std::optional<Product> product(const Var& root_var, bool root) const {
    // Walks down through negs and single-operand muls (a loop: the chain may be long),
    // then applies their scales from the innermost out.
    std::vector<std::optional<Scale>> levels;  // nullopt: a neg
    std::optional<Product> p;
    Var v = root_var;
    for (bool is_root = root;; is_root = false) {
      if (v.dtype() != dtype_ || (!is_root && n_clients(fgraph_, v) != 1)) return std::nullopt;
      if (op_of<detail::Dot>(v)) {
        p = from_dot(v.owner()->inputs[0], v.owner()->inputs[1]);
        break;
      }
      if (const auto* g = op_of<detail::Gemm>(v); g && !g->has_z()) {
        p = with_factor(Product{Kind::Matrix, v.owner()->inputs[0], v.owner()->inputs[1], {}},
                        v.owner()->inputs[2]);
        break;
      }
      if (const auto* g = op_of<detail::Gemv>(v); g && !g->has_z()) {
        p = with_factor(Product{Kind::MatVec, v.owner()->inputs[0], v.owner()->inputs[1], {}},
                        v.owner()->inputs[2]);
        break;
      }
      if (elemwise_of(v, ScalarOpId::Neg)) {
        levels.push_back(std::nullopt);
        v = v.owner()->inputs[0];
        continue;
      }
      if (!elemwise_of(v, ScalarOpId::Mul)) return std::nullopt;
      Scale scale;
      Vars rest;
      split_factors(v.owner()->inputs, scale, rest);
      levels.push_back(scale);
      if (rest.size() == 1) {
        v = rest[0];
        continue;
      }
      if (rest.size() == 2) {
        p = outer(rest[0], rest[1]);
        if (!p) p = outer(rest[1], rest[0]);
      }
      break;
    }
    if (!p) return std::nullopt;
    for (auto level = levels.rbegin(); level != levels.rend(); ++level) {
      if (!*level) {
        p->scale.c = -p->scale.c;
        continue;
      }
      p->scale.c *= (*level)->c;
      p->scale.factors.insert(p->scale.factors.end(), (*level)->factors.begin(), (*level)->factors.end());
    }
    return p;
  }

  // v as beta * Z (a single term of the addend), looking through scalar factors.
  std::pair<Scale, Var> scaled(const Var& v) const {
    Scale scale;
    if (elemwise_of(v, ScalarOpId::Mul) && v.dtype() == dtype_ && n_clients(fgraph_, v) == 1) {
      Vars rest;
      split_factors(v.owner()->inputs, scale, rest);
      if (rest.size() == 1 && rest[0].dtype() == dtype_ && rest[0].ndim() == v.ndim())
        return {scale, rest[0]};
    }
    return {Scale{}, v};
  }

 private:
  void split_factors(const Vars& factors, Scale& scale, Vars& rest) const {
    for (const Var& f : factors) {
      if (!all_broadcastable(f)) {
        rest.push_back(f);
      } else if (auto s = scalar_value(f)) {
        scale.c *= *s;
      } else {
        scale.factors.push_back(as_scalar(f, f.loc()));
      }
    }
  }

  std::optional<Product> with_factor(Product p, const Var& alpha) const {
    if (auto s = scalar_value(alpha)) {
      p.scale.c *= *s;
    } else {
      p.scale.factors.push_back(alpha);
    }
    return p;
  }

  std::optional<Product> from_dot(const Var& a, const Var& b) const {
    if (a.ndim() == 2 && b.ndim() == 2) {
      auto x = vector_of(a, true), y = vector_of(b, false);
      if (x && y && x->dtype() == dtype_ && y->dtype() == dtype_) return Product{Kind::Outer, *x, *y, {}};
      return Product{Kind::Matrix, a, b, {}};
    }
    if (a.ndim() == 2 && b.ndim() == 1) return Product{Kind::MatVec, a, b, {}};
    if (a.ndim() == 1 && b.ndim() == 2) return Product{Kind::MatVec, transposed(b, b.loc()), a, {}};
    return std::nullopt;  // vector . vector: a scalar, nothing for BLAS to add
  }

  // col * row, each a dimshuffled vector with the only reader being the product.
  std::optional<Product> outer(const Var& col, const Var& row) const {
    auto x = vector_of(col, true), y = vector_of(row, false);
    if (!x || !y || x->dtype() != dtype_ || y->dtype() != dtype_) return std::nullopt;
    return Product{Kind::Outer, *x, *y, {}};
  }

  const FunctionGraph& fgraph_;
  DType dtype_;
};

// The signed terms of the sum rooted at `root`, opening inner add, sub and neg nodes of
// `dtype` that only this sum reads; in left-to-right order, with an explicit stack (a
// sum can nest a million deep).
void gather(const FunctionGraph& fgraph, const Var& root, DType dtype,
            std::vector<std::pair<Var, bool>>& terms) {
  std::vector<std::pair<Var, bool>> stack{{root, true}};
  bool is_root = true;
  while (!stack.empty()) {
    auto [v, positive] = std::move(stack.back());
    stack.pop_back();
    const detail::Elemwise* e = elemwise_of(v);
    const bool open = e && v.dtype() == dtype && (is_root || n_clients(fgraph, v) == 1);
    is_root = false;
    if (open) {
      const Vars& in = v.owner()->inputs;
      switch (e->scalar_op()) {
        case ScalarOpId::Add:
          for (auto x = in.rbegin(); x != in.rend(); ++x) stack.push_back({*x, positive});
          continue;
        case ScalarOpId::Sub:
          stack.push_back({in[1], !positive});
          stack.push_back({in[0], positive});
          continue;
        case ScalarOpId::Neg:
          stack.push_back({in[0], !positive});
          continue;
        default: break;
      }
    }
    terms.push_back({v, positive});
  }
}

// v with `ndim` dimensions, new broadcastable ones in front (as element-wise ops pad).
Var pad_to(const Var& v, int ndim) {
  if (v.ndim() == ndim) return v;
  std::vector<DimEntry> pattern(ndim - v.ndim(), DimEntry('x'));
  for (int d = 0; d < v.ndim(); ++d) pattern.push_back(DimEntry(d));
  return detail::dimshuffle_at(v, pattern, v.loc());
}

// The op computing scale * product (+ beta * z when z is defined).
Var build(const Product& p, const Var& z, const Scale& beta, DType dtype, const Loc& loc) {
  const Var alpha = p.scale.build(dtype, loc);
  switch (p.kind) {
    case Kind::Matrix:
    case Kind::MatVec: {
      Vars inputs{p.a, p.b, alpha};
      if (z.defined()) {
        inputs.push_back(pad_to(z, p.ndim()));
        inputs.push_back(beta.build(dtype, loc));
      }
      if (p.kind == Kind::Matrix) return detail::apply_op<detail::Gemm>(loc, inputs, z.defined());
      return detail::apply_op<detail::Gemv>(loc, inputs, z.defined());
    }
    case Kind::Outer: {
      THEON_ASSERT(z.defined() && beta.is_one()) << "blas: ger needs an addend of scale 1";
      return detail::apply_op<detail::Ger>(loc, {pad_to(z, 2), alpha, p.a, p.b});
    }
  }
  return Var();
}

// scale * dot(...) on its own (a mul or neg root): gemm or gemv without an addend.
std::optional<Var> from_product(const ApplyNode& node, const FunctionGraph& fgraph) {
  const Var old = node.output(0);
  std::optional<Product> p = Reader(fgraph, old.dtype()).product(old, true);
  if (!p || p->kind == Kind::Outer || p->ndim() != old.ndim()) return std::nullopt;
  // Declines gemm(alpha=1) from a plain dot seen through a mul by 1 (left to canonicalize).
  if (p->scale.is_one()) return std::nullopt;
  return build(*p, Var(), Scale{}, old.dtype(), node.loc);
}

// A sum with a product among its terms: the product's op, with the other terms as z.
std::optional<Var> from_sum(const ApplyNode& node, const FunctionGraph& fgraph) {
  const Var old = node.output(0);
  const DType dtype = old.dtype();
  std::vector<std::pair<Var, bool>> terms;
  gather(fgraph, old, dtype, terms);
  const Reader reader(fgraph, dtype);
  for (size_t i = 0; i < terms.size(); ++i) {
    std::optional<Product> p = reader.product(terms[i].first, false);
    if (!p || p->ndim() != old.ndim()) continue;
    if (!terms[i].second) p->scale.c = -p->scale.c;
    Vars pos, neg;
    for (size_t j = 0; j < terms.size(); ++j) {
      if (j == i) continue;
      const Var& t = terms[j].first;
      if (t.ndim() > old.ndim()) return std::nullopt;
      (terms[j].second ? pos : neg).push_back(T::cast(t, dtype));
    }
    Var z;
    Scale beta;
    if (pos.size() + neg.size() == 1 && p->kind != Kind::Outer) {
      auto [s, base] = reader.scaled(pos.empty() ? neg[0] : pos[0]);
      if (pos.empty()) s.c = -s.c;
      z = base;
      beta = s;
    } else if (!pos.empty() || !neg.empty()) {
      Var sp = pos.empty() ? Var() : pos.size() == 1 ? pos[0] : T::add(pos);
      Var sn = neg.empty() ? Var() : neg.size() == 1 ? neg[0] : T::add(neg);
      z = !sn.defined() ? sp : sp.defined() ? T::sub(sp, sn) : T::neg(sn);
    }
    if (p->kind == Kind::Outer && !z.defined()) return std::nullopt;
    if (z.defined() && z.dtype() != dtype) return std::nullopt;
    Var out = build(*p, z, beta, dtype, node.loc);
    if (!(out.type() == old.type())) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

std::optional<Vars> blas_from_products(const ApplyNode& node, const FunctionGraph& fgraph) {
  const Var old = node.output(0);
  if (!is_blas_dtype(old.dtype()) || old.ndim() < 1 || old.ndim() > 2) return std::nullopt;
  const detail::Elemwise* e = elemwise_of(node);
  if (!e) return std::nullopt;
  std::optional<Var> v;
  if (e->scalar_op() == ScalarOpId::Mul) {
    v = from_product(node, fgraph);
  } else if (e->scalar_op() == ScalarOpId::Neg) {
    v = from_product(node, fgraph);
    if (!v) v = from_sum(node, fgraph);
  } else {
    v = from_sum(node, fgraph);
  }
  if (!v) return std::nullopt;
  return Vars{*v};
}

}  // namespace

void register_blas(RewriteDb& db) {
  db.add("specialize",
         LocalRewrite{"blas_from_products", {"add", "sub", "neg", "mul"}, blas_from_products},
         {"fast_run", "blas"});
}

}  // namespace theon::rewrite
