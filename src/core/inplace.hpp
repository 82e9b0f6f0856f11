// In-place outputs (Theano's destroy-handler rule, decided by the interpreter): while an
// InplaceGrant is alive, reuse_or_allocate may hand out `buffer` although one other
// array still refers to it. The interpreter grants this for an element-wise node whose
// input is dead after that node (no later reader, no view of it read later, not a
// result, a user's argument or a shared value): the node then writes its output over
// that input, element by element, instead of into a buffer of its own.
#pragma once

#include <cstddef>

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

// For tests: outputs written over a dead input so far, and a switch that turns the rule
// off for reference runs.
size_t in_place_writes();
void count_in_place_write();
bool in_place_enabled();
void set_in_place_for_testing(bool enabled);

}  // namespace theon::detail
