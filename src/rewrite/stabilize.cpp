#include "rewrite/phases.hpp"

namespace theon::rewrite {

void register_stabilize(RewriteDb&) {}

}  // namespace theon::rewrite
