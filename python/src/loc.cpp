// Python source locations inside theon::Loc, so that the core's error messages (which
// describe variables as "x  float64 matrix  made at train.py:12 in <module>") name the
// Python line that made a variable rather than a line of this binding.
//
// Loc is std::source_location, which has no public constructor from a file and a line.
// libstdc++ implements it as one pointer to a static {file, function, line, column}
// record; we intern such records per Python line and point a Loc at them. With another
// standard library the binding's own location is used instead.
#include <cstring>
#include <memory>
#include <string_view>
#include <unordered_map>

#include "common.hpp"

namespace theon::python {
namespace {

#if defined(__GLIBCXX__)
// libstdc++'s std::source_location::__impl, field for field.
struct LocRecord {
  const char* file;
  const char* function;
  unsigned line;
  unsigned column;
};
static_assert(sizeof(Loc) == sizeof(const LocRecord*), "unexpected std::source_location layout");

struct Interned {
  std::string file;
  std::string function;
  LocRecord record{};
};

// Records live as long as the process (bounded by the number of distinct lines).
std::unordered_map<std::string, std::unique_ptr<Interned>>& interned() {
  static auto* table = new std::unordered_map<std::string, std::unique_ptr<Interned>>();
  return *table;
}

Loc make_loc(const char* file, const char* function, int line) {
  std::string key = std::string(file) + '\n' + function + '\n' + std::to_string(line);
  auto& entry = interned()[key];
  if (!entry) {
    entry = std::make_unique<Interned>();
    entry->file = file;
    entry->function = function;
    entry->record = {entry->file.c_str(), entry->function.c_str(), static_cast<unsigned>(line), 0};
  }
  Loc loc;
  const LocRecord* record = &entry->record;
  std::memcpy(static_cast<void*>(&loc), &record, sizeof record);
  return loc;
}
#else
Loc make_loc(const char*, const char*, int) { return Loc::current(); }
#endif

std::vector<std::string>& internal_paths() {
  static auto* paths = new std::vector<std::string>();
  return *paths;
}

bool is_internal(std::string_view file) {
  for (const std::string& prefix : internal_paths())
    if (file.starts_with(prefix)) return true;
  return false;
}

}  // namespace

void set_internal_paths(std::vector<std::string> prefixes) {
  for (std::string& p : prefixes) internal_paths().push_back(std::move(p));
}

Loc py_loc_skipping(const char* skipped_function) {
  PyFrameObject* frame = PyEval_GetFrame();  // borrowed
  Py_XINCREF(frame);
  while (frame != nullptr) {
    PyCodeObject* code = PyFrame_GetCode(frame);  // new reference
    const char* file = PyUnicode_AsUTF8(code->co_filename);
    const char* function = file != nullptr ? PyUnicode_AsUTF8(code->co_name) : nullptr;
    const bool skipped = skipped_function != nullptr && function != nullptr &&
                         std::strcmp(function, skipped_function) == 0;
    if (file != nullptr && !is_internal(file) && !skipped) {
      Loc loc = make_loc(file, function ? function : "", PyFrame_GetLineNumber(frame));
      Py_DECREF(code);
      Py_DECREF(frame);
      return loc;
    }
    PyErr_Clear();
    Py_DECREF(code);
    PyFrameObject* back = PyFrame_GetBack(frame);  // new reference
    Py_DECREF(frame);
    frame = back;
  }
  return Loc::current();
}

Loc py_loc() { return py_loc_skipping(nullptr); }

}  // namespace theon::python
