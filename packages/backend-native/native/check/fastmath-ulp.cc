// The accuracy of fastmath.h against double precision: the largest error in float32 ulps over every 97th float
// bit pattern in each function's domain. Built and run by scripts/fastmath-ulp.mjs, with and without FMA
// contraction (the fused kernels' x86-64-v3/v4 clones contract; their baseline clone has no FMA).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "../fastmath.h"

namespace {

using sparsevd::BitsToFloat;

// The distance in ulps between a float result and the exact value, measured at the exact value's float.
double Ulps(float got, double want) {
  if (std::isnan(want)) return std::isnan(got) ? 0 : 1e30;
  const float w = static_cast<float>(want);
  if (std::isinf(w)) return got == w ? 0 : 1e30;  // the exact value overflows float32: inf is the answer
  const double ulp = std::nextafter(std::fabs(w), INFINITY) - std::fabs(w);
  return std::fabs(static_cast<double>(got) - want) / (ulp > 0 ? ulp : 1.4e-45);
}

template <typename F, typename R, typename D>
void Check(const char* name, F fast, R reference, D in_domain) {
  double worst = 0;
  float at = 0;
  for (uint64_t bits = 0; bits <= 0xffffffffu; bits += 97) {
    const float x = BitsToFloat(static_cast<uint32_t>(bits));
    if (!in_domain(x)) continue;
    const double e = Ulps(fast(x), reference(static_cast<double>(x)));
    if (e > worst) {
      worst = e;
      at = x;
    }
  }
  std::printf("%-16s max %.2f ulp (at %.9g)\n", name, worst, at);
}

}  // namespace

int main() {
  const auto any = [](float) { return true; };
  Check("FastExp", sparsevd::FastExp, [](double x) { return std::exp(x); }, any);
  Check("FastExpClamped", sparsevd::FastExpClamped, [](double x) { return std::exp(x); },
        [](float x) { return x >= -87.3f && x <= 88.0f; });
  Check("FastLog", sparsevd::FastLog, [](double x) { return std::log(x); }, any);
  Check("FastLogNormal", sparsevd::FastLogNormal, [](double x) { return std::log(x); },
        [](float x) { return x >= 1.17549435e-38f || std::isnan(x); });
  Check("FastLog1p", sparsevd::FastLog1p, [](double x) { return std::log1p(x); },
        [](float x) { return x >= 0.0f && x <= 1.0f; });
  return 0;
}
