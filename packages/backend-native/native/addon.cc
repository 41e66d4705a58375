// N-API addon of @sparsevd/backend-native: OpenBLAS's CBLAS sgemm on Float32Arrays shared with JavaScript
// (no copies), the im2col / col2im transforms that turn NHWC convolutions and their gradients into GEMMs, and
// the element-wise, reduction and transpose kernels; the fused SparseVD kernels are in fused.cc, max pooling
// in pooling.cc, the thread pool in pool.h.
#include <node_api.h>
#include <cblas.h>
#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "conv.h"
#include "fused.h"
#include "gemm.h"
#include "pool.h"
#include "napi-util.h"
#include "simd.h"

extern "C" {
char* openblas_get_config(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
}

namespace {

using namespace sparsevd;

// sgemm(transA, transB, M, N, K, alpha, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)
// Row-major C[M×N] = alpha·op(A)·op(B) + beta·C, offsets in elements.
napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 16) {
    napi_throw_error(env, nullptr, "sgemm takes 16 arguments");
    return nullptr;
  }
  const bool ta = Bool(env, argv[0]);
  const bool tb = Bool(env, argv[1]);
  const int64_t m = Int(env, argv[2]), n = Int(env, argv[3]), k = Int(env, argv[4]);
  const float alpha = static_cast<float>(Double(env, argv[5]));
  size_t la = 0, lb = 0, lc = 0;
  float* a = Floats(env, argv[6], &la);
  float* b = Floats(env, argv[9], &lb);
  float* c = Floats(env, argv[13], &lc);
  if (a == nullptr || b == nullptr || c == nullptr) return nullptr;
  const int64_t ao = Int(env, argv[7]), lda = Int(env, argv[8]);
  const int64_t bo = Int(env, argv[10]), ldb = Int(env, argv[11]);
  const float beta = static_cast<float>(Double(env, argv[12]));
  const int64_t co = Int(env, argv[14]), ldc = Int(env, argv[15]);
  // Bounds: the last element each operand touches must be inside its array.
  const int64_t a_rows = ta ? k : m, a_cols = ta ? m : k;
  const int64_t b_rows = tb ? n : k, b_cols = tb ? k : n;
  if (m <= 0 || n <= 0 || k <= 0 || ao + (a_rows - 1) * lda + a_cols > static_cast<int64_t>(la) ||
      bo + (b_rows - 1) * ldb + b_cols > static_cast<int64_t>(lb) || co + (m - 1) * ldc + n > static_cast<int64_t>(lc)) {
    napi_throw_range_error(env, nullptr, "sgemm: operand out of bounds");
    return nullptr;
  }
  Gemm(ta, tb, m, n, k, alpha, a + ao, lda, b + bo, ldb, beta, c + co, ldc);
  return nullptr;
}

// im2col(batch, h, w, c, kh, kw, sh, sw, dh, dw, padTop, padLeft, outH, outW, x, cols):
// cols[(b·oh + i)·ow + j][(di·kw + dj)·c + ch] = x[b][i·sh + di·dh − pt][j·sw + dj·dw − pl][ch] (0 outside).
// col2im(same geometry, cols, dx): the adjoint — dx is zeroed, then every column entry is added back to the
// input position it was copied from. Both share the argument reading and the size checks below.
template <bool kToColumns>
napi_value ConvTransformArgs(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  ConvGeometry g;
  int64_t* f[] = {&g.batch, &g.h, &g.w, &g.c, &g.kh, &g.kw, &g.sh, &g.sw, &g.dh, &g.dw, &g.pt, &g.pl, &g.oh, &g.ow};
  if (argc == 16)
    for (int i = 0; i < 14; ++i) *f[i] = Int(env, argv[i]);
  if (argc != 16 || !g.Valid()) {
    napi_throw_error(env, nullptr, kToColumns ? "im2col: bad arguments" : "col2im: bad arguments");
    return nullptr;
  }
  size_t lin = 0, lout = 0;
  const float* in = Floats(env, argv[14], &lin);
  float* out = Floats(env, argv[15], &lout);
  if (in == nullptr || out == nullptr) return nullptr;
  const int64_t image = g.batch * g.h * g.w * g.c, cols = g.Rows() * g.Cols();
  if (static_cast<int64_t>(kToColumns ? lin : lout) < image || static_cast<int64_t>(kToColumns ? lout : lin) < cols) {
    napi_throw_range_error(env, nullptr, kToColumns ? "im2col: array too small" : "col2im: array too small");
    return nullptr;
  }
  if (kToColumns)
    sparsevd::Im2col(g, in, out);
  else
    sparsevd::Col2im(g, in, out);
  return nullptr;
}

// Element-wise kernels. Shapes are padded to rank 4; a stride of 0 broadcasts a dimension.
struct Shape4 {
  int64_t d[4];
};

bool Ints4(napi_env env, napi_value array, int64_t out[4]) {
  for (uint32_t i = 0; i < 4; ++i) {
    napi_value v;
    if (napi_get_element(env, array, i, &v) != napi_ok) return false;
    out[i] = Int(env, v);
  }
  return true;
}

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

// binary(op, a, aStrides[4], b, bStrides[4], out, outShape[4]); op: 0 add 1 sub 2 mul 3 div 4 max 5 min
// 6 squared difference. compare(op, …, outUint8): 0 < 1 <= 2 > 3 >= 4 == 5 !=.
napi_value Binary(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  const int64_t op = Int(env, argv[0]);
  size_t la = 0, lb = 0;
  const float* a = Floats(env, argv[1], &la);
  const float* b = Floats(env, argv[3], &lb);
  int64_t as[4], bs[4], shape[4];
  if (a == nullptr || b == nullptr || !Ints4(env, argv[2], as) || !Ints4(env, argv[4], bs) || !Ints4(env, argv[6], shape)) return nullptr;
  bool is_typed = false;
  napi_is_typedarray(env, argv[5], &is_typed);
  napi_typedarray_type type;
  size_t lo = 0;
  void* data = nullptr;
  napi_value buffer;
  size_t offset = 0;
  napi_get_typedarray_info(env, argv[5], &type, &lo, &data, &buffer, &offset);
  if (static_cast<int64_t>(lo) != shape[0] * shape[1] * shape[2] * shape[3]) {
    napi_throw_range_error(env, nullptr, "binary: output size does not match the shape");
    return nullptr;
  }
  if (type == napi_float32_array) {
    float* out = static_cast<float*>(data);
    switch (op) {
      case 0: Broadcast(a, as, b, bs, out, shape, [](float x, float y) { return x + y; }); break;
      case 1: Broadcast(a, as, b, bs, out, shape, [](float x, float y) { return x - y; }); break;
      case 2: Broadcast(a, as, b, bs, out, shape, [](float x, float y) { return x * y; }); break;
      case 3: Broadcast(a, as, b, bs, out, shape, [](float x, float y) { return x / y; }); break;
      case 4: Broadcast(a, as, b, bs, out, shape, [](float x, float y) { return x > y || x != x ? x : y; }); break;
      case 5: Broadcast(a, as, b, bs, out, shape, [](float x, float y) { return x < y || x != x ? x : y; }); break;
      case 6: Broadcast(a, as, b, bs, out, shape, [](float x, float y) { return (x - y) * (x - y); }); break;
      default: napi_throw_error(env, nullptr, "binary: unknown op");
    }
  } else if (type == napi_uint8_array) {
    uint8_t* out = static_cast<uint8_t*>(data);
    switch (op) {
      case 0: Broadcast(a, as, b, bs, out, shape, [](float x, float y) { return uint8_t(x < y); }); break;
      case 1: Broadcast(a, as, b, bs, out, shape, [](float x, float y) { return uint8_t(x <= y); }); break;
      case 2: Broadcast(a, as, b, bs, out, shape, [](float x, float y) { return uint8_t(x > y); }); break;
      case 3: Broadcast(a, as, b, bs, out, shape, [](float x, float y) { return uint8_t(x >= y); }); break;
      case 4: Broadcast(a, as, b, bs, out, shape, [](float x, float y) { return uint8_t(x == y); }); break;
      case 5: Broadcast(a, as, b, bs, out, shape, [](float x, float y) { return uint8_t(x != y); }); break;
      default: napi_throw_error(env, nullptr, "compare: unknown op");
    }
  } else {
    napi_throw_type_error(env, nullptr, "binary: output must be a Float32Array or Uint8Array");
  }
  return nullptr;
}

// unary(op, x, out, p, q): 0 exp 1 log 2 sqrt 3 square 4 neg 5 sigmoid 6 softplus 7 relu 8 abs 9 clip(p, q)
// 10 rsqrt 11 tanh 12 reciprocal 13 step(p).
napi_value Unary(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  const int64_t op = Int(env, argv[0]);
  size_t lx = 0, lo = 0;
  const float* x = Floats(env, argv[1], &lx);
  float* out = Floats(env, argv[2], &lo);
  if (x == nullptr || out == nullptr) return nullptr;
  if (lo != lx) {
    napi_throw_range_error(env, nullptr, "unary: sizes differ");
    return nullptr;
  }
  const float p = static_cast<float>(Double(env, argv[3])), q = static_cast<float>(Double(env, argv[4]));
  const int64_t n = static_cast<int64_t>(lx);
  switch (op) {
    case 0: for (int64_t i = 0; i < n; ++i) out[i] = std::exp(x[i]); break;
    case 1: for (int64_t i = 0; i < n; ++i) out[i] = std::log(x[i]); break;
    case 2: for (int64_t i = 0; i < n; ++i) out[i] = std::sqrt(x[i]); break;
    case 3: for (int64_t i = 0; i < n; ++i) out[i] = x[i] * x[i]; break;
    case 4: for (int64_t i = 0; i < n; ++i) out[i] = -x[i]; break;
    case 5: for (int64_t i = 0; i < n; ++i) out[i] = 1.0f / (1.0f + std::exp(-x[i])); break;
    case 6:  // softplus with tfjs's thresholds (log(float32 epsilon) + 2 ≈ −13.94), exact and finite in float32
      for (int64_t i = 0; i < n; ++i) {
        const float v = x[i];
        out[i] = v > 13.942385f ? v : (v < -13.942385f ? std::exp(v) : std::log(std::exp(v) + 1.0f));
      }
      break;
    case 7: for (int64_t i = 0; i < n; ++i) out[i] = x[i] > 0 ? x[i] : (x[i] != x[i] ? x[i] : 0.0f); break;
    case 8: for (int64_t i = 0; i < n; ++i) out[i] = std::fabs(x[i]); break;
    case 9: for (int64_t i = 0; i < n; ++i) out[i] = x[i] < p ? p : (x[i] > q ? q : x[i]); break;
    case 10: for (int64_t i = 0; i < n; ++i) out[i] = 1.0f / std::sqrt(x[i]); break;
    case 11: for (int64_t i = 0; i < n; ++i) out[i] = std::tanh(x[i]); break;
    case 12: for (int64_t i = 0; i < n; ++i) out[i] = 1.0f / x[i]; break;
    case 13: for (int64_t i = 0; i < n; ++i) out[i] = x[i] != x[i] ? x[i] : (x[i] > 0 ? 1.0f : p); break;  // step(alpha = p)
    default: napi_throw_error(env, nullptr, "unary: unknown op");
  }
  return nullptr;
}

// sumInner(x, outer, inner, out): out[o] = Σ_i x[o·inner + i] (reduction over the trailing axes), in double.
napi_value SumInner(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  size_t lx = 0, lo = 0;
  const float* x = Floats(env, argv[0], &lx);
  const int64_t outer = Int(env, argv[1]), inner = Int(env, argv[2]);
  float* out = Floats(env, argv[3], &lo);
  if (x == nullptr || out == nullptr) return nullptr;
  if (outer * inner != static_cast<int64_t>(lx) || outer != static_cast<int64_t>(lo)) {
    napi_throw_range_error(env, nullptr, "sumInner: sizes differ");
    return nullptr;
  }
  for (int64_t o = 0; o < outer; ++o) {
    double s = 0;
    const float* row = x + o * inner;
    for (int64_t i = 0; i < inner; ++i) s += row[i];
    out[o] = static_cast<float>(s);
  }
  return nullptr;
}

// sumOuter(x, outer, inner, out): out[j] = Σ_o x[o·inner + j] (reduction over the leading axes), in double.
napi_value SumOuter(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  size_t lx = 0, lo = 0;
  const float* x = Floats(env, argv[0], &lx);
  const int64_t outer = Int(env, argv[1]), inner = Int(env, argv[2]);
  float* out = Floats(env, argv[3], &lo);
  if (x == nullptr || out == nullptr) return nullptr;
  if (outer * inner != static_cast<int64_t>(lx) || inner != static_cast<int64_t>(lo)) {
    napi_throw_range_error(env, nullptr, "sumOuter: sizes differ");
    return nullptr;
  }
  double* acc = new double[inner]();
  for (int64_t o = 0; o < outer; ++o) {
    const float* row = x + o * inner;
    for (int64_t j = 0; j < inner; ++j) acc[j] += row[j];
  }
  for (int64_t j = 0; j < inner; ++j) out[j] = static_cast<float>(acc[j]);
  delete[] acc;
  return nullptr;
}

// transpose2d(x, rows, cols, out): out[c·rows + r] = x[r·cols + c], in cache-sized tiles.
napi_value Transpose2d(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  size_t lx = 0, lo = 0;
  const float* x = Floats(env, argv[0], &lx);
  const int64_t rows = Int(env, argv[1]), cols = Int(env, argv[2]);
  float* out = Floats(env, argv[3], &lo);
  if (x == nullptr || out == nullptr) return nullptr;
  if (rows * cols != static_cast<int64_t>(lx) || lx != lo) {
    napi_throw_range_error(env, nullptr, "transpose2d: sizes differ");
    return nullptr;
  }
  const int64_t t = 32;
  for (int64_t r0 = 0; r0 < rows; r0 += t)
    for (int64_t c0 = 0; c0 < cols; c0 += t)
      for (int64_t r = r0; r < std::min(rows, r0 + t); ++r)
        for (int64_t c = c0; c < std::min(cols, c0 + t); ++c) out[c * rows + r] = x[r * cols + c];
  return nullptr;
}

// The instruction set the vectorised kernels run with here, as the load-time resolver chose it (simd.h).
SPARSEVD_TARGET_DEFAULT const char* SimdName() { return "baseline x86-64"; }
SPARSEVD_TARGET_AVX2 const char* SimdName() { return "AVX2 + FMA"; }
SPARSEVD_TARGET_AVX512 const char* SimdName() { return "AVX-512 + FMA"; }

napi_value SimdLevel(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_string_utf8(env, SimdName(), NAPI_AUTO_LENGTH, &out);
  return out;
}

napi_value Info(napi_env env, napi_callback_info) {
  napi_value out;
  const char* config = openblas_get_config();
  napi_create_string_utf8(env, config == nullptr ? "OpenBLAS" : config, NAPI_AUTO_LENGTH, &out);
  return out;
}

// threads(n?): sets (when given; 0 restores the default) and returns the number of threads the addon computes
// on (its pool; OpenBLAS itself stays single-threaded, see gemm.h).
napi_value Threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc == 1) {
    napi_valuetype type;
    napi_typeof(env, argv[0], &type);
    if (type == napi_number) {
      const int n = static_cast<int>(Int(env, argv[0]));
      ThePool().Resize(n > 0 ? std::min(n, 64) : DefaultThreads());
    }
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
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

napi_value Init(napi_env env, napi_value exports) {
  openblas_set_num_threads(1);  // the pool runs the threads (gemm.h)
  TuneMalloc();
  const napi_property_descriptor props[] = {
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"im2col", nullptr, ConvTransformArgs<true>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"col2im", nullptr, ConvTransformArgs<false>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"blasInfo", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"simdLevel", nullptr, SimdLevel, nullptr, nullptr, nullptr, napi_default, nullptr},
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
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
