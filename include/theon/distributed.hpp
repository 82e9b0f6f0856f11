// Data-parallel training over MPI (Open MPI): every process (a "rank") holds a replica of
// the parameters, computes gradients on its shard of the batch, the gradients are averaged
// with an all-reduce, and every replica applies the same update.
//
//   namespace D = theon::distributed;
//   D::init();                                   // from mpirun's environment, or a world of 1
//   D::broadcast(params);                        // every replica starts from rank 0's values
//   Vars grads = T::grad(cost, params);
//   Vars avg = D::allreduce(grads);              // the mean over ranks, per gradient
//   Updates up;
//   for (size_t i = 0; i < params.size(); ++i) up.push_back({params[i], params[i] - lr * avg[i]});
//   auto step = theon::function({x, y}, cost, up);
//
// allreduce is symbolic. It packs the gradients into one contiguous buffer per dtype and
// bucket (Horovod's tensor fusion: buckets fill in the order the backward pass computes
// the gradients, up to set_fusion_threshold_bytes each), starts one non-blocking MPI
// all-reduce per bucket as soon as its gradients exist, and waits only where a result is
// read: the interpreter runs the rest of the backward pass in between. Every rank must
// call the same compiled functions the same number of times, in the same order
// (collectives match by order): so never two functions holding an all-reduce at once on
// two threads of one rank.
//
// While reductions are in flight a background thread tests them (Open MPI moves a
// non-blocking collective on only inside MPI calls), so they proceed during the backward
// pass; THEON_DISTRIBUTED_NO_PROGRESS_THREAD=1 turns it off. Every wait (all-reduce,
// barrier, broadcast) is bounded by set_timeout_seconds. interrupt_calls() (Ctrl-C) stops
// a call waiting for its all-reduce, with no update; the abandoned reduction completes
// when the peers make theirs, so the ranks are then one reduction apart: stop training.
//
// A world of size 1 (a program started without mpirun, or -np 1) never touches MPI, and
// allreduce() returns its inputs: the graph, and its speed, are the single-process ones.
// (So a function built in a world of 1 and saved holds no all-reduce.) Functions holding
// the all-reduce save and load (theon::save) once init() has run; a loaded all-reduce
// takes the loading process's world.
// Link the target Theon::distributed (theon_distributed), which holds MPI.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "theon/shared.hpp"

namespace theon::distributed {

// Idempotent. Under mpirun or srun (the environment has OMPI_COMM_WORLD_SIZE, PMIX_RANK
// or PMI_RANK) initialises MPI, with MPI_THREAD_MULTIPLE where the library offers it (a
// Python program may call from several threads, and mpi4py asks for the same level);
// otherwise a world of size 1. Without MPI in the build, always a world of size 1.
void init();
bool is_initialized();
// This process's rank and the world's size; call init() first when not done yet.
int rank();
int size();
// Returns once every rank has called it.
void barrier();
// Finalizes MPI (after waiting for any reduction still in flight). Also registered at
// exit; calling it twice is harmless. After it, init() is not allowed again (MPI's rule).
void finalize();

enum class ReduceOp { Sum, Mean };

// Makes every rank's values equal to root's, in place (the parameters start identical).
// Shapes and dtypes must agree across ranks (ValueError naming the variable otherwise).
void broadcast(std::span<const SharedVar> vars, int root = 0);

// Symbolic all-reduce: the sum (or mean) over ranks of each variable, same types, in the
// order given (in a world of size 1, the variables themselves). Dtypes float32, float64, int32, int64 (TypeError naming the variable for
// others); Mean of an integer variable is integer division (truncated) by size().
// Its gradient is the all-reduce of the output gradient with the same op: both Sum and
// Mean are linear maps equal to their own transpose.
Vars allreduce(const Vars& vars, ReduceOp op = ReduceOp::Mean, Loc loc = Loc::current());

// Buckets hold up to this many bytes of one dtype (a single larger variable makes a
// bucket of its own). Default 64 MiB. Read when allreduce() builds the graph.
void set_fusion_threshold_bytes(int64_t bytes);
int64_t fusion_threshold_bytes();
// How long a rank waits for one all-reduce before it reports "a peer rank failed or is not
// calling the same function" on stderr and aborts the job (MPI_Abort). Default 300 s.
void set_timeout_seconds(double seconds);
double timeout_seconds();

// The half-open row range [begin, end) of rank r's shard of n rows: contiguous, sizes
// differ by at most 1 (the first n % size ranks get one more); with drop_remainder all
// shards have n / size rows and the last n % size rows belong to none.
struct Range {
  int64_t begin, end;
};
Range shard_range(int64_t n, int rank, int size, bool drop_remainder = false);

// Per-epoch shuffled indices, as PyTorch's DistributedSampler: one permutation of 0..n-1,
// the same on every rank (from seed and epoch, independent of MPI), made a multiple of
// the world size by repeating from its start (or dropping the tail with drop_last); rank
// r takes positions r, r + size, r + 2 size, ...
class DistributedSampler {
 public:
  DistributedSampler(int64_t n, bool shuffle = true, uint64_t seed = 0, bool drop_last = false,
                     int rank = -1, int size = -1);  // -1: the world's
  void set_epoch(int64_t epoch);
  std::vector<int64_t> indices() const;
  // How many indices each rank gets.
  int64_t size() const;

 private:
  int64_t n_, epoch_ = 0;
  bool shuffle_, drop_last_;
  uint64_t seed_;
  int rank_, size_;
};

}  // namespace theon::distributed
