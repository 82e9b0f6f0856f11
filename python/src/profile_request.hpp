// How Python asks _function to profile: the ProfileStats travels in the observers list
// as a ProfileRequest (bind_profile.cpp makes it), which _function takes out again and
// puts into FunctionOptions::profile.
#pragma once

#include <memory>
#include <vector>

#include "theon/function.hpp"
#include "theon/profile.hpp"

namespace theon::python {

// Never called around nodes: take_profile_request removes it before compiling.
struct ProfileRequest final : NodeObserver {
  explicit ProfileRequest(std::shared_ptr<ProfileStats> s) : stats(std::move(s)) {}
  std::shared_ptr<ProfileStats> stats;
};

// Removes the ProfileRequests from `observers` and returns the last one's stats (null
// when there is none).
inline std::shared_ptr<ProfileStats> take_profile_request(
    std::vector<std::shared_ptr<NodeObserver>>& observers) {
  std::shared_ptr<ProfileStats> stats;
  std::vector<std::shared_ptr<NodeObserver>> kept;
  for (auto& o : observers) {
    if (auto* request = dynamic_cast<ProfileRequest*>(o.get())) stats = request->stats;
    else kept.push_back(std::move(o));
  }
  observers = std::move(kept);
  return stats;
}

}  // namespace theon::python
