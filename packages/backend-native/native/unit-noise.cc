// Fused kernels of Structured Bayesian Pruning's unit noise (Neklyudov et al. 2017): log θ ~ N(μ, σ²) truncated
// to [a, b], prior uniform on [a, b]. Per unit, in double precision and in log space throughout, each kernel
// computes its value and its exact gradients in one call — the composed tfjs version takes ~900 small ops per
// layer (two polynomial fits of Φ and Φ⁻¹, the closed-form KL, and their gradients). Units are few (a layer's
// neurons or filters), so the loops are plain scalar code on the calling thread.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "args.h"
#include "fused.h"

namespace sparsevd {
namespace {

constexpr double kLogSqrt2Pi = 0.91893853320467274178;  // ½·log 2π
constexpr double kSqrtHalf = 0.70710678118654752440;

// log φ(x), the standard normal log density.
inline double LogPdf(double x) { return -0.5 * x * x - kLogSqrt2Pi; }

// log Φ(x) for every finite x: log1p of the upper tail above 6, log of erfc down to −30, the asymptotic series of
// Mills' ratio below (relative error of its truncation < 1e-11 there).
double LogCdf(double x) {
  if (x > 6) return std::log1p(-0.5 * std::erfc(x * kSqrtHalf));
  if (x > -30) return std::log(0.5 * std::erfc(-x * kSqrtHalf));
  const double r = 1.0 / (x * x);
  const double series = r * (-1 + r * (3 + r * (-15 + r * 105)));
  return LogPdf(x) - std::log(-x) + std::log1p(series);
}

// log(e^p + e^q).
inline double LogAddExp(double p, double q) {
  const double hi = std::max(p, q), lo = std::min(p, q);
  return hi == -INFINITY ? hi : hi + std::log1p(std::exp(lo - hi));
}

// log(Φ(hi) − Φ(lo)) for lo < hi: from the tail both lie in when they share one, else from 1 minus both tails.
double LogMass(double lo, double hi) {
  if (hi <= 0) {
    const double lh = LogCdf(hi);
    return lh + std::log(-std::expm1(std::min(LogCdf(lo) - lh, -1e-300)));
  }
  if (lo >= 0) {
    const double ll = LogCdf(-lo);
    return ll + std::log(-std::expm1(std::min(LogCdf(-hi) - ll, -1e-300)));
  }
  return std::log1p(-(0.5 * std::erfc(-lo * kSqrtHalf) + 0.5 * std::erfc(hi * kSqrtHalf)));
}

// Φ⁻¹(p) from log p, for log p ≤ log ½ (so the quantile is ≤ 0): Newton's method on log Φ(x) = log p. log Φ is
// concave and increasing, so from any start the iterates reach the root from the left and rise to it
// monotonically (quadratically near it); the start is the asymptotic root, x² ≈ t − log t − log 2π, t = −2 log p.
double QuantileFromLog(double log_p) {
  const double t = -2 * log_p;
  double x = t > 1 ? -std::sqrt(std::max(0.0, t - std::log(t) - 2 * kLogSqrt2Pi)) : 0.0;
  for (int i = 0; i < 100; ++i) {
    const double lc = LogCdf(x);
    const double step = (lc - log_p) / std::exp(LogPdf(x) - lc);
    x -= step;
    if (!(std::fabs(step) > 1e-15 * std::max(1.0, std::fabs(x)))) break;
  }
  return x;
}

// Where both standardised bounds lie beyond 30 on one side (y, the nearer one, < −30 after mirroring the upper
// tail: the KL is symmetric under (α, β) → (−β, −α)), the far bound's mass is below 1e-190 of the near one's,
// and −log Z − (αφ(α) − βφ(β))/2Z = ½·log 2π + g(y) with Mills' ratio Φ(y) = φ(y)/(−y)·(1 + S):
// g(y) = log(−y) − log(1 + S) + P/(2(1 + S)), P = y²S = −1 + 3/y² − 15/y⁴ + 105/y⁶. Formed so, it has none of
// the cancellation of two terms of order y²/2 that the general formula has (y reaches −1e9 in the clip range).
struct FarTail {
  double g, dg;  // g(y) and dg/dy
};
FarTail FarTailOf(double y) {
  const double r = 1.0 / (y * y), dr = -2 * r / y;
  const double p = -1 + r * (3 + r * (-15 + r * 105)), dp = 3 + r * (-30 + r * 315);
  const double s = r * p, ds = p + r * dp;  // d/dr of r·P(r)
  const double one_s = 1 + s;
  const double g = std::log(-y) - std::log1p(s) + p / (2 * one_s);
  const double dg = 1 / y + dr * (-ds / one_s + (dp * one_s - p * ds) / (2 * one_s * one_s));
  return {g, dg};
}

inline bool Inside(float v, float lo, float hi) { return v >= lo && v <= hi; }

struct Standardised {
  double m, log_s, s, alpha, beta, grad_m, grad_log_s;
};

// μ and log σ clipped to [lo, hi] as the composed ops clip them (the gradient passes inside the range and at its
// ends, as tfjs's clipByValue's), σ, and the standardised bounds α = (a − μ)/σ, β = (b − μ)/σ.
inline Standardised Standardise(float mu, float log_sigma, double a, double b, float lo, float hi) {
  Standardised u;
  u.m = std::min(std::max(mu, lo), hi);
  u.log_s = std::min(std::max(log_sigma, lo), hi);
  u.s = std::exp(u.log_s);
  u.alpha = (a - u.m) / u.s;
  u.beta = (b - u.m) / u.s;
  u.grad_m = Inside(mu, lo, hi) ? 1 : 0;
  u.grad_log_s = Inside(log_sigma, lo, hi) ? 1 : 0;
  return u;
}

// The shared checks of both kernels: parameters and outputs of one length, a < b, lo ≤ hi.
struct UnitArgs {
  Span<float> mu, log_sigma;
  double a = 0, b = 0;
  float lo = 0, hi = 0;
};

void ReadUnitArgs(Args& args, UnitArgs& u) {
  u.mu = args.Floats(0, "mu");
  u.log_sigma = args.Floats(1, "logSigma");
  args.Length(u.log_sigma, "logSigma", u.mu.length);
  u.a = args.Number(2, "a");
  u.b = args.Number(3, "b");
  args.Require(u.a < u.b, "the truncation [a, b] is empty: a = %g ≥ b = %g", u.a, u.b);
  u.lo = static_cast<float>(args.Number(4, "lo"));
  u.hi = static_cast<float>(args.Number(5, "hi"));
  args.Require(u.lo <= u.hi, "the clip range [lo, hi] is empty: lo = %g > hi = %g", u.lo, u.hi);
}

}  // namespace

// unitNoiseKl(mu, logSigma, a, b, lo, hi, kl, dMu, dLogSigma): per unit, KL(q ‖ p) in closed form,
// log(b − a) − log σ − ½·log 2πe − log Z − (αφ(α) − βφ(β)) / 2Z, Z = Φ(β) − Φ(α), and its gradients in μ and
// log σ (through the clips). Every output has the units' length.
napi_value UnitNoiseKl(napi_env env, napi_callback_info info) {
  Args args(env, info, "unitNoiseKl", 9);
  UnitArgs u;
  ReadUnitArgs(args, u);
  const int64_t n = u.mu.length;
  const Span<float> kl = args.Floats(6, "kl");
  const Span<float> g_mu = args.Floats(7, "dMu");
  const Span<float> g_ls = args.Floats(8, "dLogSigma");
  args.Length(kl, "kl", n);
  args.Length(g_mu, "dMu", n);
  args.Length(g_ls, "dLogSigma", n);
  if (!args.ok()) return nullptr;
  const double constant = std::log(u.b - u.a) - 0.5 * std::log(2 * M_PI * M_E);
  for (int64_t i = 0; i < n; ++i) {
    const Standardised v = Standardise(u.mu.data[i], u.log_sigma.data[i], u.a, u.b, u.lo, u.hi);
    if (v.beta < -30 || v.alpha > 30) {
      // y = β (dy/dμ = −1/σ) or −α (dy/dμ = 1/σ); dy/dlog σ = −y either way.
      const bool lower = v.beta < -30;
      const double y = lower ? v.beta : -v.alpha;
      const FarTail f = FarTailOf(y);
      kl.data[i] = static_cast<float>(constant + kLogSqrt2Pi - v.log_s + f.g);
      g_mu.data[i] = static_cast<float>(v.grad_m * f.dg * (lower ? -1 : 1) / v.s);
      g_ls.data[i] = static_cast<float>(v.grad_log_s * (-1 - y * f.dg));
      continue;
    }
    const double log_z = LogMass(v.alpha, v.beta);
    const double pa = std::exp(LogPdf(v.alpha) - log_z), pb = std::exp(LogPdf(v.beta) - log_z);  // φ/Z
    const double ta = v.alpha * pa, tb = v.beta * pb;
    const double tail = 0.5 * (ta - tb);
    kl.data[i] = static_cast<float>(constant - v.log_s - log_z - tail);
    // dα/dμ = dβ/dμ = −1/σ; dα/dlog σ = −α, dβ/dlog σ = −β; d(xφ(x)) = φ(x)(1 − x²)dx.
    const double dlz_dm = (pa - pb) / v.s, dlz_dls = ta - tb;
    const double dt_dm = 0.5 * (-pa * (1 - v.alpha * v.alpha) + pb * (1 - v.beta * v.beta) - (ta - tb) * (pa - pb)) / v.s;
    const double dt_dls = 0.5 * (-ta * (1 - v.alpha * v.alpha) + tb * (1 - v.beta * v.beta) - (ta - tb) * (ta - tb));
    g_mu.data[i] = static_cast<float>(v.grad_m * (-dlz_dm - dt_dm));
    g_ls.data[i] = static_cast<float>(v.grad_log_s * (-1 - dlz_dls - dt_dls));
  }
  return nullptr;
}

// unitNoiseSample(mu, logSigma, a, b, lo, hi, noise, theta, dMu, dLogSigma, dNoise): per unit, θ = exp(log θ)
// with log θ = clip(μ + σ·Φ⁻¹(p), a, b), p = Φ(α) + Φ(ε)·Z for the standard-normal ε of `noise` (inverse-CDF
// sampling of the truncated normal), and ∂θ/∂μ, ∂θ/∂log σ, ∂θ/∂ε. p is formed in log space, from whichever of
// p and 1 − p is smaller, so a truncation deep in either tail keeps its precision.
napi_value UnitNoiseSample(napi_env env, napi_callback_info info) {
  Args args(env, info, "unitNoiseSample", 11);
  UnitArgs u;
  ReadUnitArgs(args, u);
  const int64_t n = u.mu.length;
  const Span<float> noise = args.Floats(6, "noise");
  const Span<float> theta = args.Floats(7, "theta");
  const Span<float> g_mu = args.Floats(8, "dMu");
  const Span<float> g_ls = args.Floats(9, "dLogSigma");
  const Span<float> g_eps = args.Floats(10, "dNoise");
  args.Length(noise, "noise", n);
  args.Length(theta, "theta", n);
  args.Length(g_mu, "dMu", n);
  args.Length(g_ls, "dLogSigma", n);
  args.Length(g_eps, "dNoise", n);
  if (!args.ok()) return nullptr;
  for (int64_t i = 0; i < n; ++i) {
    const Standardised v = Standardise(u.mu.data[i], u.log_sigma.data[i], u.a, u.b, u.lo, u.hi);
    const double eps = noise.data[i];
    const double log_u = LogCdf(eps), log_1mu = LogCdf(-eps);
    // p = (1 − u)·Φ(α) + u·Φ(β) and 1 − p = (1 − u)·Φ(−α) + u·Φ(−β).
    const double log_p = LogAddExp(log_1mu + LogCdf(v.alpha), log_u + LogCdf(v.beta));
    const double log_q = LogAddExp(log_1mu + LogCdf(-v.alpha), log_u + LogCdf(-v.beta));
    double x = log_p <= log_q ? QuantileFromLog(log_p) : -QuantileFromLog(log_q);
    x = std::min(std::max(x, v.alpha), v.beta);  // the quantile of a mass in [Φ(α), Φ(β)], up to rounding
    const double raw = v.m + v.s * x;
    const double log_theta = std::min(std::max(raw, u.a), u.b);
    const double th = std::exp(log_theta);
    theta.data[i] = static_cast<float>(th);
    // dx = dp / φ(x); dp/dμ = −((1 − u)φ(α) + uφ(β))/σ, dp/dlog σ = −((1 − u)αφ(α) + uβφ(β)), dp/dε = Z·φ(ε).
    const double lpx = LogPdf(x);
    const double wa = std::exp(log_1mu + LogPdf(v.alpha) - lpx), wb = std::exp(log_u + LogPdf(v.beta) - lpx);
    const double inside = (raw >= u.a && raw <= u.b) ? th : 0.0;  // dθ/dlog θ through the clip to [a, b]
    g_mu.data[i] = static_cast<float>(inside * v.grad_m * (1 - (wa + wb)));
    g_ls.data[i] = static_cast<float>(inside * v.grad_log_s * v.s * (x - (v.alpha * wa + v.beta * wb)));
    const double w_eps = std::exp(LogMass(v.alpha, v.beta) + LogPdf(eps) - lpx);
    g_eps.data[i] = static_cast<float>(inside * v.s * w_eps);
  }
  return nullptr;
}

}  // namespace sparsevd
