// Gaussian noise identical to tfjs's `randomNormal(shape, mean, stdDev, 'float32', seed)`: seedrandom's Alea
// generator (seeded through its Mash hash from the seed's string) feeding the Marsaglia polar method, in the
// same double-precision operations in the same order. The logarithm is fdlibm's, as V8's Math.log, so the
// values are bit for bit tfjs's. The serial part (Alea and the rejection test) runs first; the logarithms,
// square roots and scaling then run vectorised on the pool.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>
#include <string>

#include "fused.h"
#include "fastmath.h"
#include "args.h"
#include "pool.h"

namespace sparsevd {
namespace {

// ECMAScript ToUint32 of a finite double.
double ToUint32(double x) {
  double t = std::fmod(std::trunc(x), 4294967296.0);
  return t < 0 ? t + 4294967296.0 : t;
}

class Mash {
 public:
  double operator()(const std::u16string& data) {
    for (char16_t ch : data) {
      n_ += static_cast<double>(ch);
      double h = 0.02519603282416938 * n_;
      n_ = ToUint32(h);
      h -= n_;
      h *= n_;
      n_ = ToUint32(h);
      h -= n_;
      n_ += h * 4294967296.0;
    }
    return ToUint32(n_) * 2.3283064365386963e-10;
  }

 private:
  double n_ = 4022871197.0;  // 0xefc8249d
};

// seedrandom's Alea: t = 2091639·s0 + c·2⁻³², c = ⌊t⌋, s = t − c. Every s is a multiple of 2⁻³² and
// 2091639·2³² < 2⁵³, so the double arithmetic is exact, and this is the integer multiply-with-carry it
// computes: X = 2091639·S0 + c, c = X >> 32, S = X mod 2³² — the same numbers with a shorter dependency chain.
class Alea {
 public:
  explicit Alea(const std::u16string& seed) {
    Mash mash;
    const std::u16string space = u" ";
    double s0 = mash(space), s1 = mash(space), s2 = mash(space);
    s0 -= mash(seed);
    if (s0 < 0) s0 += 1;
    s1 -= mash(seed);
    if (s1 < 0) s1 += 1;
    s2 -= mash(seed);
    if (s2 < 0) s2 += 1;
    s0_ = static_cast<uint64_t>(s0 * 4294967296.0);
    s1_ = static_cast<uint64_t>(s1 * 4294967296.0);
    s2_ = static_cast<uint64_t>(s2 * 4294967296.0);
  }
  double Next() {
    const uint64_t x = 2091639u * s0_ + c_;
    s0_ = s1_;
    s1_ = s2_;
    c_ = x >> 32;
    s2_ = x & 0xffffffffu;
    return static_cast<double>(s2_) * 2.3283064365386963e-10;
  }

 private:
  uint64_t s0_ = 0, s1_ = 0, s2_ = 0, c_ = 1;
};

// fdlibm's __ieee754_log (FreeBSD e_log.c, the algorithm and constants V8's Math.log uses) for positive normal
// finite x, with its branches turned into selects: every path is computed and the one fdlibm takes is kept,
// which gives the same bits. (The k = 0 forms are the general ones with k = 0, equal in IEEE arithmetic.)
inline double FdlibmLog(double x) {
  constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  constexpr double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
                   Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                   Lg7 = 1.479819860511658591e-01;
  const uint64_t bits = BitCast<uint64_t>(x);
  int32_t hx = static_cast<int32_t>(bits >> 32);
  const uint32_t lx = static_cast<uint32_t>(bits);
  int32_t k = (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const int32_t i0 = (hx + 0x95f64) & 0x100000;
  const double xn = BitCast<double>((static_cast<uint64_t>(static_cast<uint32_t>(hx | (i0 ^ 0x3ff00000))) << 32) | lx);
  k += (i0 >> 20);
  const double f = xn - 1.0;
  const double dk = static_cast<double>(k);
  // |f| < 2^-20.
  const double r_small = f * f * (0.5 - 0.33333333333333333 * f);
  const double small_zero = dk * ln2_hi + dk * ln2_lo;
  const double small = dk * ln2_hi - ((r_small - dk * ln2_lo) - f);
  // The general case.
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const int32_t ij = (hx - 0x6147a) | (0x6b851 - hx);
  const double R = t2 + t1;
  const double hfsq = 0.5 * f * f;
  const double big = dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
  const double mid = dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f);
  const double general = ij > 0 ? big : mid;
  const bool tiny_f = (0x000fffff & (2 + hx)) < 3;
  return tiny_f ? (f == 0.0 ? small_zero : small) : general;
}

// mul = √(−2·log(s)/s) for the accepted candidates in [begin, end): apart from the interleaving stores below so
// that it vectorises.
SPARSEVD_INLINE void PolarScaleBody(const double* __restrict s2, double* __restrict mul, int64_t begin, int64_t end) {
  for (int64_t p = begin; p < end; ++p) {
    const double s = s2[p];
    mul[p] = std::sqrt(-2.0 * FdlibmLog(s) / s);
  }
}
SPARSEVD_SIMD_VERSIONS(PolarScale, (const double* __restrict s2, double* __restrict mul, int64_t begin, int64_t end), (s2, mul, begin, end))

// out[2p], out[2p + 1] = mean + sd·v·mul for the accepted pairs p in [begin, end), all of whose values fit.
SPARSEVD_INLINE void PolarStoreBody(const double* __restrict v1, const double* __restrict v2, const double* __restrict mul,
                              double mean, double sd, float* __restrict out, int64_t begin, int64_t end) {
  for (int64_t p = begin; p < end; ++p) {
    out[2 * p] = static_cast<float>(mean + sd * v1[p] * mul[p]);
    out[2 * p + 1] = static_cast<float>(mean + sd * v2[p] * mul[p]);
  }
}
SPARSEVD_SIMD_VERSIONS(PolarStore, (const double* __restrict v1, const double* __restrict v2, const double* __restrict mul, double mean, double sd, float* __restrict out, int64_t begin, int64_t end), (v1, v2, mul, mean, sd, out, begin, end))

}  // namespace

// randomNormal(seed: string, mean, stdDev, out: Float32Array)
napi_value RandomNormal(napi_env env, napi_callback_info info) {
  Args args(env, info, "randomNormal", 4);
  const std::u16string seed = args.String(0, "seed");
  const double mean = args.Number(1, "mean"), sd = args.Number(2, "stdDev");
  const Span<float> os = args.Floats(3, "out");
  if (!args.ok()) return nullptr;
  float* out = os.data;
  const size_t n = static_cast<size_t>(os.length);
  Alea random(seed);
  const int64_t total = static_cast<int64_t>(n);
  const int64_t pairs = (total + 1) / 2;
  static std::vector<double> v1s, v2s, ss, muls;
  v1s.resize(static_cast<size_t>(pairs) + 1);
  v2s.resize(static_cast<size_t>(pairs) + 1);
  ss.resize(static_cast<size_t>(pairs) + 1);
  muls.resize(static_cast<size_t>(pairs) + 1);
  // Rejection without a branch to mispredict: every candidate is written, and kept by advancing past it.
  for (int64_t p = 0; p < pairs;) {
    const double v1 = 2 * random.Next() - 1;
    const double v2 = 2 * random.Next() - 1;
    const double s = v1 * v1 + v2 * v2;
    v1s[p] = v1;
    v2s[p] = v2;
    ss[p] = s;
    p += (s < 1) & (s != 0);
  }
  ThePool().For(pairs, 1 << 13, [&](int64_t p0, int64_t p1) {
    PolarScale(ss.data(), muls.data(), p0, p1);
    const int64_t whole = std::min(p1, total / 2);
    if (p0 < whole) PolarStore(v1s.data(), v2s.data(), muls.data(), mean, sd, out, p0, whole);
    // The last pair's second value, when n is odd, is never written (tfjs draws it and keeps it unused).
    if (whole < p1) out[2 * whole] = static_cast<float>(mean + sd * v1s[whole] * muls[whole]);
  });
  return nullptr;
}

}  // namespace sparsevd
