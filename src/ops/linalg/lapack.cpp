#include "ops/linalg/lapack.hpp"

#include <cmath>

namespace theon::detail::lapack {

int to_int(int64_t n, std::string_view op) {
  THEON_CHECK_USER(n <= INT_MAX, ValueError)
      << op << ": a length of " << n << " is too large for LAPACK's 32-bit integers";
  return static_cast<int>(n);
}

int work_size(double reported, std::string_view op) {
  // LAPACK reports sizes as floats; round up, as a size near 2^24 may have been rounded.
  const double size = std::ceil(reported * (1 + 1e-7));
  THEON_CHECK_USER(size <= INT_MAX, ValueError) << op << ": LAPACK asks for a workspace of " << size
                                                << " elements, beyond its 32-bit integers";
  return size < 1 ? 1 : static_cast<int>(size);
}

}  // namespace theon::detail::lapack
