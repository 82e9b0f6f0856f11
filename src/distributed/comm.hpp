// The MPI layer under theon::distributed: the world, and reductions in flight.
//
// Everything that names MPI lives in world.cpp, which compiles with or without MPI
// (THEON_HAVE_MPI); the ops and helpers call only what is declared here. A reduction in
// flight is identified by a number, which the all-reduce start node passes to its wait
// node as a 0-d int64 value; the table here keeps its buffer alive until it completes,
// also when the call that started it throws before waiting.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "theon/array.hpp"

namespace theon::distributed::detail {

// True when MPI is running and the world has more than one rank (size 1 never calls MPI).
bool uses_mpi();

// Starts an in-place sum over ranks of `count` elements of `dtype` at the start of
// `buffer`; returns the reduction's id.
int64_t start_sum(std::shared_ptr<Buffer> buffer, int64_t count, DType dtype);
// Waits for reduction `id` (polling, up to the timeout: then reports on stderr and aborts
// the job) and returns its buffer, holding the sums.
std::shared_ptr<Buffer> finish(int64_t id);

// The smallest and largest of `value` over ranks (a blocking collective).
struct MinMax {
  int64_t min, max;
};
MinMax min_max(int64_t value);

// Whether MPI can carry this dtype's sum.
bool reducible(DType dtype);

// For tests: whether allreduce() builds its nodes in a world of size 1 (by default it
// returns its inputs there).
void set_nodes_in_world_of_one(bool keep);

// Registers the all-reduce ops' codecs for theon::save / load, once (init() and
// allreduce() call it).
void register_codecs();

}  // namespace theon::distributed::detail

namespace theon::distributed::detail {

// Copies root's `nbytes` at `data` to every rank (a blocking collective).
void broadcast_bytes(void* data, int64_t nbytes, int root);

}  // namespace theon::distributed::detail
