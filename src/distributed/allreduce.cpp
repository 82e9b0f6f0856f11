// The symbolic all-reduce: per dtype, a chain of start nodes (one per variable) and one
// wait node per variable.
//
//   start_1(g_1) -> t_1,  start_2(t_1, g_2) -> t_2, ...,  start_k(t_{k-1}, g_k) -> t
//   out_j = wait_j(t, g_j)
//
// Each start appends its gradient to the bucket being filled; once the bucket holds the
// fusion threshold's bytes (or at the chain's end) it packs them into one contiguous
// buffer and starts one MPI_Iallreduce (Horovod's tensor fusion). The chain fixes the
// order, so every rank forms the same buckets. The variables are chained in the order the
// backward pass computes them (fewest nodes below first: the last layer's gradients), and
// the interpreter runs starts as soon as they can and waits as late as it can
// (backend/vm/schedule_hint.hpp), so reductions overlap the rest of the backward pass.
// The token t_j is a 0-d int64: the id of the call's chain state (or -1 in a world of size
// 1, where each wait's output is its input).
#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>

#include "backend/vm/schedule_hint.hpp"
#include "distributed/comm.hpp"
#include "graph/post_order.hpp"
#include "theon/distributed.hpp"
#include "theon/serialize.hpp"
#include "theon/side_effect.hpp"

namespace theon::distributed {
namespace {

using theon::detail::ScheduleHint;

// One call's chain: what the starts have packed, and which bucket holds which variable.
struct Chain {
  struct Bucket {
    int64_t reduction = -1;  // the id of its MPI reduction
    std::shared_ptr<Buffer> sums;  // once waited for
    int64_t count = 0;
    int unread = 0;  // variables not yet unpacked: the last one recycles the buffer
  };
  std::mutex mutex;
  std::vector<Bucket> buckets;
  std::vector<std::pair<int, int64_t>> place;  // per variable: bucket, element offset
  std::vector<NDArray> filling;                // the open bucket's variables
  int64_t filling_count = 0;
  int waits_left = 0;
};

std::mutex g_chains_mutex;
std::unordered_map<int64_t, std::shared_ptr<Chain>> g_chains;
std::atomic<int64_t> g_next_chain{0};
std::atomic<int64_t> g_next_urgency{0};
std::atomic<bool> g_nodes_in_world_of_one{false};

std::shared_ptr<Chain> chain_of(int64_t id) {
  std::lock_guard lock(g_chains_mutex);
  auto it = g_chains.find(id);
  THEON_ASSERT(it != g_chains.end()) << "no all-reduce chain with id " << id;
  return it->second;
}

NDArray token(int64_t id) { return NDArray::scalar<int64_t>(id); }

// Bucket buffers from earlier calls, by size: a training step reduces the same buckets
// every call, and a fresh multi-megabyte buffer costs its page faults each time. Holds at
// most kKeptBuffers.
constexpr size_t kKeptBuffers = 64;
std::mutex g_spare_mutex;
std::vector<std::shared_ptr<Buffer>> g_spare;

std::shared_ptr<Buffer> take_buffer(size_t nbytes) {
  {
    std::lock_guard lock(g_spare_mutex);
    for (auto it = g_spare.begin(); it != g_spare.end(); ++it)
      if ((*it)->nbytes() == nbytes) {
        auto buffer = std::move(*it);
        g_spare.erase(it);
        return buffer;
      }
  }
  return std::make_shared<Buffer>(nbytes);
}

void give_back(std::shared_ptr<Buffer> buffer) {
  std::lock_guard lock(g_spare_mutex);
  if (g_spare.size() == kKeptBuffers) g_spare.erase(g_spare.begin());
  g_spare.push_back(std::move(buffer));
}

const char* op_name(ReduceOp op) { return op == ReduceOp::Sum ? "sum" : "mean"; }

// Divides a bucket's sums by the world's size, in place.
template <class T>
void divide(std::byte* data, int64_t count, int size) {
  T* x = reinterpret_cast<T*>(data);
  for (int64_t i = 0; i < count; ++i) x[i] /= static_cast<T>(size);
}

void divide(DType dtype, std::byte* data, int64_t count, int size) {
  switch (dtype) {
    case DType::Float32: divide<float>(data, count, size); break;
    case DType::Float64: divide<double>(data, count, size); break;
    case DType::Int32: divide<int32_t>(data, count, size); break;
    case DType::Int64: divide<int64_t>(data, count, size); break;
    default: THEON_FAIL(InternalError) << "allreduce of " << dtype_name(dtype);
  }
}

// start_j: appends its variable (the last input, after the previous token if any) to the
// chain's open bucket; flushes it when full or when this is the chain's last variable.
class AllReduceStart final : public Op, public SideEffect, public ScheduleHint {
 public:
  AllReduceStart(int position, int length, int64_t threshold, int64_t urgency)
      : position_(position), length_(length), threshold_(threshold), urgency_(urgency) {}
  std::string name() const override { return "allreduce_start"; }
  std::string props() const override {
    return std::to_string(position_) + "/" + std::to_string(length_);
  }
  When when() const override { return When::Early; }
  int64_t urgency() const override { return urgency_; }
  int position() const { return position_; }
  int length() const { return length_; }
  int64_t threshold() const { return threshold_; }

  std::vector<TensorType> make_types(std::span<const Var>) const override {
    return {TensorType(DType::Int64, {})};
  }

  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    if (!detail::uses_mpi()) {
      *out[0] = token(-1);
      return;
    }
    int64_t id;
    std::shared_ptr<Chain> chain;
    if (position_ == 0) {
      id = g_next_chain++;
      chain = std::make_shared<Chain>();
      chain->place.resize(length_);
      chain->waits_left = length_;
      std::lock_guard lock(g_chains_mutex);
      g_chains[id] = chain;
    } else {
      id = in[0]->item<int64_t>();
      chain = chain_of(id);
    }
    const NDArray& value = *in.back();
    const DType dtype = node.inputs.back().dtype();
    const int64_t item = static_cast<int64_t>(itemsize(dtype));
    std::lock_guard lock(chain->mutex);
    // A bucket takes variables while it stays within the threshold; a larger variable
    // makes a bucket of its own.
    if (!chain->filling.empty() && (chain->filling_count + value.size()) * item > threshold_)
      flush(*chain, dtype);
    chain->place[position_] = {static_cast<int>(chain->buckets.size()), chain->filling_count};
    chain->filling.push_back(value);
    chain->filling_count += value.size();
    if (position_ == length_ - 1) flush(*chain, dtype);
    *out[0] = token(id);
  }

  // The token carries no gradient; the variables' gradients come through the waits.
  Vars pullback(const ApplyNode& node, std::span<const Var>) const override {
    return Vars(node.inputs.size());
  }

 private:
  void flush(Chain& chain, DType dtype) const {
    const int64_t count = chain.filling_count;
    // On the first call, every rank must be packing the same bucket: a cheap collective
    // turns a mismatch (another graph, other shapes) into an error rather than a hang or
    // a wrong sum.
    if (!checked_.exchange(true)) {
      constexpr int64_t kDtypes = 64;  // count and dtype in one number: one collective
      const detail::MinMax m = detail::min_max(count * kDtypes + static_cast<int64_t>(dtype));
      THEON_CHECK_USER(m.min == m.max, ValueError)
          << "allreduce: rank " << rank() << " reduces a bucket of " << count << " "
          << dtype_name(dtype) << " elements, but other ranks' buckets differ (between "
          << m.min / kDtypes << " and " << m.max / kDtypes << " elements, dtypes "
          << dtype_name(static_cast<DType>(m.min % kDtypes)) << " to "
          << dtype_name(static_cast<DType>(m.max % kDtypes))
          << "): every rank must call the same function with the same shapes";
    }
    auto buffer = take_buffer(std::max<size_t>(1, count * itemsize(dtype)));
    int64_t offset = 0;
    for (const NDArray& v : chain.filling) {
      NDArray::from_buffer(buffer, dtype, v.shape(), contiguous_strides(v.shape()), offset).assign(v);
      offset += v.size();
    }
    Chain::Bucket bucket;
    bucket.count = count;
    bucket.unread = static_cast<int>(chain.filling.size());
    chain.filling.clear();
    chain.filling_count = 0;
    bucket.reduction = detail::start_sum(std::move(buffer), count, dtype);
    chain.buckets.push_back(std::move(bucket));
  }

  int position_, length_;
  int64_t threshold_, urgency_;
  mutable std::atomic<bool> checked_{false};
};

// wait_j(t, g_j): the reduced value of g_j. Its input g_j gives the shape (and, in a world
// of size 1, the value: the output is a view of it).
class AllReduceWait final : public Op, public SideEffect, public ScheduleHint {
 public:
  AllReduceWait(ReduceOp op, int position, bool identity)
      : op_(op), position_(position), identity_(identity) {}
  std::string name() const override { return std::string("allreduce_") + op_name(op_); }
  std::string props() const override { return std::to_string(position_); }
  When when() const override { return When::Late; }
  int view_of(int) const override { return identity_ ? 1 : -1; }
  ReduceOp op() const { return op_; }
  int position() const { return position_; }

  std::vector<TensorType> make_types(std::span<const Var> in) const override {
    return {in[1].type()};
  }

  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const int64_t id = in[0]->item<int64_t>();
    if (id < 0) {
      THEON_CHECK_USER(identity_, ValueError)
          << name() << ": called after theon::distributed::finalize()";
      *out[0] = *in[1];
      return;
    }
    auto chain = chain_of(id);
    const DType dtype = node.inputs[1].dtype();
    std::lock_guard lock(chain->mutex);
    auto [b, offset] = chain->place[position_];
    Chain::Bucket& bucket = chain->buckets[b];
    if (!bucket.sums) {
      bucket.sums = detail::finish(bucket.reduction);
      if (op_ == ReduceOp::Mean) divide(dtype, bucket.sums->data(), bucket.count, size());
    }
    const Shape& shape = in[1]->shape();
    NDArray& result = reuse_or_allocate(*out[0], dtype, shape);
    result.assign(NDArray::from_buffer(bucket.sums, dtype, shape, contiguous_strides(shape), offset));
    if (--bucket.unread == 0) give_back(std::move(bucket.sums));
    if (--chain->waits_left == 0) {
      std::lock_guard lock_all(g_chains_mutex);
      g_chains.erase(id);  // the chain lives on in `chain` until this returns
    }
  }

  // Sum and Mean over ranks are linear and symmetric (y_r = c * sum_s x_s for every r),
  // so the transpose is the same all-reduce of the output gradients.
  Vars pullback(const ApplyNode& node, std::span<const Var> gout) const override {
    Vars grads(node.inputs.size());
    if (gout[0].defined()) grads[1] = allreduce({gout[0]}, op_, node.loc)[0];
    return grads;
  }

 private:
  ReduceOp op_;
  int position_;
  bool identity_;
};

// The variables in the order the backward pass computes them: by the length of the
// longest path from a source (the last layer's gradients are fewest steps from the
// cost); ties keep the caller's order.
std::vector<int> compute_order(const Vars& vars) {
  std::unordered_map<const ApplyNode*, int64_t> depth;
  for (ApplyNode* node : theon::detail::nodes_in_post_order(vars, [](const Var&) { return false; })) {
    int64_t d = 0;
    for (const Var& in : node->inputs)
      if (in.owner()) d = std::max(d, depth[in.owner()]);
    depth[node] = d + 1;
  }
  std::vector<int> order(vars.size());
  for (size_t i = 0; i < vars.size(); ++i) order[i] = static_cast<int>(i);
  auto depth_of = [&](int i) { return vars[i].owner() ? depth[vars[i].owner()] : 0; };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return depth_of(a) < depth_of(b); });
  return order;
}

}  // namespace

namespace detail {

void set_nodes_in_world_of_one(bool keep) { g_nodes_in_world_of_one = keep; }

// Saving functions that hold the all-reduce (theon/serialize.hpp). A loaded wait is the
// identity when the loading process's world has size 1, whatever the saving one had.
void register_codecs_now() {
  register_op_codec(typeid(AllReduceStart),
                    {"distributed.allreduce_start",
                     [](const Op& op, Writer& w) {
                       auto& start = static_cast<const AllReduceStart&>(op);
                       w.i64(start.position());
                       w.i64(start.length());
                       w.i64(start.threshold());
                     },
                     [](Reader& r, std::span<const Var>) -> std::shared_ptr<const Op> {
                       const int position = r.int32(), length = r.int32();
                       const int64_t threshold = r.i64();
                       if (position < 0 || position >= length || threshold <= 0)
                         r.fail("allreduce_start: impossible position, length or threshold");
                       return std::make_shared<const AllReduceStart>(position, length, threshold,
                                                                     g_next_urgency++);
                     }});
  register_op_codec(typeid(AllReduceWait),
                    {"distributed.allreduce_wait",
                     [](const Op& op, Writer& w) {
                       auto& wait = static_cast<const AllReduceWait&>(op);
                       w.boolean(wait.op() == ReduceOp::Mean);
                       w.i64(wait.position());
                     },
                     [](Reader& r, std::span<const Var>) -> std::shared_ptr<const Op> {
                       const ReduceOp op = r.boolean() ? ReduceOp::Mean : ReduceOp::Sum;
                       const int position = r.int32();
                       if (position < 0) r.fail("allreduce wait: negative position");
                       return std::make_shared<const AllReduceWait>(op, position, size() == 1);
                     }});
}

void register_codecs() {
  static std::once_flag once;
  std::call_once(once, register_codecs_now);
}

}  // namespace detail

Vars allreduce(const Vars& vars, ReduceOp op, Loc loc) {
  detail::register_codecs();  // a program that builds the op can save it
  for (size_t i = 0; i < vars.size(); ++i) {
    THEON_CHECK_USER(vars[i].defined(), ValueError)
        << "allreduce: variable " << i << " is undefined (called at " << format_loc(loc) << ")";
    THEON_CHECK_USER(detail::reducible(vars[i].dtype()), TypeError)
        << "allreduce: variable " << i << " is " << dtype_name(vars[i].dtype())
        << "; all-reduce takes float32, float64, int32 or int64\n  input " << i << "  "
        << describe(vars[i]) << "\n  called at " << format_loc(loc);
  }
  const bool identity = size() == 1;
  // In a world of 1 the graph is the single-process one: no node stands between a
  // gradient and its update (the update may still fold into an in-place GEMM, and small
  // graphs still become one native kernel).
  if (identity && !g_nodes_in_world_of_one) return vars;
  const int64_t threshold = fusion_threshold_bytes();
  Vars result(vars.size());
  // One chain per dtype, each in compute order.
  std::vector<int> order = compute_order(vars);
  std::vector<DType> dtypes;
  for (int i : order)
    if (std::find(dtypes.begin(), dtypes.end(), vars[i].dtype()) == dtypes.end())
      dtypes.push_back(vars[i].dtype());
  for (DType dtype : dtypes) {
    std::vector<int> members;
    for (int i : order)
      if (vars[i].dtype() == dtype) members.push_back(i);
    const int length = static_cast<int>(members.size());
    Var tok;
    for (int j = 0; j < length; ++j) {
      Vars inputs;
      if (tok.defined()) inputs.push_back(tok);
      inputs.push_back(vars[members[j]]);
      tok = make_apply1(std::make_shared<const AllReduceStart>(j, length, threshold, g_next_urgency++),
                        std::move(inputs), loc);
    }
    for (int j = 0; j < length; ++j)
      result[members[j]] = make_apply1(std::make_shared<const AllReduceWait>(op, j, identity),
                                       {tok, vars[members[j]]}, loc);
  }
  return result;
}

}  // namespace theon::distributed
