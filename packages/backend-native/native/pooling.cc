// Max pooling over NHWC tensors and its gradient, on the pool's threads. Windows follow tfjs's geometry
// (padding cells are skipped, never compared); as in tfjs-backend-cpu, a value counts only when it beats the
// running maximum (from −∞), so ties go to the first maximum in row-major window order and NaN is never chosen.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "fastmath.h"
#include "fused.h"
#include "args.h"
#include "pool.h"

namespace sparsevd {
namespace {

struct PoolGeometry {
  int64_t batch, h, w, c, fh, fw, sh, sw, pt, pl, oh, ow;
};

// The 12 geometry numbers as the first arguments, checked: sizes at least 1, paddings at least 0, all below
// 2^31 (args.h), so the window arithmetic cannot overflow.
void ReadPool(Args& args, PoolGeometry* g) {
  static constexpr const char* kNames[12] = {"batch", "h", "w", "c", "filterH", "filterW", "strideH", "strideW", "padTop", "padLeft", "outH", "outW"};
  int64_t* f[] = {&g->batch, &g->h, &g->w, &g->c, &g->fh, &g->fw, &g->sh, &g->sw, &g->pt, &g->pl, &g->oh, &g->ow};
  args.IntArgs(0, kNames, f, 12);
  for (int i = 0; i < 12; ++i)
    if (i != 8 && i != 9) args.Require(*f[i] >= 1, "%s must be at least 1, got %lld", kNames[i], static_cast<long long>(*f[i]));
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
//
// MaxInto: o[j·c + ch] = max(o[j·c + ch], src[j·sw·c + ch]) for `count` outputs, one window cell each; kC is c
// when it is a compile-time constant, 0 otherwise.
template <int kC>
SPARSEVD_INLINE void MaxInto(const float* __restrict src, float* __restrict o, int64_t count, int64_t sw, int64_t c) {
  const int64_t cc = kC > 0 ? kC : c;
  for (int64_t j = 0; j < count; ++j) {
    const float* __restrict s = src + j * sw * cc;
    float* __restrict oj = o + j * cc;
    for (int64_t ch = 0; ch < cc; ++ch) oj[ch] = s[ch] > oj[ch] ? s[ch] : oj[ch];
  }
}

// Outputs [jlo, jhi) have their whole window inside the row: there, for each window cell (di, dj) in row-major
// order, one branch-free pass over all their channels — each output sees its cells in the same order as
// through ForWindow, so the values are the same bit for bit (ties and NaN included); the edges go through ForWindow.
SPARSEVD_INLINE void PoolRowBody(const PoolGeometry& g, const float* __restrict img, int64_t i, float* __restrict out) {
  const int64_t c = g.c;
  const int64_t jlo = std::min<int64_t>(g.ow, (g.pl + g.sw - 1) / g.sw);
  const int64_t last = g.w - g.fw + g.pl;  // the largest j·sw whose window ends inside the row
  const int64_t jhi = last < 0 ? jlo : std::max<int64_t>(jlo, std::min<int64_t>(g.ow, last / g.sw + 1));
  if (jhi > jlo) {
    float* __restrict o = out + jlo * c;
    const int64_t n = (jhi - jlo) * c;
    for (int64_t e = 0; e < n; ++e) o[e] = -std::numeric_limits<float>::infinity();
    for (int64_t di = 0; di < g.fh; ++di) {
      const int64_t ii = i * g.sh + di - g.pt;
      if (ii < 0 || ii >= g.h) continue;
      for (int64_t dj = 0; dj < g.fw; ++dj) {
        const float* __restrict src = img + (ii * g.w + jlo * g.sw - g.pl + dj) * c;
        switch (c) {  // a few channels (the compacted networks'): the channel loop unrolled at compile time
          case 1: MaxInto<1>(src, o, jhi - jlo, g.sw, c); break;
          case 2: MaxInto<2>(src, o, jhi - jlo, g.sw, c); break;
          case 3: MaxInto<3>(src, o, jhi - jlo, g.sw, c); break;
          case 4: MaxInto<4>(src, o, jhi - jlo, g.sw, c); break;
          default: MaxInto<0>(src, o, jhi - jlo, g.sw, c);
        }
      }
    }
  }
  for (int64_t j = 0; j < g.ow; ++j) {
    if (j == jlo && jhi > jlo) {
      j = jhi - 1;
      continue;
    }
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
  Args args(env, info, "maxPool", 14);
  PoolGeometry g;
  ReadPool(args, &g);
  const Span<float> xs = args.Floats(12, "x"), os = args.Floats(13, "out");
  args.Length(xs, "x", args.Product("the input", {g.batch, g.h, g.w, g.c}));
  args.Length(os, "out", args.Product("the output", {g.batch, g.oh, g.ow, g.c}));
  if (!args.ok()) return nullptr;
  const float* x = xs.data;
  float* out = os.data;
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
  Args args(env, info, "maxPoolGrad", 15);
  PoolGeometry g;
  ReadPool(args, &g);
  const Span<float> xs = args.Floats(12, "x"), dys = args.Floats(13, "dy"), dxs = args.Floats(14, "dx");
  const int64_t total = args.Product("the input", {g.batch, g.h, g.w, g.c});
  args.Length(xs, "x", total);
  args.Length(dxs, "dx", total);
  args.Length(dys, "dy", args.Product("the output", {g.batch, g.oh, g.ow, g.c}));
  if (!args.ok()) return nullptr;
  const int64_t image = g.h * g.w * g.c;
  const float *x = xs.data, *dy = dys.data;
  float* dx = dxs.data;
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
