// A persistent pool of worker threads for the addon's GEMMs and element-wise passes. `For(n, grain, f)` splits
// [0, n) into a few contiguous chunks per thread that the calling thread and the workers claim as they come,
// and returns when all are done; ranges shorter than two grains run inline, where handing work over costs more
// than it saves. Calls come from the JavaScript thread only, one at a time.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sparsevd {

class Pool {
 public:
  explicit Pool(int threads) { Resize(threads); }
  ~Pool() { Stop(); }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  int Threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Changes the number of threads (at least 1: the caller alone).
  void Resize(int threads) {
    Stop();
    stop_ = false;
    const int n = std::max(1, threads);
    // The generation the workers start from is read here, not in the new threads: work handed out before a
    // thread gets to run must still be seen as new by it.
    const uint64_t start = generation_.load(std::memory_order_acquire);
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, start] { Work(start); });
  }

  // How many chunks `For(n, grain, …)` splits into: up to kChunksPerThread per thread, each at least a grain.
  int64_t Parts(int64_t n, int64_t grain) const {
    if (Threads() == 1) return 1;
    return std::max<int64_t>(1, std::min<int64_t>(Threads() * kChunksPerThread, grain > 0 ? n / grain : n));
  }

  void For(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& f) {
    ForParts(n, grain, [&f](int64_t, int64_t begin, int64_t end) { f(begin, end); });
  }

  // As For, also passing each chunk's index (0 ≤ chunk < Parts(n, grain)), for per-chunk partial results: the
  // partition depends only on n, grain and the thread count, never on which thread ran what.
  void ForParts(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t, int64_t)>& f) {
    const int64_t chunks = Parts(n, grain);
    if (chunks <= 1) {
      if (n > 0) f(0, 0, n);
      return;
    }
    const int64_t size = (n + chunks - 1) / chunks;
    const std::function<void(int64_t)> task = [&f, size, n](int64_t c) {
      const int64_t begin = c * size, end = std::min(n, begin + size);
      if (begin < end) f(c, begin, end);
    };
    task_.store(&task, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      gen = (generation_.load(std::memory_order_relaxed) + 1) & kGenMask;
      // Publishing the claim word (release) publishes the task and the reset count with it.
      work_.store(Claim(gen, chunks, 0), std::memory_order_release);
      generation_.store(gen, std::memory_order_release);
    }
    if (sleeping_.load(std::memory_order_acquire) > 0) wake_.notify_all();
    // The caller takes chunks too, so a worker the OS has not scheduled yet delays nothing: the caller then
    // simply does its chunks. Only a chunk a worker has claimed is waited for.
    RunChunks(gen);
    while (done_.load(std::memory_order_acquire) < chunks) Relax();
  }

 private:
  static constexpr int64_t kChunksPerThread = 4;
  // The claim word packs (generation, chunk count, next chunk) so that one compare-and-swap both checks that a
  // call is still the one the thread saw and that a chunk is left in it. Keeping the count in the word matters:
  // a worker descheduled between seeing a call and claiming from it used to read the count of the *next* call
  // with the claim counter of the finished one, claim a chunk that no longer existed, run it against the next
  // call's task and count it done there — so that call returned while one of its chunks was still being
  // written (tools/soak's pool race test and test/pool-race.test.ts reproduce it under load).
  static constexpr int kChunkBits = 12;
  static constexpr uint64_t kChunkMask = (uint64_t{1} << kChunkBits) - 1;
  static constexpr uint64_t kGenMask = (uint64_t{1} << (64 - 2 * kChunkBits)) - 1;
  static_assert(64 * kChunksPerThread <= static_cast<int64_t>(kChunkMask), "chunk count must fit the claim word");

  static uint64_t Claim(uint64_t gen, int64_t chunks, int64_t next) {
    return (gen << (2 * kChunkBits)) | (static_cast<uint64_t>(chunks) << kChunkBits) | static_cast<uint64_t>(next);
  }

  static void Relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
  }

  // Claims and runs chunks of generation `gen` until none is left. A successful claim proves that the call of
  // generation `gen` is still waiting (it returns only once every claimed chunk is done), so its task is read
  // after the claim and is alive while the chunk runs.
  void RunChunks(uint64_t gen) {
    uint64_t cur = work_.load(std::memory_order_acquire);
    for (;;) {
      if ((cur >> (2 * kChunkBits)) != gen) return;
      const uint64_t next = cur & kChunkMask, chunks = (cur >> kChunkBits) & kChunkMask;
      if (next >= chunks) return;
      if (work_.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        (*task_.load(std::memory_order_relaxed))(static_cast<int64_t>(next));
        done_.fetch_add(1, std::memory_order_acq_rel);
        cur = work_.load(std::memory_order_acquire);
      }
    }
  }

  // Workers spin on the generation counter for a short while after each task (training steps call the pool
  // often, and waking a sleeping thread costs tens of microseconds), then sleep.
  void Work(uint64_t seen) {
    for (;;) {
      uint64_t now = generation_.load(std::memory_order_acquire);
      for (int spin = 0; now == seen && spin < kSpins; ++spin) {
        Relax();
        now = generation_.load(std::memory_order_acquire);
      }
      if (now == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleeping_.fetch_add(1, std::memory_order_acq_rel);
        wake_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_acquire) != seen; });
        sleeping_.fetch_sub(1, std::memory_order_acq_rel);
        if (stop_) return;
        now = generation_.load(std::memory_order_acquire);
      }
      if (stop_) return;
      seen = now;
      RunChunks(now);
    }
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  static constexpr int kSpins = 2000;

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<const std::function<void(int64_t)>*> task_{nullptr};
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> work_{0};  // Claim(generation, chunks, next chunk)
  std::atomic<int64_t> done_{0};
  std::atomic<int> sleeping_{0};
  std::atomic<bool> stop_{false};
};

// SPARSEVD_NATIVE_THREADS when set to a positive number, else the machine's cores (at most 16).
inline int DefaultThreads() {
  const char* env = std::getenv("SPARSEVD_NATIVE_THREADS");
  const int n = env == nullptr ? 0 : std::atoi(env);
  return n > 0 ? std::min(n, 64) : static_cast<int>(std::max(1u, std::min(16u, std::thread::hardware_concurrency())));
}

// The addon's pool, sized to DefaultThreads() on first use.
inline Pool& ThePool() {
  static Pool pool(DefaultThreads());
  return pool;
}

}  // namespace sparsevd
