// NHWC convolution geometry and the im2col / col2im transforms that turn a convolution and its gradients into
// GEMMs, threaded on the pool: im2col over output rows, col2im over images (each writes only its own image).
#pragma once

#include <cstdint>
#include <cstring>

#include "pool.h"

namespace sparsevd {

struct ConvGeometry {
  int64_t batch, h, w, c, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow;
  int64_t Rows() const { return batch * oh * ow; }
  int64_t Cols() const { return kh * kw * c; }
};

// One row of output pixels (image b = r / oh, output row i = r % oh) as patches: row[j][(di·kw + dj)·c + ch].
inline void Im2colRow(const ConvGeometry& g, const float* x, int64_t r, float* row) {
  const int64_t kcols = g.Cols();
  const int64_t b = r / g.oh, i = r % g.oh;
  for (int64_t j = 0; j < g.ow; ++j) {
    float* patch = row + j * kcols;
    const int64_t j0 = j * g.sw - g.pl, j1 = j0 + (g.kw - 1) * g.dw;
    for (int64_t di = 0; di < g.kh; ++di) {
      const int64_t ii = i * g.sh + di * g.dh - g.pt;
      if (g.dw == 1 && ii >= 0 && ii < g.h && j0 >= 0 && j1 < g.w) {
        // The whole kernel row is inside the image and contiguous: one copy of kw·c floats.
        std::memcpy(patch + di * g.kw * g.c, x + ((b * g.h + ii) * g.w + j0) * g.c, sizeof(float) * g.kw * g.c);
        continue;
      }
      for (int64_t dj = 0; dj < g.kw; ++dj) {
        const int64_t jj = j * g.sw + dj * g.dw - g.pl;
        float* dst = patch + (di * g.kw + dj) * g.c;
        if (ii < 0 || ii >= g.h || jj < 0 || jj >= g.w) {
          for (int64_t ch = 0; ch < g.c; ++ch) dst[ch] = 0.0f;
        } else {
          const float* src = x + ((b * g.h + ii) * g.w + jj) * g.c;
          for (int64_t ch = 0; ch < g.c; ++ch) dst[ch] = src[ch];
        }
      }
    }
  }
}

// cols[(b·oh + i)·ow + j][(di·kw + dj)·c + ch] = x[b][i·sh + di·dh − pt][j·sw + dj·dw − pl][ch] (0 outside),
// and, when `squares` is given, squares = cols ⊙ cols, written while each row of patches is still in cache.
inline void Im2col(const ConvGeometry& g, const float* x, float* cols, float* squares = nullptr) {
  const int64_t kcols = g.Cols();
  ThePool().For(g.batch * g.oh, 4, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      Im2colRow(g, x, r, cols + r * g.ow * kcols);
      if (squares != nullptr) {
        const float* row = cols + r * g.ow * kcols;
        float* sq = squares + r * g.ow * kcols;
        for (int64_t e = 0; e < g.ow * kcols; ++e) sq[e] = row[e] * row[e];
      }
    }
  });
}

// The most filters SmallConv2d takes: two vectors of 16 lanes (AVX-512) per output pixel.
constexpr int64_t kSmallConvFilters = 32;

// NHWC convolution y = x ⊛ w for at most kSmallConvFilters filters (w [kh·kw·c, filters], y [batch·oh·ow,
// filters]) without the patch matrix: every tap is read straight from the image and multiplied by the filters
// padded to 16 lanes, four output pixels at once; with one input channel, unit horizontal stride and dilation and
// at most 12 filters, sixteen output pixels per vector and one vector per filter instead. For the compacted
// networks' convolutions (one to three input channels, a few filters) the patch matrix cost more than the
// products: im2col of a one-channel 28 × 28 batch copies five floats at a time.
void SmallConv2d(const ConvGeometry& g, int64_t filters, const float* x, const float* w, float* y);

// The adjoint of Im2col: dx is zeroed, then every column entry is added back where it was copied from.
inline void Col2im(const ConvGeometry& g, const float* cols, float* dx) {
  const int64_t kcols = g.Cols();
  const int64_t image = g.h * g.w * g.c;
  ThePool().For(g.batch, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      float* d = dx + b * image;
      std::memset(d, 0, sizeof(float) * image);
      for (int64_t i = 0; i < g.oh; ++i) {
        for (int64_t j = 0; j < g.ow; ++j) {
          const float* row = cols + ((b * g.oh + i) * g.ow + j) * kcols;
          for (int64_t di = 0; di < g.kh; ++di) {
            const int64_t ii = i * g.sh + di * g.dh - g.pt;
            if (ii < 0 || ii >= g.h) continue;
            for (int64_t dj = 0; dj < g.kw; ++dj) {
              const int64_t jj = j * g.sw + dj * g.dw - g.pl;
              if (jj < 0 || jj >= g.w) continue;
              const float* src = row + (di * g.kw + dj) * g.c;
              float* dst = d + (ii * g.w + jj) * g.c;
              for (int64_t ch = 0; ch < g.c; ++ch) dst[ch] += src[ch];
            }
          }
        }
      }
    }
  });
}

}  // namespace sparsevd
