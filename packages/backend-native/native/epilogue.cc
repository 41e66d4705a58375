// BiasActivation: the epilogue of a matrix product or a convolution, y = act(y + bias) in place over the rows of
// the output, in native code (a JavaScript loop over the output cost as much as a small product itself).
#include <node_api.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "args.h"
#include "fused.h"
#include "pool.h"
#include "simd.h"

namespace sparsevd {
namespace {

// Rows [r0, r1) of y [rows, n]: y += bias (when given), then max(y, 0) when relu — NaN stays NaN and −0 becomes
// 0, as tf.relu. One float addition per element, as tf.add's: the result equals the unfused ops' bit for bit.
SPARSEVD_INLINE void BiasActivationRowsBody(float* __restrict y, int64_t r0, int64_t r1, int64_t n,
                                            const float* __restrict bias, int64_t relu) {
  for (int64_t r = r0; r < r1; ++r) {
    float* __restrict row = y + r * n;
    if (bias != nullptr)
      for (int64_t j = 0; j < n; ++j) row[j] += bias[j];
    if (relu != 0)
      for (int64_t j = 0; j < n; ++j) row[j] = row[j] > 0.0f ? row[j] : (row[j] != row[j] ? row[j] : 0.0f);
  }
}
SPARSEVD_SIMD_VERSIONS(BiasActivationRows,
                       (float* __restrict y, int64_t r0, int64_t r1, int64_t n, const float* __restrict bias,
                        int64_t relu),
                       (y, r0, r1, n, bias, relu))

}  // namespace

// Short rows (a few filters of a convolution: n = 3 makes a third of a million rows of a 28 × 28 batch) run as
// longer ones: the bias repeated kTile / n times, over kTile / n rows at once.
constexpr int64_t kTile = 240;  // a multiple of 1 … 16 except 7, 9, 11, 13, 14: the shortest rows repeat exactly

// biasActivation(y, rows, n, bias, activation): y [rows·n] in place, y[r][j] = act(y[r][j] + bias[j]); bias has n
// values, or is null for none; activation 0 is the identity, 1 relu.
napi_value BiasActivation(napi_env env, napi_callback_info info) {
  Args args(env, info, "biasActivation", 5);
  const Span<float> y = args.Floats(0, "y");
  const int64_t rows = args.Int(1, "rows");
  const int64_t n = args.Int(2, "n");
  const Span<float> bias = args.Floats(3, "bias", true);
  const int64_t act = args.Int(4, "activation", 0, 1);
  args.Length(y, "y", args.Product("rows·n", {rows, n}));
  if (bias.data != nullptr) args.Length(bias, "bias", n);
  if (!args.ok() || rows * n == 0) return nullptr;
  // Rows of n < kTile dividing kTile are grouped kTile / n at a time (one row of the tiled bias per group); the
  // rows left over after the last whole group run alone. Each element still gets exactly y + bias[j].
  const int64_t group = (n < kTile && kTile % n == 0) ? kTile / n : 1;
  const int64_t width = n * group, groups = rows / group;
  std::vector<float> tiled;
  const float* b = bias.data;
  if (group > 1 && bias.data != nullptr) {
    tiled.resize(static_cast<size_t>(width));
    for (int64_t e = 0; e < width; ++e) tiled[static_cast<size_t>(e)] = bias.data[e % n];
    b = tiled.data();
  }
  // Grouped rows per chunk: about 16 K elements, below which handing work to a thread costs more than it saves.
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 14) / width);
  ThePool().For(groups, grain, [&](int64_t r0, int64_t r1) { BiasActivationRows(y.data, r0, r1, width, b, act); });
  if (groups * group < rows)
    BiasActivationRows(y.data + groups * width, 0, rows - groups * group, n, bias.data, act);
  return nullptr;
}

}  // namespace sparsevd
