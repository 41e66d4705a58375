// Row-major single-precision GEMM, C = alpha·op(A)·op(B) + beta·C, run on the addon's pool: OpenBLAS is kept
// single-threaded (its own threads would spin on the cores the pool needs between calls), and a product big
// enough to pay for waking the pool is split into blocks of rows — or of columns, when C is wider than tall —
// each an independent single-threaded cblas_sgemm, a few per thread.
#pragma once

#include "blas.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "pool.h"

namespace sparsevd {

// Multiply-adds below which a product stays on the calling thread.
constexpr int64_t kGemmGrain = int64_t{1} << 22;
// Blocks per thread: two, claimed as threads come free, balance a descheduled thread without packing the
// shared operand too often (measured: 100×784×300 at 173 GFLOP/s on 2 threads, against 118 with four).
constexpr int64_t kGemmBlocksPerThread = 2;
// The largest C (m·n) whose product is split along k: a reduction over a long k (a convolution's filter
// gradient, colsᵀ·dy) gives each block its own slice of both operands, and the partial C's are added.
constexpr int64_t kSplitKMaxC = int64_t{1} << 16;

inline void Gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                 const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  // One single-threaded block: rows × cols of C over `depth` of k, from the given corners of op(A), op(B) and C.
  const auto block = [&](int64_t rows, int64_t cols, int64_t depth, const float* pa, const float* pb, float pbeta,
                         float* pc, int64_t pldc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(rows),
                static_cast<int>(cols), static_cast<int>(depth), alpha, pa, static_cast<int>(lda), pb,
                static_cast<int>(ldb), pbeta, pc, static_cast<int>(pldc));
  };
  const auto one = [&](int64_t rows, int64_t cols, const float* pa, const float* pb, float* pc) {
    block(rows, cols, k, pa, pb, beta, pc, ldc);
  };
  Pool& pool = ThePool();
  const int64_t work = m * n * k;
  // A few blocks per thread (each at least kGemmGrain multiply-adds), claimed as threads come free.
  const int64_t parts =
      pool.Threads() == 1 ? 1 : std::min<int64_t>(pool.Threads() * kGemmBlocksPerThread, work / kGemmGrain);
  if (parts <= 1 || k == 0) {
    one(m, n, a, b, c);
    return;
  }
  if (k >= 4 * std::max(m, n) && m * n <= kSplitKMaxC) {
    // Block 0 accumulates into C (with beta); the others into zeroed partials, added in block order.
    const int64_t depth = (k + parts - 1) / parts;
    std::vector<float> partial(static_cast<size_t>((parts - 1) * m * n));
    pool.For(parts, 1, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t k0 = p * depth, k1 = std::min(k, k0 + depth);
        float* pc = p == 0 ? c : partial.data() + (p - 1) * m * n;
        if (k0 >= k1) {
          if (p > 0) std::fill(pc, pc + m * n, 0.0f);
          continue;
        }
        block(m, n, k1 - k0, ta ? a + k0 * lda : a + k0, tb ? b + k0 : b + k0 * ldb, p == 0 ? beta : 0.0f, pc,
              p == 0 ? ldc : n);
      }
    });
    for (int64_t p = 1; p < parts; ++p) {
      const float* pc = partial.data() + (p - 1) * m * n;
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) c[i * ldc + j] += pc[i * n + j];
    }
    return;
  }
  if (m >= n) {
    const int64_t rows = ((m + parts - 1) / parts + 7) / 8 * 8;
    pool.For(parts, 1, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t i0 = p * rows, i1 = std::min(m, i0 + rows);
        if (i0 < i1) one(i1 - i0, n, ta ? a + i0 : a + i0 * lda, b, c + i0 * ldc);
      }
    });
  } else {
    const int64_t cols = ((n + parts - 1) / parts + 15) / 16 * 16;
    pool.For(parts, 1, [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t j0 = p * cols, j1 = std::min(n, j0 + cols);
        if (j0 < j1) one(m, j1 - j0, a, tb ? b + j0 * ldb : b + j0, c + j0);
      }
    });
  }
}

}  // namespace sparsevd
