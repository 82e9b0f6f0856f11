// broadcast: root's values of shared variables to every rank, checked first (dtype and
// shape), so that a mismatch is an error on every rank rather than a corrupt value.
#include <sstream>

#include "distributed/comm.hpp"
#include "theon/distributed.hpp"

namespace theon::distributed {

void broadcast(std::span<const SharedVar> vars, int root) {
  const int n = size();
  THEON_CHECK_USER(root >= 0 && root < n, ValueError)
      << "broadcast: root " << root << " is not a rank of a world of size " << n;
  if (!detail::uses_mpi()) return;
  for (size_t i = 0; i < vars.size(); ++i) {
    const SharedVar& var = vars[i];
    NDArray value = var.get_value(/*borrow=*/true);
    // Root's description: dtype, ndim, shape; every rank compares it with its own.
    std::vector<int64_t> layout{static_cast<int64_t>(value.dtype()), value.ndim()};
    layout.insert(layout.end(), value.shape().begin(), value.shape().end());
    int64_t length = static_cast<int64_t>(layout.size());
    detail::broadcast_bytes(&length, sizeof(length), root);
    std::vector<int64_t> root_layout(length);
    if (rank() == root) root_layout = layout;
    detail::broadcast_bytes(root_layout.data(), length * 8, root);
    const detail::MinMax differs = detail::min_max(root_layout != layout ? 1 : 0);
    if (differs.max != 0) {
      std::ostringstream shape;
      shape << value.shape();
      THEON_FAIL(ValueError) << "broadcast: variable " << i << " ('" << var.name() << "') differs "
                             << "between ranks: rank " << rank() << " holds " << dtype_name(value.dtype())
                             << " " << shape.str() << ", and some rank's dtype or shape differs from root "
                             << root << "'s (every rank must build the same parameters)";
    }
    NDArray received = value.copy();  // contiguous, and never the buffer a function reads
    detail::broadcast_bytes(received.raw(), static_cast<int64_t>(received.nbytes()), root);
    if (rank() != root) SharedVar(var).set_value(received, /*borrow=*/true);  // a handle copy
  }
}

}  // namespace theon::distributed
