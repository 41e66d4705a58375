// N-API addon of @sparsevd/backend-native: OpenBLAS's CBLAS sgemm on Float32Arrays shared with JavaScript
// (no copies), the im2col / col2im transforms that turn NHWC convolutions and their gradients into GEMMs, and
// the element-wise, reduction and transpose kernels; the fused SparseVD kernels are in fused.cc, max pooling
// in pooling.cc, the thread pool in pool.h.
#include <node_api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "blas.h"
#include "conv-args.h"
#include "fused.h"
#include "gemm.h"
#include "pool.h"
#include "args.h"
#include "ops.generated.h"
#include "simd.h"

namespace {

using namespace sparsevd;

// sgemm(transA, transB, M, N, K, alpha, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)
// Row-major C[M×N] = alpha·op(A)·op(B) + beta·C, offsets in elements.
napi_value Sgemm(napi_env env, napi_callback_info info) {
  Args args(env, info, "sgemm", 16);
  const bool ta = args.Bool(0, "transA");
  const bool tb = args.Bool(1, "transB");
  const int64_t m = args.Int(2, "m", 1), n = args.Int(3, "n", 1), k = args.Int(4, "k", 1);
  const float alpha = static_cast<float>(args.Number(5, "alpha"));
  const Span<float> a = args.Floats(6, "a");
  const int64_t ao = args.Int(7, "aOffset"), lda = args.Int(8, "lda", 1);
  const Span<float> b = args.Floats(9, "b");
  const int64_t bo = args.Int(10, "bOffset"), ldb = args.Int(11, "ldb", 1);
  const float beta = static_cast<float>(args.Number(12, "beta"));
  const Span<float> c = args.Floats(13, "c");
  const int64_t co = args.Int(14, "cOffset"), ldc = args.Int(15, "ldc", 1);
  // Each operand's rows must fit its leading dimension, and its last element must lie inside its array.
  const int64_t a_rows = ta ? k : m, a_cols = ta ? m : k;
  const int64_t b_rows = tb ? n : k, b_cols = tb ? k : n;
  args.Require(lda >= a_cols, "lda (%lld) must be at least the %lld columns of op(a)'s storage", static_cast<long long>(lda), static_cast<long long>(a_cols));
  args.Require(ldb >= b_cols, "ldb (%lld) must be at least the %lld columns of op(b)'s storage", static_cast<long long>(ldb), static_cast<long long>(b_cols));
  args.Require(ldc >= n, "ldc (%lld) must be at least n = %lld", static_cast<long long>(ldc), static_cast<long long>(n));
  args.AtLeast(a, "a", ao + args.Product("a", {a_rows - 1, lda}) + a_cols);
  args.AtLeast(b, "b", bo + args.Product("b", {b_rows - 1, ldb}) + b_cols);
  args.AtLeast(c, "c", co + args.Product("c", {m - 1, ldc}) + n);
  if (!args.ok()) return nullptr;
  Gemm(ta, tb, m, n, k, alpha, a.data + ao, lda, b.data + bo, ldb, beta, c.data + co, ldc);
  return nullptr;
}

// im2col(batch, h, w, c, kh, kw, sh, sw, dh, dw, padTop, padLeft, outH, outW, x, cols):
// cols[(b·oh + i)·ow + j][(di·kw + dj)·c + ch] = x[b][i·sh + di·dh − pt][j·sw + dj·dw − pl][ch] (0 outside).
// col2im(same geometry, cols, dx): the adjoint — dx is zeroed, then every column entry is added back to the
// input position it was copied from. Both share the argument reading and the size checks below.
template <bool kToColumns>
napi_value ConvTransformArgs(napi_env env, napi_callback_info info) {
  Args args(env, info, kToColumns ? "im2col" : "col2im", 16);
  ConvGeometry g;
  ReadConvGeometry(args, 0, &g);
  const Span<float> in = args.Floats(14, kToColumns ? "x" : "cols");
  const Span<float> out = args.Floats(15, kToColumns ? "cols" : "dx");
  const int64_t image = ImageSize(args, g);
  const int64_t cols = PatchSize(args, g);
  args.Length(in, kToColumns ? "x" : "cols", kToColumns ? image : cols);
  args.Length(out, kToColumns ? "cols" : "dx", kToColumns ? cols : image);
  if (!args.ok()) return nullptr;
  if (kToColumns)
    sparsevd::Im2col(g, in.data, out.data);
  else
    sparsevd::Col2im(g, in.data, out.data);
  return nullptr;
}

// conv2dSmall(geometry, filters, x, filter, y), geometry the 14 numbers of im2col as one array: the NHWC
// convolution y[batch·outH·outW, filters] = patches(x) · filter[kh·kw·c, filters] for 1 ≤ filters ≤ 32, without
// the patch matrix (SmallConv2d, conv.h). Every array must have exactly its size.
napi_value Conv2dSmall(napi_env env, napi_callback_info info) {
  Args args(env, info, "conv2dSmall", 5);
  ConvGeometry g;
  ReadConvGeometryArray(args, 0, &g);
  const int64_t filters = args.Int(1, "filters", 1);
  args.Require(filters <= kSmallConvFilters, "filters must be at most %lld, got %lld",
               static_cast<long long>(kSmallConvFilters), static_cast<long long>(filters));
  const Span<float> x = args.Floats(2, "x");
  const Span<float> w = args.Floats(3, "filter");
  const Span<float> y = args.Floats(4, "y");
  args.Length(x, "x", ImageSize(args, g));
  args.Length(w, "filter", FilterSize(args, g, filters));
  args.Length(y, "y", OutputSize(args, g, filters));
  if (!args.ok()) return nullptr;
  SmallConv2d(g, filters, x.data, w.data, y.data);
  return nullptr;
}

// Element-wise kernels. Shapes are padded to rank 4; a stride of 0 broadcasts a dimension.
struct Shape4 {
  int64_t d[4];
};

// Elements per chunk below which an element-wise pass stays on the calling thread. These passes are bound by
// memory; in a training step their operands are rarely in cache, and two cores draw more bandwidth than one.
constexpr int64_t kElementwiseGrain = 1 << 16;

template <typename Out, typename F>
void Broadcast(const float* a, const int64_t as[4], const float* b, const int64_t bs[4], Out* out, const int64_t shape[4], F f) {
  const int64_t n = shape[0] * shape[1] * shape[2] * shape[3];
  const bool a_scalar = as[0] == 0 && as[1] == 0 && as[2] == 0 && as[3] == 0;
  const bool b_scalar = bs[0] == 0 && bs[1] == 0 && bs[2] == 0 && bs[3] == 0;
  const int64_t dense[4] = {shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1};
  auto is_dense = [&](const int64_t s[4]) {
    for (int i = 0; i < 4; ++i)
      if (shape[i] > 1 && s[i] != dense[i]) return false;
    return true;
  };
  // Fast paths the compiler vectorises, split across the pool's threads: both operands dense, or one a scalar.
  if (is_dense(as) && is_dense(bs)) {
    ThePool().For(n, kElementwiseGrain, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) out[i] = f(a[i], b[i]);
    });
    return;
  }
  if (is_dense(as) && b_scalar) {
    const float y = b[0];
    ThePool().For(n, kElementwiseGrain, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) out[i] = f(a[i], y);
    });
    return;
  }
  if (a_scalar && is_dense(bs)) {
    const float x = a[0];
    ThePool().For(n, kElementwiseGrain, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) out[i] = f(x, b[i]);
    });
    return;
  }
  int64_t o = 0;
  for (int64_t i0 = 0; i0 < shape[0]; ++i0)
    for (int64_t i1 = 0; i1 < shape[1]; ++i1)
      for (int64_t i2 = 0; i2 < shape[2]; ++i2) {
        const float* pa = a + i0 * as[0] + i1 * as[1] + i2 * as[2];
        const float* pb = b + i0 * bs[0] + i1 * bs[1] + i2 * bs[2];
        const int64_t sa = as[3], sb = bs[3];
        for (int64_t i3 = 0; i3 < shape[3]; ++i3) out[o++] = f(pa[i3 * sa], pb[i3 * sb]);
      }
}

// The number of elements a rank-4 operand with these strides reads over `shape`: one past its largest index
// (strides are non-negative), or 0 when the shape is empty.
int64_t Extent(Args& args, const char* name, const int64_t shape[4], const int64_t strides[4]) {
  for (int i = 0; i < 4; ++i)
    if (shape[i] == 0) return 0;
  int64_t last = 0;
  for (int i = 0; i < 4; ++i) last += args.Product(name, {shape[i] - 1, strides[i]});
  return last + 1;
}

// binary(op, a, aStrides[4], b, bStrides[4], out, outShape[4]): op a BinaryOp into a Float32Array, or a
// CompareOp into a Uint8Array (ops.generated.h). Strides of 0 broadcast a dimension.
napi_value Binary(napi_env env, napi_callback_info info) {
  Args args(env, info, "binary", 7);
  const bool compare = args.IsBytes(5);
  const int64_t op = args.Int(0, "op", 0, (compare ? static_cast<int64_t>(CompareOp::kCount) : static_cast<int64_t>(BinaryOp::kCount)) - 1);
  const Span<float> a = args.Floats(1, "a");
  const Span<float> b = args.Floats(3, "b");
  int64_t as[4] = {}, bs[4] = {}, shape[4] = {};
  args.Ints(2, "aStrides", as, 4, 0, kMaxElements);
  args.Ints(4, "bStrides", bs, 4, 0, kMaxElements);
  args.Ints(6, "shape", shape, 4);
  const Span<uint8_t> bytes = compare ? args.Bytes(5, "out") : Span<uint8_t>{};
  const Span<float> floats = compare ? Span<float>{} : args.Floats(5, "out (a Float32Array, or a Uint8Array for comparisons)");
  const int64_t n = args.Product("the output", {shape[0], shape[1], shape[2], shape[3]});
  if (compare)
    args.Length(bytes, "out", n);
  else
    args.Length(floats, "out", n);
  args.AtLeast(a, "a", Extent(args, "a", shape, as));
  args.AtLeast(b, "b", Extent(args, "b", shape, bs));
  if (!args.ok() || n == 0) return nullptr;
  if (compare) {
    uint8_t* out = bytes.data;
    switch (static_cast<CompareOp>(op)) {
      case CompareOp::kLess: Broadcast(a.data, as, b.data, bs, out, shape, [](float x, float y) { return uint8_t(x < y); }); break;
      case CompareOp::kLessEqual: Broadcast(a.data, as, b.data, bs, out, shape, [](float x, float y) { return uint8_t(x <= y); }); break;
      case CompareOp::kGreater: Broadcast(a.data, as, b.data, bs, out, shape, [](float x, float y) { return uint8_t(x > y); }); break;
      case CompareOp::kGreaterEqual: Broadcast(a.data, as, b.data, bs, out, shape, [](float x, float y) { return uint8_t(x >= y); }); break;
      case CompareOp::kEqual: Broadcast(a.data, as, b.data, bs, out, shape, [](float x, float y) { return uint8_t(x == y); }); break;
      case CompareOp::kNotEqual: Broadcast(a.data, as, b.data, bs, out, shape, [](float x, float y) { return uint8_t(x != y); }); break;
      case CompareOp::kCount: break;
    }
    return nullptr;
  }
  float* out = floats.data;
  switch (static_cast<BinaryOp>(op)) {
    case BinaryOp::kAdd: Broadcast(a.data, as, b.data, bs, out, shape, [](float x, float y) { return x + y; }); break;
    case BinaryOp::kSub: Broadcast(a.data, as, b.data, bs, out, shape, [](float x, float y) { return x - y; }); break;
    case BinaryOp::kMultiply: Broadcast(a.data, as, b.data, bs, out, shape, [](float x, float y) { return x * y; }); break;
    case BinaryOp::kRealDiv: Broadcast(a.data, as, b.data, bs, out, shape, [](float x, float y) { return x / y; }); break;
    case BinaryOp::kMaximum: Broadcast(a.data, as, b.data, bs, out, shape, [](float x, float y) { return x > y || x != x ? x : y; }); break;
    case BinaryOp::kMinimum: Broadcast(a.data, as, b.data, bs, out, shape, [](float x, float y) { return x < y || x != x ? x : y; }); break;
    case BinaryOp::kSquaredDifference: Broadcast(a.data, as, b.data, bs, out, shape, [](float x, float y) { return (x - y) * (x - y); }); break;
    case BinaryOp::kCount: break;
  }
  return nullptr;
}

// unary(op, x, out, p, q): op a UnaryOp (ops.generated.h); p, q: the clip range (ClipByValue) or alpha (Step).
napi_value Unary(napi_env env, napi_callback_info info) {
  Args args(env, info, "unary", 5);
  const int64_t op = args.Int(0, "op", 0, static_cast<int64_t>(UnaryOp::kCount) - 1);
  const Span<float> xs = args.Floats(1, "x");
  const Span<float> os = args.Floats(2, "out");
  args.Length(os, "out", xs.length);
  const float p = static_cast<float>(args.Number(3, "p", false)), q = static_cast<float>(args.Number(4, "q", false));
  if (!args.ok()) return nullptr;
  const float* x = xs.data;
  float* out = os.data;
  const int64_t n = xs.length;
  switch (static_cast<UnaryOp>(op)) {
    case UnaryOp::kExp: for (int64_t i = 0; i < n; ++i) out[i] = std::exp(x[i]); break;
    case UnaryOp::kLog: for (int64_t i = 0; i < n; ++i) out[i] = std::log(x[i]); break;
    case UnaryOp::kSqrt: for (int64_t i = 0; i < n; ++i) out[i] = std::sqrt(x[i]); break;
    case UnaryOp::kSquare: for (int64_t i = 0; i < n; ++i) out[i] = x[i] * x[i]; break;
    case UnaryOp::kNeg: for (int64_t i = 0; i < n; ++i) out[i] = -x[i]; break;
    case UnaryOp::kSigmoid: for (int64_t i = 0; i < n; ++i) out[i] = 1.0f / (1.0f + std::exp(-x[i])); break;
    case UnaryOp::kSoftplus:  // tfjs's thresholds (log(float32 epsilon) + 2 ≈ −13.94), exact and finite in float32
      for (int64_t i = 0; i < n; ++i) {
        const float v = x[i];
        out[i] = v > 13.942385f ? v : (v < -13.942385f ? std::exp(v) : std::log(std::exp(v) + 1.0f));
      }
      break;
    case UnaryOp::kRelu: for (int64_t i = 0; i < n; ++i) out[i] = x[i] > 0 ? x[i] : (x[i] != x[i] ? x[i] : 0.0f); break;
    case UnaryOp::kAbs: for (int64_t i = 0; i < n; ++i) out[i] = std::fabs(x[i]); break;
    case UnaryOp::kClipByValue: for (int64_t i = 0; i < n; ++i) out[i] = x[i] < p ? p : (x[i] > q ? q : x[i]); break;
    case UnaryOp::kRsqrt: for (int64_t i = 0; i < n; ++i) out[i] = 1.0f / std::sqrt(x[i]); break;
    case UnaryOp::kTanh: for (int64_t i = 0; i < n; ++i) out[i] = std::tanh(x[i]); break;
    case UnaryOp::kReciprocal: for (int64_t i = 0; i < n; ++i) out[i] = 1.0f / x[i]; break;
    case UnaryOp::kStep: for (int64_t i = 0; i < n; ++i) out[i] = x[i] != x[i] ? x[i] : (x[i] > 0 ? 1.0f : p); break;
    case UnaryOp::kCount: break;
  }
  return nullptr;
}

// The input and output of a reduction over `outer` rows of `inner` elements, checked: (x, outer, inner, out)
// with out holding `outLength(outer, inner)` elements.
template <typename OutLength>
bool Reduction(Args& args, Span<float>* x, int64_t* outer, int64_t* inner, Span<float>* out, OutLength out_length) {
  *x = args.Floats(0, "x");
  *outer = args.Int(1, "outer");
  *inner = args.Int(2, "inner");
  *out = args.Floats(3, "out");
  args.Length(*x, "x", args.Product("outer × inner", {*outer, *inner}));
  args.Length(*out, "out", out_length(*outer, *inner));
  return args.ok();
}

// sumInner(x, outer, inner, out): out[o] = Σ_i x[o·inner + i] (reduction over the trailing axes), in double.
napi_value SumInner(napi_env env, napi_callback_info info) {
  Args args(env, info, "sumInner", 4);
  Span<float> xs, os;
  int64_t outer = 0, inner = 0;
  if (!Reduction(args, &xs, &outer, &inner, &os, [](int64_t o, int64_t) { return o; })) return nullptr;
  for (int64_t o = 0; o < outer; ++o) {
    double s = 0;
    const float* row = xs.data + o * inner;
    for (int64_t i = 0; i < inner; ++i) s += row[i];
    os.data[o] = static_cast<float>(s);
  }
  return nullptr;
}

// sumOuter(x, outer, inner, out): out[j] = Σ_o x[o·inner + j] (reduction over the leading axes), in double.
napi_value SumOuter(napi_env env, napi_callback_info info) {
  Args args(env, info, "sumOuter", 4);
  Span<float> xs, os;
  int64_t outer = 0, inner = 0;
  if (!Reduction(args, &xs, &outer, &inner, &os, [](int64_t, int64_t i) { return i; })) return nullptr;
  std::vector<double> acc(static_cast<size_t>(inner), 0.0);
  for (int64_t o = 0; o < outer; ++o) {
    const float* row = xs.data + o * inner;
    for (int64_t j = 0; j < inner; ++j) acc[static_cast<size_t>(j)] += row[j];
  }
  for (int64_t j = 0; j < inner; ++j) os.data[j] = static_cast<float>(acc[static_cast<size_t>(j)]);
  return nullptr;
}

// transpose2d(x, rows, cols, out): out[c·rows + r] = x[r·cols + c], in cache-sized tiles.
napi_value Transpose2d(napi_env env, napi_callback_info info) {
  Args args(env, info, "transpose2d", 4);
  Span<float> xs, os;
  int64_t rows = 0, cols = 0;
  if (!Reduction(args, &xs, &rows, &cols, &os, [](int64_t r, int64_t c) { return r * c; })) return nullptr;
  const float* x = xs.data;
  float* out = os.data;
  const int64_t t = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += t)
    for (int64_t c0 = 0; c0 < cols; c0 += t)
      for (int64_t r = r0; r < std::min(rows, r0 + t); ++r)
        for (int64_t c = c0; c < std::min(cols, c0 + t); ++c) out[c * rows + r] = x[r * cols + c];
  return nullptr;
}

// The optional single argument of a setting's getter/setter (isa, threads): false, with a TypeError naming `fn`
// thrown, for more than one argument; `*given` says whether one was passed.
bool OptionalArgument(napi_env env, napi_callback_info info, const char* fn, napi_value* arg, bool* given) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return false;
  if (argc > 1) {
    char message[96];
    std::snprintf(message, sizeof message, "%s: takes at most 1 argument", fn);
    napi_throw_type_error(env, nullptr, message);
    return false;
  }
  *given = argc == 1;
  if (*given) *arg = argv[0];
  return true;
}

// isa(name?): sets (when given) the instruction set the vectorised kernels run with — "avx512", "avx2" or
// "baseline", at most the widest this CPU runs — and returns [the one in use, the widest, its description].
napi_value IsaCall(napi_env env, napi_callback_info info) {
  napi_value arg;
  bool given = false;
  if (!OptionalArgument(env, info, "isa", &arg, &given)) return nullptr;
  if (given) {
    char name[16] = {0};
    size_t length = 0;
    if (napi_get_value_string_utf8(env, arg, name, sizeof name, &length) != napi_ok) {
      napi_throw_type_error(env, nullptr, "isa: name must be a string");
      return nullptr;
    }
    Isa wanted = Isa::kBaseline;
    bool known = false;
    for (Isa candidate : {Isa::kBaseline, Isa::kAvx2, Isa::kAvx512})
      if (length < sizeof name - 1 && std::strcmp(name, IsaName(candidate)) == 0) {
        wanted = candidate;
        known = true;
      }
    if (!known) {
      napi_throw_range_error(env, nullptr, "isa: name must be \"avx512\", \"avx2\" or \"baseline\"");
      return nullptr;
    }
    if (!SetIsa(wanted)) {
      char message[160];
      std::snprintf(message, sizeof message, "isa: this CPU cannot run \"%s\" (the widest it runs is \"%s\")", name,
                    IsaName(WidestIsa()));
      napi_throw_range_error(env, nullptr, message);
      return nullptr;
    }
  }
  napi_value out, item;
  napi_create_array_with_length(env, 3, &out);
  const char* parts[] = {IsaName(ActiveIsa()), IsaName(WidestIsa()), IsaDescription(ActiveIsa())};
  for (uint32_t i = 0; i < 3; ++i) {
    napi_create_string_utf8(env, parts[i], NAPI_AUTO_LENGTH, &item);
    napi_set_element(env, out, i, item);
  }
  return out;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_string_utf8(env, BlasConfig(), NAPI_AUTO_LENGTH, &out);
  return out;
}

// threads(n?): sets (when given; 0 restores the default) and returns the number of threads the addon computes
// on (its pool; OpenBLAS itself stays single-threaded, see gemm.h).
napi_value Threads(napi_env env, napi_callback_info info) {
  napi_value arg;
  bool given = false;
  if (!OptionalArgument(env, info, "threads", &arg, &given)) return nullptr;
  if (given) {
    Args args(env, info, "threads", 1);
    const int64_t n = args.Int(0, "n", 0, 64);
    if (!args.ok()) return nullptr;
    ThePool().Resize(n > 0 ? static_cast<int>(n) : DefaultThreads());
  }
  napi_value out;
  napi_create_int32(env, ThePool().Threads(), &out);
  return out;
}

// Large typed arrays are allocated with calloc: above glibc's mmap threshold every new tensor is a fresh
// mapping whose pages fault in on first write — a quarter of a millisecond per megabyte, paid by every
// kernel output. Serving them from the heap instead (and not trimming it back) removes that; the cost is
// address space the process keeps. SPARSEVD_NATIVE_MALLOPT=0 leaves glibc's settings alone.
void TuneMalloc() {
  const char* off = std::getenv("SPARSEVD_NATIVE_MALLOPT");
  if (off != nullptr && std::strcmp(off, "0") == 0) return;
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

napi_value Init(napi_env env, napi_value exports) {
  BlasSingleThreaded();  // the pool runs the threads (gemm.h)
  TuneMalloc();
  const napi_property_descriptor props[] = {
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"im2col", nullptr, ConvTransformArgs<true>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dSmall", nullptr, Conv2dSmall, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"col2im", nullptr, ConvTransformArgs<false>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"blasInfo", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, IsaCall, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumInner", nullptr, SumInner, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumOuter", nullptr, SumOuter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transpose2d", nullptr, Transpose2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"klOfWeights", nullptr, KlOfWeights, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lrtDenseForward", nullptr, LrtDenseForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lrtDenseGradInput", nullptr, LrtDenseGradInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lrtDenseGradLogSigma2", nullptr, LrtDenseGradLogSigma2, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lrtConvForward", nullptr, LrtConvForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lrtConvGradInput", nullptr, LrtConvGradInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"lrtConvGradLogSigma2", nullptr, LrtConvGradLogSigma2, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maskedTheta", nullptr, MaskedTheta, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamUpdate", nullptr, AdamUpdate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"randomNormal", nullptr, RandomNormal, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool", nullptr, MaxPool, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasActivation", nullptr, BiasActivation, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unitNoiseKl", nullptr, UnitNoiseKl, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unitNoiseSample", nullptr, UnitNoiseSample, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
