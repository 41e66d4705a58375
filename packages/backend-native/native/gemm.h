// Row-major single-precision GEMM, C = alpha·op(A)·op(B) + beta·C, run on the addon's pool: OpenBLAS is kept
// single-threaded (its own threads would spin on the cores the pool needs between calls), and a product big
// enough to pay for waking the pool is split into blocks of rows — or of columns, when C is wider than tall —
// each an independent single-threaded cblas_sgemm, a few per thread.
#pragma once

#include <cblas.h>

#include <algorithm>
#include <cstdint>

#include "pool.h"

namespace sparsevd {

// Multiply-adds below which a product stays on the calling thread.
constexpr int64_t kGemmGrain = int64_t{1} << 22;

inline void Gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                 const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  const auto one = [&](int64_t rows, int64_t cols, const float* pa, const float* pb, float* pc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(rows),
                static_cast<int>(cols), static_cast<int>(k), alpha, pa, static_cast<int>(lda), pb, static_cast<int>(ldb),
                beta, pc, static_cast<int>(ldc));
  };
  Pool& pool = ThePool();
  const int64_t work = m * n * k;
  // A few blocks per thread (each at least kGemmGrain multiply-adds), claimed as threads come free.
  const int64_t parts = pool.Threads() == 1 ? 1 : std::min<int64_t>(pool.Threads() * 4, work / kGemmGrain);
  if (parts <= 1 || k == 0) {
    one(m, n, a, b, c);
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
