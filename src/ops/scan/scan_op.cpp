// The Scan op: types, and the loop that runs the compiled body once per step.
#include "ops/scan/scan_op.hpp"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "backend/vm/vm.hpp"
#include "core/checked_size.hpp"
#include "ops/op_util.hpp"
#include "ops/scan/scan_identity.hpp"
#include "rewrite/pipeline.hpp"
#include "theon/interrupt.hpp"

namespace theon::detail {

int ScanSpec::n_rec_taps() const {
  int n = 0;
  for (const auto& t : taps) n += static_cast<int>(t.size());
  return n;
}

int ScanSpec::inner_tap(int rec, int tap_index) const {
  int k = n_seqs;
  for (int j = 0; j < rec; ++j) k += static_cast<int>(taps[j].size());
  return k + tap_index;
}

bool ScanSpec::stores_all() const {
  return std::all_of(store.begin(), store.end(), [](int64_t s) { return s == 0; });
}

std::string scan_label(const ScanSpec& spec) {
  return spec.name.empty() ? std::string("scan") : "scan '" + spec.name + "'";
}

// The body, compiled once with the same rewrites as any function, run over the same
// slots at every step: a step binds views into the input slots and runs the program.
class ScanLoop {
 public:
  explicit ScanLoop(const ScanSpec& spec) {
    fgraph_ = std::make_unique<FunctionGraph>(spec.inner_inputs, spec.inner_outputs);
    const rewrite::ModeChoice mode = rewrite::resolve_mode("");
    if (mode.optimize) {
      rewrite::RewriteSession session(*fgraph_, rewrite::session_options_from_config());
      rewrite::optimize(session, mode.selection);
    }
    vm_ = std::make_unique<VM>(*fgraph_);
    for (const Var& v : fgraph_->inputs()) inputs_.push_back(vm_->slot_of(v));
    for (const Var& v : fgraph_->outputs()) outputs_.push_back(vm_->slot_of(v));
  }
  NDArray& input(int i) { return vm_->slot(inputs_[i]); }
  const NDArray& output(int o) { return vm_->slot(outputs_[o]); }
  void run() { vm_->run(outputs_); }
  void release() { vm_->release_borrowed(); }

 private:
  std::unique_ptr<FunctionGraph> fgraph_;
  std::unique_ptr<VM> vm_;
  std::vector<int> inputs_, outputs_;
};

Scan::Scan(ScanSpec spec) : spec_(std::move(spec)) {
  if (spec_.store.empty()) spec_.store.assign(spec_.n_outputs(), 0);
  THEON_ASSERT(static_cast<int>(spec_.store.size()) == spec_.n_outputs()) << "scan: store per output";
  THEON_ASSERT(static_cast<int>(spec_.inner_inputs.size()) ==
               spec_.n_seqs + spec_.n_rec_taps() + spec_.n_non_seqs)
      << "scan: inner inputs";
  THEON_ASSERT(static_cast<int>(spec_.inner_outputs.size()) == spec_.n_outputs()) << "scan: inner outputs";
  identity_ = std::make_unique<ScanIdentity>(canonical_scan_text(spec_, this));
}

Scan::~Scan() = default;

std::string Scan::props() const { return identity_->id(); }

std::string Scan::print(std::span<const std::string> args) const {
  std::string s = "scan{" + spec_.name + "}(";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
  return s + ")";
}

std::vector<TensorType> Scan::make_types(std::span<const Var> in) const {
  const ScanSpec& s = spec_;
  const std::string label = scan_label(s);
  THEON_ASSERT(static_cast<int>(in.size()) == 1 + s.n_seqs + s.n_recs() + s.n_non_seqs)
      << label << ": " << in.size() << " inputs";
  expect_int_scalar(label, in[0]);
  auto same_kind = [](const TensorType& a, const TensorType& b) {
    return a.dtype == b.dtype && a.ndim() == b.ndim();
  };
  for (int i = 0; i < s.n_seqs; ++i) {
    const Var& seq = in[s.seq_input(i)];
    const Var& row = s.inner_inputs[i];
    THEON_CHECK_USER(seq.ndim() == row.ndim() + 1 && seq.dtype() == row.dtype(), TypeError)
        << label << ": sequence " << i << " is " << describe(seq) << ", its step reads "
        << row.type().str();
  }
  for (int j = 0; j < s.n_recs(); ++j) {
    const Var& init = in[s.init_input(j)];
    const Var& row = s.inner_inputs[s.inner_tap(j, 0)];
    THEON_CHECK_USER(init.ndim() == row.ndim() + 1 && init.dtype() == row.dtype(), TypeError)
        << label << ": initial buffer " << j << " is " << describe(init) << ", its step reads "
        << row.type().str();
  }
  for (int k = 0; k < s.n_non_seqs; ++k) {
    const Var& v = in[s.non_seq_input(k)];
    const Var& inner = s.inner_inputs[s.inner_non_seq(k)];
    THEON_CHECK_USER(same_kind(v.type(), inner.type()), TypeError)
        << label << ": non-sequence " << k << " is " << describe(v) << ", the step reads "
        << inner.type().str();
  }
  std::vector<TensorType> out;
  auto stacked = [](const TensorType& row) {
    BroadcastPattern b{false};
    for (bool x : row.broadcastable) b.push_back(x);
    return TensorType(row.dtype, b);
  };
  for (int j = 0; j < s.n_recs(); ++j) out.push_back(stacked(s.inner_inputs[s.inner_tap(j, 0)].type()));
  for (int m = 0; m < s.n_nit; ++m) out.push_back(stacked(s.inner_outputs[s.n_recs() + m].type()));
  return out;
}

namespace {

Shape row_shape(const NDArray& a) {
  Shape r;
  for (int d = 1; d < a.ndim(); ++d) r.push_back(a.shape(d));
  return r;
}

// ring[pos] = v: one memmove when both are contiguous (a step's results usually are),
// which saves making a view per output per step.
void copy_row(NDArray& ring, int64_t pos, const NDArray& v) {
  if (ring.is_contiguous() && v.is_contiguous() && v.dtype() == ring.dtype()) {
    const size_t bytes = v.nbytes();
    if (bytes > 0) std::memmove(static_cast<char*>(ring.raw()) + static_cast<size_t>(pos) * bytes, v.raw(), bytes);
    return;
  }
  ring.index(0, pos).assign(v);
}

Shape with_rows(int64_t rows, const Shape& row) {
  Shape s{rows};
  for (int64_t d : row) s.push_back(d);
  return s;
}

}  // namespace

void Scan::perform(const ApplyNode& node, std::span<const NDArray* const> in,
                   std::span<NDArray* const> out) const {
  const ScanSpec& s = spec_;
  const std::string label = scan_label(s);
  const int64_t n = scalar_to_int(*in[0], label);
  THEON_CHECK_USER(n >= 0, ValueError) << label << ": n_steps is " << n << "; it must be at least 0";
  for (int i = 0; i < s.n_seqs; ++i) {
    const NDArray& seq = *in[s.seq_input(i)];
    THEON_CHECK_USER(seq.shape(0) >= n, ShapeError)
        << label << ": sequence " << i << " has " << seq.shape(0) << " rows for " << n << " steps";
  }
  const int n_recs = s.n_recs();
  const int n_out = s.n_outputs();
  // Each output is written into a ring of `rows[o]` rows at position (step row) % rows[o];
  // a ring holding every row is the output itself.
  std::vector<NDArray> ring(n_out);
  std::vector<int64_t> rows(n_out), total(n_out);
  std::vector<Shape> shapes(n_out);
  for (int j = 0; j < n_recs; ++j) {
    const NDArray& init = *in[s.init_input(j)];
    const int64_t len = s.init_len(j);
    THEON_CHECK_USER(init.ndim() >= 1 && init.shape(0) == len, ShapeError)
        << label << ": the initial value of output " << j << " needs " << len << " rows, got shape "
        << shape_str(init.shape());
    total[j] = checked_add(len, n, [&] {
      return label + ": the rows of output " + std::to_string(j) + " (initial rows + n_steps)";
    });
    // A ring keeps one row more than the taps reach: this step's result never
    // overwrites a row the step is still reading.
    rows[j] = s.store[j] == 0 ? total[j] : std::min(total[j], std::max(s.store[j], len + 1));
    shapes[j] = row_shape(init);
    const DType dtype = node.outputs[j].type.dtype;
    if (rows[j] == total[j])
      ring[j] = reuse_or_allocate(*out[j], dtype, with_rows(total[j], shapes[j]));
    else
      ring[j] = NDArray::empty(dtype, with_rows(rows[j], shapes[j]));
    ring[j].slice(0, Slice{0, len, 1}).assign(init);
  }
  for (int m = n_recs; m < n_out; ++m) {
    total[m] = n;
    rows[m] = s.store[m] == 0 ? n : std::min(n, s.store[m]);
  }

  struct Lease {
    const Scan& scan;
    std::unique_ptr<ScanLoop> loop;
    ~Lease() { scan.give_back(std::move(loop)); }
  } lease{*this, take_loop()};
  ScanLoop& loop = *lease.loop;
  try {
    for (int k = 0; k < s.n_non_seqs; ++k) loop.input(s.inner_non_seq(k)) = *in[s.non_seq_input(k)];
    CheckPoint check;
    for (int64_t t = 0; t < n; ++t) {
      check();  // Ctrl-C between steps (theon/interrupt.hpp)
      for (int i = 0; i < s.n_seqs; ++i) loop.input(i) = in[s.seq_input(i)]->index(0, t);
      for (int j = 0; j < n_recs; ++j) {
        const int64_t len = s.init_len(j);
        for (size_t k = 0; k < s.taps[j].size(); ++k)
          loop.input(s.inner_tap(j, static_cast<int>(k))) =
              ring[j].index(0, (len + t + s.taps[j][k]) % rows[j]);
      }
      loop.run();
      for (int o = 0; o < n_out; ++o) {
        const NDArray& v = loop.output(o);
        if (o >= n_recs && t == 0) {
          shapes[o] = v.shape();
          ring[o] = rows[o] == total[o]
                        ? reuse_or_allocate(*out[o], node.outputs[o].type.dtype, with_rows(n, shapes[o]))
                        : NDArray::empty(node.outputs[o].type.dtype, with_rows(rows[o], shapes[o]));
        }
        THEON_CHECK_USER(v.shape() == shapes[o], ShapeError)
            << label << ": at step " << t << " output " << o << " has shape " << shape_str(v.shape())
            << ", expected " << shape_str(shapes[o])
            << (o < n_recs ? " (the shape of its initial value)" : " (its shape at step 0)");
        const int64_t pos = ((o < n_recs ? s.init_len(o) : 0) + t) % rows[o];
        copy_row(ring[o], pos, v);
      }
    }
    if (n == 0 && s.n_nit > 0) {
      // No step ran, so the rows' shapes of non-recurrent outputs come from one step
      // on zeros (its values are dropped); when that step fails they are empty.
      for (int i = 0; i < s.n_seqs; ++i)
        loop.input(i) = NDArray::zeros(in[s.seq_input(i)]->dtype(), row_shape(*in[s.seq_input(i)]));
      for (int j = 0; j < n_recs; ++j)
        for (size_t k = 0; k < s.taps[j].size(); ++k)
          loop.input(s.inner_tap(j, static_cast<int>(k))) = ring[j].index(0, 0);
      bool ran = true;
      try {
        loop.run();
      } catch (const Error&) {
        ran = false;
      }
      for (int m = n_recs; m < n_out; ++m) {
        Shape row = ran ? loop.output(m).shape() : Shape(node.outputs[m].type.ndim() - 1, 0);
        ring[m] = reuse_or_allocate(*out[m], node.outputs[m].type.dtype, with_rows(0, row));
        shapes[m] = row;
      }
    }
  } catch (...) {
    loop.release();
    throw;
  }
  loop.release();
  for (int o = 0; o < n_out; ++o) {
    if (rows[o] == total[o]) {
      *out[o] = ring[o];
      continue;
    }
    // Unroll the ring: the last `keep` rows, oldest first.
    const int64_t keep = std::min(s.store[o], total[o]);
    NDArray& result = reuse_or_allocate(*out[o], node.outputs[o].type.dtype, with_rows(keep, shapes[o]));
    for (int64_t r = 0; r < keep; ++r)
      result.index(0, r).assign(ring[o].index(0, (total[o] - keep + r) % rows[o]));
  }
}

std::unique_ptr<ScanLoop> Scan::take_loop() const {
  {
    std::lock_guard<std::mutex> lock(loops_mutex_);
    if (!idle_loops_.empty()) {
      std::unique_ptr<ScanLoop> loop = std::move(idle_loops_.back());
      idle_loops_.pop_back();
      return loop;
    }
  }
  return std::make_unique<ScanLoop>(spec_);
}

void Scan::give_back(std::unique_ptr<ScanLoop> loop) const {
  std::lock_guard<std::mutex> lock(loops_mutex_);
  idle_loops_.push_back(std::move(loop));
}

const Scan* scan_of(const ApplyNode* node) {
  return node ? dynamic_cast<const Scan*>(&node->op()) : nullptr;
}

Vars make_scan(ScanSpec spec, Vars inputs, const Loc& loc) {
  return make_apply(std::make_shared<const Scan>(std::move(spec)), std::move(inputs), loc);
}

}  // namespace theon::detail
