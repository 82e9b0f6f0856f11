#include "theon/error.hpp"

#include <string_view>

namespace theon {

std::string format_loc(const Loc& loc) {
  if (loc.line() == 0) return "";
  std::string_view file = loc.file_name();
  // Long absolute paths hide the file name; keep the last two components.
  size_t cut = file.rfind('/');
  if (cut != std::string_view::npos && cut > 0) {
    size_t before = file.rfind('/', cut - 1);
    if (before != std::string_view::npos) file = file.substr(before + 1);
  }
  std::string out = std::string(file) + ":" + std::to_string(loc.line());
  std::string_view function = loc.function_name();
  if (!function.empty()) {
    // "int main()" -> "main"; "void f(int)" -> "f".
    size_t paren = function.find('(');
    std::string_view head = function.substr(0, paren);
    size_t space = head.rfind(' ');
    out += " in " + std::string(space == std::string_view::npos ? head : head.substr(space + 1));
  }
  return out;
}

}  // namespace theon
