// SmallConv2d (conv.h): the forward NHWC convolution for a few filters, straight from the image.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "conv.h"
#include "pool.h"
#include "simd.h"

namespace sparsevd {
namespace {

// Sixteen floats as one value (GCC's vector extension): a zmm register with AVX-512, two ymm with AVX2, four xmm
// on baseline x86-64; aligned to 4 so it loads from any float.
typedef float V16 __attribute__((vector_size(64), aligned(4)));
constexpr int64_t kLanes = 16;

// One output row (image b = r / oh, row i = r % oh): y[j][0..filters) = Σ_{di,dj,ch} x[b][ii][jj][ch] ·
// wv[(di·kw + dj)·c + ch] read straight from the image (no patches: for one channel, copying five-float kernel
// rows cost more than the products), four pixels at a time (four independent sums per vector hide the adds'
// latency); taps outside the image are skipped (zero padding). wv is w with its columns padded to kV·16 with
// zeros: each tap's filters are kV vectors.
template <int kV>
SPARSEVD_INLINE void SmallConvRowT(const ConvGeometry& g, const float* __restrict x, const float* __restrict wv,
                                   int64_t filters, float* __restrict y, int64_t r) {
  const V16* w = reinterpret_cast<const V16*>(wv);
  const int64_t b = r / g.oh, i = r % g.oh;
  const float* image = x + b * g.h * g.w * g.c;
  float* out = y + r * g.ow * filters;
  const int64_t span = g.kw * g.c;  // one kernel row's taps, contiguous in the image when dw = 1
  for (int64_t j = 0; j < g.ow; j += 4) {
    const int64_t count = g.ow - j < 4 ? g.ow - j : 4;
    // A block of fewer than four pixels repeats its last one (computed, never stored): no branch in the sums.
    const int64_t q1 = count > 1 ? 1 : 0, q2 = count > 2 ? 2 : q1, q3 = count > 3 ? 3 : q2;
    V16 acc0[kV] = {}, acc1[kV] = {}, acc2[kV] = {}, acc3[kV] = {};
    for (int64_t di = 0; di < g.kh; ++di) {
      const int64_t ii = i * g.sh + di * g.dh - g.pt;
      if (ii < 0 || ii >= g.h) continue;
      const float* row = image + ii * g.w * g.c;
      const V16* wrow = w + di * span * kV;
      const int64_t c0 = j * g.sw - g.pl, c1 = (j + q1) * g.sw - g.pl, c2 = (j + q2) * g.sw - g.pl,
                    c3 = (j + q3) * g.sw - g.pl;
      if (g.dw == 1 && c0 >= 0 && c3 + g.kw <= g.w) {
        // Every pixel's kernel row lies inside the image: kw·c contiguous taps each.
        const float* p0 = row + c0 * g.c;
        const float* p1 = row + c1 * g.c;
        const float* p2 = row + c2 * g.c;
        const float* p3 = row + c3 * g.c;
        for (int64_t e = 0; e < span; ++e) {
#pragma GCC unroll 2
          for (int v = 0; v < kV; ++v) {
            const V16 we = wrow[e * kV + v];
            acc0[v] += p0[e] * we;
            acc1[v] += p1[e] * we;
            acc2[v] += p2[e] * we;
            acc3[v] += p3[e] * we;
          }
        }
        continue;
      }
      for (int64_t dj = 0; dj < g.kw; ++dj) {
        const V16* we = wrow + dj * g.c * kV;
        const int64_t off = dj * g.dw;
        // Taps outside the image are zero padding: skipped. Pointers are formed only for taps inside the row.
        const bool in0 = c0 + off >= 0 && c0 + off < g.w;
        const bool in1 = c1 + off >= 0 && c1 + off < g.w;
        const bool in2 = c2 + off >= 0 && c2 + off < g.w;
        const bool in3 = c3 + off >= 0 && c3 + off < g.w;
        const float* p0 = row + (in0 ? c0 + off : 0) * g.c;
        const float* p1 = row + (in1 ? c1 + off : 0) * g.c;
        const float* p2 = row + (in2 ? c2 + off : 0) * g.c;
        const float* p3 = row + (in3 ? c3 + off : 0) * g.c;
        for (int64_t ch = 0; ch < g.c; ++ch) {
#pragma GCC unroll 2
          for (int v = 0; v < kV; ++v) {
            const V16 wc = we[ch * kV + v];
            if (in0) acc0[v] += p0[ch] * wc;
            if (in1) acc1[v] += p1[ch] * wc;
            if (in2) acc2[v] += p2[ch] * wc;
            if (in3) acc3[v] += p3[ch] * wc;
          }
        }
      }
    }
    std::memcpy(out + j * filters, acc0, sizeof(float) * filters);
    if (count > 1) std::memcpy(out + (j + 1) * filters, acc1, sizeof(float) * filters);
    if (count > 2) std::memcpy(out + (j + 2) * filters, acc2, sizeof(float) * filters);
    if (count > 3) std::memcpy(out + (j + 3) * filters, acc3, sizeof(float) * filters);
  }
}

SPARSEVD_INLINE void SmallConvRow1Body(const ConvGeometry* g, const float* __restrict x, const float* __restrict wv,
                                       int64_t filters, float* __restrict y, int64_t r) {
  SmallConvRowT<1>(*g, x, wv, filters, y, r);
}
SPARSEVD_INLINE void SmallConvRow2Body(const ConvGeometry* g, const float* __restrict x, const float* __restrict wv,
                                       int64_t filters, float* __restrict y, int64_t r) {
  SmallConvRowT<2>(*g, x, wv, filters, y, r);
}
SPARSEVD_SIMD_VERSIONS(SmallConvRow1,
                       (const ConvGeometry* g, const float* __restrict x, const float* __restrict wv, int64_t filters,
                        float* __restrict y, int64_t r),
                       (g, x, wv, filters, y, r))
SPARSEVD_SIMD_VERSIONS(SmallConvRow2,
                       (const ConvGeometry* g, const float* __restrict x, const float* __restrict wv, int64_t filters,
                        float* __restrict y, int64_t r),
                       (g, x, wv, filters, y, r))

// One channel, unit horizontal stride and dilation, at most kPixelFilters filters: sixteen output pixels of a row
// per vector and one vector per filter (with three filters the per-pixel vectors above leave 13 of 16 lanes idle;
// from about 12 filters on the two paths do as many products, and the accumulators no longer fit the registers).
// The image rows read are first copied, with their zero padding, into `padded` (h rows of `width` =
// ⌈ow/32⌉·32 + kw − 1 floats), so every load is inside the copy; a padded tap then adds 0·w to the sum, which
// leaves it exactly as skipping the tap does (the caller checks that w is finite). Each sum runs over di, then
// dj, as SmallConvRowT's: the same products in the same order.
constexpr int64_t kPixelFilters = 12;

template <int kF>
SPARSEVD_INLINE void PixelConvRowT(const ConvGeometry& g, const float* __restrict padded, const float* __restrict w,
                                   float* __restrict y, int64_t r, int64_t width) {
  const int64_t i = r % g.oh;
  float* out = y + r * g.ow * kF;
  // Two blocks of sixteen pixels at a time: each sum is a chain of kh·kw dependent additions, and two blocks give
  // the core twice as many independent chains to overlap (the width is rounded up to 32 for the second block's
  // loads; a block past the row is computed from zeros and not stored).
  for (int64_t j = 0; j < g.ow; j += 2 * kLanes) {
    V16 acc0[kF] = {}, acc1[kF] = {};
    for (int64_t di = 0; di < g.kh; ++di) {
      const int64_t ii = i * g.sh + di * g.dh - g.pt;
      if (ii < 0 || ii >= g.h) continue;
      const float* row = padded + ii * width + j;
      const float* wrow = w + di * g.kw * kF;
      for (int64_t dj = 0; dj < g.kw; ++dj) {
        const V16 x0 = *reinterpret_cast<const V16*>(row + dj);
        const V16 x1 = *reinterpret_cast<const V16*>(row + kLanes + dj);
#pragma GCC unroll 12
        for (int f = 0; f < kF; ++f) {
          acc0[f] += x0 * wrow[dj * kF + f];
          acc1[f] += x1 * wrow[dj * kF + f];
        }
      }
    }
    // The sums leave the registers through a scratch array: indexing the accumulators by a variable lane would
    // keep them in memory through the whole loop above.
    float lanes[kF][2 * kLanes];
#pragma GCC unroll 12
    for (int f = 0; f < kF; ++f) {
      std::memcpy(lanes[f], &acc0[f], sizeof(V16));
      std::memcpy(lanes[f] + kLanes, &acc1[f], sizeof(V16));
    }
    const int64_t count = g.ow - j < 2 * kLanes ? g.ow - j : 2 * kLanes;
    float* o = out + j * kF;
    for (int64_t k = 0; k < count; ++k)
#pragma GCC unroll 12
      for (int f = 0; f < kF; ++f) o[k * kF + f] = lanes[f][k];
  }
}

SPARSEVD_INLINE void PixelConvRowBody(const ConvGeometry* g, const float* __restrict padded,
                                      const float* __restrict w, int64_t filters, float* __restrict y, int64_t r,
                                      int64_t width) {
  switch (filters) {
    case 1: PixelConvRowT<1>(*g, padded, w, y, r, width); return;
    case 2: PixelConvRowT<2>(*g, padded, w, y, r, width); return;
    case 3: PixelConvRowT<3>(*g, padded, w, y, r, width); return;
    case 4: PixelConvRowT<4>(*g, padded, w, y, r, width); return;
    case 5: PixelConvRowT<5>(*g, padded, w, y, r, width); return;
    case 6: PixelConvRowT<6>(*g, padded, w, y, r, width); return;
    case 7: PixelConvRowT<7>(*g, padded, w, y, r, width); return;
    case 8: PixelConvRowT<8>(*g, padded, w, y, r, width); return;
    case 9: PixelConvRowT<9>(*g, padded, w, y, r, width); return;
    case 10: PixelConvRowT<10>(*g, padded, w, y, r, width); return;
    case 11: PixelConvRowT<11>(*g, padded, w, y, r, width); return;
    default: PixelConvRowT<12>(*g, padded, w, y, r, width); return;
  }
}
SPARSEVD_SIMD_VERSIONS(PixelConvRow,
                       (const ConvGeometry* g, const float* __restrict padded, const float* __restrict w,
                        int64_t filters, float* __restrict y, int64_t r, int64_t width),
                       (g, padded, w, filters, y, r, width))

bool AllFinite(const float* v, int64_t n) {
  for (int64_t e = 0; e < n; ++e)
    if (!std::isfinite(v[e])) return false;
  return true;
}

}  // namespace

void SmallConv2d(const ConvGeometry& g, int64_t filters, const float* x, const float* w, float* y) {
  const int64_t kcols = g.Cols();
  if (g.c == 1 && g.sw == 1 && g.dw == 1 && filters >= 1 && filters <= kPixelFilters && g.ow > 0 &&
      AllFinite(w, kcols * filters)) {
    const int64_t width = (g.ow + 2 * kLanes - 1) / (2 * kLanes) * (2 * kLanes) + g.kw - 1;
    const int64_t per_row = g.ow * kcols * filters;
    const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(1, per_row));
    ThePool().For(g.batch * g.oh, grain, [&](int64_t r0, int64_t r1) {
      // The image of the rows being computed, each of its rows copied once (when first read) with its zero
      // padding: padded[ii][t] = x[b][ii][t − pl] inside the image, 0 outside.
      std::vector<float> padded(static_cast<size_t>(g.h * width));
      std::vector<unsigned char> ready(static_cast<size_t>(g.h));
      const int64_t first = std::min<int64_t>(std::max<int64_t>(g.pl, 0), width);
      const int64_t last = std::min<int64_t>(std::max<int64_t>(g.pl + g.w, first), width);
      int64_t held = -1;
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t b = r / g.oh, i = r % g.oh;
        if (b != held) {
          std::fill(ready.begin(), ready.end(), 0);
          held = b;
        }
        for (int64_t di = 0; di < g.kh; ++di) {
          const int64_t ii = i * g.sh + di * g.dh - g.pt;
          if (ii < 0 || ii >= g.h || ready[static_cast<size_t>(ii)] != 0) continue;
          float* row = padded.data() + ii * width;
          std::fill(row, row + first, 0.0f);
          std::memcpy(row + first, x + (b * g.h + ii) * g.w + (first - g.pl),
                      sizeof(float) * static_cast<size_t>(last - first));
          std::fill(row + last, row + width, 0.0f);
          ready[static_cast<size_t>(ii)] = 1;
        }
        PixelConvRow(&g, padded.data(), w, filters, y, r, width);
      }
    });
    return;
  }
  const int64_t vectors = filters <= kLanes ? 1 : 2;
  const int64_t width = vectors * kLanes;
  std::vector<float> wv(static_cast<size_t>(kcols * width), 0.0f);
  for (int64_t e = 0; e < kcols; ++e) std::memcpy(wv.data() + e * width, w + e * filters, sizeof(float) * filters);
  // Rows of output pixels per chunk: enough multiply-adds per chunk to pay for waking a thread.
  const int64_t per_row = g.ow * kcols * width;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(1, per_row));
  ThePool().For(g.batch * g.oh, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      if (vectors == 1)
        SmallConvRow1(&g, x, wv.data(), filters, y, r);
      else
        SmallConvRow2(&g, x, wv.data(), filters, y, r);
    }
  });
}

}  // namespace sparsevd
