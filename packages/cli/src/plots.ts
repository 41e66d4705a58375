import type { SparsityReport } from '@sparsevd/pruning';
import type { EpochMetrics } from '@sparsevd/train';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite specification to SVG, headless. */
export const renderSvg = async (spec: TopLevelSpec): Promise<string> => {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
};

/** Test error and compression per epoch (the paper's two numbers as training goes). */
export const trainingChart = (metrics: ReadonlyArray<EpochMetrics>, title: string): TopLevelSpec => {
  const values = metrics.map((m) => ({
    epoch: m.epoch,
    error: 100 * m.testError,
    compression: m.compression,
    phase: m.phase,
  }));
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'middle' },
    data: { values },
    vconcat: [
      {
        width: 520,
        height: 200,
        mark: { type: 'line', point: { color: '#d62728' }, color: '#d62728' },
        encoding: {
          x,
          y: { field: 'error', type: 'quantitative', title: 'test error (%)', scale: { zero: false } },
        },
      },
      {
        width: 520,
        height: 200,
        mark: { type: 'line', point: { color: '#1f77b4' }, color: '#1f77b4' },
        encoding: {
          x,
          y: {
            field: 'compression',
            type: 'quantitative',
            title: '|W| / |W ≠ 0| (log scale)',
            scale: { type: 'log' },
          },
        },
      },
    ],
  };
};

/** log α histogram per layer with the pruning threshold marked: the paper's bimodal picture. */
export const logAlphaChart = (report: SparsityReport): TopLevelSpec => {
  const values = report.layers.flatMap((layer) =>
    layer.logAlpha.counts.map((count, i) => ({
      layer: `${layer.name} (${layer.removedPercent.toFixed(1)} % removed)`,
      from: layer.logAlpha.edges[i],
      to: layer.logAlpha.edges[i + 1],
      count,
      pruned: (layer.logAlpha.edges[i] as number) >= layer.threshold ? 'pruned (log α ≥ threshold)' : 'kept',
    })),
  );
  const threshold = report.layers[0]?.threshold ?? 3;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `log α per layer — threshold ${threshold}`, anchor: 'middle' },
    data: { values },
    facet: { row: { field: 'layer', type: 'nominal', title: null, sort: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 520,
      height: 120,
      layer: [
        {
          mark: { type: 'rect' },
          encoding: {
            x: { field: 'from', type: 'quantitative', title: 'log α', scale: { domain: [-8, 8] } },
            x2: { field: 'to' },
            y: { field: 'count', type: 'quantitative', title: 'weights', scale: { type: 'symlog' } },
            color: {
              field: 'pruned',
              type: 'nominal',
              title: null,
              scale: { domain: ['kept', 'pruned (log α ≥ threshold)'], range: ['#1f77b4', '#bbbbbb'] },
              legend: { orient: 'bottom', labelLimit: 300 },
            },
          },
        },
        {
          data: { values: [{ threshold }] },
          mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3], strokeWidth: 2 },
          encoding: { x: { field: 'threshold', type: 'quantitative' } },
        },
      ],
    },
  };
};

/**
 * Which inputs of the first layer survive. For a dense first layer on 784 = 28×28 inputs: a 28×28 image of
 * the number of kept weights leaving each pixel. For a conv first layer: each filter's kept taps (summed
 * over input channels) as small multiples.
 */
export const firstLayerChart = (
  name: string,
  shape: ReadonlyArray<number>,
  keep: Float32Array,
): TopLevelSpec | undefined => {
  if (shape.length === 2 && shape[0] === 784) {
    const outputs = shape[1] as number;
    const values = Array.from({ length: 784 }, (_, pixel) => {
      let kept = 0;
      for (let o = 0; o < outputs; o += 1) kept += keep[pixel * outputs + o] as number;
      return { row: Math.floor(pixel / 28), col: pixel % 28, kept };
    });
    const used = values.filter((v) => v.kept > 0).length;
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: `${name}: kept weights per input pixel — ${used} of 784 pixels used`, anchor: 'middle' },
      data: { values },
      width: 336,
      height: 336,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'col', type: 'ordinal', axis: null },
        y: { field: 'row', type: 'ordinal', axis: null },
        color: { field: 'kept', type: 'quantitative', title: 'kept weights', scale: { scheme: 'viridis' } },
      },
    };
  }
  if (shape.length === 4) {
    const [kh, kw, inC, outC] = shape as [number, number, number, number];
    const values: Array<{ filter: number; row: number; col: number; kept: number }> = [];
    for (let f = 0; f < outC; f += 1) {
      for (let r = 0; r < kh; r += 1) {
        for (let c = 0; c < kw; c += 1) {
          let kept = 0;
          for (let i = 0; i < inC; i += 1) kept += keep[((r * kw + c) * inC + i) * outC + f] as number;
          values.push({ filter: f, row: r, col: c, kept });
        }
      }
    }
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: `${name}: kept taps of each filter`, anchor: 'middle' },
      data: { values },
      facet: { field: 'filter', type: 'ordinal', title: 'filter' },
      columns: 10,
      spec: {
        width: 12 * kw,
        height: 12 * kh,
        mark: { type: 'rect' },
        encoding: {
          x: { field: 'col', type: 'ordinal', axis: null },
          y: { field: 'row', type: 'ordinal', axis: null },
          color: {
            field: 'kept',
            type: 'quantitative',
            title: 'kept',
            scale: { scheme: 'viridis', domain: [0, inC] },
          },
        },
      },
    };
  }
  return undefined;
};
