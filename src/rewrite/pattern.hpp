// A small pattern notation for local rewrites: trees of op names, captures and literal
// constants, matched against the graph below a variable.
//
//   using namespace theon::rewrite::pat;
//   const Pattern p = log(sub(lit(1), sigmoid(any("x"))));   // log(1 - sigmoid(x))
//   if (auto m = p.match(v)) use((*m)["x"]);
//
// Element-wise ops have a builder per row of scalar_ops.def (pat::exp, pat::add, ...,
// pat::identity for casts); other ops are named by Op::name() through op("softmax", {...}). add and mul also match with their two operands swapped, and only when the
// node has exactly as many inputs as the pattern. A capture used twice must bind the
// same variable both times (`sub(any("x"), any("x"))` matches x - x only).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ops/elemwise.hpp"
#include "theon/graph.hpp"

namespace theon::rewrite {

// The key rules are indexed by: an element-wise op's public function name ("add",
// "identity" for casts), any other op's name().
std::string track_key(const Op& op);

namespace pat {

// The variables bound by a successful match, by capture name.
class Match {
 public:
  const Var& operator[](std::string_view name) const;
  bool has(std::string_view name) const;
  // The node matched by the pattern's root.
  const ApplyNode& root() const { return *root_; }

  bool bind(const std::string& name, const Var& v);
  void set_root(const ApplyNode* root) { root_ = root; }

 private:
  std::vector<std::pair<std::string, Var>> bound_;
  const ApplyNode* root_ = nullptr;
};

class Pattern {
 public:
  enum class Kind { Any, Literal, Op };

  // Matches the graph below `v` (v itself, its owner, its owner's inputs, ...).
  std::optional<Match> match(const Var& v) const;
  // The root op's track_key, or "" for a capture or literal (what the rule tracks).
  const std::string& root_op() const { return op_; }

  // Only variables satisfying `pred` match this subpattern.
  Pattern where(std::function<bool(const Var&)> pred) const;

  static Pattern make_any(std::string capture);
  static Pattern make_literal(double value);
  static Pattern make_op(std::string op, std::vector<Pattern> args);
  static Pattern make_elemwise(detail::ScalarOpId id, std::vector<Pattern> args);

 private:
  bool match_into(const Var& v, Match& m) const;

  Kind kind_ = Kind::Any;
  std::string capture_;
  double literal_ = 0;
  std::string op_;  // track_key of the op
  std::optional<detail::ScalarOpId> scalar_;
  std::vector<Pattern> args_;
  std::shared_ptr<const std::function<bool(const Var&)>> pred_;
};

// Any variable, bound to `capture` (an empty name binds nothing).
Pattern any(std::string capture = "");
// A constant every element of which equals `value` (any dtype, any shape).
Pattern lit(double value);
// An application of the op whose Op::name() is `name`, on exactly these inputs.
Pattern op(std::string name, std::vector<Pattern> args);

#define THEON_PATTERN_BUILDER(NAME, FUNC, PRINT, ARITY, RULE, DOMAIN, MATH, GRAD) \
  template <class... P>                                                          \
  Pattern FUNC(P... args) {                                                      \
    return Pattern::make_elemwise(detail::ScalarOpId::NAME, {std::move(args)...}); \
  }
#include "theon/scalar_ops.def"
THEON_SCALAR_OPS(THEON_PATTERN_BUILDER)
#undef THEON_PATTERN_BUILDER

}  // namespace pat
}  // namespace theon::rewrite
