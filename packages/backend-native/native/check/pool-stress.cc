// Stress test of the addon's thread pool (pool.h), built by test/pool.test.ts with ThreadSanitizer and run there.
// Consecutive calls alternate between chunk counts, the pattern under which a worker that was descheduled between
// seeing a call and claiming from it could take a chunk of the next call. Every call must run each of its chunks
// exactly once and return only after all of them ran; exits 1 (and says how often) otherwise.
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "../pool.h"

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 20000;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  if (iterations <= 0 || threads <= 0) {
    std::fprintf(stderr, "usage: pool-stress ITERATIONS THREADS (both positive)\n");
    return 2;
  }
  sparsevd::Pool pool(threads);
  constexpr int kMaxChunks = 256;
  static std::atomic<int> runs[kMaxChunks];
  const int64_t pattern[] = {2, 8, 3, 16, 5};
  long duplicated = 0, missing = 0;
  for (long it = 0; it < iterations; ++it) {
    const int64_t grain = 16, n = grain * pattern[it % 5];
    const int64_t parts = pool.Parts(n, grain);
    for (auto& r : runs) r.store(0, std::memory_order_relaxed);
    pool.ForParts(n, grain, [](int64_t chunk, int64_t, int64_t) {
      volatile double work = 0;
      for (int k = 0; k < 64; ++k) work = work + k;
      runs[chunk].fetch_add(1, std::memory_order_relaxed);
    });
    for (int64_t c = 0; c < parts; ++c) {
      const int r = runs[c].load(std::memory_order_relaxed);
      if (r == 0) ++missing;
      if (r > 1) ++duplicated;
    }
  }
  std::printf("%ld calls on %d threads: %ld chunks run twice, %ld not run when the call returned\n", iterations,
              threads, duplicated, missing);
  return duplicated == 0 && missing == 0 ? 0 : 1;
}
