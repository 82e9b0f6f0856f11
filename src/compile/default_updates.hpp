// Theano's default updates (SharedVar::set_default_update), collected for function()
// and for scan, whose step may read a shared variable that has one (a random state).
#pragma once

#include "theon/function.hpp"

namespace theon::detail {

// `updates` plus the default update of each shared variable that `roots` read, directly
// or through other default updates, except the variables `updates` already names and
// those in `skip`. An explicit stack: no recursion on graph depth.
Updates with_default_updates(const Vars& roots, const Updates& updates, const Vars& skip = {});

}  // namespace theon::detail
