#include "rewrite/phases.hpp"

namespace theon::rewrite {

void register_specialize(RewriteDb&) {}

}  // namespace theon::rewrite
