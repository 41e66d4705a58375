// Max pooling over NHWC tensors and its gradient, on the pool's threads. Windows follow tfjs's geometry
// (padding cells are skipped, never compared); as in tfjs-backend-cpu, a value counts only when it beats the
// running maximum (from −∞), so ties go to the first maximum in row-major window order and NaN is never chosen.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "fastmath.h"
#include "fused.h"
#include "napi-util.h"
#include "pool.h"

namespace sparsevd {
namespace {

struct PoolGeometry {
  int64_t batch, h, w, c, fh, fw, sh, sw, pt, pl, oh, ow;
};

bool ReadPool(napi_env env, napi_value* argv, PoolGeometry* g) {
  int64_t* f[] = {&g->batch, &g->h, &g->w, &g->c, &g->fh, &g->fw, &g->sh, &g->sw, &g->pt, &g->pl, &g->oh, &g->ow};
  for (int i = 0; i < 12; ++i) *f[i] = Int(env, argv[i]);
  return g->batch > 0 && g->h > 0 && g->w > 0 && g->c > 0 && g->fh > 0 && g->fw > 0 && g->sh > 0 && g->sw > 0 &&
         g->oh > 0 && g->ow > 0;
}

// Calls visit(offset) with the offset in the image of each cell of output (i, j)'s window that lies inside it, in
// row-major window order (padding cells are skipped).
template <typename Visit>
SPARSEVD_INLINE void ForWindow(const PoolGeometry& g, int64_t i, int64_t j, Visit visit) {
  for (int64_t di = 0; di < g.fh; ++di) {
    const int64_t ii = i * g.sh + di - g.pt;
    if (ii < 0 || ii >= g.h) continue;
    for (int64_t dj = 0; dj < g.fw; ++dj) {
      const int64_t jj = j * g.sw + dj - g.pl;
      if (jj < 0 || jj >= g.w) continue;
      visit((ii * g.w + jj) * g.c);
    }
  }
}

// The window maxima of output row (b, i) into `out` (ow·c values). Channels are innermost, so the comparisons
// run across them.
SPARSEVD_INLINE void PoolRowBody(const PoolGeometry& g, const float* __restrict img, int64_t i, float* __restrict out) {
  const int64_t c = g.c;
  for (int64_t j = 0; j < g.ow; ++j) {
    float* __restrict o = out + j * c;
    for (int64_t ch = 0; ch < c; ++ch) o[ch] = -std::numeric_limits<float>::infinity();
    ForWindow(g, i, j, [&](int64_t base) {
      const float* __restrict src = img + base;
      for (int64_t ch = 0; ch < c; ++ch) o[ch] = src[ch] > o[ch] ? src[ch] : o[ch];
    });
  }
}
SPARSEVD_SIMD_VERSIONS(PoolRow, (const PoolGeometry& g, const float* __restrict img, int64_t i, float* __restrict out), (g, img, i, out))

// The gradient of output row (b, i) given its window maxima `best`: each output's gradient goes to the first
// cell of its window holding the maximum — the cell whose value first beat the running maximum, as PoolRow
// picks it (an earlier equal value would have been the first). No cell when the maximum stayed −∞. Comparisons
// run across channels as 0/1 floats, so the loop vectorises; `taken` is scratch for c values.
SPARSEVD_INLINE void PoolGradRowBody(const PoolGeometry& g, const float* __restrict img, int64_t i,
                               const float* __restrict best, const float* __restrict grad, float* __restrict d,
                               float* __restrict taken) {
  const int64_t c = g.c;
  const float none = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < g.ow; ++j) {
    const float* __restrict o = best + j * c;
    const float* __restrict gr = grad + j * c;
    for (int64_t ch = 0; ch < c; ++ch) taken[ch] = o[ch] > none ? 0.0f : 1.0f;
    ForWindow(g, i, j, [&](int64_t base) {
      const float* __restrict src = img + base;
      float* __restrict dst = d + base;
      for (int64_t ch = 0; ch < c; ++ch) {
        const bool hit = src[ch] == o[ch] && taken[ch] == 0.0f;
        dst[ch] += hit ? gr[ch] : 0.0f;
        taken[ch] = hit ? 1.0f : taken[ch];
      }
    });
  }
}
SPARSEVD_SIMD_VERSIONS(PoolGradRow, (const PoolGeometry& g, const float* __restrict img, int64_t i, const float* __restrict best, const float* __restrict grad, float* __restrict d, float* __restrict taken), (g, img, i, best, grad, d, taken))

}  // namespace

// maxPool(batch, h, w, c, fh, fw, sh, sw, padTop, padLeft, outH, outW, x, out)
napi_value MaxPool(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  PoolGeometry g;
  if (argc != 14 || !ReadPool(env, argv, &g)) {
    napi_throw_error(env, nullptr, "maxPool: bad arguments");
    return nullptr;
  }
  size_t lx = 0, lo = 0;
  const float* x = Floats(env, argv[12], &lx);
  float* out = Floats(env, argv[13], &lo);
  if (x == nullptr || out == nullptr) return nullptr;
  if (static_cast<int64_t>(lx) != g.batch * g.h * g.w * g.c || static_cast<int64_t>(lo) != g.batch * g.oh * g.ow * g.c) {
    napi_throw_range_error(env, nullptr, "maxPool: array sizes do not match the geometry");
    return nullptr;
  }
  ThePool().For(g.batch * g.oh, 8, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / g.oh, i = r % g.oh;
      PoolRow(g, x + b * g.h * g.w * g.c, i, out + r * g.ow * g.c);
    }
  });
  return nullptr;
}

// maxPoolGrad(same geometry, x, dy, dx): dx is zeroed, then each output's gradient goes to its window maximum.
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  size_t argc = 15;
  napi_value argv[15];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  PoolGeometry g;
  if (argc != 15 || !ReadPool(env, argv, &g)) {
    napi_throw_error(env, nullptr, "maxPoolGrad: bad arguments");
    return nullptr;
  }
  size_t lx = 0, ldy = 0, ldx = 0;
  const float* x = Floats(env, argv[12], &lx);
  const float* dy = Floats(env, argv[13], &ldy);
  float* dx = Floats(env, argv[14], &ldx);
  if (x == nullptr || dy == nullptr || dx == nullptr) return nullptr;
  const int64_t image = g.h * g.w * g.c;
  if (static_cast<int64_t>(lx) != g.batch * image || static_cast<int64_t>(ldx) != g.batch * image ||
      static_cast<int64_t>(ldy) != g.batch * g.oh * g.ow * g.c) {
    napi_throw_range_error(env, nullptr, "maxPoolGrad: array sizes do not match the geometry");
    return nullptr;
  }
  // Parallel over images: each writes only its own part of dx.
  ThePool().For(g.batch, 1, [&](int64_t b0, int64_t b1) {
    std::vector<float> best(static_cast<size_t>(g.ow * g.c));
    std::vector<float> taken(static_cast<size_t>(g.c));
    for (int64_t b = b0; b < b1; ++b) {
      const float* img = x + b * image;
      float* d = dx + b * image;
      std::memset(d, 0, sizeof(float) * image);
      for (int64_t i = 0; i < g.oh; ++i) {
        PoolRow(g, img, i, best.data());
        PoolGradRow(g, img, i, best.data(), dy + (b * g.oh + i) * g.ow * g.c, d, taken.data());
      }
    }
  });
  return nullptr;
}

}  // namespace sparsevd
