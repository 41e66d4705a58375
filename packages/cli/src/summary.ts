import type { BackendInfo } from '@sparsevd/backend';
import { formatCompression, type WeightSparsity } from '@sparsevd/pruning';
import type { EpochMetrics, TrainConfig } from '@sparsevd/train';

/** The paper's numbers for the reference networks (Table 1), to print beside the run's. */
const PAPER: Record<string, { error: number; layers: string; compression: number }> = {
  lenet300: { error: 1.92, layers: '98.9 – 97.2 – 62.0', compression: 68 },
  lenet5: { error: 0.75, layers: '67 – 98 – 99.8 – 95', compression: 280 },
};

const table = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: ReadonlyArray<string>) => r.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(rows[0] ?? []), rule, ...rows.slice(1).map(line)].join('\n');
};

/** The end-of-run table: test error, per-layer sparsity, compression, wall time, backend. */
export const summaryTable = (
  config: TrainConfig,
  metrics: ReadonlyArray<EpochMetrics>,
  report: WeightSparsity | undefined,
  backend: string,
): string => {
  const last = metrics[metrics.length - 1];
  if (last === undefined) return 'no epoch completed';
  const seconds = metrics.reduce((s, m) => s + m.seconds, 0);
  const rows: string[][] = [
    [
      '',
      'this run',
      ...(PAPER[config.model] && !config.dense && !config.randomLabels ? ['paper (Table 1)'] : []),
    ],
    [
      'test error',
      `${(100 * last.testError).toFixed(2)} %`,
      ...(PAPER[config.model] ? [`${PAPER[config.model]?.error.toFixed(2)} %`] : []),
    ],
    [
      'removed per layer',
      report && report.layers.length > 0
        ? `${report.layers.map((l) => l.removedPercent.toFixed(1)).join(' – ')} %`
        : 'none (dense)',
      ...(PAPER[config.model] ? [`${PAPER[config.model]?.layers} %`] : []),
    ],
    [
      '|W| / |W ≠ 0|',
      report === undefined ? '1.0×' : formatCompression(report.compression),
      ...(PAPER[config.model] ? [`${PAPER[config.model]?.compression}×`] : []),
    ],
    ['epochs', `${last.epoch} of ${config.epochs}`],
    ['wall time (training)', `${(seconds / 60).toFixed(1)} min`],
    ['backend', backend],
  ];
  const layers =
    report?.layers.map((l) => [
      l.name,
      `[${l.shape.join(', ')}]`,
      String(l.weights),
      String(l.kept),
      `${l.removedPercent.toFixed(2)} %`,
    ]) ?? [];
  return `${table(rows)}${layers.length > 0 ? `\n\n${table([['layer', 'shape', 'weights', 'kept', 'removed'], ...layers])}` : ''}`;
};

/**
 * A one-line description of a backend for the summary: wasm's SIMD and threads; native's BLAS, threads and the
 * version of its vectorised kernels (`SPARSEVD_NATIVE_ISA` chooses a narrower one).
 */
export const backendLine = (info: BackendInfo): string =>
  `${info.backend}${info.wasm ? ` (SIMD ${info.wasm.simd ? 'on' : 'off'}, ${info.wasm.threads ? `${info.wasm.threadCount} threads` : '1 thread'})` : ''}${info.native ? ` (${info.native.details})` : ''}`;
