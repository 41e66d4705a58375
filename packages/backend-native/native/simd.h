// Versions of a vectorised function, one per instruction set, chosen at run time through one process-wide
// setting: on x86-64 AVX-512 with FMA, AVX2 with FMA, and the baseline x86-64 build; elsewhere the baseline build
// alone. The body is written once, as an always-inline function that each version inlines and compiles for its
// own instruction set. The setting starts at the widest version the CPU runs and can be lowered (never raised
// past the CPU) by `SetIsa`, so every version can be tested and benchmarked on a machine that has the widest.
// (Load-time multiversioning — GCC's ifunc resolvers — cannot be capped, and GCC 12 never picks its
// "arch=x86-64-v3/v4" target_clones: it tests them as CPU models.)
#pragma once

#include <atomic>

#define SPARSEVD_INLINE __attribute__((always_inline)) inline

namespace sparsevd {

// The versions, narrowest first.
enum class Isa : int { kBaseline = 0, kAvx2 = 1, kAvx512 = 2 };

// The name the addon reports (availability(), the bench) and accepts (isa()), and what a person reads: the
// instruction set with the features each version is compiled for. Indexed by Isa.
struct IsaNames {
  const char* name;
  const char* description;
};
inline const IsaNames& NamesOf(Isa isa) {
#if defined(__x86_64__)
  static const IsaNames names[] = {{"baseline", "baseline x86-64"}, {"avx2", "AVX2 + FMA"}, {"avx512", "AVX-512 + FMA"}};
#else
  static const IsaNames names[] = {{"baseline", "baseline"}, {"avx2", "AVX2 + FMA"}, {"avx512", "AVX-512 + FMA"}};
#endif
  return names[static_cast<int>(isa)];
}
inline const char* IsaName(Isa isa) { return NamesOf(isa).name; }
inline const char* IsaDescription(Isa isa) { return NamesOf(isa).description; }

// The widest version this CPU (and its OS, which must save the wider registers) runs.
inline Isa WidestIsa() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
  const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
  return avx512 ? Isa::kAvx512 : (avx2 ? Isa::kAvx2 : Isa::kBaseline);
#else
  return Isa::kBaseline;
#endif
}

namespace internal {
inline std::atomic<int>& IsaSetting() {
  static std::atomic<int> setting{static_cast<int>(WidestIsa())};
  return setting;
}
}  // namespace internal

// The version the vectorised kernels run now.
inline Isa ActiveIsa() { return static_cast<Isa>(internal::IsaSetting().load(std::memory_order_relaxed)); }

// Runs the kernels with `isa` from the next call on; false (and no change) when the CPU cannot run it.
inline bool SetIsa(Isa isa) {
  if (static_cast<int>(isa) > static_cast<int>(WidestIsa())) return false;
  internal::IsaSetting().store(static_cast<int>(isa), std::memory_order_relaxed);
  return true;
}

}  // namespace sparsevd

#if defined(__x86_64__)
#define SPARSEVD_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma,bmi,bmi2")))
#define SPARSEVD_TARGET_AVX2 __attribute__((target("avx2,fma,bmi,bmi2")))

// SPARSEVD_SIMD_VERSIONS(Name, (parameters), (arguments)): Name, calling the version of NameBody compiled for the
// active instruction set (one predictable branch per call; callers pass blocks or rows, never single elements).
#define SPARSEVD_SIMD_VERSIONS(name, params, args)                          \
  SPARSEVD_TARGET_AVX512 __attribute__((noinline)) void name##Avx512 params { name##Body args; } \
  SPARSEVD_TARGET_AVX2 __attribute__((noinline)) void name##Avx2 params { name##Body args; }     \
  __attribute__((noinline)) void name##Baseline params { name##Body args; }                      \
  void name params {                                                        \
    switch (::sparsevd::ActiveIsa()) {                                      \
      case ::sparsevd::Isa::kAvx512:                                        \
        name##Avx512 args;                                                  \
        return;                                                             \
      case ::sparsevd::Isa::kAvx2:                                          \
        name##Avx2 args;                                                    \
        return;                                                             \
      default:                                                              \
        name##Baseline args;                                                \
    }                                                                       \
  }
#else
// One portable version: the compiler vectorises the body for the target's own baseline (NEON on arm64).
#define SPARSEVD_SIMD_VERSIONS(name, params, args) \
  void name params { name##Body args; }
#endif
