// The profiles printed when the process exits (THEON_FLAGS=profile=True).
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "theon/profile.hpp"

namespace theon {
namespace {

struct AtExit {
  std::mutex mutex;
  std::vector<std::shared_ptr<ProfileStats>> stats;
};

// Never destroyed: the exit handler runs after static destructors may have started.
AtExit& at_exit() {
  static AtExit* registry = new AtExit;
  return *registry;
}

void print_to_stderr() { print_profiles_at_exit(std::cerr); }

}  // namespace

void print_profile_at_exit(std::shared_ptr<ProfileStats> stats) {
  static std::once_flag registered;
  std::call_once(registered, [] { std::atexit(print_to_stderr); });
  std::lock_guard<std::mutex> lock(at_exit().mutex);
  at_exit().stats.push_back(std::move(stats));
}

void print_profiles_at_exit(std::ostream& os) {
  std::vector<std::shared_ptr<ProfileStats>> stats;
  {
    std::lock_guard<std::mutex> lock(at_exit().mutex);
    stats.swap(at_exit().stats);
  }
  int printed = 0;
  ProfileStats sum("Sum of all printed profiles at exit");
  for (const auto& s : stats) {
    {
      std::lock_guard<std::recursive_mutex> lock(s->mutex);
      if (s->fct_callcount == 0 && s->compile_time <= 0) continue;
    }
    os << s->summary() << "\n";
    sum.merge(*s);
    ++printed;
  }
  if (printed > 1) os << sum.summary() << "\n";
  os.flush();
}

}  // namespace theon
