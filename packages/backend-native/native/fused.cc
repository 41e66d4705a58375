// Fused SparseVD kernels: each does in one or two passes (plus its GEMMs) what the composed tfjs ops do in
// five to fifteen, on the pool's threads. The arithmetic follows the composed ops step by step in float32, so
// results agree with them to rounding.
// Contraction into fused multiply-adds is allowed here (the x86-64-v3/v4 clones have FMA): these kernels are
// compared with the composed ops to a tolerance, not bit for bit (random.cc, which must be, keeps it off).
#pragma GCC optimize("fp-contract=fast")

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "fastmath.h"
#include "conv.h"
#include "fused.h"
#include "gemm.h"
#include "args.h"
#include "conv-args.h"
#include "pool.h"

namespace sparsevd {
namespace {

// Molchanov et al. 2017, eq. 14: −KL ≈ k1·σ(k2 + k3·log α) − 0.5·log(1 + 1/α) − k1.
constexpr float kK1 = 0.63576f, kK2 = 1.87320f, kK3 = 1.48695f;
// Elements per thread below which a pass stays on the calling thread.
constexpr int64_t kGrain = 1 << 19;
// The same for compute-bound passes (the KL's logs and exps), where a second core pays off sooner.
constexpr int64_t kComputeGrain = 1 << 15;

// Reusable scratch buffers (calls come from the JavaScript thread only).
std::vector<float>& Scratch(int which) {
  static std::vector<float> buffers[5];
  return buffers[which];
}
float* ScratchOf(int which, int64_t n) {
  auto& b = Scratch(which);
  if (static_cast<int64_t>(b.size()) < n) b.resize(static_cast<size_t>(n));
  return b.data();
}

// The KL of each element of [begin, end) into `kl` and, with kGrads, both gradients, in one vectorised pass
// (no branches, no reductions): per element two logs, two exps and three divisions.
// kNormalT2: eps is a normal float, so θ² + eps is normal (or +inf, NaN) and its log needs no subnormal case.
template <bool kGrads, bool kNormalT2>
__attribute__((always_inline)) inline void KlBlockImpl(const float* __restrict theta, const float* __restrict ls2, float eps, float lo, float hi,
                        float* __restrict gt, float* __restrict gs, float* __restrict kl, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    const float th = theta[i];
    const float t2 = th * th + eps;
    const float raw = ls2[i] - (kNormalT2 ? FastLogNormal(t2) : FastLog(t2));
    const float la = raw < lo ? lo : (raw > hi ? hi : raw);
    // exp of moderate arguments: |k2 + k3·log α| and |log α| stay far below 87 for any sensible clip range,
    // and FastExpClamped clamps beyond it.
    const float sz = 1.0f / (1.0f + FastExpClamped(-(kK2 + kK3 * la)));
    const float e = FastExpClamped(-std::fabs(la));
    const float r = 1.0f / (1.0f + e);
    // softplus(−log α) = log(1 + e^−|log α|) + max(−log α, 0), as tfjs's softplus computes log(1 + e^x);
    // 1 + e is in [1, 2].
    const float softplus_neg = LogOneToTwo(1.0f + e) + (la < 0 ? -la : 0.0f);
    kl[i - begin] = -(kK1 * sz - 0.5f * softplus_neg - kK1);
    if (kGrads) {
      // ∂KL/∂log α = −(k1·k3·σ(z)(1 − σ(z)) + 0.5·σ(−log α)); zero outside the clip range.
      const float sigma_neg = la > 0 ? e * r : r;
      const float d = (raw < lo || raw > hi) ? 0.0f : -(kK1 * kK3 * sz * (1.0f - sz) + 0.5f * sigma_neg);
      gs[i] = d;
      gt[i] = d * (-2.0f * th / t2);
    }
  }
}

SPARSEVD_INLINE void KlBlockBody(const float* theta, const float* ls2, float eps, float lo, float hi, float* gt, float* gs,
                           float* kl, int64_t begin, int64_t end) {
  const bool normal = eps >= std::numeric_limits<float>::min();
  if (gt != nullptr && normal)
    KlBlockImpl<true, true>(theta, ls2, eps, lo, hi, gt, gs, kl, begin, end);
  else if (gt != nullptr)
    KlBlockImpl<true, false>(theta, ls2, eps, lo, hi, gt, gs, kl, begin, end);
  else if (normal)
    KlBlockImpl<false, true>(theta, ls2, eps, lo, hi, gt, gs, kl, begin, end);
  else
    KlBlockImpl<false, false>(theta, ls2, eps, lo, hi, gt, gs, kl, begin, end);
}
SPARSEVD_SIMD_VERSIONS(KlBlock, (const float* theta, const float* ls2, float eps, float lo, float hi, float* gt, float* gs, float* kl, int64_t begin, int64_t end), (theta, ls2, eps, lo, hi, gt, gs, kl, begin, end))

// Σ KL over [begin, end) in double (four interleaved sums, added in a fixed order), and the gradients.
double KlRange(const float* theta, const float* ls2, float eps, float lo, float hi, float* gt, float* gs,
               int64_t begin, int64_t end) {
  constexpr int64_t kBlock = 1024;
  float kl[kBlock];
  double s[4] = {0, 0, 0, 0};
  for (int64_t b0 = begin; b0 < end; b0 += kBlock) {
    const int64_t b1 = std::min(end, b0 + kBlock);
    KlBlock(theta, ls2, eps, lo, hi, gt, gs, kl, b0, b1);
    const int64_t n = b1 - b0;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
      for (int k = 0; k < 4; ++k) s[k] += kl[i + k];
    for (; i < n; ++i) s[0] += kl[i];
  }
  return (s[0] + s[1]) + (s[2] + s[3]);
}

SPARSEVD_INLINE void ExpRangeBody(const float* __restrict x, float* __restrict y, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) y[i] = FastExp(x[i]);
}
SPARSEVD_SIMD_VERSIONS(ExpRange, (const float* __restrict x, float* __restrict y, int64_t begin, int64_t end), (x, y, begin, end))

SPARSEVD_INLINE void MulExpRangeBody(const float* __restrict x, float* __restrict y, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) y[i] *= FastExp(x[i]);
}
SPARSEVD_SIMD_VERSIONS(MulExpRange, (const float* __restrict x, float* __restrict y, int64_t begin, int64_t end), (x, y, begin, end))

SPARSEVD_INLINE void MaskRangeBody(const float* __restrict theta, const float* __restrict ls2, float threshold, float eps,
                             float lo, float hi, float* __restrict out, float* __restrict mask, int64_t begin,
                             int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    const float raw = ls2[i] - FastLog(theta[i] * theta[i] + eps);
    const float la = raw < lo ? lo : (raw > hi ? hi : raw);
    const float m = la < threshold ? 1.0f : 0.0f;
    mask[i] = m;
    out[i] = theta[i] * m;
  }
}
SPARSEVD_SIMD_VERSIONS(MaskRange, (const float* __restrict theta, const float* __restrict ls2, float threshold, float eps, float lo, float hi, float* __restrict out, float* __restrict mask, int64_t begin, int64_t end), (theta, ls2, threshold, eps, lo, hi, out, mask, begin, end))

SPARSEVD_INLINE void AdamRangeBody(const float* __restrict x, const float* __restrict m, const float* __restrict v,
                             const float* __restrict g, float b1, float b2, float c1, float c2, float eps, float step,
                             float inv, float* __restrict xo, float* __restrict mo, float* __restrict vo,
                             int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    const float m1 = m[i] * b1 + g[i] * c1;
    const float v1 = v[i] * b2 + (g[i] * g[i]) * c2;
    const float denom = std::sqrt(v1) * inv + eps;
    mo[i] = m1;
    vo[i] = v1;
    xo[i] = x[i] - (m1 / denom) * step;
  }
}
SPARSEVD_SIMD_VERSIONS(AdamRange, (const float* __restrict x, const float* __restrict m, const float* __restrict v, const float* __restrict g, float b1, float b2, float c1, float c2, float eps, float step, float inv, float* __restrict xo, float* __restrict mo, float* __restrict vo, int64_t begin, int64_t end), (x, m, v, g, b1, b2, c1, c2, eps, step, inv, xo, mo, vo, begin, end))

}  // namespace

// klOfWeights(theta, logSigma2, eps, lo, hi, gTheta?, gLogSigma2?) → Σ KL over the tensor (double), and, when
// the gradient arrays are given, ∂ΣKL/∂θ and ∂ΣKL/∂log σ² per element. The gradient through the clip is zero
// outside [lo, hi] and passes at its ends, as tfjs's clipByValue's.
napi_value KlOfWeights(napi_env env, napi_callback_info info) {
  Args args(env, info, "klOfWeights", 7);
  const Span<float> ts = args.Floats(0, "theta");
  const Span<float> ss = args.Floats(1, "logSigma2");
  args.Length(ss, "logSigma2", ts.length);
  const float eps = static_cast<float>(args.Number(2, "eps"));
  const float lo = static_cast<float>(args.Number(3, "lo")), hi = static_cast<float>(args.Number(4, "hi"));
  args.Require(lo <= hi, "the clip range [lo, hi] is empty: lo = %g > hi = %g", lo, hi);
  args.Require(eps >= 0, "eps must be non-negative, got %g", eps);
  const Span<float> gts = args.Floats(5, "dTheta", true);
  const Span<float> gss = args.Floats(6, "dLogSigma2", true);
  args.Require((gts.data == nullptr) == (gss.data == nullptr), "dTheta and dLogSigma2 must both be given or both be null");
  if (gts.data != nullptr) args.Length(gts, "dTheta", ts.length);
  if (gss.data != nullptr) args.Length(gss, "dLogSigma2", ts.length);
  if (!args.ok()) return nullptr;
  const float* theta = ts.data;
  const float* ls2 = ss.data;
  float* gt = gts.data;
  float* gs = gss.data;
  const bool grads = gt != nullptr;
  const int64_t n = ts.length;
  Pool& pool = ThePool();
  std::vector<double> partial(static_cast<size_t>(pool.Parts(n, kComputeGrain)), 0.0);
  pool.ForParts(n, kComputeGrain, [&](int64_t part, int64_t begin, int64_t end) {
    partial[static_cast<size_t>(part)] = KlRange(theta, ls2, eps, lo, hi, grads ? gt : nullptr, gs, begin, end);
  });
  double total = 0;
  for (double p : partial) total += p;
  napi_value out;
  napi_create_double(env, total, &out);
  return out;
}

namespace {

SPARSEVD_INLINE void SquareRangeBody(const float* __restrict x, float* __restrict y, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) y[i] = x[i] * x[i];
}
SPARSEVD_SIMD_VERSIONS(SquareRange, (const float* __restrict x, float* __restrict y, int64_t begin, int64_t end), (x, y, begin, end))

// One row of the LRT output: std = sqrt(variance + varEps) in place of the variance, y = mean (+ bias) + std ⊙ ε.
SPARSEVD_INLINE void LrtOutputRowBody(float* __restrict y, float* __restrict sd, const float* __restrict noise,
                                      const float* __restrict bias, float var_eps, int64_t f) {
  if (bias == nullptr) {
    for (int64_t j = 0; j < f; ++j) {
      sd[j] = std::sqrt(sd[j] + var_eps);
      y[j] = y[j] + sd[j] * noise[j];
    }
  } else {
    for (int64_t j = 0; j < f; ++j) {
      sd[j] = std::sqrt(sd[j] + var_eps);
      y[j] = (y[j] + bias[j]) + sd[j] * noise[j];
    }
  }
}
SPARSEVD_SIMD_VERSIONS(LrtOutputRow, (float* __restrict y, float* __restrict sd, const float* __restrict noise, const float* __restrict bias, float var_eps, int64_t f), (y, sd, noise, bias, var_eps, f))

// dv = dy ⊙ ε / (2·std) over [begin, end).
SPARSEVD_INLINE void VarianceGradRangeBody(const float* __restrict dy, const float* __restrict noise,
                                           const float* __restrict sd, float* __restrict dv, int64_t begin,
                                           int64_t end) {
  for (int64_t i = begin; i < end; ++i) dv[i] = dy[i] * noise[i] / (2.0f * sd[i]);
}
SPARSEVD_SIMD_VERSIONS(VarianceGradRange, (const float* __restrict dy, const float* __restrict noise, const float* __restrict sd, float* __restrict dv, int64_t begin, int64_t end), (dy, noise, sd, dv, begin, end))

// d += t ⊙ 2a over [begin, end) (the variance path of the input gradient).
SPARSEVD_INLINE void AddTwiceProductRangeBody(const float* __restrict t, const float* __restrict a,
                                              float* __restrict d, int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) d[i] += t[i] * (2.0f * a[i]);
}
SPARSEVD_SIMD_VERSIONS(AddTwiceProductRange, (const float* __restrict t, const float* __restrict a, float* __restrict d, int64_t begin, int64_t end), (t, a, d, begin, end))

// a ⊙ a into scratch 1, unless the caller has the squares already.
const float* Squares(const float* a, const float* a2, int64_t n) {
  if (a2 != nullptr) return a2;
  float* out = ScratchOf(1, n);
  ThePool().For(n, kGrain, [&](int64_t i0, int64_t i1) { SquareRange(a, out, i0, i1); });
  return out;
}

// The LRT layer over rows of inputs `a` [rows × k] (a dense layer's x, or a convolution's im2col patches) and
// weights [k × f]: y = a·θ + bias + std ⊙ noise, std = sqrt(a²·exp(log σ²) + varEps). `a2` is a ⊙ a when the
// caller has it (the convolution's patches), else null.
void LrtForward(const float* a, const float* a2_given, int64_t rows, int64_t k, int64_t f, const float* theta,
                const float* ls2, const float* noise, const float* bias, float var_eps, float* y, float* sd) {
  Pool& pool = ThePool();
  float* s2 = ScratchOf(0, k * f);
  pool.For(k * f, kComputeGrain, [&](int64_t i0, int64_t i1) { ExpRange(ls2, s2, i0, i1); });
  const float* a2 = Squares(a, a2_given, rows * k);
  Gemm(false, false, rows, f, k, 1.0f, a, k, theta, f, 0.0f, y, f);
  Gemm(false, false, rows, f, k, 1.0f, a2, k, s2, f, 0.0f, sd, f);
  pool.For(rows, kGrain / (f + 1) + 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) LrtOutputRow(y + r * f, sd + r * f, noise + r * f, bias, var_eps, f);
  });
}

// ∂L/∂variance of the LRT output: dy ⊙ noise / (2·std) (sqrt's gradient), into scratch 2.
float* VarianceGrad(const float* dy, const float* noise, const float* sd, int64_t n) {
  float* dv = ScratchOf(2, n);
  ThePool().For(n, kGrain, [&](int64_t i0, int64_t i1) {
    VarianceGradRange(dy, noise, sd, dv, i0, i1);
  });
  return dv;
}

// ∂L/∂a = dy·θᵀ + 2a ⊙ (dv·exp(log σ²)ᵀ), into `da` [rows × k].
void LrtGradInput(const float* a, int64_t rows, int64_t k, int64_t f, const float* dy, const float* noise,
                  const float* sd, const float* theta, const float* ls2, float* da) {
  Pool& pool = ThePool();
  float* s2 = ScratchOf(0, k * f);
  pool.For(k * f, kComputeGrain, [&](int64_t i0, int64_t i1) { ExpRange(ls2, s2, i0, i1); });
  const float* dv = VarianceGrad(dy, noise, sd, rows * f);
  float* t = ScratchOf(1, rows * k);
  Gemm(false, true, rows, k, f, 1.0f, dy, f, theta, f, 0.0f, da, k);
  Gemm(false, true, rows, k, f, 1.0f, dv, f, s2, f, 0.0f, t, k);
  pool.For(rows * k, kGrain, [&](int64_t i0, int64_t i1) {
    AddTwiceProductRange(t, a, da, i0, i1);
  });
}

// ∂L/∂log σ² = ((a²)ᵀ·dv) ⊙ exp(log σ²), into `dls` [k × f]; `a2` as LrtForward's.
void LrtGradLogSigma2(const float* a, const float* a2_given, int64_t rows, int64_t k, int64_t f, const float* dy,
                      const float* noise, const float* sd, const float* ls2, float* dls) {
  Pool& pool = ThePool();
  const float* dv = VarianceGrad(dy, noise, sd, rows * f);
  const float* a2 = Squares(a, a2_given, rows * k);
  Gemm(true, false, k, f, rows, 1.0f, a2, k, dv, f, 0.0f, dls, f);
  pool.For(k * f, kComputeGrain, [&](int64_t i0, int64_t i1) { MulExpRange(ls2, dls, i0, i1); });
}

// The sizes of the dense LRT kernels' arrays: x [b, in], θ and log σ² [in, out], dy / noise / std / y [b, out].
struct DenseSizes {
  int64_t b, in, out, x, w, y;
};
DenseSizes ReadDenseSizes(Args& args, size_t first) {
  DenseSizes d{};
  d.b = args.Int(first, "batch", 1);
  d.in = args.Int(first + 1, "inUnits", 1);
  d.out = args.Int(first + 2, "outUnits", 1);
  d.x = args.Product("x", {d.b, d.in});
  d.w = args.Product("theta", {d.in, d.out});
  d.y = args.Product("the output", {d.b, d.out});
  return d;
}

}  // namespace

// lrtDenseForward(x, theta, logSigma2, noise, bias?, batch, in, out, varEps, y, std): LrtForward on x.
napi_value LrtDenseForward(napi_env env, napi_callback_info info) {
  Args args(env, info, "lrtDenseForward", 11);
  const DenseSizes d = ReadDenseSizes(args, 5);
  const Span<float> xs = args.Floats(0, "x"), ts = args.Floats(1, "theta"), ss = args.Floats(2, "logSigma2");
  const Span<float> ns = args.Floats(3, "noise"), bs = args.Floats(4, "bias", true);
  const float var_eps = static_cast<float>(args.Number(8, "varEps"));
  const Span<float> ys = args.Floats(9, "y"), sds = args.Floats(10, "std");
  args.Length(xs, "x", d.x);
  args.Length(ts, "theta", d.w);
  args.Length(ss, "logSigma2", d.w);
  args.Length(ns, "noise", d.y);
  if (bs.data != nullptr) args.Length(bs, "bias", d.out);
  args.Length(ys, "y", d.y);
  args.Length(sds, "std", d.y);
  if (!args.ok()) return nullptr;
  const int64_t b = d.b, in = d.in, out = d.out;
  const float *x = xs.data, *theta = ts.data, *ls2 = ss.data, *noise = ns.data, *bias = bs.data;
  float *y = ys.data, *sd = sds.data;
  LrtForward(x, nullptr, b, in, out, theta, ls2, noise, bias, var_eps, y, sd);
  return nullptr;
}

// lrtDenseGradInput(x, dy, noise, std, theta, logSigma2, batch, in, out, dx)
napi_value LrtDenseGradInput(napi_env env, napi_callback_info info) {
  Args args(env, info, "lrtDenseGradInput", 10);
  const DenseSizes d = ReadDenseSizes(args, 6);
  const Span<float> xs = args.Floats(0, "x"), dys = args.Floats(1, "dy"), ns = args.Floats(2, "noise");
  const Span<float> sds = args.Floats(3, "std"), ts = args.Floats(4, "theta"), ss = args.Floats(5, "logSigma2");
  const Span<float> dxs = args.Floats(9, "dx");
  args.Length(xs, "x", d.x);
  args.Length(dys, "dy", d.y);
  args.Length(ns, "noise", d.y);
  args.Length(sds, "std", d.y);
  args.Length(ts, "theta", d.w);
  args.Length(ss, "logSigma2", d.w);
  args.Length(dxs, "dx", d.x);
  if (!args.ok()) return nullptr;
  const int64_t b = d.b, in = d.in, out = d.out;
  const float *x = xs.data, *dy = dys.data, *noise = ns.data, *sd = sds.data, *theta = ts.data, *ls2 = ss.data;
  float* dx = dxs.data;
  LrtGradInput(x, b, in, out, dy, noise, sd, theta, ls2, dx);
  return nullptr;
}

// lrtDenseGradLogSigma2(x, dy, noise, std, logSigma2, batch, in, out, dLogSigma2)
napi_value LrtDenseGradLogSigma2(napi_env env, napi_callback_info info) {
  Args args(env, info, "lrtDenseGradLogSigma2", 9);
  const DenseSizes d = ReadDenseSizes(args, 5);
  const Span<float> xs = args.Floats(0, "x"), dys = args.Floats(1, "dy"), ns = args.Floats(2, "noise");
  const Span<float> sds = args.Floats(3, "std"), ss = args.Floats(4, "logSigma2"), dss = args.Floats(8, "dLogSigma2");
  args.Length(xs, "x", d.x);
  args.Length(dys, "dy", d.y);
  args.Length(ns, "noise", d.y);
  args.Length(sds, "std", d.y);
  args.Length(ss, "logSigma2", d.w);
  args.Length(dss, "dLogSigma2", d.w);
  if (!args.ok()) return nullptr;
  const int64_t b = d.b, in = d.in, out = d.out;
  const float *x = xs.data, *dy = dys.data, *noise = ns.data, *sd = sds.data, *ls2 = ss.data;
  float* dls = dss.data;
  LrtGradLogSigma2(x, nullptr, b, in, out, dy, noise, sd, ls2, dls);
  return nullptr;
}

// The convolutional LRT layer (NHWC, filters [kh, kw, c, f]) is the dense one over im2col patches: one im2col
// of x (with its squares, in the same pass) serves both the mean and the variance product (PyTorch and the
// composed tfjs ops convolve x and x² separately). The caller may keep the patches and their squares for the
// backward pass (∂θ = colsᵀ·dy, ∂log σ² from the squares); the input gradient needs no patches at all: as
// im2col only copies x, col2im(2·cols ⊙ t) = 2x ⊙ col2im(t).

// lrtConvForward(geometry[14], x, theta, logSigma2, noise, bias?, outChannels, varEps, y, std, cols?, squares?):
// cols and squares [rows × k], when given, receive the patches of x and their squares.
napi_value LrtConvForward(napi_env env, napi_callback_info info) {
  Args args(env, info, "lrtConvForward", 12);
  ConvGeometry g;
  ReadConvGeometryArray(args, 0, &g);
  const Span<float> xs = args.Floats(1, "x"), ts = args.Floats(2, "theta"), ss = args.Floats(3, "logSigma2");
  const Span<float> ns = args.Floats(4, "noise"), bs = args.Floats(5, "bias", true);
  const int64_t f = args.Int(6, "outChannels", 1);
  const float var_eps = static_cast<float>(args.Number(7, "varEps"));
  const Span<float> ys = args.Floats(8, "y"), sds = args.Floats(9, "std");
  const Span<float> cs = args.Floats(10, "cols", true), qs = args.Floats(11, "squares", true);
  const int64_t image = ImageSize(args, g), patches = PatchSize(args, g), outputs = OutputSize(args, g, f), filter = FilterSize(args, g, f);
  args.Length(xs, "x", image);
  args.Length(ts, "theta", filter);
  args.Length(ss, "logSigma2", filter);
  args.Length(ns, "noise", outputs);
  if (bs.data != nullptr) args.Length(bs, "bias", f);
  args.Length(ys, "y", outputs);
  args.Length(sds, "std", outputs);
  if (cs.data != nullptr) args.Length(cs, "cols", patches);
  if (qs.data != nullptr) args.Length(qs, "squares", patches);
  if (!args.ok()) return nullptr;
  const int64_t rows = g.Rows(), k = g.Cols();
  const float *x = xs.data, *theta = ts.data, *ls2 = ss.data, *noise = ns.data, *bias = bs.data;
  float *y = ys.data, *sd = sds.data, *cols = cs.data, *squares = qs.data;
  if (cols == nullptr) cols = ScratchOf(3, rows * k);
  if (squares == nullptr) squares = ScratchOf(4, rows * k);
  Im2col(g, x, cols, squares);
  LrtForward(cols, squares, rows, k, f, theta, ls2, noise, bias, var_eps, y, sd);
  return nullptr;
}

// lrtConvGradInput(geometry[14], x, dy, noise, std, theta, logSigma2, outChannels, dx):
// dx = col2im(dy·θᵀ) + 2x ⊙ col2im(dv·exp(log σ²)ᵀ), dv = dy ⊙ noise / (2·std).
napi_value LrtConvGradInput(napi_env env, napi_callback_info info) {
  Args args(env, info, "lrtConvGradInput", 9);
  ConvGeometry g;
  ReadConvGeometryArray(args, 0, &g);
  const Span<float> xs = args.Floats(1, "x"), dys = args.Floats(2, "dy"), ns = args.Floats(3, "noise");
  const Span<float> sds = args.Floats(4, "std"), ts = args.Floats(5, "theta"), ss = args.Floats(6, "logSigma2");
  const int64_t f = args.Int(7, "outChannels", 1);
  const Span<float> dxs = args.Floats(8, "dx");
  const int64_t image = ImageSize(args, g), outputs = OutputSize(args, g, f), filter = FilterSize(args, g, f);
  PatchSize(args, g);
  args.Length(xs, "x", image);
  args.Length(dys, "dy", outputs);
  args.Length(ns, "noise", outputs);
  args.Length(sds, "std", outputs);
  args.Length(ts, "theta", filter);
  args.Length(ss, "logSigma2", filter);
  args.Length(dxs, "dx", image);
  if (!args.ok()) return nullptr;
  const int64_t rows = g.Rows(), k = g.Cols();
  const float *x = xs.data, *dy = dys.data, *noise = ns.data, *sd = sds.data, *theta = ts.data, *ls2 = ss.data;
  float* dx = dxs.data;
  Pool& pool = ThePool();
  float* s2 = ScratchOf(0, k * f);
  pool.For(k * f, kComputeGrain, [&](int64_t i0, int64_t i1) { ExpRange(ls2, s2, i0, i1); });
  const float* dv = VarianceGrad(dy, noise, sd, rows * f);
  float* dcols = ScratchOf(3, rows * k);
  float* t = ScratchOf(4, image);
  Gemm(false, true, rows, k, f, 1.0f, dy, f, theta, f, 0.0f, dcols, k);
  Col2im(g, dcols, dx);
  Gemm(false, true, rows, k, f, 1.0f, dv, f, s2, f, 0.0f, dcols, k);
  Col2im(g, dcols, t);
  pool.For(image, kGrain, [&](int64_t i0, int64_t i1) {
    AddTwiceProductRange(t, x, dx, i0, i1);
  });
  return nullptr;
}

// lrtConvGradLogSigma2(geometry[14], x, dy, noise, std, logSigma2, outChannels, dLogSigma2, squares?): the
// squares of x's patches as lrtConvForward wrote them, when the caller kept them; else they are recomputed.
napi_value LrtConvGradLogSigma2(napi_env env, napi_callback_info info) {
  Args args(env, info, "lrtConvGradLogSigma2", 9);
  ConvGeometry g;
  ReadConvGeometryArray(args, 0, &g);
  const Span<float> xs = args.Floats(1, "x"), dys = args.Floats(2, "dy"), ns = args.Floats(3, "noise");
  const Span<float> sds = args.Floats(4, "std"), ss = args.Floats(5, "logSigma2");
  const int64_t f = args.Int(6, "outChannels", 1);
  const Span<float> dss = args.Floats(7, "dLogSigma2"), qs = args.Floats(8, "squares", true);
  const int64_t image = ImageSize(args, g), patches = PatchSize(args, g), outputs = OutputSize(args, g, f), filter = FilterSize(args, g, f);
  args.Length(xs, "x", image);
  args.Length(dys, "dy", outputs);
  args.Length(ns, "noise", outputs);
  args.Length(sds, "std", outputs);
  args.Length(ss, "logSigma2", filter);
  args.Length(dss, "dLogSigma2", filter);
  if (qs.data != nullptr) args.Length(qs, "squares", patches);
  if (!args.ok()) return nullptr;
  const int64_t rows = g.Rows(), k = g.Cols();
  const float *x = xs.data, *dy = dys.data, *noise = ns.data, *sd = sds.data, *ls2 = ss.data, *squares = qs.data;
  float* dls = dss.data;
  if (squares == nullptr) {
    float* cols = ScratchOf(3, rows * k);
    float* sq = ScratchOf(4, rows * k);
    Im2col(g, x, cols, sq);
    squares = sq;
  }
  LrtGradLogSigma2(nullptr, squares, rows, k, f, dy, noise, sd, ls2, dls);
  return nullptr;
}

// maskedTheta(theta, logSigma2, threshold, eps, lo, hi, outTheta, outMask): mask = [log α < threshold] as
// 0/1 floats and θ ⊙ mask, in one pass.
napi_value MaskedTheta(napi_env env, napi_callback_info info) {
  Args args(env, info, "maskedTheta", 8);
  const Span<float> ts = args.Floats(0, "theta"), ss = args.Floats(1, "logSigma2");
  const float threshold = static_cast<float>(args.Number(2, "threshold"));
  const float eps = static_cast<float>(args.Number(3, "eps"));
  const float lo = static_cast<float>(args.Number(4, "lo")), hi = static_cast<float>(args.Number(5, "hi"));
  args.Require(lo <= hi, "the clip range [lo, hi] is empty: lo = %g > hi = %g", lo, hi);
  const Span<float> os = args.Floats(6, "outTheta"), ms = args.Floats(7, "outMask");
  args.Length(ss, "logSigma2", ts.length);
  args.Length(os, "outTheta", ts.length);
  args.Length(ms, "outMask", ts.length);
  if (!args.ok()) return nullptr;
  const int64_t n = ts.length;
  const float *theta = ts.data, *ls2 = ss.data;
  float *out = os.data, *mask = ms.data;
  ThePool().For(n, kComputeGrain, [&](int64_t i0, int64_t i1) {
    MaskRange(theta, ls2, threshold, eps, lo, hi, out, mask, i0, i1);
  });
  return nullptr;
}

// adamUpdate(x, m, v, g, beta1, beta2, epsilon, stepSize, invSqrtBc2, xOut, mOut, vOut): one Adam step in one
// pass, in the order of the composed update: m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g²,
// x' = x − stepSize · m' / (sqrt(v')·invSqrtBc2 + ε).
napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  Args args(env, info, "adamUpdate", 12);
  const Span<float> xs = args.Floats(0, "x"), ms = args.Floats(1, "m"), vs = args.Floats(2, "v"), gs = args.Floats(3, "g");
  const double beta1 = args.Number(4, "beta1"), beta2 = args.Number(5, "beta2");
  const float eps = static_cast<float>(args.Number(6, "epsilon"));
  const float step = static_cast<float>(args.Number(7, "stepSize")), inv = static_cast<float>(args.Number(8, "invSqrtBc2"));
  const Span<float> xos = args.Floats(9, "xOut"), mos = args.Floats(10, "mOut"), vos = args.Floats(11, "vOut");
  const int64_t n = xs.length;
  args.Length(ms, "m", n);
  args.Length(vs, "v", n);
  args.Length(gs, "g", n);
  args.Length(xos, "xOut", n);
  args.Length(mos, "mOut", n);
  args.Length(vos, "vOut", n);
  if (!args.ok()) return nullptr;
  const float *x = xs.data, *m = ms.data, *v = vs.data, *g = gs.data;
  float *xo = xos.data, *mo = mos.data, *vo = vos.data;
  if (n > 0 && (xo == x || xo == m || xo == v || xo == g || mo == x || mo == m || mo == v || mo == g || vo == x || vo == m ||
                vo == v || vo == g || xo == mo || xo == vo || mo == vo)) {
    args.Fail(false, "the outputs must be distinct new arrays");
    return nullptr;
  }
  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
  const float c1 = static_cast<float>(1.0 - beta1);
  const float c2 = static_cast<float>(1.0 - beta2);
  ThePool().For(n, kComputeGrain, [&](int64_t i0, int64_t i1) {
    AdamRange(x, m, v, g, b1, b2, c1, c2, eps, step, inv, xo, mo, vo, i0, i1);
  });
  return nullptr;
}

}  // namespace sparsevd
