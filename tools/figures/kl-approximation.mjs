#!/usr/bin/env node
// The paper's figure on approximation quality: the exact −KL (float64 quadrature) against the paper's
// approximation and Kingma et al.'s, over log α ∈ [−10, 10], and their errors. Evaluates the library's own
// tensor functions on the cpu backend. Writes docs/figures/kl-approximation.svg and prints the table.
// With the default output it also writes the table to docs/results/kl-approximation.json (docs/results.md
// quotes it). Usage: node tools/figures/kl-approximation.mjs [out.svg]
import { writeFileSync } from 'node:fs';
import { selectBackend } from '@sparsevd/backend';
import { negKlExactTable, negKlKingma, negKlMolchanov } from '@sparsevd/kl';
import * as tf from '@tensorflow/tfjs-core';
import { vegaLiteToSvg } from '../scripts/vega-svg.mjs';

const out = process.argv[2] ?? new URL('../../docs/figures/kl-approximation.svg', import.meta.url).pathname;
const chosen = await selectBackend({ backend: 'cpu', env: {} })();
if (chosen._tag === 'Left') throw new Error(chosen.left.message);

const step = 0.001;
const grid = Float32Array.from({ length: Math.round(20 / step) + 1 }, (_, i) => -10 + i * step);
const exact = negKlExactTable(grid);
const run = (fn) => {
  const input = tf.tensor1d(grid);
  const result = fn(input);
  const values = result.dataSync();
  tf.dispose([input, result]);
  return values;
};
const molchanov = run(negKlMolchanov);
const kingma = run(negKlKingma);

const worst = (approx, lo, hi) => {
  let max = 0;
  let at = Number.NaN;
  grid.forEach((la, i) => {
    if (la < lo || la > hi) return;
    const d = Math.abs(approx[i] - exact[i]);
    if (d > max) [max, at] = [d, la];
  });
  return { max, at };
};
const rows = [
  ['Molchanov et al. 2017 (eq. 14)', '[−10, 10]', worst(molchanov, -10, 10)],
  ['Kingma et al. 2015 (α ≤ 1)', '[−10, 0]', worst(kingma, -10, 0)],
  ['Kingma et al. 2015', '[−10, 10]', worst(kingma, -10, 10)],
];
process.stdout.write(
  '| approximation | log α range | max |approx − exact| | at log α |\n|---|---|---|---|\n',
);
for (const [name, range, { max, at }] of rows) {
  process.stdout.write(`| ${name} | ${range} | ${max.toPrecision(4)} | ${at.toFixed(2)} |\n`);
}
if (process.argv[2] === undefined) {
  const table = { step, rows: rows.map(([name, range, { max, at }]) => ({ name, range, max, at })) };
  writeFileSync(
    new URL('../../docs/results/kl-approximation.json', import.meta.url).pathname,
    `${JSON.stringify(table, null, 2)}\n`,
  );
}

const values = [];
for (let i = 0; i < grid.length; i += 50) {
  const la = Math.round(grid[i] * 100) / 100;
  values.push({ logAlpha: la, series: 'exact (quadrature)', negKl: exact[i], error: 0 });
  values.push({
    logAlpha: la,
    series: 'Molchanov et al. 2017',
    negKl: molchanov[i],
    error: molchanov[i] - exact[i],
  });
  if (kingma[i] < 2)
    values.push({
      logAlpha: la,
      series: 'Kingma et al. 2015',
      negKl: kingma[i],
      error: kingma[i] - exact[i],
    });
}
const color = {
  field: 'series',
  type: 'nominal',
  title: null,
  scale: {
    domain: ['exact (quadrature)', 'Molchanov et al. 2017', 'Kingma et al. 2015'],
    range: ['#222', '#d62728', '#1f77b4'],
  },
  legend: { orient: 'bottom', labelLimit: 400 },
};
const x = { field: 'logAlpha', type: 'quantitative', title: 'log α', scale: { domain: [-10, 10] } };
const svg = await vegaLiteToSvg({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: { text: '−KL(q ‖ log-uniform prior): exact vs approximations', anchor: 'middle' },
  data: { values },
  vconcat: [
    {
      width: 520,
      height: 260,
      mark: { type: 'line', clip: true, strokeWidth: 1.8 },
      encoding: {
        x,
        y: { field: 'negKl', type: 'quantitative', title: '−KL', scale: { domain: [-6, 0.5] } },
        color,
        // The exact curve is drawn dashed on top, so the approximation under it stays visible.
        strokeDash: {
          field: 'series',
          type: 'nominal',
          legend: null,
          scale: {
            domain: ['exact (quadrature)', 'Molchanov et al. 2017', 'Kingma et al. 2015'],
            range: [
              [5, 3],
              [1, 0],
              [1, 0],
            ],
          },
        },
        order: { field: 'series', sort: 'descending' },
      },
    },
    {
      width: 520,
      height: 180,
      transform: [{ filter: "datum.series !== 'exact (quadrature)'" }],
      mark: { type: 'line', clip: true, strokeWidth: 1.5 },
      encoding: {
        x,
        y: {
          field: 'error',
          type: 'quantitative',
          title: 'approximation − exact',
          scale: { domain: [-0.05, 0.05] },
        },
        color,
      },
    },
  ],
});
writeFileSync(out, svg);
process.stdout.write(`wrote ${out}\n`);
