// Gaussian noise identical to tfjs's `randomNormal(shape, mean, stdDev, 'float32', seed)`: seedrandom's Alea
// generator (seeded through its Mash hash from the seed's decimal string) feeding the Marsaglia polar method,
// in the same double-precision operations in the same order, so the values match tfjs's (the one possible
// difference being glibc's log against V8's in the last bit of a double, which float32 rounding hides).
#include <cmath>
#include <cstdint>
#include <string>

#include "fused.h"
#include "napi-util.h"

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

class Alea {
 public:
  explicit Alea(const std::u16string& seed) {
    Mash mash;
    const std::u16string space = u" ";
    s0_ = mash(space);
    s1_ = mash(space);
    s2_ = mash(space);
    s0_ -= mash(seed);
    if (s0_ < 0) s0_ += 1;
    s1_ -= mash(seed);
    if (s1_ < 0) s1_ += 1;
    s2_ -= mash(seed);
    if (s2_ < 0) s2_ += 1;
  }
  double Next() {
    const double t = 2091639 * s0_ + c_ * 2.3283064365386963e-10;
    s0_ = s1_;
    s1_ = s2_;
    c_ = static_cast<double>(static_cast<int32_t>(t));  // t | 0 (0 ≤ t < 2^31)
    s2_ = t - c_;
    return s2_;
  }

 private:
  double s0_ = 0, s1_ = 0, s2_ = 0, c_ = 1;
};

}  // namespace

// randomNormal(seed: string, mean, stdDev, out: Float32Array)
napi_value RandomNormal(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 4) {
    napi_throw_error(env, nullptr, "randomNormal takes 4 arguments");
    return nullptr;
  }
  size_t length = 0;
  if (napi_get_value_string_utf16(env, argv[0], nullptr, 0, &length) != napi_ok) {
    napi_throw_type_error(env, nullptr, "randomNormal: the seed must be a string");
    return nullptr;
  }
  std::u16string seed(length, u'\0');
  napi_get_value_string_utf16(env, argv[0], seed.data(), length + 1, &length);
  const double mean = Double(env, argv[1]), sd = Double(env, argv[2]);
  size_t n = 0;
  float* out = Floats(env, argv[3], &n);
  if (out == nullptr) return nullptr;
  Alea random(seed);
  for (size_t i = 0; i < n; i += 2) {
    double v1, v2, s;
    do {
      v1 = 2 * random.Next() - 1;
      v2 = 2 * random.Next() - 1;
      s = v1 * v1 + v2 * v2;
    } while (s >= 1 || s == 0);
    const double mul = std::sqrt(-2.0 * std::log(s) / s);
    out[i] = static_cast<float>(mean + sd * v1 * mul);
    if (i + 1 < n) out[i + 1] = static_cast<float>(mean + sd * v2 * mul);
  }
  return nullptr;
}

}  // namespace sparsevd
