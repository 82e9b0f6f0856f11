// In-place outputs (Theano's destroy-handler rule, decided by the interpreter): while an
// InplaceGrant is alive, reuse_or_allocate may hand out `buffer` although one other
// array still refers to it. The interpreter grants this for an element-wise node whose
// input is dead after that node (no later reader, no view of it read later, not a
// result, a user's argument or a shared value): the node then writes its output over
// that input, element by element, instead of into a buffer of its own.
#pragma once

namespace theon {
class Buffer;
}

namespace theon::detail {

class InplaceGrant {
 public:
  explicit InplaceGrant(const Buffer* buffer);
  ~InplaceGrant();
  InplaceGrant(const InplaceGrant&) = delete;
  InplaceGrant& operator=(const InplaceGrant&) = delete;

 private:
  const Buffer* previous_;
};

// The buffer granted on this thread, or nullptr.
const Buffer* inplace_grant();

}  // namespace theon::detail
