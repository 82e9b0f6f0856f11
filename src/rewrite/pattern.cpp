#include "rewrite/pattern.hpp"

#include <algorithm>

#include "rewrite/rewrite_util.hpp"

namespace theon::rewrite {

std::string track_key(const Op& op) {
  if (auto* e = dynamic_cast<const detail::Elemwise*>(&op)) return e->info().name;
  return op.name();
}

namespace pat {

const Var& Match::operator[](std::string_view name) const {
  for (const auto& [n, v] : bound_)
    if (n == name) return v;
  THEON_ASSERT(false) << "pattern has no capture named " << name;
  __builtin_unreachable();
}

bool Match::has(std::string_view name) const {
  return std::any_of(bound_.begin(), bound_.end(), [&](const auto& b) { return b.first == name; });
}

bool Match::bind(const std::string& name, const Var& v) {
  if (name.empty()) return true;
  for (const auto& [n, bound] : bound_)
    if (n == name) return bound.is(v);
  bound_.emplace_back(name, v);
  return true;
}

Pattern Pattern::make_any(std::string capture) {
  Pattern p;
  p.kind_ = Kind::Any;
  p.capture_ = std::move(capture);
  return p;
}

Pattern Pattern::make_literal(double value) {
  Pattern p;
  p.kind_ = Kind::Literal;
  p.literal_ = value;
  return p;
}

Pattern Pattern::make_op(std::string op, std::vector<Pattern> args) {
  Pattern p;
  p.kind_ = Kind::Op;
  p.op_ = std::move(op);
  p.args_ = std::move(args);
  return p;
}

Pattern Pattern::make_elemwise(detail::ScalarOpId id, std::vector<Pattern> args) {
  Pattern p = make_op(detail::scalar_op_info(id).name, std::move(args));
  p.scalar_ = id;
  return p;
}

Pattern Pattern::where(std::function<bool(const Var&)> pred) const {
  Pattern p = *this;
  p.pred_ = std::make_shared<const std::function<bool(const Var&)>>(std::move(pred));
  return p;
}

std::optional<Match> Pattern::match(const Var& v) const {
  Match m;
  if (!match_into(v, m)) return std::nullopt;
  m.set_root(v.owner());
  return m;
}


bool Pattern::match_into(const Var& v, Match& m) const {
  if (pred_ && !(*pred_)(v)) return false;
  switch (kind_) {
    case Kind::Any: return m.bind(capture_, v);
    case Kind::Literal: return uniform_constant(v) == literal_;
    case Kind::Op: break;
  }
  const ApplyNode* node = v.owner();
  if (!node || node->inputs.size() != args_.size()) return false;
  if (scalar_) {
    auto* e = dynamic_cast<const detail::Elemwise*>(&node->op());
    if (!e || e->scalar_op() != *scalar_) return false;
  } else if (node->op().name() != op_) {
    return false;
  }
  const bool commutative =
      scalar_ && (*scalar_ == detail::ScalarOpId::Add || *scalar_ == detail::ScalarOpId::Mul) &&
      args_.size() == 2;
  Match saved = m;
  bool ok = true;
  for (size_t i = 0; i < args_.size() && ok; ++i) ok = args_[i].match_into(node->inputs[i], m);
  if (ok || !commutative) return ok;
  m = std::move(saved);
  return args_[0].match_into(node->inputs[1], m) && args_[1].match_into(node->inputs[0], m);
}

Pattern any(std::string capture) { return Pattern::make_any(std::move(capture)); }
Pattern lit(double value) { return Pattern::make_literal(value); }
Pattern op(std::string name, std::vector<Pattern> args) {
  return Pattern::make_op(std::move(name), std::move(args));
}

}  // namespace pat
}  // namespace theon::rewrite
