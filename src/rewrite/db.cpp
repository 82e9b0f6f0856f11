#include "rewrite/rewriter.hpp"

namespace theon::rewrite {
namespace {

std::vector<std::string> with_names(std::vector<std::string> tags, const std::string& phase,
                                     const std::string& name) {
  tags.push_back(phase);
  tags.push_back(name);
  return tags;
}

}  // namespace

void RewriteDb::add(const std::string& phase, LocalRewrite rewrite, std::vector<std::string> tags) {
  tags = with_names(std::move(tags), phase, rewrite.name);
  locals_[phase].push_back({std::move(rewrite), std::move(tags)});
}

void RewriteDb::add(const std::string& phase, const std::vector<Rule>& rules,
                    std::vector<std::string> tags) {
  for (const Rule& rule : rules) add(phase, rule.to_local(), tags);
}

void RewriteDb::add_global(const std::string& phase, GlobalRewrite rewrite,
                           std::vector<std::string> tags) {
  tags = with_names(std::move(tags), phase, rewrite.name);
  globals_[phase].push_back({std::move(rewrite), std::move(tags)});
}

std::vector<const LocalRewrite*> RewriteDb::locals(const std::string& phase, const Selection& s) const {
  std::vector<const LocalRewrite*> out;
  if (auto it = locals_.find(phase); it != locals_.end())
    for (const auto& e : it->second)
      if (s.enables(e.tags)) out.push_back(&e.rewrite);
  return out;
}

std::vector<const GlobalRewrite*> RewriteDb::globals(const std::string& phase, const Selection& s) const {
  std::vector<const GlobalRewrite*> out;
  if (auto it = globals_.find(phase); it != globals_.end())
    for (const auto& e : it->second)
      if (s.enables(e.tags)) out.push_back(&e.rewrite);
  return out;
}

}  // namespace theon::rewrite
