// The interpreter's pool of large buffers whose values are dead for the rest of a call
// (backend/vm/vm.hpp): a later output of about the same size reuses one instead of
// keeping a buffer of its own.
#pragma once

#include <cstddef>
#include <vector>

#include "theon/array.hpp"

namespace theon::detail {

// Buffers smaller than this are not pooled: they cost little memory, and small graphs
// keep each value in its own slot (compile/graph_kernel.hpp reads them).
inline constexpr size_t kPooledMinBytes = size_t{256} << 10;

class BufferPool {
 public:
  // Takes `a`, whose buffer nobody else holds.
  void give(NDArray&& a);
  // A pooled buffer that holds `nbytes` without wasting more than half of it, as a flat
  // `dtype` array (which reuse_or_allocate reshapes), or an undefined array.
  NDArray take(size_t nbytes, DType dtype);
  bool empty() const { return free_.empty(); }

 private:
  std::vector<NDArray> free_;
};

// For tests: buffers handed out by pools in this process; the smallest size pooled
// (kPooledMinBytes unless a test lowers it to exercise small graphs).
size_t pooled_buffer_reuses();
size_t pooled_min_bytes();
void set_pooled_min_bytes_for_testing(size_t bytes);

}  // namespace theon::detail
