// ProfileStats: the aggregations and the text of summary(), laid out as Theano's.
#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "theon/profile.hpp"

namespace theon {
namespace {

constexpr size_t kLineWidth = 140;

std::string format(const char* fmt, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

std::string clip(const std::string& s, size_t width) {
  return s.size() <= width ? s : s.substr(0, width > 3 ? width - 3 : 0) + "...";
}

std::vector<ProfileStats::Row> aggregate(const std::vector<NodeProfile>& nodes,
                                         std::string NodeProfile::*key) {
  std::map<std::string, ProfileStats::Row> rows;
  for (const NodeProfile& n : nodes) {
    ProfileStats::Row& r = rows[n.*key];
    r.name = n.*key;
    r.time += n.time;
    r.calls += n.calls;
    ++r.n_apply;
    if (r.impl.find(n.impl) == std::string::npos) r.impl += n.impl;
  }
  std::vector<ProfileStats::Row> out;
  for (auto& [name, row] : rows) out.push_back(std::move(row));
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.time > b.time; });
  return out;
}

double percent(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }

// The Class and Ops sections: one line per row, the `n` first, then what the rest add to.
void print_rows(std::ostream& os, const char* title, const char* what,
                const std::vector<ProfileStats::Row>& rows, double total, int n) {
  os << title << "\n---\n";
  const std::string header = "<% time> <sum %> <apply time> <time per call> <type> <#call> <#apply> ";
  os << header << "<" << what << " name>\n";
  double cumulative = 0;
  const size_t shown = std::min(rows.size(), static_cast<size_t>(std::max(n, 0)));
  for (size_t i = 0; i < shown; ++i) {
    const ProfileStats::Row& r = rows[i];
    cumulative += r.time;
    os << format("  %5.1f%%  %6.1f%%  %10.3fs  %12.2es   %-4s %7lld %7d  ", percent(r.time, total),
                 percent(cumulative, total), r.time, r.calls ? r.time / r.calls : 0.0,
                 r.impl.c_str(), static_cast<long long>(r.calls), r.n_apply)
       << clip(r.name, kLineWidth - header.size()) << "\n";
  }
  double rest = 0;
  for (size_t i = shown; i < rows.size(); ++i) rest += rows[i].time;
  os << format("   ... (remaining %zu %s account for %6.2f%%(%.2fs) of the runtime)\n\n",
               rows.size() - shown, what, percent(rest, total), rest);
}

}  // namespace

double ProfileStats::optimizer_time() const {
  std::lock_guard<std::recursive_mutex> lock(mutex);
  double t = 0;
  for (const auto& [phase, seconds] : compile_phases)
    if (phase != "build graph" && phase != "build vm") t += seconds;
  return t;
}

double ProfileStats::linker_time() const {
  std::lock_guard<std::recursive_mutex> lock(mutex);
  double t = 0;
  for (const auto& [phase, seconds] : compile_phases)
    if (phase == "build vm") t += seconds;
  return t;
}

double ProfileStats::apply_time() const {
  std::lock_guard<std::recursive_mutex> lock(mutex);
  double t = 0;
  for (const NodeProfile& n : nodes) t += n.time;
  return t;
}

std::vector<ProfileStats::Row> ProfileStats::by_class() const {
  std::lock_guard<std::recursive_mutex> lock(mutex);
  return aggregate(nodes, &NodeProfile::op_class);
}

std::vector<ProfileStats::Row> ProfileStats::by_op() const {
  std::lock_guard<std::recursive_mutex> lock(mutex);
  return aggregate(nodes, &NodeProfile::op);
}

void ProfileStats::merge(const ProfileStats& other) {
  if (&other == this) return;
  std::scoped_lock lock(mutex, other.mutex);
  fct_callcount += other.fct_callcount;
  fct_call_time += other.fct_call_time;
  compile_time += other.compile_time;
  compile_phases.insert(compile_phases.end(), other.compile_phases.begin(), other.compile_phases.end());
  memory_peak = std::max(memory_peak, other.memory_peak);
  nodes.insert(nodes.end(), other.nodes.begin(), other.nodes.end());
}

std::string ProfileStats::summary(int n_ops, int n_apply) const {
  std::lock_guard<std::recursive_mutex> lock(mutex);
  std::ostringstream os;
  const double thunks = apply_time();
  os << "Function profiling\n==================\n";
  os << "  Message: " << (message.empty() ? "(unnamed function)" : message) << "\n";
  os << format("  Time in %lld calls to Function.__call__: %es\n",
               static_cast<long long>(fct_callcount), fct_call_time);
  if (fct_call_time > 0)
    os << format("  Time in thunks: %es (%.3f%%)\n", thunks, percent(thunks, fct_call_time));
  os << format("  Total compile time: %es\n", compile_time);
  os << "    Number of Apply nodes: " << nodes.size() << "\n";
  os << format("    Theon rewrite (optimizer) time: %es\n", optimizer_time());
  for (const auto& [phase, seconds] : compile_phases)
    if (phase != "build graph" && phase != "build vm")
      os << format("       %-14s %es\n", (phase + ":").c_str(), seconds);
  os << format("    Theon linker time (building the interpreter): %es\n", linker_time());
  for (const auto& [phase, seconds] : compile_phases)
    if (phase == "build graph") os << format("    Building and cloning the graph: %es\n", seconds);
  os << "\n";
  if (thunks <= 0) {
    os << "No execution time accumulated (the function was not called).\n\n";
  } else {
    print_rows(os, "Class", "Class", by_class(), thunks, n_ops);
    print_rows(os, "Ops", "Op", by_op(), thunks, n_ops);

    os << "Apply\n------\n";
    os << "<% time> <sum %> <apply time> <time per call> <#call> <id> <Apply name>\n";
    std::vector<const NodeProfile*> order;
    for (const NodeProfile& n : nodes) order.push_back(&n);
    std::stable_sort(order.begin(), order.end(),
                     [](const NodeProfile* a, const NodeProfile* b) { return a->time > b->time; });
    double cumulative = 0, rest = 0;
    const size_t shown = std::min(order.size(), static_cast<size_t>(std::max(n_apply, 0)));
    for (size_t i = 0; i < order.size(); ++i) {
      const NodeProfile& n = *order[i];
      if (i >= shown) {
        rest += n.time;
        continue;
      }
      cumulative += n.time;
      os << format("  %5.1f%%  %6.1f%%  %10.3fs  %12.2es  %7lld  %4d   ", percent(n.time, thunks),
                   percent(cumulative, thunks), n.time, n.calls ? n.time / n.calls : 0.0,
                   static_cast<long long>(n.calls), n.id)
         << clip(n.description, kLineWidth - 60) << "   [" << n.impl << "]\n";
      for (size_t k = 0; k < n.inputs.size(); ++k)
        os << "    input " << k << ": " << n.inputs[k] << "\n";
    }
    os << format("   ... (remaining %zu Apply instances account for %.2f%%(%.2fs) of the runtime)\n\n",
                 order.size() - shown, percent(rest, thunks), rest);
  }
  os << "Memory Profile\n(Sparse variables are ignored)\n---\n";
  os << format("    Max peak memory of the intermediate values: %lldKB\n",
               static_cast<long long>((memory_peak + 1023) / 1024));
  os << "    (values alive at once in run order; arguments and shared values not counted)\n";
  os << "\n<type>: C = built-in C++ kernel, N = fused kernel running generated native code,"
        " I = fused kernel in the interpreter\n";
  return os.str();
}

}  // namespace theon
