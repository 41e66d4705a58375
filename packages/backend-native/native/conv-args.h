// Reading a convolution's geometry from an addon call, checked (args.h): every size at least 1 (padding at
// least 0) and below 2^31, so index arithmetic in the kernels cannot overflow.
#pragma once
#include "args.h"
#include "conv.h"

namespace sparsevd {

inline constexpr const char* kConvGeometryNames[14] = {"batch", "h",  "w",  "c",      "kh",      "kw",   "sh",
                                                       "sw",    "dh", "dw", "padTop", "padLeft", "outH", "outW"};

inline void ConvGeometryFields(ConvGeometry* g, int64_t* (&f)[14]) {
  int64_t* fields[14] = {&g->batch, &g->h, &g->w, &g->c, &g->kh, &g->kw, &g->sh, &g->sw, &g->dh, &g->dw, &g->pt, &g->pl, &g->oh, &g->ow};
  for (int i = 0; i < 14; ++i) f[i] = fields[i];
}

// Sizes are ≥ 1 except the two paddings (≥ 0); checked one by one so the error names the field.
inline void CheckConvFields(Args& args, const ConvGeometry& g) {
  const int64_t values[14] = {g.batch, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.oh, g.ow};
  for (int i = 0; i < 14; ++i)
    if (i != 10 && i != 11) args.Require(values[i] >= 1, "%s must be at least 1, got %lld", kConvGeometryNames[i], static_cast<long long>(values[i]));
}

// The 14 geometry numbers as consecutive arguments from `first` (im2col, col2im).
inline void ReadConvGeometry(Args& args, size_t first, ConvGeometry* g) {
  int64_t* f[14];
  ConvGeometryFields(g, f);
  args.IntArgs(first, kConvGeometryNames, f, 14);
  CheckConvFields(args, *g);
}

// The 14 geometry numbers as one array argument (the fused conv kernels).
inline void ReadConvGeometryArray(Args& args, size_t i, ConvGeometry* g) {
  int64_t* f[14];
  ConvGeometryFields(g, f);
  args.NamedInts(i, "geometry", kConvGeometryNames, f, 14, 0, kMaxSize);
  CheckConvFields(args, *g);
}

// Elements of the input image and of the patch matrix ([batch·outH·outW, kh·kw·c]), checked for overflow.
inline int64_t ImageSize(Args& args, const ConvGeometry& g) { return args.Product("the input image", {g.batch, g.h, g.w, g.c}); }
inline int64_t PatchSize(Args& args, const ConvGeometry& g) { return args.Product("the patch matrix", {g.batch, g.oh, g.ow, g.kh, g.kw, g.c}); }
inline int64_t OutputSize(Args& args, const ConvGeometry& g, int64_t filters) { return args.Product("the output", {g.batch, g.oh, g.ow, filters}); }
inline int64_t FilterSize(Args& args, const ConvGeometry& g, int64_t filters) { return args.Product("the filter", {g.kh, g.kw, g.c, filters}); }

}  // namespace sparsevd
