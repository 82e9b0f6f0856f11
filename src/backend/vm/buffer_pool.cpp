#include "backend/vm/buffer_pool.hpp"

#include <atomic>

namespace theon::detail {
namespace {
std::atomic<size_t> g_reuses{0};
std::atomic<size_t> g_min_bytes{kPooledMinBytes};
}  // namespace

void BufferPool::give(NDArray&& a) { free_.push_back(std::move(a)); }

NDArray BufferPool::take(size_t nbytes, DType dtype) {
  // Best fit: the smallest buffer that holds nbytes, if it is at most twice as large.
  size_t best = free_.size();
  for (size_t i = 0; i < free_.size(); ++i) {
    const size_t have = free_[i].buffer()->nbytes();
    if (have >= nbytes && have / 2 <= nbytes &&
        (best == free_.size() || have < free_[best].buffer()->nbytes()))
      best = i;
  }
  if (best == free_.size()) return NDArray();
  std::shared_ptr<Buffer> buffer = free_[best].buffer();
  free_[best] = std::move(free_.back());
  free_.pop_back();
  g_reuses.fetch_add(1, std::memory_order_relaxed);
  const Shape flat{static_cast<int64_t>(buffer->nbytes() / itemsize(dtype))};
  return NDArray::from_buffer(std::move(buffer), dtype, flat, contiguous_strides(flat), 0);
}

size_t pooled_buffer_reuses() { return g_reuses.load(std::memory_order_relaxed); }
size_t pooled_min_bytes() { return g_min_bytes.load(std::memory_order_relaxed); }
void set_pooled_min_bytes_for_testing(size_t bytes) { g_min_bytes.store(bytes, std::memory_order_relaxed); }

}  // namespace theon::detail
