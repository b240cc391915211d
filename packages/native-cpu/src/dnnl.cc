// The N-API addon over oneDNN: the three maps of a grouped, strided, padded 2-D convolution in
// float32 (forward y = conv(x, w), the input gradient dx from (dy, w), the weight gradient dw from
// (x, dy)), NCHW activations and OIHW weights, batched matrix products C = op(A)·op(B) (op a
// transpose or not, expressed as strides), and the standardisation of rows that group and layer
// norm are made of (y = (x − μ)/σ, its tangent, or both: plain loops, oneDNN has no tangent), read
// and written in place in the caller's typed arrays
// (ordinary or over a SharedArrayBuffer such as the WebAssembly kernels' memory). For convolutions
// oneDNN picks its own layouts (format_tag::any, usually channel-blocked); the addon reorders
// between those and the caller's plain layouts around each primitive. Creating a primitive costs far more than
// running one, so primitives and reorders are cached by the call's geometry and the thread count;
// the buffers they work in (reordered operands, oneDNN's scratchpad) are shared by all of them, as
// calls run one at a time, and grow to the largest call's. A geometry oneDNN cannot build a
// primitive for returns false, so the caller runs its own path.
#define NAPI_VERSION 8
#include <node_api.h>
#include <omp.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "oneapi/dnnl/dnnl.hpp"

namespace {

using dnnl::memory;
using tag = memory::format_tag;

// The geometry of one convolution, as the caller's ConvSpec gives it.
struct Geometry {
  int64_t n, cin, h, w, cout, kh, kw, oh, ow, sh, sw, ph, pw, groups;
};

// A caller's array as oneDNN sees it, in its plain layout, and the primitive's layout of the same
// tensor with a reorder each way when they differ.
struct Operand {
  memory::desc user, inner;
  dnnl::reorder in, out;
  bool reordered = false;
};

// One cached primitive: which tensor each caller argument is, and how to get it to the primitive.
struct Entry {
  dnnl::primitive prim;
  Operand a, b, c;  // the two inputs and the output, in the caller's order
  int argA, argB, argC;
  memory::desc scratch;
};

// A buffer that only grows (64-byte aligned, as oneDNN's kernels prefer).
struct Arena {
  std::unique_ptr<char, decltype(&std::free)> data{nullptr, &std::free};
  size_t size = 0;
  void* at_least(size_t bytes) {
    if (bytes > size) {
      const size_t rounded = (bytes + 63) / 64 * 64;
      data.reset(static_cast<char*>(std::aligned_alloc(64, rounded)));
      size = data ? rounded : 0;
      if (!data) throw std::bad_alloc();
    }
    return data.get();
  }
};

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

std::mutex lock;
std::map<std::string, std::unique_ptr<Entry>> cache;
Arena arenas[4];  // the three reordered operands and the scratchpad
int threads = 1;

// Binds operand `o` to the primitive's descriptor `inner`: a reorder pair when the layouts differ.
void bind(Operand& o, const memory::desc& user, const memory::desc& inner) {
  o.user = user, o.inner = inner;
  o.reordered = user != inner;
  if (!o.reordered) return;
  auto& eng = engine();
  o.in = dnnl::reorder(dnnl::reorder::primitive_desc(eng, user, eng, inner));
  o.out = dnnl::reorder(dnnl::reorder::primitive_desc(eng, inner, eng, user));
}

// Builds the primitive of map `kind` (0 forward, 1 input gradient, 2 weight gradient) for `g`.
std::unique_ptr<Entry> build(int kind, const Geometry& g) {
  auto& eng = engine();
  const auto f32 = memory::data_type::f32;
  memory::dims xd{g.n, g.cin, g.h, g.w}, yd{g.n, g.cout, g.oh, g.ow};
  memory::dims wd = g.groups == 1 ? memory::dims{g.cout, g.cin, g.kh, g.kw}
                                  : memory::dims{g.groups, g.cout / g.groups, g.cin / g.groups, g.kh, g.kw};
  memory::desc xu(xd, f32, tag::nchw), yu(yd, f32, tag::nchw), wu(wd, f32, g.groups == 1 ? tag::oihw : tag::goihw);
  memory::desc xa(xd, f32, tag::any), ya(yd, f32, tag::any), wa(wd, f32, tag::any);
  // padding on the far side so that oh = (h + ph + pr − kh)/sh + 1 exactly (the spec's floor may drop rows)
  memory::dims strides{g.sh, g.sw}, padL{g.ph, g.pw};
  memory::dims padR{(g.oh - 1) * g.sh + g.kh - g.h - g.ph, (g.ow - 1) * g.sw + g.kw - g.w - g.pw};
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const auto algo = dnnl::algorithm::convolution_direct;
  auto e = std::make_unique<Entry>();
  memory::desc scratch;
  if (kind == 0) {
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, algo, xa, wa, ya, strides, padL, padR);
    dnnl::convolution_forward::primitive_desc pd(d, attr, eng);
    bind(e->a, xu, pd.src_desc());
    bind(e->b, wu, pd.weights_desc());
    bind(e->c, yu, pd.dst_desc());
    e->argA = DNNL_ARG_SRC, e->argB = DNNL_ARG_WEIGHTS, e->argC = DNNL_ARG_DST;
    e->prim = dnnl::convolution_forward(pd);
    scratch = pd.scratchpad_desc();
  } else {
    dnnl::convolution_forward::desc fd(dnnl::prop_kind::forward_training, algo, xa, wa, ya, strides, padL, padR);
    dnnl::convolution_forward::primitive_desc hint(fd, eng);
    if (kind == 1) {
      dnnl::convolution_backward_data::desc d(algo, xa, wa, ya, strides, padL, padR);
      dnnl::convolution_backward_data::primitive_desc pd(d, attr, eng, hint);
      bind(e->a, yu, pd.diff_dst_desc());
      bind(e->b, wu, pd.weights_desc());
      bind(e->c, xu, pd.diff_src_desc());
      e->argA = DNNL_ARG_DIFF_DST, e->argB = DNNL_ARG_WEIGHTS, e->argC = DNNL_ARG_DIFF_SRC;
      e->prim = dnnl::convolution_backward_data(pd);
      scratch = pd.scratchpad_desc();
    } else {
      dnnl::convolution_backward_weights::desc d(algo, xa, wa, ya, strides, padL, padR);
      dnnl::convolution_backward_weights::primitive_desc pd(d, attr, eng, hint);
      bind(e->a, xu, pd.src_desc());
      bind(e->b, yu, pd.diff_dst_desc());
      bind(e->c, wu, pd.diff_weights_desc());
      e->argA = DNNL_ARG_SRC, e->argB = DNNL_ARG_DIFF_DST, e->argC = DNNL_ARG_DIFF_WEIGHTS;
      e->prim = dnnl::convolution_backward_weights(pd);
      scratch = pd.scratchpad_desc();
    }
  }
  e->scratch = scratch;
  return e;
}

// The batched product C[b] = op(A[b])·op(B[b]) (C [batch, m, n]); A is stored [batch, k, m] when
// transposed, else [batch, m, k], and B [batch, n, k] when transposed, else [batch, k, n].
std::unique_ptr<Entry> buildMatmul(int64_t batch, int64_t m, int64_t k, int64_t n, bool ta, bool tb) {
  const auto f32 = memory::data_type::f32;
  memory::desc a({batch, m, k}, f32, ta ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
  memory::desc b({batch, k, n}, f32, tb ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
  memory::desc c({batch, m, n}, f32, memory::dims{m * n, n, 1});
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), attr, engine());
  auto e = std::make_unique<Entry>();
  bind(e->a, a, pd.src_desc());
  bind(e->b, b, pd.weights_desc());
  bind(e->c, c, pd.dst_desc());
  e->argA = DNNL_ARG_SRC, e->argB = DNNL_ARG_WEIGHTS, e->argC = DNNL_ARG_DST;
  e->prim = dnnl::matmul(pd);
  e->scratch = pd.scratchpad_desc();
  return e;
}

// Runs entry `e` on the caller's buffers: inputs reordered in, the primitive, the output reordered out.
void execute(Entry& e, void* a, void* b, void* c) {
  auto& eng = engine();
  dnnl::stream s(eng);
  Operand* ops[3] = {&e.a, &e.b, &e.c};
  void* user[3] = {a, b, c};
  memory u[3], p[3];  // the caller's arrays, and what the primitive reads or writes
  for (int i = 0; i < 3; i++) {
    u[i] = memory(ops[i]->user, eng, user[i]);
    p[i] = ops[i]->reordered ? memory(ops[i]->inner, eng, arenas[i].at_least(ops[i]->inner.get_size())) : u[i];
  }
  if (e.a.reordered) e.a.in.execute(s, u[0], p[0]);
  if (e.b.reordered) e.b.in.execute(s, u[1], p[1]);
  memory scratch(e.scratch, eng, arenas[3].at_least(e.scratch.get_size()));
  e.prim.execute(s, {{e.argA, p[0]}, {e.argB, p[1]}, {e.argC, p[2]}, {DNNL_ARG_SCRATCHPAD, scratch}});
  if (e.c.reordered) e.c.out.execute(s, p[2], u[2]);
  s.wait();
}

napi_value fail(napi_env env, const std::string& msg) {
  napi_throw_error(env, nullptr, msg.c_str());
  return nullptr;
}

// The data pointer of a Float32Array argument with at least `need` elements, or null (an error thrown).
float* floats(napi_env env, napi_value v, int64_t need, const char* name) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (is) napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr);
  if (!is || type != napi_float32_array) {
    fail(env, std::string("scm-ts native: ") + name + " must be a Float32Array");
    return nullptr;
  }
  if (static_cast<int64_t>(length) < need) {
    fail(env, std::string("scm-ts native: ") + name + " has " + std::to_string(length) + " elements, the geometry needs " + std::to_string(need));
    return nullptr;
  }
  return static_cast<float*>(data);
}

// Reads `count` integers from the JS array `v` into `out`; false when it is not such an array.
bool integers(napi_env env, napi_value v, int64_t* out, uint32_t count) {
  bool isArray = false;
  uint32_t len = 0;
  napi_is_array(env, v, &isArray);
  if (isArray) napi_get_array_length(env, v, &len);
  if (len != count) return false;
  for (uint32_t i = 0; i < count; i++) {
    napi_value el;
    napi_get_element(env, v, i, &el);
    if (napi_get_value_int64(env, el, &out[i]) != napi_ok) return false;
  }
  return true;
}

// Runs the cached entry `key` (built by `make` on first use; a geometry oneDNN rejects is cached as
// such) on the three buffers; returns whether it ran, as a JS boolean.
template <typename Make>
napi_value run(napi_env env, const std::string& key, Make make, float* const* ptr) {
  bool ran = false;
  try {
    std::lock_guard<std::mutex> guard(lock);
    auto it = cache.find(key);
    if (it == cache.end()) {
      std::unique_ptr<Entry> e;
      try {
        e = make();
      } catch (const dnnl::error&) {
        e = nullptr;
      }
      it = cache.emplace(key, std::move(e)).first;
    }
    if (it->second) {
      execute(*it->second, ptr[0], ptr[1], ptr[2]);
      ran = true;
    }
  } catch (const std::exception& err) {
    return fail(env, std::string("scm-ts native: oneDNN failed: ") + err.what());
  }
  napi_value result;
  napi_get_boolean(env, ran, &result);
  return result;
}

// conv(kind, geometry: number[14], a, b, out) → boolean: runs map `kind` (0 forward, 1 input
// gradient, 2 weight gradient); false when oneDNN has no primitive for this geometry.
napi_value Conv(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 5) return fail(env, "scm-ts native conv: expected (kind, geometry, a, b, out)");
  int32_t kind = -1;
  napi_get_value_int32(env, argv[0], &kind);
  if (kind < 0 || kind > 2) return fail(env, "scm-ts native conv: kind must be 0, 1 or 2");
  int64_t dims[14];
  if (!integers(env, argv[1], dims, 14)) return fail(env, "scm-ts native conv: geometry must be an array of 14 integers");
  Geometry g{dims[0], dims[1], dims[2], dims[3], dims[4], dims[5], dims[6], dims[7], dims[8], dims[9], dims[10], dims[11], dims[12], dims[13]};
  if (g.groups < 1 || g.cin % g.groups || g.cout % g.groups || g.sh < 1 || g.sw < 1)
    return fail(env, "scm-ts native conv: groups must divide cin and cout, and strides must be positive");
  const int64_t xs = g.n * g.cin * g.h * g.w, ys = g.n * g.cout * g.oh * g.ow, ws = g.cout * (g.cin / g.groups) * g.kh * g.kw;
  const int64_t sizes[3][3] = {{xs, ws, ys}, {ys, ws, xs}, {xs, ys, ws}};
  static const char* names[3][3] = {{"x", "w", "y"}, {"dy", "w", "dx"}, {"x", "dy", "dw"}};
  float* ptr[3];
  for (int i = 0; i < 3; i++)
    if (!(ptr[i] = floats(env, argv[2 + i], sizes[kind][i], names[kind][i]))) return nullptr;
  std::string key = std::to_string(kind) + ":" + std::to_string(threads);
  for (int64_t d : dims) key += "," + std::to_string(d);
  return run(env, key, [&] { return build(kind, g); }, ptr);
}

// matmul(geometry: [batch, m, k, n, transposeA, transposeB], a, b, c) → boolean: C = op(A)·op(B)
// per batch entry; false when oneDNN has no primitive for it.
napi_value Matmul(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int64_t d[6];
  if (argc != 4 || !integers(env, argv[0], d, 6)) return fail(env, "scm-ts native matmul: expected (geometry: 6 integers, a, b, c)");
  const int64_t batch = d[0], m = d[1], k = d[2], n = d[3];
  if (batch < 1 || m < 1 || k < 1 || n < 1) return fail(env, "scm-ts native matmul: batch, m, k and n must be positive");
  float* ptr[3];
  if (!(ptr[0] = floats(env, argv[1], batch * m * k, "a")) || !(ptr[1] = floats(env, argv[2], batch * k * n, "b")) || !(ptr[2] = floats(env, argv[3], batch * m * n, "c")))
    return nullptr;
  std::string key = "mm:" + std::to_string(threads);
  for (int64_t v : d) key += "," + std::to_string(v);
  return run(env, key, [&] { return buildMatmul(batch, m, k, n, d[4] != 0, d[5] != 0); }, ptr);
}

// One row of the standardisation routines (core's cpu/standardize.ts, whose float64 sums these
// follow): μ = mean(x), r = 1/√(mean((x − μ)²) + ε), y = (x − μ)·r into `y` (unless null), and with
// a tangent t, t_y = r·(t − mean(t) − y·mean(y ⊙ t)) into `ty`. Sums are float64, reassociated into
// vector lanes (fixed by the code and the CPU's instruction set, so a run repeats bit for bit); the
// clones give each instruction set its own vector width, chosen once when the addon loads.
__attribute__((target_clones("avx512f", "avx2", "default")))
void standardizeRow(const float* x, const float* t, float* y, float* ty, int64_t len, double eps) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < len; i++) s += x[i];
  const double mu = s / len;
  double v = 0;
#pragma omp simd reduction(+ : v)
  for (int64_t i = 0; i < len; i++) v += (x[i] - mu) * (x[i] - mu);
  const double r = 1 / std::sqrt(v / len + eps);
  if (y) {
#pragma omp simd
    for (int64_t i = 0; i < len; i++) y[i] = static_cast<float>((x[i] - mu) * r);
  }
  if (!t) return;
  double mt = 0, myt = 0;
#pragma omp simd reduction(+ : mt, myt)
  for (int64_t i = 0; i < len; i++) {
    mt += t[i];
    myt += (x[i] - mu) * r * t[i];
  }
  mt /= len, myt /= len;
#pragma omp simd
  for (int64_t i = 0; i < len; i++) ty[i] = static_cast<float>(r * (t[i] - mt - (x[i] - mu) * r * myt));
}

// standardize(kind, rows, len, eps, x, t, out) → true: kind 0 standardize (t ignored, out y),
// 1 standardizeTangent (out t_y), 2 standardizeJvp (out [y; t_y], 2·rows·len). Rows are split
// across the threads when there are enough elements to pay for waking them; each row is one
// thread's, so the split does not change a value.
napi_value Standardize(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t kind = -1;
  int64_t rows = 0, len = 0;
  double eps = 0;
  if (argc != 7 || napi_get_value_int32(env, argv[0], &kind) != napi_ok || napi_get_value_int64(env, argv[1], &rows) != napi_ok ||
      napi_get_value_int64(env, argv[2], &len) != napi_ok || napi_get_value_double(env, argv[3], &eps) != napi_ok || kind < 0 || kind > 2 || rows < 1 || len < 1)
    return fail(env, "scm-ts native standardize: expected (kind 0–2, rows, len, eps, x, t, out)");
  const int64_t n = rows * len;
  const float* x = floats(env, argv[4], n, "x");
  if (!x) return nullptr;
  const float* t = kind == 0 ? nullptr : floats(env, argv[5], n, "t");
  if (kind != 0 && !t) return nullptr;
  float* out = floats(env, argv[6], kind == 2 ? 2 * n : n, "out");
  if (!out) return nullptr;
  const bool split = threads > 1 && n >= (1 << 15);
#pragma omp parallel for schedule(static) if (split)
  for (int64_t row = 0; row < rows; row++) {
    const int64_t o = row * len;
    float* y = kind == 1 ? nullptr : out + o;
    float* ty = kind == 0 ? nullptr : kind == 1 ? out + o : out + n + o;
    standardizeRow(x + o, t ? t + o : nullptr, y, ty, len, eps);
  }
  napi_value result;
  napi_get_boolean(env, true, &result);
  return result;
}

// setThreads(n): the threads oneDNN's OpenMP runtime uses from now on.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t n = 0;
  if (argc != 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1)
    return fail(env, "scm-ts native: setThreads needs a positive integer");
  std::lock_guard<std::mutex> guard(lock);
  threads = n;
  omp_set_num_threads(n);
  return nullptr;
}

// version() → "major.minor.patch" of the oneDNN library loaded.
napi_value Version(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  std::string s = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_value result;
  napi_create_string_utf8(env, s.c_str(), s.size(), &result);
  return result;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"conv", nullptr, Conv, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"standardize", nullptr, Standardize, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 5, props);
  omp_set_num_threads(threads);
  return exports;
}
