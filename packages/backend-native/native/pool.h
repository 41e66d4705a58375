// A persistent pool of worker threads for the addon's GEMMs and element-wise passes. `For(n, grain, f)` splits
// [0, n) into one contiguous part per thread (the calling thread takes the first) and returns when all are
// done; ranges shorter than two grains run inline, where handing work over costs more than it saves. Calls
// come from the JavaScript thread only, one at a time.
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
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, i, start] { Work(i, start); });
  }

  // How many parts `For(n, grain, …)` splits into.
  int64_t Parts(int64_t n, int64_t grain) const {
    return std::max<int64_t>(1, std::min<int64_t>(Threads(), grain > 0 ? n / grain : n));
  }

  void For(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& f) {
    ForParts(n, grain, [&f](int64_t, int64_t begin, int64_t end) { f(begin, end); });
  }

  // As For, also passing each part's index (0 ≤ part < Parts(n, grain)), for per-part partial results.
  void ForParts(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t, int64_t)>& f) {
    const int64_t parts = Parts(n, grain);
    if (parts <= 1) {
      if (n > 0) f(0, 0, n);
      return;
    }
    const int64_t chunk = (n + parts - 1) / parts;
    const std::function<void(int)> task = [&f, chunk, n](int part) {
      const int64_t begin = part * chunk, end = std::min(n, begin + chunk);
      if (begin < end) f(part, begin, end);
    };
    task_ = &task;
    parts_.store(static_cast<int>(parts), std::memory_order_relaxed);
    pending_.store(static_cast<int>(parts) - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    if (sleeping_.load(std::memory_order_acquire) > 0) wake_.notify_all();
    task(0);
    // The parts are equal, so the others finish about now: spin rather than sleep.
    while (pending_.load(std::memory_order_acquire) > 0) Relax();
    task_ = nullptr;
  }

 private:
  static void Relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
  }

  // Workers spin on the generation counter for a while after each task (training steps call the pool every
  // few hundred microseconds, and waking a sleeping thread costs tens of them), then sleep.
  void Work(int index, uint64_t seen) {
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
      if (index < parts_.load(std::memory_order_relaxed)) {
        (*task_)(index);
        pending_.fetch_sub(1, std::memory_order_acq_rel);
      }
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

  // About 100 µs of pause instructions.
  static constexpr int kSpins = 2000;

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  const std::function<void(int)>* task_ = nullptr;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> parts_{0};
  std::atomic<int> pending_{0};
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
