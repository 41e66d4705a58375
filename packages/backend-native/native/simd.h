// Three versions of a vectorised function, chosen once at load by GCC's function multiversioning (an ifunc
// resolver asks the CPU): AVX-512 with FMA, AVX2 with FMA, and the baseline x86-64 build. The body is written
// once, as an always-inline function that each version inlines and compiles for its own instruction set.
// (target_clones cannot combine features in one clone, and GCC 12's resolver never picks "arch=x86-64-v3/v4"
// clones — it tests them as CPU models — so those silently ran the baseline build.)
#pragma once

#define SPARSEVD_INLINE __attribute__((always_inline)) inline
#define SPARSEVD_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,bmi,bmi2")))
#define SPARSEVD_TARGET_AVX2 __attribute__((target("avx2,fma,bmi,bmi2")))
#define SPARSEVD_TARGET_DEFAULT __attribute__((target("default")))

// SPARSEVD_SIMD_VERSIONS(Name, (parameters), (arguments)): the three versions of Name, each calling NameBody.
#define SPARSEVD_SIMD_VERSIONS(name, params, args)          \
  SPARSEVD_TARGET_DEFAULT void name params { name##Body args; } \
  SPARSEVD_TARGET_AVX2 void name params { name##Body args; }    \
  SPARSEVD_TARGET_AVX512 void name params { name##Body args; }
