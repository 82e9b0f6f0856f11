// float32 convolutions through oneDNN (Debian's libdnnl, built on OpenMP). oneDNN reads
// OMP_NUM_THREADS as Theon's pool does (core/parallel.hpp), so both use the same number of
// threads; the calls come from the thread that runs the op, never from a pool task.
//
// A primitive costs milliseconds to create (it generates code), so each geometry's
// primitive, its reorders and its buffers are made once and kept in a small cache.
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ops/conv/conv_algorithms.hpp"
#include "theon/error.hpp"

#ifdef THEON_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace theon::detail::conv::onednn {
#ifdef THEON_HAVE_ONEDNN

namespace {

// Zero-sized convolutions never reach oneDNN: outputs are zeros (or empty).
bool is_empty(const Geometry& g) { return g.macs() == 0; }

int64_t elements_of(const Geometry& g, Pass pass) {
  switch (pass) {
    case Pass::Forward: return g.batch * g.out_channels * g.output_size();
    case Pass::GradInput: return g.batch * g.in_channels * g.image_size();
    case Pass::GradFilters: return g.out_channels * g.channels_per_group() * g.kernel_size();
  }
  return 0;
}

using dnnl::memory;
using Tag = memory::format_tag;

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// One argument of a primitive: the caller's plain buffer and, when oneDNN prefers another
// layout, its own buffer plus the reorder between the two.
struct Argument {
  int key = 0;
  bool is_output = false;
  memory user, inner;
  dnnl::reorder reorder;
  bool reordered = false;
};

struct Entry {
  std::mutex busy;
  dnnl::primitive primitive;
  std::vector<Argument> arguments;
  memory scratchpad;
  // Made once, so that a call allocates nothing: the stream, and the primitive's
  // arguments (memory objects are handles: set_data_handle on `user` reaches them).
  dnnl::stream stream;
  std::unordered_map<int, memory> execute_args;
};

memory::dims spatial_dims(const Geometry& g, const std::array<int64_t, kMaxSpatial>& v,
                          int64_t minus = 0) {
  memory::dims d;
  for (int i = 0; i < g.spatial; ++i) d.push_back(v[i] - minus);
  return d;
}

memory::desc plain(const Geometry& g, int64_t n, int64_t c,
                   const std::array<int64_t, kMaxSpatial>& sizes) {
  memory::dims d{n, c};
  for (int i = 0; i < g.spatial; ++i) d.push_back(sizes[i]);
  return {d, memory::data_type::f32, g.spatial == 2 ? Tag::nchw : Tag::ncdhw};
}

memory::desc plain_filters(const Geometry& g) {
  memory::dims d;
  if (g.groups > 1) d.push_back(g.groups);
  d.push_back(g.filters_per_group());
  d.push_back(g.channels_per_group());
  for (int i = 0; i < g.spatial; ++i) d.push_back(g.kernel[i]);
  const Tag tag = g.groups > 1 ? (g.spatial == 2 ? Tag::goihw : Tag::goidhw)
                               : (g.spatial == 2 ? Tag::oihw : Tag::oidhw);
  return {d, memory::data_type::f32, tag};
}

memory::desc any_like(const memory::desc& md, Algorithm how) {
  return how != Algorithm::OneDnnPlain ? memory::desc(md.dims(), memory::data_type::f32, Tag::any) : md;
}

struct Descs {
  memory::desc input, filters, output;
  memory::dims strides, dilates, pad_left, pad_right;
};

Descs descs_of(const Geometry& g) {
  Descs d{plain(g, g.batch, g.in_channels, g.image), plain_filters(g),
          plain(g, g.batch, g.out_channels, g.output), spatial_dims(g, g.stride),
          // oneDNN counts dilation from 0 (no gaps), Theano from 1.
          spatial_dims(g, g.dilation, 1), spatial_dims(g, g.pad), {}};
  // Trailing padding that makes oneDNN's size rule give our output length exactly.
  for (int i = 0; i < g.spatial; ++i) {
    const int64_t span = (g.kernel[i] - 1) * g.dilation[i] + 1;
    d.pad_right.push_back(std::max<int64_t>(
        0, (g.output[i] - 1) * g.stride[i] + span - g.image[i] - g.pad[i]));
  }
  return d;
}

void add_argument(Entry& e, int key, const memory::desc& user, const memory::desc& wanted,
                  bool is_output) {
  auto& engine = cpu_engine();
  Argument a;
  a.key = key;
  a.is_output = is_output;
  a.user = memory(user, engine, DNNL_MEMORY_NONE);
  if (wanted != user) {
    a.reordered = true;
    a.inner = memory(wanted, engine);
    a.reorder = is_output ? dnnl::reorder(a.inner, a.user) : dnnl::reorder(a.user, a.inner);
  } else {
    a.inner = a.user;
  }
  e.arguments.push_back(std::move(a));
}

dnnl::primitive_attr user_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

dnnl::algorithm kind_of(Algorithm how) {
  return how == Algorithm::OneDnnWinograd ? dnnl::algorithm::convolution_winograd
                                          : dnnl::algorithm::convolution_direct;
}

dnnl::convolution_forward::primitive_desc forward_pd(const Descs& d, Algorithm how) {
  dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_training, kind_of(how), any_like(d.input, how),
      any_like(d.filters, how), any_like(d.output, how), d.strides, d.dilates,
      d.pad_left, d.pad_right);
  return {desc, user_scratchpad(), cpu_engine()};
}

std::shared_ptr<Entry> make_entry(const Geometry& g, Pass pass, Algorithm how) {
  const Descs d = descs_of(g);
  auto e = std::make_shared<Entry>();
  const auto fwd = forward_pd(d, how);
  memory::desc scratch;
  if (pass == Pass::Forward) {
    add_argument(*e, DNNL_ARG_SRC, d.input, fwd.src_desc(), false);
    add_argument(*e, DNNL_ARG_WEIGHTS, d.filters, fwd.weights_desc(), false);
    add_argument(*e, DNNL_ARG_DST, d.output, fwd.dst_desc(), true);
    e->primitive = dnnl::convolution_forward(fwd);
    scratch = fwd.scratchpad_desc();
  } else if (pass == Pass::GradInput) {
    dnnl::convolution_backward_data::desc desc(
        kind_of(how), any_like(d.input, how), any_like(d.filters, how),
        any_like(d.output, how), d.strides, d.dilates, d.pad_left, d.pad_right);
    dnnl::convolution_backward_data::primitive_desc pd(desc, user_scratchpad(), cpu_engine(),
                                                       fwd);
    add_argument(*e, DNNL_ARG_DIFF_DST, d.output, pd.diff_dst_desc(), false);
    add_argument(*e, DNNL_ARG_WEIGHTS, d.filters, pd.weights_desc(), false);
    add_argument(*e, DNNL_ARG_DIFF_SRC, d.input, pd.diff_src_desc(), true);
    e->primitive = dnnl::convolution_backward_data(pd);
    scratch = pd.scratchpad_desc();
  } else {
    dnnl::convolution_backward_weights::desc desc(
        kind_of(how), any_like(d.input, how), any_like(d.filters, how),
        any_like(d.output, how), d.strides, d.dilates, d.pad_left, d.pad_right);
    dnnl::convolution_backward_weights::primitive_desc pd(desc, user_scratchpad(),
                                                          cpu_engine(), fwd);
    add_argument(*e, DNNL_ARG_SRC, d.input, pd.src_desc(), false);
    add_argument(*e, DNNL_ARG_DIFF_DST, d.output, pd.diff_dst_desc(), false);
    add_argument(*e, DNNL_ARG_DIFF_WEIGHTS, d.filters, pd.diff_weights_desc(), true);
    e->primitive = dnnl::convolution_backward_weights(pd);
    scratch = pd.scratchpad_desc();
  }
  e->scratchpad = memory(scratch, cpu_engine());
  e->stream = dnnl::stream(cpu_engine());
  e->execute_args.emplace(DNNL_ARG_SCRATCHPAD, e->scratchpad);
  for (const Argument& a : e->arguments) e->execute_args.emplace(a.key, a.inner);
  return e;
}

// The cache: a few dozen geometries at most in a real network; when it overflows (a
// program sweeping shapes) it starts over rather than tracking use.
constexpr size_t kCacheLimit = 64;

// Shared: a caller keeps its entry alive while the cache may start over under it.
std::shared_ptr<Entry> entry_for(const Geometry& g, Pass pass, Algorithm how) {
  static std::mutex mutex;
  using Key = std::array<int64_t, 7 + 6 * kMaxSpatial>;
  static std::map<Key, std::shared_ptr<Entry>> cache;
  Key key{g.spatial, g.batch, g.in_channels, g.out_channels, g.groups,
          static_cast<int64_t>(pass), static_cast<int64_t>(how)};
  size_t at = 7;
  for (const auto* v : {&g.image, &g.kernel, &g.output, &g.stride, &g.dilation, &g.pad})
    for (int64_t x : *v) key[at++] = x;
  std::lock_guard lock(mutex);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  if (cache.size() >= kCacheLimit) cache.clear();
  std::shared_ptr<Entry> e;
  try {
    try {
      e = make_entry(g, pass, how);
    } catch (const dnnl::error&) {
      // No Winograd kernel for this shape (or this CPU): oneDNN's direct one instead.
      if (how != Algorithm::OneDnnWinograd) throw;
      e = make_entry(g, pass, Algorithm::OneDnn);
    }
  } catch (const dnnl::error& err) {
    THEON_FAIL(InternalError) << "conv (oneDNN " << pass_name(pass) << "): " << err.what()
                             << " for batch " << g.batch << ", " << g.in_channels << "->"
                             << g.out_channels << " channels";
  }
  return cache.emplace(key, std::move(e)).first->second;
}

void run(const Geometry& g, Pass pass, Algorithm how, std::array<const float*, 2> inputs,
         float* output) {
  if (is_empty(g)) {
    std::memset(output, 0, sizeof(float) * elements_of(g, pass));
    return;
  }
  const std::shared_ptr<Entry> entry = entry_for(g, pass, how);
  Entry& e = *entry;
  std::lock_guard busy(e.busy);
  size_t next_input = 0;
  for (Argument& a : e.arguments) {
    a.user.set_data_handle(a.is_output ? static_cast<void*>(output)
                                       : const_cast<float*>(inputs[next_input++]));
    if (a.reordered && !a.is_output) a.reorder.execute(e.stream, a.user, a.inner);
  }
  e.primitive.execute(e.stream, e.execute_args);
  for (Argument& a : e.arguments)
    if (a.reordered && a.is_output) a.reorder.execute(e.stream, a.inner, a.user);
  e.stream.wait();
}

}  // namespace

bool available() { return true; }

void forward(const Geometry& g, const float* input, const float* filters, float* output,
             Algorithm how) {
  run(g, Pass::Forward, how, {input, filters}, output);
}
void grad_input(const Geometry& g, const float* grad_output, const float* filters,
                float* grad_input, Algorithm how) {
  run(g, Pass::GradInput, how, {grad_output, filters}, grad_input);
}
void grad_filters(const Geometry& g, const float* input, const float* grad_output,
                  float* grad_filters, Algorithm how) {
  run(g, Pass::GradFilters, how, {input, grad_output}, grad_filters);
}

#else  // built without oneDNN: choose_algorithm never picks it

bool available() { return false; }

[[noreturn]] static void unavailable(const Geometry& g) {
  THEON_FAIL(InternalError) << "conv: Theon was built without oneDNN (libdnnl-dev); "
                               "nothing should call it (batch "
                            << g.batch << ")";
}
void forward(const Geometry& g, const float*, const float*, float*, Algorithm) {
  unavailable(g);
}
void grad_input(const Geometry& g, const float*, const float*, float*, Algorithm) {
  unavailable(g);
}
void grad_filters(const Geometry& g, const float*, const float*, float*, Algorithm) {
  unavailable(g);
}

#endif

bool winograd_shape(const Geometry& g) {
  return g.spatial == 2 && g.groups == 1 && g.kernel[0] == 3 && g.kernel[1] == 3 &&
         g.stride[0] == 1 && g.stride[1] == 1 && g.dilation[0] == 1 && g.dilation[1] == 1;
}

}  // namespace theon::detail::conv::onednn
