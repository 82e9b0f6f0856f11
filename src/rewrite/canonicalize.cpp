#include "rewrite/phases.hpp"

namespace theon::rewrite {

void register_canonicalize(RewriteDb&) {}

}  // namespace theon::rewrite
