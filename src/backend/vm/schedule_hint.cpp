#include "backend/vm/schedule_hint.hpp"

#include <algorithm>
#include <limits>
#include <queue>
#include <tuple>
#include <unordered_map>

namespace theon::detail {

std::vector<ApplyNode*> order_with_hints(std::vector<ApplyNode*> order) {
  const size_t n = order.size();
  std::vector<const ScheduleHint*> hint(n);
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    hint[i] = dynamic_cast<const ScheduleHint*>(&order[i]->op());
    any = any || hint[i];
  }
  if (!any) return order;

  std::unordered_map<const ApplyNode*, int> index;
  for (size_t i = 0; i < n; ++i) index[order[i]] = static_cast<int>(i);
  std::vector<std::vector<int>> readers(n), producers(n);
  std::vector<int> waiting(n, 0);  // producers not yet scheduled
  for (size_t i = 0; i < n; ++i)
    for (const Var& in : order[i]->inputs)
      if (auto it = index.find(in.owner()); in.owner() && it != index.end()) {
        producers[i].push_back(it->second);
        readers[it->second].push_back(static_cast<int>(i));
        ++waiting[i];
      }

  // Each node's urgency: the most urgent Early node it leads to. Walking Early nodes from
  // the most urgent, a node already marked has all its producers marked too.
  constexpr int64_t kNone = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> urgency(n, kNone);
  std::vector<int> early;
  for (size_t i = 0; i < n; ++i)
    if (hint[i] && hint[i]->when() == ScheduleHint::When::Early) early.push_back(static_cast<int>(i));
  std::stable_sort(early.begin(), early.end(),
                   [&](int a, int b) { return hint[a]->urgency() < hint[b]->urgency(); });
  std::vector<int> stack;
  for (int e : early) {
    if (urgency[e] != kNone) continue;
    urgency[e] = hint[e]->urgency();
    stack.push_back(e);
    while (!stack.empty()) {
      const int v = stack.back();
      stack.pop_back();
      for (int p : producers[v])
        if (urgency[p] == kNone) {
          urgency[p] = urgency[e];
          stack.push_back(p);
        }
    }
  }

  // Kahn's algorithm, taking the ready node with the smallest (class, urgency, index).
  using Key = std::tuple<int, int64_t, int>;
  auto key = [&](int i) {
    const int cls = !hint[i] ? 1 : hint[i]->when() == ScheduleHint::When::Early ? 0 : 2;
    return Key{cls, urgency[i], i};
  };
  std::priority_queue<Key, std::vector<Key>, std::greater<Key>> ready;
  for (size_t i = 0; i < n; ++i)
    if (waiting[i] == 0) ready.push(key(static_cast<int>(i)));
  std::vector<ApplyNode*> result;
  result.reserve(n);
  while (!ready.empty()) {
    const int i = std::get<2>(ready.top());
    ready.pop();
    result.push_back(order[i]);
    for (int r : readers[i])
      if (--waiting[r] == 0) ready.push(key(r));
  }
  return result;
}

}  // namespace theon::detail
